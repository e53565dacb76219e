package extract

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf16"
)

// Excel 97–2003 workbooks (BIFF8 in a compound file) are read here, in Go:
// every sheet's strings, numbers and formula results, and its merged blocks,
// laid out as the XLSX reader lays out a sheet.

// BIFF8 record types read.
const (
	biffBOF         = 0x0809
	biffEOF         = 0x000A
	biffBoundSheet  = 0x0085
	biffSST         = 0x00FC
	biffContinue    = 0x003C
	biffLabelSST    = 0x00FD
	biffLabel       = 0x0204
	biffNumber      = 0x0203
	biffRK          = 0x027E
	biffMulRK       = 0x00BD
	biffFormula     = 0x0006
	biffString      = 0x0207
	biffMergedCells = 0x00E5
)

const (
	maxSheetColumns = 200
	maxSheetRows    = 65536
	maxSheets       = 64
)

type biffRecord struct {
	typ  uint16
	data []byte
}

// biffRecords splits a workbook stream into records; a record cut short ends
// the list. More than max records is an error: a record costs its header
// here however short it is, and a sheet of the cells a document may hold
// has about as many records as cells.
func biffRecords(b []byte, max int) ([]biffRecord, error) {
	le := binary.LittleEndian
	n := 0
	for rest := b; len(rest) >= 4; n++ {
		k := 4 + int(le.Uint16(rest[2:]))
		if k > len(rest) {
			break
		}
		rest = rest[k:]
	}
	if n > max {
		return nil, overLimit("the workbook has %d records, over %d", n, max)
	}
	out := make([]biffRecord, 0, n)
	for len(b) >= 4 {
		typ, n := le.Uint16(b), int(le.Uint16(b[2:]))
		if 4+n > len(b) {
			break
		}
		out = append(out, biffRecord{typ, b[4 : 4+n]})
		b = b[4+n:]
	}
	return out, nil
}

func readXLS(ctx context.Context, cf *cfbFile, lim Limits) (*Layout, error) {
	wb, ok, err := cf.stream("Workbook")
	if err == nil && !ok {
		wb, ok, err = cf.stream("Book")
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no Workbook stream", errCFB)
	}
	bud := newBudget(lim)
	recs, err := biffRecords(wb, 2*bud.lim.Cells)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || recs[0].typ != biffBOF || len(recs[0].data) < 4 {
		return nil, fmt.Errorf("%w: the workbook stream has no BIFF header", errCFB)
	}
	if v := binary.LittleEndian.Uint16(recs[0].data); v != 0x0600 {
		return nil, fmt.Errorf("%w: BIFF version %#x (Excel 5/95 or older), not read", ErrUnsupported, v)
	}
	lay := &Layout{Format: "xls", Encoding: "utf-16le"}
	var (
		sst    []string
		sheets int
	)
	// The globals come first, then each sheet between its BOF and EOF.
	i := 0
	for ; i < len(recs); i++ {
		r := recs[i]
		if r.typ == biffEOF {
			i++
			break
		}
		if r.typ == biffSST {
			segs := [][]byte{r.data}
			for i+1 < len(recs) && recs[i+1].typ == biffContinue {
				i++
				segs = append(segs, recs[i].data)
			}
			if sst, err = readSST(segs, bud); err != nil {
				return nil, err
			}
		}
	}
	for i < len(recs) && sheets < maxSheets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if recs[i].typ != biffBOF {
			i++
			continue
		}
		sheets++
		n, lines, err := readSheet(ctx, recs[i+1:], sst, bud)
		if err != nil {
			return nil, err
		}
		lay.Lines = append(lay.Lines, lines...)
		i += 1 + n
	}
	return lay, nil
}

// readSheet reads one sheet's records up to its EOF; n is how many it used.
func readSheet(ctx context.Context, recs []biffRecord, sst []string, bud *budget) (n int, lines []Line, err error) {
	g := &sheetGrid{cells: map[int]map[int]string{}, bud: bud}
	for n = 0; n < len(recs); n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return n, nil, err
			}
		}
		if g.err != nil {
			return n, nil, g.err
		}
		switch recs[n].typ {
		case biffEOF:
			lines, err = g.lines(ctx)
			return n + 1, lines, err
		case biffBOF: // an embedded chart's substream
			n = skipSubstream(recs, n)
			continue
		}
		g.record(recs[n], sst)
	}
	if g.err != nil {
		return n, nil, g.err
	}
	lines, err = g.lines(ctx)
	return n, lines, err
}

