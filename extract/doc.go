package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Word 97–2003 and WPS documents (both are Word's binary format in a compound
// file) are read here, in Go: the text from the piece table and the table
// structure from the paragraph properties, so that a table row becomes a line
// of cells as in DOCX. antiword, which reads every Word version, is the
// fallback for files this reader does not take (Word 6/95, encrypted, broken):
// antiword flattens wide tables into one line, so it is not the first choice.

// errNotWord97 marks a compound file that is not a Word 97+ document this
// reader takes; antiword may still read it.
var errNotWord97 = errors.New("not a Word 97-2003 document")

// docReader reads DOC and WPS documents.
type docReader struct {
	antiword string // the antiword command; "" for none
	lim      Limits
}

func (r docReader) read(ctx context.Context, cf *cfbFile, body []byte) (*Layout, error) {
	lay, err := readWord97(ctx, cf, r.lim)
	if err == nil {
		return lay, nil
	}
	if !errors.Is(err, errNotWord97) {
		return nil, err
	}
	// The fallback.
	if r.antiword == "" {
		return nil, fmt.Errorf("%w; antiword, which reads older Word files, is not installed (Debian: apt-get install antiword)", err)
	}
	return runAntiword(ctx, r.antiword, body, err)
}

// Word 97 special characters in the text stream.
const (
	wParagraph = '\r'
	wCell      = 0x07 // end of a cell, or of a row when the paragraph is a row end
	wLineBreak = 0x0B
	wPageBreak = 0x0C
	wFieldBeg  = 0x13
	wFieldSep  = 0x14
	wFieldEnd  = 0x15
)

// paraRun is a paragraph's properties over a range of file offsets.
type paraRun struct {
	fcStart, fcEnd uint32
	rowEnd         bool // the paragraph ends a table row (TTP)
	inTable        bool
}

func readWord97(ctx context.Context, cf *cfbFile, lim Limits) (*Layout, error) {
	wd, ts, data, err := word97Streams(cf)
	if err != nil {
		return nil, err
	}
	fib, err := readFIB(wd)
	if err != nil {
		return nil, err
	}
	text, fcs, err := word97Text(ts, fib.fcClx, fib.lcbClx, wd, fib.ccpText)
	if err != nil {
		return nil, err
	}
	runs := word97Paragraphs(ts, fib.fcPapx, fib.lcbPapx, wd, data)
	lay := &Layout{Format: "doc", Encoding: "utf-16le"}
	if len(runs) == 0 {
		lay.Warnings = append(lay.Warnings, "DOC paragraph properties unreadable: tables read as paragraphs")
	}
	w := &word97Lines{lay: lay, runs: runs, b: newBudget(lim)}
	for i, c := range text {
		if i&0xFF == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if w.err != nil {
				return nil, w.err
			}
		}
		w.char(c, fcs[i])
	}
	w.end()
	if w.err != nil {
		return nil, w.err
	}
	return lay, nil
}

// word97Streams are a Word 97 file's WordDocument, table and Data streams,
// once its header says it is one that can be read (Word 97 or later, not
// encrypted).
func word97Streams(cf *cfbFile) (wd, ts, data []byte, err error) {
	le := binary.LittleEndian
	wd, ok, err := cf.stream("WordDocument")
	if err != nil {
		return nil, nil, nil, err
	}
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: no WordDocument stream", errNotWord97)
	}
	if len(wd) < 0x200 || le.Uint16(wd) != 0xA5EC {
		return nil, nil, nil, fmt.Errorf("%w: no Word file information block", errNotWord97)
	}
	if nFib := le.Uint16(wd[2:]); nFib < 0xC1 {
		return nil, nil, nil, fmt.Errorf("%w: Word version %#x (before Word 97)", errNotWord97, nFib)
	}
	flags := le.Uint16(wd[0x0A:])
	if flags&0x0100 != 0 {
		return nil, nil, nil, fmt.Errorf("%w: the document is encrypted", errNotWord97)
	}
	tableName := "0Table"
	if flags&0x0200 != 0 {
		tableName = "1Table"
	}
	ts, ok, err = cf.stream(tableName)
	if err != nil {
		return nil, nil, nil, err
	}
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: no %s stream", errNotWord97, tableName)
	}
	data, _, _ = cf.stream("Data") // only huge paragraph properties live there
	return wd, ts, data, nil
}

