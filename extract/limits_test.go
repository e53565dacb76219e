package extract

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/nianbao/nianbao/pdftext"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/samples"
)

// The tests of this file build hostile documents and hold each to the bounds
// of limits.go: it ends as an error that names the bound, or a record whose
// warnings say what was left out, within a memory bound. Memory is judged by
// the bytes allocated while the document is read (TotalAlloc), a bound on
// what it can have held at once; none of these tests is parallel, so nothing
// else allocates meanwhile. Under the race detector, which makes sync.Pool
// drop what it holds, the bytes are only logged.

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// memoryBound is what reading a document may allocate: a small multiple of
// its size, a fixed allowance (the decoder's tables, one record), and for an
// archive (DOCX, XLSX, ZIP) a multiple of its members' unpacked bytes, which
// the unpacking limits bound: encoding/xml allocates some 25 bytes for each
// byte of XML it reads, garbage at once (what is kept is within the budget of
// cells).
func memoryBound(body []byte) uint64 {
	unpacked := uint64(0)
	if zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err == nil {
		for _, f := range zr.File {
			unpacked += f.UncompressedSize64
		}
	}
	return uint64(4*len(body)) + 32*unpacked + 48<<20
}

type member struct{ name, body string }

// zipFile writes an archive of members in their order.
func zipFile(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sheet is an XLSX of one worksheet whose sheetData holds rows.
func sheet(t testing.TB, rows string, more ...member) []byte {
	return zipFile(t, append([]member{{"xl/worksheets/sheet1.xml",
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`}}, more...)...)
}

// hostileDoc is a document and what reading it must come to: an error that
// says err, or a record with a warning that says warn.
type hostileDoc struct {
	name      string
	body      func(t testing.TB) []byte
	err, warn string
}

// numbers is n distinct-looking numbers, so that an archive of them
// compresses as real data does, under the unpacking ratio.
func numbers(n int, format string) string {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i, r.IntN(1_000_000))
	}
	return b.String()
}

var hostiles = []hostileDoc{
	{"8 MB of line breaks", func(testing.TB) []byte { return bytes.Repeat([]byte("\n"), 8<<20) },
		"the text has 8388609 lines, over 50000 (the per-document limit)", ""},
	{"64,000 line breaks", func(testing.TB) []byte { return bytes.Repeat([]byte("\n"), 64_000) },
		"the text has 64001 lines, over 50000 (the per-document limit)", ""},
	{"a text line of 60 MB", func(testing.TB) []byte {
		return []byte("三、收到和处理政府信息公开申请情况\n" + strings.Repeat("行政规范性文件88556 ", 60<<20/28))
	}, "bytes of text, over 8388608 (the per-document limit)", ""},
	{"a text line of 2 MB", func(testing.TB) []byte {
		return []byte("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量" + strings.Repeat("1234567890", 200_000))
	}, "line 2 holds more than 1048576 bytes of text (the per-document limit)", ""},
	{"a table of a million rows", func(testing.TB) []byte { return []byte(strings.Repeat("1\t2\t3\n", 1_000_000)) },
		"the text has 1000001 lines, over 50000", ""},
	{"600,000 tabs", func(testing.TB) []byte {
		return []byte("一、\n" + strings.Repeat(strings.Repeat("\t", 15)+"\n", 40_000))
	}, "the text has 640002 cells, over 500000 (the per-document limit)", ""},
	{"a markdown table of 600,000 rows", func(testing.TB) []byte {
		return []byte("| 项目 | 数量 |\n|---|---|\n" + strings.Repeat("| 1 | 2 |\n", 600_000))
	}, "the text has 600003 lines, over 50000 (the per-document limit)", ""},
	{"markdown tables of huge spans", func(testing.TB) []byte {
		block := "<table><tr>" + strings.Repeat(`<td rowspan="1000000" colspan="1000000">政府信息公开</td>`, 3) + "</tr></table>\n"
		return []byte("# 政府信息公开工作年度报告\n\n| a | b |\n|---|---|\n" + strings.Repeat(block, 200))
	}, "", "whose grid would pass the 200000 cells a page's tables may take were not read: their cells are left null"},
	{"an HTML table of a million rows", func(testing.TB) []byte {
		return []byte("<html><body><table>" + strings.Repeat("<tr><td>1</td></tr>", 1_000_000) + "</table></body></html>")
	}, "the page has more than 500000 tags (the per-document limit)", ""},
	{"HTML nested a million deep", func(testing.TB) []byte {
		return []byte("<html><body>" + strings.Repeat("<div>", 1_000_000) + "政府信息公开</body></html>")
	}, "the page has more than 500000 tags", ""},
	{"HTML nested 100,000 deep", func(testing.TB) []byte {
		return []byte("<html><body>" + strings.Repeat("<div>", 100_000) + "政府信息公开</body></html>")
	}, "", "could not be built into a tree"},
	{"HTML of 4 MB of entities", func(testing.TB) []byte {
		return []byte("<html><body><p>" + strings.Repeat("&amp;&#x4E00;", 4<<20/13) + "</p></body></html>")
	}, "bytes of text, over 1048576 (the per-document limit)", ""},
	{"HTML tables of colspan and rowspan 1000000", func(testing.TB) []byte {
		cell := `<td rowspan="1000000" colspan="1000000">1</td>`
		return []byte("<html><body><p>2021年度政府信息公开工作年度报告</p>" + strings.Repeat("<table><tr>"+strings.Repeat(cell, 3)+"</tr></table>", 5000) + "</body></html>")
	}, "", "were not read: their cells are left null"},
	{"an XLSX cell at XFD1048576", func(t testing.TB) []byte {
		return sheet(t, `<row r="1048576"><c r="XFD1048576"><v>1</v></c><c r="A1048576" t="inlineStr"><is><t>政府信息公开</t></is></c></row>`)
	}, "", ""},
	{"an XLSX sheet of 600,000 cells", func(t testing.TB) []byte {
		return sheet(t, numbers(200_000, `<row><c r="A%d"><v>%d</v></c><c r="B1"><v>7</v></c><c r="C1"><v>8</v></c></row>`))
	}, "the workbook holds more than 500000 cells (the per-document limit)", ""},
	{"XLSX shared strings of 600,000 entries", func(t testing.TB) []byte {
		return sheet(t, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`,
			member{"xl/sharedStrings.xml", "<sst>" + numbers(600_000, "<si><t>%d-%d</t></si>") + "</sst>"})
	}, "the workbook holds more than 500000 cells", ""},
	{"an XLSX cell of 100,000 runs", func(t testing.TB) []byte {
		r := rand.New(rand.NewPCG(3, 4))
		var runs strings.Builder
		for range 100_000 {
			fmt.Fprintf(&runs, "<r><t>%d</t></r>", r.IntN(1000))
		}
		return sheet(t, `<row r="1"><c r="A1" t="inlineStr"><is>`+runs.String()+`</is></c></row>`)
	}, "", ""},
	{"a DOCX table of 100,000 rows", func(t testing.TB) []byte {
		return zipFile(t, member{"word/document.xml", `<document><body><tbl>` +
			numbers(100_000, `<tr><tc><p><r><t>行%d</t></r></p></tc><tc><p><r><t>%d</t></r></p></tc></tr>`) + `</tbl></body></document>`})
	}, "the document lays out as more than 50000 lines (the per-document limit)", ""},
	{"a DOCX paragraph of 2 MB", func(t testing.TB) []byte {
		return zipFile(t, member{"word/document.xml", `<document><body><p><r><t>` + numbers(200_000, "%d,%d;") + `</t></r></p></body></document>`})
	}, "a paragraph or a table cell holds more than 1048576 bytes of text", ""},
	{"an XLS sheet of 600,000 cells", func(testing.TB) []byte { return workbook(3000, 200, nil) },
		"the workbook holds more than 500000 cells (the per-document limit)", ""},
	{"an XLS sheet of a million empty records", func(testing.TB) []byte {
		return workbook(10, 10, bytes.Repeat(biff(0x0000, nil), 1_000_000))
	}, "the workbook has 1000014 records, over 1000000 (the per-document limit)", ""},
	{"an XLS sheet of 990,000 empty records", func(testing.TB) []byte {
		return workbook(10, 10, bytes.Repeat(biff(0x0000, nil), 990_000))
	}, "", ""},
	{"a ZIP of 1,000 documents", func(t testing.TB) []byte {
		var ms []member
		for i := range 1000 {
			ms = append(ms, member{fmt.Sprintf("%04d.txt", i), numbers(200, "一、本年新收政府信息公开申请数量\t%d\t%d\n")})
		}
		return zipFile(t, ms...)
	}, "", "archive members not opened, past the 32 documents an archive may give (the per-document limit): 0032.txt, 0033.txt"},
}

// Every hostile document ends as an error that names the bound it passed,
// or as a record whose warnings say what was left out, within the memory
// bound.
func TestHostileDocumentsBounded(t *testing.T) {
	e := newTestExtractor(t)
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			body := h.body(t)
			var rec *report.Record
			var err error
			n := allocated(func() { rec, err = e.Extract(context.Background(), Document{Body: body, Name: "hostile"}) })
			bound := memoryBound(body)
			t.Logf("%d bytes: %d allocated (%.1f×; the bound %d)", len(body), n, float64(n)/float64(len(body)), bound)
			if n > bound && !raceDetector {
				t.Errorf("reading %d bytes allocated %d, over %d", len(body), n, bound)
			}
			switch {
			case h.err != "":
				if err == nil || !strings.Contains(err.Error(), h.err) || !errors.Is(err, ErrLimit) {
					t.Errorf("got %v, want an error past a limit that says %q", err, h.err)
				}
			case err != nil:
				t.Errorf("got %v, want a record", err)
			default:
				checkRecord(t, rec)
				if h.warn != "" && !strings.Contains(strings.Join(rec.Warnings, "\n"), h.warn) {
					t.Errorf("no warning says %q: %q", h.warn, rec.Warnings)
				}
			}
		})
	}
}

