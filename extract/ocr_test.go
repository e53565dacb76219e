package extract

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/ocr"
	"github.com/nianbao/nianbao/pdftext"
	"github.com/nianbao/nianbao/report"
)

// The scanned fixture (seed 003's pages as 200-dpi black-and-white images) read
// by tesseract: every cell OCR fills is the hand-read value, and every cell it
// cannot read is null and named in a warning.
func TestSeedScan(t *testing.T) {
	t.Parallel()
	requireTool(t, "tesseract")
	tess, err := ocr.Find(context.Background())
	if err != nil {
		if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	e, err := NewWithOptions(Options{PDF: eng, OCR: tess})
	if err != nil {
		t.Fatal(err)
	}
	var want seedExpect
	b, _ := os.ReadFile(filepath.Join(seedDir, "003_c00c0f458b041d9c.expected.json"))
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("testdata/attachments/003_scan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := e.Extract(context.Background(), Document{Body: body, Name: "003_scan.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Source.Format != "pdf-ocr" {
		t.Errorf("format %q", rec.Source.Format)
	}
	warned := strings.Join(rec.Warnings, "\n")
	if !strings.Contains(warned, "OCR (tesseract") {
		t.Errorf("the record does not say it was OCR'd: %v", rec.Warnings)
	}
	filled, unreadable := 0, 0
	for name, pair := range map[string]struct {
		got  *report.Table
		want map[string]map[string]*float64
	}{"active": {rec.Active, want.Active}, "requests": {rec.Requests, want.Requests}, "review_litigation": {rec.ReviewLitigation, want.ReviewLitigation}} {
		for row, cols := range pair.want {
			for col, w := range cols {
				path := name + "." + row + "." + col
				var g *float64
				if pair.got != nil {
					g, _ = pair.got.Get(row, col)
				}
				switch {
				case g != nil && (w == nil || *g != *w):
					t.Errorf("%s = %v, want %v", path, *g, w)
				case g != nil:
					filled++
				case w != nil:
					unreadable++
					if !strings.Contains(warned, path) {
						t.Errorf("%s is null, printed %v, and no warning names it", path, *w)
					}
				}
			}
		}
	}
	t.Logf("OCR filled %d cells right, left %d unreadable", filled, unreadable)
	if filled < 100 {
		t.Errorf("OCR filled only %d cells", filled)
	}
}
