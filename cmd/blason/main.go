// Command blason issues, holds and verifies Open Badges 3.0 credentials.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	// Some file systems (NFS, FUSE) report a failed write only on close:
	// check it, so a result that was not stored never exits 0.
	if err := os.Stdout.Close(); err != nil && code != exitUsage {
		fmt.Fprintf(os.Stderr, "blason: cannot write the output: %s\n", err)
		code = exitUsage
	}
	os.Exit(code)
}