// A table whose grid passes the page's limit is left out whole: its cells
// are null and a warning says why, never read in part (the rows before the
// cut read, the rest lost or shifted). The page's other tables are read.
func TestCutTableLeftNull(t *testing.T) {
	page, err := fs.ReadFile(samples.FS(), "2019_zhengzhou_jinshui.html")
	if err != nil {
		t.Fatal(err)
	}
	e := newTestExtractor(t)
	whole, err := e.Extract(context.Background(), Document{Body: page, Name: "page.html"})
	if err != nil {
		t.Fatal(err)
	}
	if whole.Requests.Filled() == 0 || whole.Active.Filled() == 0 {
		t.Fatalf("the sample reads %d cells of table 三 and %d of table 二; the test needs both", whole.Requests.Filled(), whole.Active.Filled())
	}
	// Table 三 (the page's second table) gets a row of huge spans after
	// its fifth.
	s := string(page)
	at := strings.Index(s, "</table>")
	for range 5 {
		at += strings.Index(s[at:], "</tr>") + len("</tr>")
	}
	huge := "<tr>" + strings.Repeat(`<td rowspan="999999" colspan="999999">x</td>`, 5) + "</tr>"
	cut := s[:at] + huge + s[at:]
	rec, err := e.Extract(context.Background(), Document{Body: []byte(cut), Name: "page.html"})
	if err != nil {
		t.Fatal(err)
	}
	if n := rec.Requests.Filled(); n != 0 {
		t.Errorf("table 三 was read in part: %d cells filled", n)
	}
	if !strings.Contains(strings.Join(rec.Warnings, "\n"), "1 table(s) whose grid would pass the 200000 cells a page's tables may take were not read: their cells are left null") {
		t.Errorf("no warning says the table was left out: %q", rec.Warnings)
	}
	if got, want := rec.Active.Filled(), whole.Active.Filled(); got != want {
		t.Errorf("table 二: %d cells, want %d as without the hostile row", got, want)
	}
}

