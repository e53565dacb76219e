//go:build unix

package store

import (
	"os"
	"syscall"
)

// unlock lets go of the lock bbolt took on f. Closing f is not enough when
// bbolt mapped it before it panicked: the mapping keeps the open file, and
// its lock, alive.
func unlock(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
