package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"unicode/utf16"
)

// A compound file (CFB, "OLE2") is the container of Word 97–2003 (DOC), WPS
// and Excel 97–2003 (XLS) documents: a small FAT file system of sectors in
// one file. cfbFile reads the streams at its root, with every sector chain
// checked against the file's size and for loops, so that a broken or hostile
// file ends in an error, never a panic or an endless walk.
type cfbFile struct {
	b          []byte
	sector     int      // sector size
	mini       int      // mini sector size
	cutoff     uint64   // streams below this size live in the mini stream
	fat        []uint32 // next sector of each sector
	minifat    []uint32
	ministream []byte
	root       map[string]cfbEntry // the root storage's streams by name
}

type cfbEntry struct {
	start uint32
	size  uint64
}

const (
	cfbEnd  = 0xFFFFFFFE // end of chain
	cfbFree = 0xFFFFFFFF
)

var errCFB = errors.New("broken compound file")

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func openCFB(b []byte) (*cfbFile, error) {
	if len(b) < 512 || string(b[:8]) != string(cfbMagic) {
		return nil, fmt.Errorf("%w: no compound file header", errCFB)
	}
	le := binary.LittleEndian
	shift, mshift := le.Uint16(b[0x1E:]), le.Uint16(b[0x20:])
	if shift != 9 && shift != 12 || mshift != 6 {
		return nil, fmt.Errorf("%w: sector sizes 2^%d and 2^%d", errCFB, shift, mshift)
	}
	f := &cfbFile{b: b, sector: 1 << shift, mini: 1 << mshift, cutoff: uint64(le.Uint32(b[0x38:]))}
	nsect := uint32((len(b) - 512 + f.sector - 1) / f.sector) // sectors the file holds
	fatSectors, err := f.fatSectors(nsect)
	if err != nil {
		return nil, err
	}
	for _, s := range fatSectors {
		sec := f.sectorBytes(s)
		for i := 0; i+4 <= len(sec); i += 4 {
			f.fat = append(f.fat, le.Uint32(sec[i:]))
		}
		if len(f.fat) > int(nsect)+f.sector {
			break // entries past the file's end point nowhere
		}
	}
	dir, err := f.chain(le.Uint32(b[0x30:]), f.fat, f.sectorBytes, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the directory: %w", err)
	}
	entries := len(dir) / 128
	if entries == 0 {
		return nil, fmt.Errorf("%w: empty directory", errCFB)
	}
	rootEntry := dir[:128]
	if rootEntry[0x42] != 5 {
		return nil, fmt.Errorf("%w: no root entry", errCFB)
	}
	if mf, err := f.chain(le.Uint32(b[0x3C:]), f.fat, f.sectorBytes, 0); err == nil {
		for i := 0; i+4 <= len(mf); i += 4 {
			f.minifat = append(f.minifat, le.Uint32(mf[i:]))
		}
	}
	if ms, err := f.chain(le.Uint32(rootEntry[0x74:]), f.fat, f.sectorBytes, le.Uint64(rootEntry[0x78:])); err == nil {
		f.ministream = ms
	}
	f.root = rootStreams(dir, entries)
	return f, nil
}

// fatSectors are the sectors of the FAT: listed in the header's DIFAT and then
// in a chain of DIFAT sectors.
func (f *cfbFile) fatSectors(nsect uint32) ([]uint32, error) {
	le := binary.LittleEndian
	var fatSectors []uint32
	for i := 0; i < 109; i++ {
		if s := le.Uint32(f.b[0x4C+4*i:]); s < nsect {
			fatSectors = append(fatSectors, s)
		}
	}
	next := le.Uint32(f.b[0x44:])
	for hops := uint32(0); next < nsect; hops++ {
		if hops > nsect {
			return nil, fmt.Errorf("%w: the DIFAT loops", errCFB)
		}
		sec := f.sectorBytes(next)
		if len(sec) < f.sector {
			return nil, fmt.Errorf("%w: a DIFAT sector is cut short", errCFB)
		}
		per := f.sector/4 - 1
		for i := 0; i < per; i++ {
			if s := le.Uint32(sec[4*i:]); s < nsect {
				fatSectors = append(fatSectors, s)
			}
		}
		next = le.Uint32(sec[4*per:])
	}
	if len(fatSectors) == 0 {
		return nil, fmt.Errorf("%w: no FAT", errCFB)
	}
	return fatSectors, nil
}