// counting is a context that counts the looks at Err and ends after stop of
// them (never, when stop is 0): where a loop looks at its context, told
// without timing.
type counting struct {
	context.Context
	stop, asked int64
}

func (c *counting) Err() error {
	if n := atomic.AddInt64(&c.asked, 1); c.stop > 0 && n >= c.stop {
		return context.Canceled
	}
	return nil
}

func (c *counting) Done() <-chan struct{} { return nil }

// stopsAnywhere runs work to count its looks at its context, then again
// ending the context at the first, the middle and the last of them: each
// time, work must stop with the context's error.
func stopsAnywhere(t *testing.T, what string, work func(ctx context.Context) error) {
	t.Helper()
	all := &counting{Context: context.Background()}
	if err := work(all); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if all.asked < 3 {
		t.Fatalf("%s looks at its context %d times", what, all.asked)
	}
	for _, k := range []int64{1, all.asked / 2, all.asked} {
		if err := work(&counting{Context: context.Background(), stop: k}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s, its context ended at look %d of %d: %v, want it stopped", what, k, all.asked, err)
		}
	}
}

// Every reader, and Build, stop when their context ends, wherever in their
// work it ends.
func TestReadersStopWhenTold(t *testing.T) {
	e := newTestExtractor(t)
	rows := numbers(3000, "一、本年新收政府信息公开申请数量 %d\t%d\n")
	var doc strings.Builder
	doc.WriteString("<html><body><p>2021年度政府信息公开工作年度报告</p><table>")
	for i := range 3000 {
		fmt.Fprintf(&doc, "<tr><td>第%d行</td><td>%d</td></tr>", i, i)
	}
	doc.WriteString("</table></body></html>")
	docx := zipFile(t, member{"word/document.xml", `<document><body><tbl>` +
		numbers(3000, `<tr><tc><p><r><t>行%d</t></r></p></tc><tc><p><r><t>%d</t></r></p></tc></tr>`) + `</tbl></body></document>`})
	wordDoc, err := os.ReadFile("testdata/attachments/001.doc")
	if err != nil {
		t.Fatal(err)
	}
	var archive []member
	for i := range 5 {
		archive = append(archive, member{fmt.Sprintf("%02d.txt", i), rows[:len(rows)/10]})
	}
	cases := []struct {
		reader string
		body   []byte
	}{
		{"html", []byte(doc.String())},
		{"markdown", []byte("| 项目 | 数量 |\n|---|---|\n" + strings.Repeat("| 1 | 2 |\n", 3000))},
		{"docx", docx},
		{"xlsx", sheet(t, numbers(3000, `<row><c r="A%d"><v>%d</v></c></row>`))},
		{"zip", zipFile(t, archive...)},
		{"ole", workbook(3000, 10, nil)},
		{"ole", wordDoc},
	}
	for i, c := range cases {
		stopsAnywhere(t, fmt.Sprintf("reading %s (case %d)", c.reader, i), func(ctx context.Context) error {
			_, err := e.readers[c.reader].Read(ctx, Document{Body: c.body})
			return err
		})
	}
	lay, err := e.readers["text"].Read(context.Background(), Document{Body: []byte("三、收到和处理政府信息公开申请情况\n" + rows)})
	if err != nil {
		t.Fatal(err)
	}
	stopsAnywhere(t, "building a record", func(ctx context.Context) error {
		_, err := e.Build(ctx, lay, "", "")
		return err
	})
	lay.Lines = lay.Lines[:1]
	lay.Lines[0].Cells = []string{strings.Repeat("一、本年新收政府信息公开申请数量123（二）部分公开45", 3000)}
	stopsAnywhere(t, "building a record from a page dump", func(ctx context.Context) error {
		_, err := e.Build(ctx, lay, "", "")
		return err
	})
}

