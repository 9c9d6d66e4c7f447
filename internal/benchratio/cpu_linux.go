package benchratio

import (
	"syscall"
	"time"
	"unsafe"
)

// cpuNow reads CLOCK_PROCESS_CPUTIME_ID: the CPU time of every thread of
// the process (the benchmark and the garbage collector alike).
func cpuNow() time.Duration {
	const clockProcessCPUTimeID = 2
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ts.Nano())
}
