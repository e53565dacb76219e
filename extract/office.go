package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on what an Office file may make the readers unpack.
const (
	maxZipMembers   = 2000
	maxMemberBytes  = 64 << 20
	maxUnpackedSize = 256 << 20
	maxUnpackRatio  = 200 // unpacked ÷ packed, per member
)

// ErrUnpackLimit is returned when an archive would unpack past a limit.
var ErrUnpackLimit = errors.New("archive over the unpacking limits")

// openZip opens an archive with its member count checked.
func openZip(b []byte) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("reading the archive: %w", err)
	}
	if len(zr.File) > maxZipMembers {
		return nil, fmt.Errorf("%w: %d members", ErrUnpackLimit, len(zr.File))
	}
	return zr, nil
}

// readMember reads one member within the size and ratio limits; a missing member
// is (nil, nil).
func readMember(zr *zip.Reader, name string, budget *int64) ([]byte, error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		if f.UncompressedSize64 > maxMemberBytes || f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxUnpackRatio {
			return nil, fmt.Errorf("%w: %s declares %d bytes from %d", ErrUnpackLimit, name, f.UncompressedSize64, f.CompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxMemberBytes+1))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		*budget -= int64(len(b))
		if len(b) > maxMemberBytes || *budget < 0 || f.CompressedSize64 > 0 && uint64(len(b))/f.CompressedSize64 > maxUnpackRatio {
			return nil, fmt.Errorf("%w: %s", ErrUnpackLimit, name)
		}
		return b, nil
	}
	return nil, nil
}

// docxReader reads Word 2007+ documents: paragraphs become lines, table rows
// become lines of cells (a merged cell's continuation is blank).
type docxReader struct{ lim Limits }

func (r docxReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	zr, err := openZip(doc.Body)
	if err != nil {
		return nil, err
	}
	budget := int64(maxUnpackedSize)
	body, err := readMember(zr, "word/document.xml", &budget)
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, errors.New("no word/document.xml: not a DOCX document")
	}
	w := &docxLines{lay: &Layout{Format: "docx", Encoding: "utf-8"}, b: newBudget(r.lim)}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if w.err != nil {
			return nil, w.err
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.lay.Warnings = append(w.lay.Warnings, fmt.Sprintf("DOCX XML cut short: %v", err))
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			w.start(t)
		case xml.EndElement:
			w.end(t.Name.Local)
		case xml.CharData:
			if w.inText {
				w.para.Write(t)
				if w.para.Len()+w.cell.Len() > w.b.lim.LineBytes {
					return nil, overLimit("a paragraph or a table cell holds more than %d bytes of text", w.b.lim.LineBytes)
				}
			}
		}
	}
	return w.lay, nil
}

// docxLines lays a DOCX body out as its XML elements come: paragraphs as
// lines, the rows of top-level tables as table lines (nested tables' text goes
// into their cell), a vertically merged cell blank.
type docxLines struct {
	lay      *Layout
	b        *budget
	err      error // a limit passed
	para     strings.Builder
	inText   bool
	depth    int // table nesting
	row      []string
	cell     strings.Builder
	inCell   bool
	vmergeOn bool
}

// emit adds a line, charged to the budget.
func (w *docxLines) emit(l Line) {
	if w.err == nil {
		w.err = w.b.line(l)
	}
	if w.err == nil {
		w.lay.Lines = append(w.lay.Lines, l)
	}
}

func (w *docxLines) start(t xml.StartElement) {
	switch t.Name.Local {
	case "tbl":
		w.depth++
	case "tr":
		if w.depth == 1 {
			w.row = w.row[:0]
		}
	case "tc":
		if w.depth == 1 {
			w.inCell = true
			w.cell.Reset()
			w.vmergeOn = false
		}
	case "vMerge":
		w.vmergeOn = true
		for _, a := range t.Attr {
			if a.Name.Local == "val" && a.Value == "restart" {
				w.vmergeOn = false
			}
		}
	case "t":
		w.inText = true
	case "tab":
		w.para.WriteByte(' ')
	case "br":
		if w.inCell {
			w.cell.WriteByte(' ')
		}
	}
}