// waitOCR is an OCR that reads nothing until its context ends.
type waitOCR struct{ started chan struct{} }

func (o waitOCR) PDF(ctx context.Context, _ *pdftext.Engine, _ []byte, _ int) ([]string, error) {
	close(o.started)
	<-ctx.Done()
	return nil, ctx.Err()
}

func (waitOCR) Name() string { return "waits" }

// A document whose reading does not end stops at the deadline, with an
// error that says so; a caller that cancels gets its own error, not the
// deadline's. (The reader here is OCR that waits for its context: whatever
// the machine's speed, only the deadline or the caller can end it.)
func TestDeadlineEndsAnyReading(t *testing.T) {
	body, err := os.ReadFile("testdata/attachments/003_scan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	ocr := waitOCR{started: make(chan struct{})}
	e, err := NewWithOptions(Options{PDF: eng, OCR: ocr, Limits: Limits{Deadline: 300 * time.Millisecond, OCRPage: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Extract(context.Background(), Document{Body: body, Name: "scan.pdf"})
	if err == nil || !errors.Is(err, ErrLimit) || !strings.HasPrefix(err.Error(), "extracting scan.pdf as pdf: gave up after ") ||
		!strings.HasSuffix(err.Error(), " (the per-document limit)") {
		t.Errorf("got %v, want the deadline's error", err)
	}

	ocr = waitOCR{started: make(chan struct{})}
	e, err = NewWithOptions(Options{PDF: eng, OCR: ocr, Limits: Limits{Deadline: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-ocr.started; cancel() }()
	_, err = e.Extract(ctx, Document{Body: body, Name: "scan.pdf"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrLimit) {
		t.Errorf("cancelled by its caller: %v, want context.Canceled", err)
	}
}

// The deadline is put off for OCR, and its error gives the time it came to.
func TestDeadlinePutOff(t *testing.T) {
	ctx, dl, release, explain := withDeadline(context.Background(), time.Hour)
	defer release()
	dl.extend(40 * 30 * time.Second)
	dl.fire() // as the timer would, 1 h 20 min on
	<-ctx.Done()
	err := explain(fmt.Errorf("reading: %w", ctx.Err()))
	if err == nil || err.Error() != "gave up after 1h20m0s (the per-document limit)" || !errors.Is(err, ErrLimit) {
		t.Errorf("got %v", err)
	}
}

// addHostiles gives a fuzz target the hostile documents of its format that
// are small enough to be mutated.
func addHostiles(f *testing.F, format string) {
	for _, h := range hostiles {
		if b := h.body(f); len(b) <= 1<<20 && Sniff(b) == format {
			f.Add(b)
		}
	}
}

// cfbOf writes a compound file (version 3, 512-byte sectors) whose root
// holds one stream, in regular sectors (it is padded to the 4096 bytes below
// which streams live in the mini stream): [MS-CFB] 2.2 (header), 2.3 (FAT),
// 2.6 (directory entries).
func cfbOf(name string, stream []byte) []byte {
	const sector, perFAT = 512, 128
	if len(stream) < 4096 {
		stream = append(stream, make([]byte, 4096-len(stream))...)
	}
	data := (len(stream) + sector - 1) / sector
	fats := 1
	for (data+1+fats+perFAT-1)/perFAT > fats {
		fats++
	}
	if fats > 109 {
		panic("cfbOf: a stream too large for the header's DIFAT")
	}
	le := binary.LittleEndian
	out := make([]byte, 512+(data+1+fats)*sector)
	h := out[:512]
	copy(h, cfbMagic)
	le.PutUint16(h[0x18:], 0x3E)
	le.PutUint16(h[0x1A:], 3)
	le.PutUint16(h[0x1C:], 0xFFFE)
	le.PutUint16(h[0x1E:], 9)
	le.PutUint16(h[0x20:], 6)
	le.PutUint32(h[0x2C:], uint32(fats))
	le.PutUint32(h[0x30:], uint32(data)) // the directory's sector
	le.PutUint32(h[0x38:], 4096)
	le.PutUint32(h[0x3C:], cfbEnd)
	le.PutUint32(h[0x44:], cfbEnd)
	for i := range 109 {
		s := uint32(cfbFree)
		if i < fats {
			s = uint32(data + 1 + i)
		}
		le.PutUint32(h[0x4C+4*i:], s)
	}
	at := func(s int) []byte { return out[512+s*sector : 512+(s+1)*sector] }
	copy(out[512:], stream)
	dir := at(data)
	entry := func(i int, name string, typ byte, child, start uint32, size int) {
		e := dir[i*128 : (i+1)*128]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			le.PutUint16(e[2*k:], c)
		}
		le.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42], e[0x43] = typ, 1
		le.PutUint32(e[0x44:], cfbFree)
		le.PutUint32(e[0x48:], cfbFree)
		le.PutUint32(e[0x4C:], child)
		le.PutUint32(e[0x74:], start)
		le.PutUint64(e[0x78:], uint64(size))
	}
	entry(0, "Root Entry", 5, 1, cfbEnd, 0)
	entry(1, name, 2, cfbFree, 0, len(stream))
	for i := 2; i < 4; i++ {
		entry(i, "", 0, cfbFree, 0, 0)
	}
	fat := make([]uint32, fats*perFAT)
	for i := range fat {
		fat[i] = cfbFree
	}
	for i := range data {
		fat[i] = uint32(i + 1)
	}
	fat[data-1], fat[data] = cfbEnd, cfbEnd
	for i := range fats {
		fat[data+1+i] = 0xFFFFFFFD // a FAT sector
	}
	for i, v := range fat {
		le.PutUint32(at(data + 1 + i/perFAT)[4*(i%perFAT):], v)
	}
	return out
}

// biff is a BIFF8 record.
func biff(typ uint16, data []byte) []byte {
	r := make([]byte, 4, 4+len(data))
	binary.LittleEndian.PutUint16(r, typ)
	binary.LittleEndian.PutUint16(r[2:], uint16(len(data)))
	return append(r, data...)
}

// workbook is an Excel 97 workbook of one sheet: rows rows of cols RK
// numbers each (MULRK records), and then extra records.
func workbook(rows, cols int, extra []byte) []byte {
	le := binary.LittleEndian
	bof := make([]byte, 16)
	le.PutUint16(bof, 0x0600)
	var s []byte
	s = append(s, biff(biffBOF, bof)...)
	s = append(s, biff(biffEOF, nil)...)
	le.PutUint16(bof[2:], 0x10) // a worksheet
	s = append(s, biff(biffBOF, bof)...)
	for r := range rows {
		d := make([]byte, 4, 6+6*cols)
		le.PutUint16(d, uint16(r))
		for c := range cols {
			d = le.AppendUint16(d, 0)
			d = le.AppendUint32(d, uint32((r*cols+c)%100_000)<<2|2) // an integer RK
		}
		d = le.AppendUint16(d, uint16(cols-1))
		s = append(s, biff(biffMulRK, d)...)
	}
	s = append(s, extra...)
	s = append(s, biff(biffEOF, nil)...)
	return cfbOf("Workbook", s)
}

// A PDF whose text layer holds more characters than the engine reads of one
// document ends at the page that would pass the bound, with an error in words
// that is the extractor's limit. (The engine's
// bound is lowered here: at its default a million characters take some 14 s
// of PDFium calls.)
func TestPDFCharactersBounded(t *testing.T) {
	eng := pdftext.New(pdftext.Options{MaxChars: 50_000})
	defer eng.Close()
	e, err := NewWithOptions(Options{PDF: eng})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Read(context.Background(), textPDF(1, 10)); err != nil {
		t.Fatal(err) // PDFium started, before the measure
	}
	body := textPDF(3, 30_000)
	n := allocated(func() { _, err = e.Extract(context.Background(), Document{Body: body, Name: "many.pdf"}) })
	want := "extracting many.pdf as pdf: page 2: the PDF's text layer holds more characters than the limit: 30000 characters on this page, where 20000 were left of the document's (the per-document limit)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrLimit) {
		t.Errorf("got %v, want %q", err, want)
	}
	// No verdict on the bytes: PDFium's Go bindings allocate some 24 KB of
	// garbage for each character read (two calls into the module), which
	// dwarfs what is kept (some 60 bytes a character).
	t.Logf("%d bytes: %d allocated, the first page's 30,000 characters read", len(body), n)
}

// textPDF is a PDF of pages pages whose one content stream (shared, deflated)
// prints chars characters in Helvetica: ISO 32000-1 7.5 (file structure),
// 7.7.3 (page tree), 9.4 (text objects).
func textPDF(pages, chars int) []byte {
	var content bytes.Buffer
	zw := zlib.NewWriter(&content)
	fmt.Fprint(zw, "BT /F1 1 Tf 10 700 Td")
	for ; chars > 0; chars -= 10_000 { // PDFium keeps at most 32,767 characters of one string
		fmt.Fprintf(zw, " (%s) Tj", strings.Repeat("a", min(chars, 10_000)))
	}
	fmt.Fprint(zw, " ET")
	zw.Close()
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n")
	var kids []string
	for i := range pages {
		kids = append(kids, fmt.Sprintf("%d 0 R", 5+i))
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", content.Len(), content.String()))
	for range pages {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// The Word 97 text's reader charges its budget as the characters come: a
// paragraph of 2 MB, fields nested 600 deep, 60,000 paragraphs each end in
// an error that names the bound.
func TestWord97Bounded(t *testing.T) {
	for _, c := range []struct {
		name string
		text func(w *word97Lines)
		err  string
	}{
		{"a paragraph of 2 MB", func(w *word97Lines) {
			for range 2 << 20 {
				w.char('a', 0)
			}
			w.char(wParagraph, 0)
		}, "a paragraph or a table cell holds more than 1048576 bytes of text (the per-document limit)"},
		{"fields nested 600 deep", func(w *word97Lines) {
			for range 600 {
				w.char(wFieldBeg, 0)
			}
		}, "fields nested deeper than 512 (the per-document limit)"},
		{"60,000 paragraphs", func(w *word97Lines) {
			for range 60_000 {
				w.char('a', 0)
				w.char(wParagraph, 0)
			}
		}, "the document lays out as more than 50000 lines (the per-document limit)"},
	} {
		w := &word97Lines{lay: &Layout{}, b: newBudget(Limits{})}
		c.text(w)
		w.end()
		if w.err == nil || w.err.Error() != c.err || !errors.Is(w.err, ErrLimit) {
			t.Errorf("%s: %v, want %q", c.name, w.err, c.err)
		}
		if len(w.lay.Lines) > 50_000 {
			t.Errorf("%s: %d lines kept past the bound", c.name, len(w.lay.Lines))
		}
	}
}
