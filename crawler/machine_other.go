//go:build !unix

package crawler

import "time"

// openFileLimit is the process's soft limit on open files (0: unknown here).
func openFileLimit() uint64 { return 0 }

// processCPU is the CPU time the process has used (0: unknown here).
func processCPU() time.Duration { return 0 }