func (w *docxLines) end(name string) {
	switch name {
	case "t":
		w.inText = false
	case "p":
		if w.inCell {
			if w.cell.Len() > 0 && w.para.Len() > 0 {
				w.cell.WriteByte(' ')
			}
			w.cell.WriteString(w.para.String())
		} else if s := collapse(w.para.String()); s != "" {
			w.emit(Line{Cells: []string{s}})
		}
		w.para.Reset()
	case "tc":
		if w.depth == 1 {
			text := collapse(w.cell.String())
			if w.vmergeOn {
				text = "" // covered by the cell above
			}
			w.row = append(w.row, text)
			w.inCell = false
			if len(w.row) > w.b.lim.Cells && w.err == nil {
				w.err = overLimit("a table row holds more than %d cells", w.b.lim.Cells)
			}
		}
	case "tr":
		if w.depth == 1 {
			w.emit(Line{Cells: append([]string(nil), w.row...), Table: true})
		}
	case "tbl":
		w.depth--
	}
}

// xlsxReader reads Excel 2007+ workbooks: every row of every sheet becomes a line
// of cells in their columns.
type xlsxReader struct{ lim Limits }

type xlsxCell struct {
	Ref    string `xml:"r,attr"`
	Type   string `xml:"t,attr"`
	Value  string `xml:"v"`
	Inline struct {
		Text string `xml:"t"`
		Runs []struct {
			Text string `xml:"t"`
		} `xml:"r"`
	} `xml:"is"`
}

// xlsxSheet is what a worksheet's reader keeps of it (see decodeSheet).
type xlsxSheet struct {
	Rows   []xlsxRow   // sheetData>row
	Merges []xlsxMerge // mergeCells>mergeCell
}

type xlsxRow struct {
	R     int        `xml:"r,attr"`
	Cells []xlsxCell `xml:"c"`
}

type xlsxMerge struct {
	Ref string `xml:"ref,attr"`
}

// mergeRange is a merged block of cells: rows and columns from 0, inclusive.
type mergeRange struct{ r1, c1, r2, c2 int }

func parseMerge(ref string) (mergeRange, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return mergeRange{}, false
	}
	rowOf := func(s string) int {
		i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
		if i < 0 {
			return -1
		}
		n, err := strconv.Atoi(s[i:])
		if err != nil {
			return -1
		}
		return n - 1
	}
	m := mergeRange{rowOf(a), columnIndex(a), rowOf(b), columnIndex(b)}
	return m, m.r1 >= 0 && m.c1 >= 0 && m.r2 >= m.r1 && m.c2 >= m.c1
}

func (r xlsxReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	zr, err := openZip(doc.Body)
	if err != nil {
		return nil, err
	}
	bud := newBudget(r.lim)
	budget := int64(maxUnpackedSize)
	shared, err := sharedStrings(ctx, zr, &budget, bud)
	if err != nil {
		return nil, err
	}
	lay := &Layout{Format: "xlsx", Encoding: "utf-8"}
	for i := 1; i <= 64; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := readMember(zr, fmt.Sprintf("xl/worksheets/sheet%d.xml", i), &budget)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		var sh xlsxSheet
		if err := decodeSheet(ctx, b, &sh, bud); err != nil {
			if ctx.Err() != nil || errors.Is(err, ErrLimit) {
				return nil, err
			}
			lay.Warnings = append(lay.Warnings, fmt.Sprintf("sheet %d unreadable: %v", i, err))
			continue
		}
		lines, err := sheetLines(ctx, &sh, shared, bud)
		if err != nil {
			return nil, err
		}
		lay.Lines = append(lay.Lines, lines...)
	}
	return lay, nil
}

// value is what a cell shows: its shared string, its inline string, or its
// value as written.
func (c xlsxCell) value(shared []string) string {
	switch c.Type {
	case "s":
		if n, err := strconv.Atoi(c.Value); err == nil && n >= 0 && n < len(shared) {
			return shared[n]
		}
		return ""
	case "inlineStr":
		var v strings.Builder
		v.WriteString(c.Inline.Text)
		for _, r := range c.Inline.Runs {
			v.WriteString(r.Text)
		}
		return v.String()
	}
	return c.Value
}

