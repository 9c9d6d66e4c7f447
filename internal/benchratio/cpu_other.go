//go:build !linux

package benchratio

import "time"

// cpuNow is the wall clock where no process CPU clock is read.
func cpuNow() time.Duration { return time.Duration(time.Now().UnixNano()) }