// fibFields is what the reader needs of the file information block.
type fibFields struct {
	ccpText                        uint32
	fcClx, lcbClx, fcPapx, lcbPapx uint32
}

// readFIB reads the file information block: counts of 16- and 32-bit fields,
// then the (offset, length) pairs into the table stream.
func readFIB(wd []byte) (fibFields, error) {
	le := binary.LittleEndian
	pos := 32
	pos += 2 + 2*int(le.Uint16(wd[pos:]))
	if pos+2 > len(wd) {
		return fibFields{}, fmt.Errorf("%w: file information block cut short", errNotWord97)
	}
	lw := pos + 2
	pos = lw + 4*int(le.Uint16(wd[pos:]))
	if pos+2+34*8 > len(wd) || lw+16 > len(wd) {
		return fibFields{}, fmt.Errorf("%w: file information block cut short", errNotWord97)
	}
	fcLcb := pos + 2
	pair := func(i int) (uint32, uint32) { return le.Uint32(wd[fcLcb+8*i:]), le.Uint32(wd[fcLcb+8*i+4:]) }
	f := fibFields{ccpText: le.Uint32(wd[lw+12:])}
	f.fcClx, f.lcbClx = pair(33)
	f.fcPapx, f.lcbPapx = pair(13)
	return f, nil
}

// word97Lines lays a Word 97 document's text out, character by character:
// paragraphs as lines, table cells into rows (a row ends at the cell mark of a
// paragraph whose properties say so), fields' codes left out.
type word97Lines struct {
	lay   *Layout
	b     *budget
	err   error // a limit passed
	runs  []paraRun
	para  strings.Builder
	cell  strings.Builder
	row   []string
	field []int // per open field: 0 in its code, 1 in its result
}

// props are the paragraph properties at file offset fc.
func (w *word97Lines) props(fc uint32) paraRun {
	i := sort.Search(len(w.runs), func(i int) bool { return w.runs[i].fcEnd > fc })
	if i < len(w.runs) && w.runs[i].fcStart <= fc {
		return w.runs[i]
	}
	return paraRun{}
}

// char takes the character c, at file offset fc.
func (w *word97Lines) char(c rune, fc uint32) {
	switch {
	case c == wFieldBeg:
		if len(w.field) >= maxDepth && w.err == nil {
			w.err = overLimit("fields nested deeper than %d", maxDepth)
			return
		}
		w.field = append(w.field, 0)
		return
	case c == wFieldSep:
		if len(w.field) > 0 {
			w.field[len(w.field)-1] = 1
		}
		return
	case c == wFieldEnd:
		if len(w.field) > 0 {
			w.field = w.field[:len(w.field)-1]
		}
		return
	}
	if len(w.field) > 0 && w.field[len(w.field)-1] == 0 {
		return // a field's code, not its shown result
	}
	if w.para.Len()+w.cell.Len() > w.b.lim.LineBytes && w.err == nil {
		w.err = overLimit("a paragraph or a table cell holds more than %d bytes of text", w.b.lim.LineBytes)
	}
	if w.err != nil {
		return
	}
	switch c {
	case wParagraph, wCell:
		w.mark(c, w.props(fc))
	case wLineBreak, '\t':
		w.para.WriteByte(' ')
	case wPageBreak, 0x01, 0x08, 0x1F, 0x00:
		// page breaks, pictures, drawn objects, soft hyphens
	case 0x1E:
		w.para.WriteByte('-') // non-breaking hyphen
	default:
		w.para.WriteRune(c)
	}
}

// mark ends a paragraph or a cell (c) whose paragraph properties are p.
func (w *word97Lines) mark(c rune, p paraRun) {
	switch {
	case c == wCell && p.rowEnd:
		if w.para.Len() > 0 || w.cell.Len() > 0 {
			w.row = append(w.row, collapse(joinSpace(w.cell.String(), w.para.String())))
		}
		w.emit(Line{Cells: w.row, Table: true})
		w.row = nil
	case c == wCell:
		w.row = append(w.row, collapse(joinSpace(w.cell.String(), w.para.String())))
		if len(w.row) > w.b.lim.Cells && w.err == nil {
			w.err = overLimit("a table row holds more than %d cells", w.b.lim.Cells)
		}
	case p.inTable:
		s := joinSpace(w.cell.String(), w.para.String())
		w.cell.Reset()
		w.cell.WriteString(s)
		w.para.Reset()
		return
	default:
		if s := collapse(w.para.String()); s != "" {
			w.emit(Line{Cells: []string{s}})
		}
	}
	w.para.Reset()
	w.cell.Reset()
}

