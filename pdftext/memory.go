package pdftext

import (
	"context"

	"github.com/tetratelabs/wazero/experimental"
)

// PDFium's memory grows a few pages at a time as its allocator asks. By
// default wazero grows a module's memory by appending to a Go slice: every
// growth past the capacity copies the whole memory, and the old copies stay
// until the garbage collector runs, so a document that takes PDFium to 512
// MiB had the process at 2.4 GB. Where the system allows, the memory is
// instead one mapping of the module's maximum, reserved but not committed:
// it grows in place, is counted once, and is given back to the system when
// the module closes (after a trap, see Engine.run).

// withMemory returns ctx with the engine's allocator for module memories,
// when the system has one.
func withMemory(ctx context.Context) context.Context {
	if a := mappedAllocator(); a != nil {
		return experimental.WithMemoryAllocator(ctx, a)
	}
	return ctx
}

// sliceMemory is a memory kept in a Go slice, grown by appending: the
// fallback when a mapping cannot be made.
type sliceMemory struct{ buf []byte }

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if n := uint64(len(m.buf)); size > n {
		m.buf = append(m.buf, make([]byte, size-n)...)
	}
	return m.buf[:size]
}

func (m *sliceMemory) Free() { m.buf = nil }