// skipSubstream is the index of the last record of the substream that opens
// at recs[n] (its EOF, or the last record).
func skipSubstream(recs []biffRecord, n int) int {
	depth := 1
	for n++; n < len(recs) && depth > 0; n++ {
		switch recs[n].typ {
		case biffBOF:
			depth++
		case biffEOF:
			depth--
		}
	}
	return n - 1
}

// sheetGrid is a worksheet's cells as its records give them, with its merged
// blocks.
type sheetGrid struct {
	bud     *budget
	err     error // a limit passed
	cells   map[int]map[int]string
	merges  []mergeRange
	pending [2]int // a formula whose string result follows
	wantStr bool
}

func (g *sheetGrid) set(row, col int, v string) {
	if row >= maxSheetRows || col >= maxSheetColumns {
		return
	}
	if g.cells[row] == nil {
		g.cells[row] = map[int]string{}
	}
	if _, ok := g.cells[row][col]; !ok && g.err == nil {
		g.err = g.bud.decoded(1)
	}
	g.cells[row][col] = collapse(v)
}

// record reads one record of the sheet: a cell's value, a formula's string
// result, merged blocks.
func (g *sheetGrid) record(r biffRecord, sst []string) {
	le := binary.LittleEndian
	d := r.data
	cell := func() (int, int) { return int(le.Uint16(d)), int(le.Uint16(d[2:])) }
	switch {
	case r.typ == biffLabelSST && len(d) >= 10:
		row, col := cell()
		if k := le.Uint32(d[6:]); int64(k) < int64(len(sst)) {
			g.set(row, col, sst[k])
		}
	case r.typ == biffLabel && len(d) >= 9:
		row, col := cell()
		if s, ok := readXLString(&segReader{segs: [][]byte{d[6:]}}); ok {
			g.set(row, col, s)
		}
	case r.typ == biffNumber && len(d) >= 14:
		row, col := cell()
		g.set(row, col, formatNumber(math.Float64frombits(le.Uint64(d[6:]))))
	case r.typ == biffRK && len(d) >= 10:
		row, col := cell()
		g.set(row, col, formatNumber(rkValue(le.Uint32(d[6:]))))
	case r.typ == biffMulRK && len(d) >= 6:
		row, col := cell()
		for k := 4; k+6 <= len(d)-2; k += 6 {
			g.set(row, col, formatNumber(rkValue(le.Uint32(d[k+2:]))))
			col++
		}
	case r.typ == biffFormula && len(d) >= 14:
		row, col := cell()
		res := d[6:14]
		if le.Uint16(res[6:]) != 0xFFFF {
			g.set(row, col, formatNumber(math.Float64frombits(le.Uint64(res))))
		} else if res[0] == 0 {
			g.pending, g.wantStr = [2]int{row, col}, true
			return
		}
	case r.typ == biffString && g.wantStr && len(d) >= 3:
		if s, ok := readXLString(&segReader{segs: [][]byte{d}}); ok {
			g.set(g.pending[0], g.pending[1], s)
		}
	case r.typ == biffMergedCells && len(d) >= 2:
		count := int(le.Uint16(d))
		for k := 0; k < count && 2+8*k+8 <= len(d); k++ {
			e := d[2+8*k:]
			m := mergeRange{int(le.Uint16(e)), int(le.Uint16(e[4:])), int(le.Uint16(e[2:])), int(le.Uint16(e[6:]))}
			if m.r2 >= m.r1 && m.c2 >= m.c1 && g.err == nil {
				g.merges = append(g.merges, m)
				g.err = g.bud.decoded(1)
			}
		}
	}
	g.wantStr = false
}

