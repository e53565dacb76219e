package pdftext

import (
	"strconv"
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// mappedAllocator makes each module memory one anonymous private mapping of
// its maximum size, without reserving swap for it: pages cost memory only
// once PDFium writes them. On a 32-bit build there is no room for that.
func mappedAllocator() experimental.MemoryAllocator {
	if strconv.IntSize < 64 {
		return nil
	}
	return experimental.MemoryAllocatorFunc(func(capacity, max uint64) experimental.LinearMemory {
		b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE)
		if err != nil || max == 0 {
			return &sliceMemory{buf: make([]byte, 0, capacity)}
		}
		return &mappedMemory{mapping: b}
	})
}

// mappedMemory is a module memory in a mapping of its maximum size.
type mappedMemory struct{ mapping []byte }

// Reallocate grows the memory in place; nil (the module's memory.grow
// fails) past the maximum.
func (m *mappedMemory) Reallocate(size uint64) []byte {
	if m.mapping == nil || size > uint64(len(m.mapping)) {
		return nil
	}
	return m.mapping[:size:size]
}

// Free gives the mapping back; the module is closed and runs no more.
func (m *mappedMemory) Free() {
	if m.mapping != nil {
		_ = syscall.Munmap(m.mapping)
		m.mapping = nil
	}
}
