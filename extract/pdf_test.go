package extract

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/pdftext"
	"github.com/nianbao/nianbao/report"
)

// The experimental PDF reader on the seed reports printed to PDF: it finds the
// metadata, and every cell it fills is the hand-read value. (It does not yet
// fill them all: see the README's status.)
func TestPDFSeedsNeverWrong(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PDFium")
	}
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	e, err := NewWithOptions(Options{PDF: eng})
	if err != nil {
		t.Fatal(err)
	}
	for _, expPath := range seedNames(t) {
		base := strings.TrimSuffix(filepath.Base(expPath), ".expected.json")
		t.Run(base[:3], func(t *testing.T) {
			var want seedExpect
			b, _ := os.ReadFile(expPath)
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			body, err := os.ReadFile(filepath.Join("testdata", "attachments", base[:3]+".pdf"))
			if err != nil {
				t.Fatal(err)
			}
			rec, err := e.Extract(context.Background(), Document{Body: body, Name: base[:3] + ".pdf"})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Source.Format != "pdf" || rec.Year == nil || *rec.Year != want.Year || string(rec.Template) != want.Template {
				t.Errorf("format %s, year %v, template %s", rec.Source.Format, rec.Year, rec.Template)
			}
			filled, right := 0, 0
			for name, tw := range map[string]map[string]map[string]*float64{"active": want.Active, "requests": want.Requests, "review_litigation": want.ReviewLitigation} {
				for row, cols := range tw {
					for col, w := range cols {
						got, _ := rec.Cell(name + "." + row + "." + col)
						if got == nil {
							continue
						}
						filled++
						if w == nil || *w != *got {
							t.Errorf("%s.%s.%s = %v, the report prints %v", name, row, col, *got, handRead(w))
						} else {
							right++
						}
					}
				}
			}
			t.Logf("%d cells filled, %d right", filled, right)
		})
	}
}

func handRead(v *float64) any {
	if v == nil {
		return "nothing"
	}
	return report.FormatNumber(*v)
}
