//go:build !linux

package pdftext

import "github.com/tetratelabs/wazero/experimental"

// mappedAllocator: elsewhere wazero's own memories are used.
func mappedAllocator() experimental.MemoryAllocator { return nil }