// end closes what the text leaves open: a last cell and row.
func (w *word97Lines) end() {
	if s := collapse(joinSpace(w.cell.String(), w.para.String())); s != "" {
		w.row = append(w.row, s)
	}
	if len(w.row) > 0 {
		w.emit(Line{Cells: w.row, Table: true})
	}
}

// emit adds a line, charged to the budget.
func (w *word97Lines) emit(l Line) {
	if w.err == nil {
		w.err = w.b.line(l)
	}
	if w.err == nil {
		w.lay.Lines = append(w.lay.Lines, l)
	}
}

func joinSpace(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + " " + b
}

// word97Text reads the main document's characters through the piece table,
// with each character's offset in the WordDocument stream.
func word97Text(ts []byte, fcClx, lcbClx uint32, wd []byte, ccpText uint32) ([]rune, []uint32, error) {
	le := binary.LittleEndian
	if uint64(fcClx)+uint64(lcbClx) > uint64(len(ts)) || lcbClx == 0 {
		return nil, nil, fmt.Errorf("%w: no piece table", errNotWord97)
	}
	clx := ts[fcClx : fcClx+lcbClx]
	for len(clx) > 0 && clx[0] == 1 { // property modifiers before the piece table
		if len(clx) < 3 {
			return nil, nil, fmt.Errorf("%w: piece table cut short", errCFB)
		}
		n := 3 + int(le.Uint16(clx[1:]))
		if n > len(clx) {
			return nil, nil, fmt.Errorf("%w: piece table cut short", errCFB)
		}
		clx = clx[n:]
	}
	if len(clx) < 5 || clx[0] != 2 {
		return nil, nil, fmt.Errorf("%w: no piece table", errCFB)
	}
	lcb := le.Uint32(clx[1:])
	plc := clx[5:]
	if uint64(lcb) > uint64(len(plc)) || lcb < 16 || (lcb-4)%12 != 0 {
		return nil, nil, fmt.Errorf("%w: piece table of %d bytes", errCFB, lcb)
	}
	n := int((lcb - 4) / 12)
	cp := func(i int) uint32 { return le.Uint32(plc[4*i:]) }
	var (
		text []rune
		fcs  []uint32
	)
	win := charmap.Windows1252
	for i := 0; i < n && uint32(len(text)) < ccpText; i++ {
		start, end := cp(i), cp(i+1)
		if end < start {
			return nil, nil, fmt.Errorf("%w: piece %d runs backwards", errCFB, i)
		}
		pcd := plc[4*(n+1)+8*i:]
		fc := le.Uint32(pcd[2:])
		count := end - start
		if count > ccpText-uint32(len(text)) {
			count = ccpText - uint32(len(text))
		}
		if fc&0x40000000 != 0 { // 8-bit text (Windows-1252)
			off := (fc &^ 0x40000000) / 2
			if uint64(off)+uint64(count) > uint64(len(wd)) {
				return nil, nil, fmt.Errorf("%w: piece %d past the stream's end", errCFB, i)
			}
			for k := uint32(0); k < count; k++ {
				text = append(text, win.DecodeByte(wd[off+k]))
				fcs = append(fcs, off+k)
			}
			continue
		}
		if uint64(fc)+2*uint64(count) > uint64(len(wd)) {
			return nil, nil, fmt.Errorf("%w: piece %d past the stream's end", errCFB, i)
		}
		u := make([]uint16, count)
		for k := range u {
			u[k] = le.Uint16(wd[fc+2*uint32(k):])
		}
		// Surrogate pairs decode to one rune: keep the offsets in step.
		for k := 0; k < len(u); k++ {
			r := rune(u[k])
			if utf16.IsSurrogate(r) && k+1 < len(u) {
				r = utf16.DecodeRune(r, rune(u[k+1]))
				text = append(text, r)
				fcs = append(fcs, fc+2*uint32(k))
				k++
				continue
			}
			text = append(text, r)
			fcs = append(fcs, fc+2*uint32(k))
		}
	}
	return text, fcs, nil
}