// lines are the grid's rows, top to bottom, each with its cells in their
// columns and the merged blocks resolved.
func (g *sheetGrid) lines(ctx context.Context) ([]Line, error) {
	rows := make([]int, 0, len(g.cells))
	for r := range g.cells {
		rows = append(rows, r)
	}
	sort.Ints(rows)
	return gridRows(ctx, rows, func(i int) []string {
		width := 0
		for c := range g.cells[rows[i]] {
			width = max(width, c+1)
		}
		cells := make([]string, width)
		for c, v := range g.cells[rows[i]] {
			cells[c] = v
		}
		return cells
	}, g.merges, maxSheetColumns, g.bud)
}

// rkValue decodes an RK number: a 30-bit integer or the top of a double,
// perhaps divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

func formatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// readSST reads a shared string table whose data runs over CONTINUE records
// (segs): at each record boundary inside a string's characters, a new byte
// says whether the characters go on as 8- or 16-bit. Strings that do not fit
// what is there are dropped.
func readSST(segs [][]byte, bud *budget) ([]string, error) {
	r := &segReader{segs: segs}
	r.skip(4) // total count
	unique, ok := r.u32()
	if !ok {
		return nil, nil
	}
	var out []string
	bytes := 0
	for k := uint32(0); k < unique; k++ {
		s, ok := readXLString(r)
		if !ok {
			break
		}
		if bytes += len(s); bytes > bud.lim.TextBytes {
			return nil, overLimit("the shared strings hold more than %d bytes of text", bud.lim.TextBytes)
		}
		if err := bud.decoded(1); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// readXLString reads one BIFF8 string: a 16-bit character count, option
// flags, the optional rich-text and extension sizes, the characters, and the
// rich-text and extension data (skipped).
func readXLString(r *segReader) (string, bool) {
	cch, ok1 := r.u16()
	flags, ok2 := r.byte()
	if !ok1 || !ok2 {
		return "", false
	}
	var runs, ext uint32
	if flags&0x08 != 0 {
		n, _ := r.u16()
		runs = uint32(n)
	}
	if flags&0x04 != 0 {
		ext, _ = r.u32()
	}
	s, ok := r.chars(int(cch), flags&1 != 0)
	if !ok {
		return "", false
	}
	r.skip(int(runs)*4 + int(ext))
	return s, true
}

// segReader reads bytes across record boundaries.
type segReader struct {
	segs [][]byte
	i    int // current segment
	off  int
}

// atBoundary moves to the next segment when the current one is used up.
func (r *segReader) atBoundary() bool {
	moved := false
	for r.i < len(r.segs) && r.off >= len(r.segs[r.i]) {
		r.i++
		r.off = 0
		moved = true
	}
	return moved
}

func (r *segReader) byte() (byte, bool) {
	r.atBoundary()
	if r.i >= len(r.segs) {
		return 0, false
	}
	b := r.segs[r.i][r.off]
	r.off++
	return b, true
}

func (r *segReader) u16() (uint16, bool) {
	a, ok1 := r.byte()
	b, ok2 := r.byte()
	return uint16(a) | uint16(b)<<8, ok1 && ok2
}

func (r *segReader) u32() (uint32, bool) {
	a, ok1 := r.u16()
	b, ok2 := r.u16()
	return uint32(a) | uint32(b)<<16, ok1 && ok2
}

func (r *segReader) skip(n int) bool {
	for n > 0 {
		r.atBoundary()
		if r.i >= len(r.segs) {
			return false
		}
		k := min(n, len(r.segs[r.i])-r.off)
		r.off += k
		n -= k
	}
	return true
}

func (r *segReader) chars(n int, high bool) (string, bool) {
	u := make([]uint16, 0, min(n, 4096))
	for k := 0; k < n; k++ {
		if r.atBoundary() {
			if r.i >= len(r.segs) {
				return "", false
			}
			high = r.segs[r.i][0]&1 != 0
			r.off = 1
			r.atBoundary()
		}
		if high {
			c, ok := r.u16()
			if !ok {
				return "", false
			}
			u = append(u, c)
			continue
		}
		c, ok := r.byte()
		if !ok {
			return "", false
		}
		u = append(u, uint16(c)) // the low byte of UTF-16: Latin-1
	}
	return string(utf16.Decode(u)), true
}
