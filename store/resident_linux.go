package store

import (
	"fmt"
	"syscall"
)

// unmapPages drops the process's mappings of n bytes of the store's shared,
// read-only file map at addr (MADV_DONTNEED: the file's contents are
// untouched, and a later read maps them again).
func unmapPages(addr, n uintptr) error {
	if n == 0 {
		return nil
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, n, syscall.MADV_DONTNEED); errno != 0 {
		return fmt.Errorf("releasing the store's mapped pages: %w", errno)
	}
	return nil
}