// word97Paragraphs reads the paragraph properties that matter here (in a
// table, ends a row) from the formatted disk pages the bin table lists,
// sorted by offset. A page that does not parse is skipped.
func word97Paragraphs(ts []byte, fc, lcb uint32, wd, data []byte) []paraRun {
	le := binary.LittleEndian
	if uint64(fc)+uint64(lcb) > uint64(len(ts)) || lcb < 12 || (lcb-4)%8 != 0 {
		return nil
	}
	plc := ts[fc : fc+lcb]
	n := int((lcb - 4) / 8)
	var runs []paraRun
	seen := map[uint32]bool{} // each page once, however often it is listed
	for i := 0; i < n; i++ {
		pn := le.Uint32(plc[4*(n+1)+4*i:]) & 0x3FFFFF
		off := uint64(pn) * 512
		if off+512 > uint64(len(wd)) || seen[pn] {
			continue
		}
		seen[pn] = true
		fkp := wd[off : off+512]
		crun := int(fkp[511])
		if 4*(crun+1)+13*crun > 511 {
			continue
		}
		for k := 0; k < crun; k++ {
			run := paraRun{fcStart: le.Uint32(fkp[4*k:]), fcEnd: le.Uint32(fkp[4*(k+1):])}
			if b := int(fkp[4*(crun+1)+13*k]) * 2; b > 0 && b < 511 {
				size, at := 0, b+1
				if cb := int(fkp[b]); cb != 0 {
					size = 2*cb - 1
				} else {
					size = 2 * int(fkp[b+1])
					at = b + 2
				}
				if at+size <= 511 && size >= 2 {
					sprms(fkp[at+2:at+size], &run, data, 0)
				}
			}
			runs = append(runs, run)
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].fcStart < runs[j].fcStart })
	return runs
}

// sprms applies the paragraph sprms that say where tables are; depth bounds a
// huge property list pointing at another.
func sprms(g []byte, run *paraRun, data []byte, depth int) {
	le := binary.LittleEndian
	for len(g) >= 2 {
		op := le.Uint16(g)
		g = g[2:]
		var size int
		switch op >> 13 {
		case 0, 1:
			size = 1
		case 2, 4, 5:
			size = 2
		case 3:
			size = 4
		case 7:
			size = 3
		case 6:
			switch {
			case op == 0xD608 || op == 0xD606: // table definitions: a 16-bit length
				if len(g) < 2 {
					return
				}
				size = 2 + int(le.Uint16(g)) - 1
			case len(g) < 1:
				return
			default:
				size = 1 + int(g[0])
			}
		}
		if size < 0 || size > len(g) {
			return
		}
		arg := g[:size]
		g = g[size:]
		switch op {
		case 0x2416: // sprmPFInTable
			run.inTable = arg[0] != 0
		case 0x2417: // sprmPFTtp
			if arg[0] != 0 {
				run.rowEnd, run.inTable = true, true
			}
		case 0x6646: // sprmPHugePapx: the properties are in the Data stream
			off := uint64(le.Uint32(arg))
			if depth == 0 && off+2 <= uint64(len(data)) {
				cb := uint64(le.Uint16(data[off:]))
				if off+2+cb <= uint64(len(data)) {
					sprms(data[off+2:off+2+cb], run, data, depth+1)
				}
			}
		}
	}
}

// runAntiword reads a Word file this reader does not take with antiword, as
// UTF-8 text; why is the reason the Go reader gave.
func runAntiword(ctx context.Context, command string, body []byte, why error) (*Layout, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, command, "-w", "0", "-m", "UTF-8.txt", "-")
	cmd.Stdin = bytes.NewReader(body)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limitedBuffer{b: &out, max: MaxDocumentSize}, &limitedBuffer{b: &stderr, max: 4096}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v; antiword failed: %w: %s", why, err, strings.TrimSpace(stderr.String()))
	}
	lay := &Layout{Format: "doc", Encoding: "utf-8"}
	lay.Warnings = append(lay.Warnings, fmt.Sprintf("DOC read by antiword (%v): wide tables may be flattened", why))
	for _, l := range strings.Split(out.String(), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "|") && strings.HasSuffix(t, "|") && len(t) > 1 {
			var cells []string
			for _, c := range strings.Split(t[1:len(t)-1], "|") {
				cells = append(cells, collapse(c))
			}
			lay.Lines = append(lay.Lines, Line{Cells: cells, Table: true})
			continue
		}
		if s := collapse(t); s != "" {
			lay.Lines = append(lay.Lines, Line{Cells: []string{s}})
		}
	}
	return lay, nil
}

// limitedBuffer keeps at most max bytes and drops the rest.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
