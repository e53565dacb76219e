package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/samples"
)

func checkRecord(t *testing.T, rec *report.Record) {
	t.Helper()
	if _, err := json.Marshal(rec); err != nil {
		t.Fatalf("record does not encode: %v", err)
	}
	for _, tb := range []*report.Table{rec.Active, rec.Requests, rec.ReviewLitigation} {
		if tb == nil {
			continue
		}
		for _, r := range tb.Rows {
			for _, c := range r.Cells {
				if c.Value != nil && (math.IsNaN(*c.Value) || math.IsInf(*c.Value, 0)) {
					t.Fatalf("cell %s.%s holds %v", r.Key, c.Key, *c.Value)
				}
			}
		}
	}
}

func fuzzRead(t *testing.T, e *Extractor, r Reader, body []byte) {
	fuzzReadDistinct(t, e, r, body, nil)
}

// fuzzReadDistinct is fuzzRead for many damaged copies of one file: a copy
// whose layout was built before (its damage fell outside the text, or changed
// nothing the reader keeps) is not built again, since Build is a function of
// the layout. seen holds the layouts built so far; nil builds every one.
func fuzzReadDistinct(t *testing.T, e *Extractor, r Reader, body []byte, seen map[[32]byte]bool) {
	// Bad input must never hang the pipeline: the reading and the build run
	// under the per-document deadline, and an input that reaches it is a
	// failure the fuzzer keeps. (A verdict on the wall clock at seconds had
	// failed a seed on a machine kept busy by other work: the deadline is a
	// minute, twenty times what the slowest seed takes under the race
	// detector on a loaded machine.)
	ctx, cancel := context.WithTimeout(context.Background(), fuzzDeadline)
	defer cancel()
	hung := func() {
		if ctx.Err() != nil {
			t.Fatalf("reading %d bytes reached the %s deadline", len(body), fuzzDeadline)
		}
	}
	lay, err := r.Read(ctx, Document{Body: body})
	if err != nil {
		hung()
		return // a clear error is an acceptable answer
	}
	if seen != nil {
		j, err := json.Marshal(lay)
		if err != nil {
			t.Fatalf("the layout does not marshal: %v", err)
		}
		key := sha256.Sum256(j)
		if seen[key] {
			return
		}
		seen[key] = true
	}
	rec, err := e.Build(ctx, lay, "", "")
	if err != nil {
		hung()
		t.Fatalf("build failed: %v", err)
	}
	checkRecord(t, rec)
}

// fuzzDeadline is how long one fuzzed document may take to read and build.
const fuzzDeadline = time.Minute

// FuzzHTML feeds any bytes to the HTML reader and the template parser.
func FuzzHTML(f *testing.F) {
	e := newTestExtractor(f)
	for _, name := range samples.Documents() {
		if b, err := fs.ReadFile(samples.FS(), name); err == nil && len(b) < 70_000 {
			f.Add(b)
		}
	}
	f.Add([]byte(`<table><tr><td rowspan="999999" colspan="999999">一、本年新收政府信息公开申请数量</td><td>1</td></tr></table>`))
	addHostiles(f, "html")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRead(t, e, e.readers["html"], body)
	})
}

// FuzzText feeds any bytes to the text reader and the template parser.
func FuzzText(f *testing.F) {
	e := newTestExtractor(f)
	seeds, _ := filepath.Glob(filepath.Join(seedDir, "*.txt"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t\t1\t2\t3\t4\t5\t6\t7\t8\t9\n（七）总计 1 2"))
	addHostiles(f, "text")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRead(t, e, e.readers["text"], body)
	})
}

// FuzzDOCX feeds any bytes to the DOCX reader and the template parser.
func FuzzDOCX(f *testing.F) {
	e := newTestExtractor(f)
	f.Add([]byte("PK\x03\x04"))
	if b, err := os.ReadFile(filepath.Join("testdata", "attachments", "001.docx")); err == nil {
		f.Add(b)
	}
	addHostiles(f, "docx")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRead(t, e, e.readers["docx"], body)
	})
}

// FuzzOLE feeds any bytes to the compound-file reader: DOC, WPS and XLS.
func FuzzOLE(f *testing.F) {
	e := newTestExtractor(f)
	for _, name := range []string{"001.doc", "003.xls"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "attachments", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add(append(append([]byte(nil), cfbMagic...), make([]byte, 1024)...))
	f.Add(workbook(20, 200, bytes.Repeat(biff(0x0000, nil), 1000))) // as wide as a sheet is read, records of nothing
	addHostiles(f, "ole")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRead(t, e, e.readers["ole"], body)
	})
}

// FuzzMarkdown feeds any bytes to the markdown reader and the template parser.
func FuzzMarkdown(f *testing.F) {
	e := newTestExtractor(f)
	for _, name := range []string{"005.md", "006.md"} {
		if b, err := os.ReadFile(filepath.Join(realDir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("# 标题\n| a | b \\| c |\n|---|:--:|\n| 一、本年新收政府信息公开申请数量 | 1 | 2 |\n||\n|"))
	addHostiles(f, "markdown")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRead(t, e, e.readers["markdown"], body)
	})
}

// FuzzScriptHTML feeds any bytes to the HTML reader as the body of a page's
// script, so that the JavaScript string reader sees every kind of literal.
func FuzzScriptHTML(f *testing.F) {
	e := newTestExtractor(f)
	if b, err := os.ReadFile(filepath.Join(seedDir, "003_c00c0f458b041d9c.txt")); err == nil {
		f.Add([]byte("let content = " + jsQuote(wordHTML(string(b))) + ";"))
	}
	f.Add([]byte(`var d = {"content":"\u003Ctable\u003E\u003Ctr\u003E\u003Ctd\u003E政府信息公开\u003C/td\u003E"}; x = '\x3Cp>' + "\uD83D" + ` + "`a\\`"))
	f.Fuzz(func(t *testing.T, script []byte) {
		page := append(append([]byte("<html><body><script>"), script...), "</script></body></html>"...)
		fuzzRead(t, e, e.readers["html"], page)
	})
}