// sharedStrings reads a workbook's shared strings (none when it has none),
// element by element, looking at ctx as it goes.
func sharedStrings(ctx context.Context, zr *zip.Reader, budget *int64, bud *budget) ([]string, error) {
	b, err := readMember(zr, "xl/sharedStrings.xml", budget)
	if err != nil || b == nil {
		return nil, err
	}
	var shared []string
	bytes := 0
	err = eachElement(ctx, b, func(d *xml.Decoder, se xml.StartElement, parent string) error {
		if se.Name.Local != "si" || parent != "sst" {
			return errDescend
		}
		var it struct {
			Text string `xml:"t"`
			Runs []struct {
				Text string `xml:"t"`
			} `xml:"r"`
		}
		if err := d.DecodeElement(&it, &se); err != nil {
			return err
		}
		var s strings.Builder
		s.WriteString(it.Text)
		for _, r := range it.Runs {
			s.WriteString(r.Text)
		}
		if bytes += s.Len(); bytes > bud.lim.TextBytes {
			return overLimit("the shared strings hold more than %d bytes of text", bud.lim.TextBytes)
		}
		shared = append(shared, s.String())
		return bud.decoded(1)
	})
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, ErrLimit) {
			return nil, err
		}
		return nil, fmt.Errorf("reading shared strings: %w", err)
	}
	return shared, nil
}

// sheetLines lays a worksheet out: its rows, each with its cells in their
// columns (up to the 200th) and its merged blocks resolved.
func sheetLines(ctx context.Context, sh *xlsxSheet, shared []string, bud *budget) ([]Line, error) {
	var merges []mergeRange
	for _, m := range sh.Merges {
		if mr, ok := parseMerge(m.Ref); ok {
			merges = append(merges, mr)
		}
	}
	nums := make([]int, len(sh.Rows))
	for ri, row := range sh.Rows {
		nums[ri] = row.R - 1
		if row.R == 0 {
			nums[ri] = ri
		}
	}
	return gridRows(ctx, nums, func(ri int) []string {
		var cells []string
		for _, c := range sh.Rows[ri].Cells {
			col := columnIndex(c.Ref) // up to the 200th column (decodeSheet kept no other)
			for len(cells) < col {
				cells = append(cells, "")
			}
			v := collapse(c.value(shared))
			if col == len(cells) {
				cells = append(cells, v)
			} else {
				cells[col] = v
			}
		}
		return cells
	}, merges, maxSheetColumns+1, bud)
}

// gridLine makes a row of a sheet a line. A merged block is one cell: the
// columns it covers to the right of its first are not cells of their own
// (cover, from a mergeSweep, counts the blocks covering each column; rows
// a block covers below keep a blank in its first column, as a grid does). A
// row of one cell is a paragraph; an empty row is no line.
func gridLine(cells []string, cover []int32) (Line, bool) {
	if cover != nil {
		kept := cells[:0:0]
		for c, v := range cells {
			if c >= len(cover) || cover[c] == 0 {
				kept = append(kept, v)
			}
		}
		cells = kept
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	switch len(cells) {
	case 0:
		return Line{}, false
	case 1:
		return Line{Cells: cells}, true
	}
	return Line{Cells: cells, Table: true}, true
}

// columnIndex turns "C12" into 2.
func columnIndex(ref string) int {
	n := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c < 'A' || c > 'Z' {
			if i == 0 {
				return -1
			}
			break
		}
		n = n*26 + int(c-'A'+1)
	}
	return n - 1
}

// oleReader reads the compound-file formats: Word 97–2003 and WPS documents,
// Excel 97–2003 workbooks.
type oleReader struct {
	doc docReader
	lim Limits
}

func (r oleReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	cf, err := openCFB(doc.Body)
	if err != nil {
		return nil, err
	}
	switch {
	case cf.has("WordDocument"):
		return r.doc.read(ctx, cf, doc.Body)
	case cf.has("Workbook"), cf.has("Book"):
		return readXLS(ctx, cf, r.lim)
	}
	return nil, fmt.Errorf("%w: a compound file with neither a Word document nor a workbook (streams %s)", ErrUnsupported, strings.Join(cf.names(), ", "))
}