// rootStreams are the streams among the root's children, by name. The
// children are a tree through the left, right and child links: the root's
// child and its siblings are walked, each entry once.
func rootStreams(dir []byte, entries int) map[string]cfbEntry {
	le := binary.LittleEndian
	entry := func(i uint32) []byte { return dir[int(i)*128 : int(i)*128+128] }
	root := map[string]cfbEntry{}
	seen := make([]bool, entries)
	stack := []uint32{le.Uint32(entry(0)[0x4C:])}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if int(i) >= entries || seen[i] {
			continue
		}
		seen[i] = true
		e := entry(i)
		stack = append(stack, le.Uint32(e[0x44:]), le.Uint32(e[0x48:]))
		n := int(le.Uint16(e[0x40:]))
		if e[0x42] != 2 || n < 2 || n > 64 {
			continue
		}
		u := make([]uint16, n/2-1)
		for k := range u {
			u[k] = le.Uint16(e[2*k:])
		}
		root[string(utf16.Decode(u))] = cfbEntry{start: le.Uint32(e[0x74:]), size: le.Uint64(e[0x78:])}
	}
	return root
}

// sectorBytes is sector s, or nil past the file's end (a short last sector is
// cut, not padded).
func (f *cfbFile) sectorBytes(s uint32) []byte {
	off := 512 + int64(s)*int64(f.sector)
	if off >= int64(len(f.b)) {
		return nil
	}
	end := min(off+int64(f.sector), int64(len(f.b)))
	return f.b[off:end]
}

func (f *cfbFile) miniBytes(s uint32) []byte {
	off := int64(s) * int64(f.mini)
	if off >= int64(len(f.ministream)) {
		return nil
	}
	end := min(off+int64(f.mini), int64(len(f.ministream)))
	return f.ministream[off:end]
}

// chain reads a sector chain; size 0 reads it to its end, else to size bytes.
func (f *cfbFile) chain(start uint32, table []uint32, at func(uint32) []byte, size uint64) ([]byte, error) {
	if size > MaxDocumentSize {
		return nil, fmt.Errorf("%w: a %d-byte stream", errCFB, size)
	}
	var out []byte
	if size > 0 {
		out = make([]byte, 0, size)
	}
	for s, hops := start, 0; s != cfbEnd && s != cfbFree; hops++ {
		if int(s) >= len(table) || hops > len(table) {
			return nil, fmt.Errorf("%w: a sector chain leaves the file or loops", errCFB)
		}
		sec := at(s)
		if sec == nil {
			return nil, fmt.Errorf("%w: sector %d is past the end", errCFB, s)
		}
		out = append(out, sec...)
		if size > 0 && uint64(len(out)) >= size {
			return out[:size], nil
		}
		if len(out) > MaxDocumentSize {
			return nil, fmt.Errorf("%w: a stream over %d bytes", errCFB, MaxDocumentSize)
		}
		s = table[s]
	}
	if size > 0 && uint64(len(out)) < size {
		return nil, fmt.Errorf("%w: a stream ends %d bytes short", errCFB, size-uint64(len(out)))
	}
	return out, nil
}

// stream reads one stream of the root storage; ok is false when there is none.
func (f *cfbFile) stream(name string) ([]byte, bool, error) {
	e, ok := f.root[name]
	if !ok {
		return nil, false, nil
	}
	var (
		b   []byte
		err error
	)
	switch {
	case e.size == 0:
		return nil, true, nil
	case e.size < f.cutoff:
		b, err = f.chain(e.start, f.minifat, f.miniBytes, e.size)
	default:
		b, err = f.chain(e.start, f.fat, f.sectorBytes, e.size)
	}
	if err != nil {
		return nil, true, fmt.Errorf("reading stream %s: %w", name, err)
	}
	return b, true, nil
}

func (f *cfbFile) has(name string) bool { _, ok := f.root[name]; return ok }

// names lists the root's streams, sorted.
func (f *cfbFile) names() []string {
	var out []string
	for n := range f.root {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
