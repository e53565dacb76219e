package extract

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nianbao/nianbao/pdftext"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/simweb"
)

// The PDF reader on the seed reports printed to PDF: it finds the metadata,
// and every cell it fills is the hand-read value (that it fills them all is
// TestSeedAttachments).
func TestPDFSeedsNeverWrong(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PDFium")
	}
	t.Parallel()
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

// FuzzPDFLayout feeds the table layout any characters at any positions (the
// engine's output for a hostile PDF): it must not crash or hang, and every
// line it makes has a cell.
func FuzzPDFLayout(f *testing.F) {
	f.Add([]byte("规章\x10\x20\x0a\x08 0\x40\x20\x0a\x08 6\x60\x21\x0a\x08"), uint8(1))
	f.Add([]byte("一、本年新收\x05\x05\x0a\x08 7\x30\x06\x0a\x08 0\x38\x06\x0a\x08"), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, pages uint8) {
		// Each character: a rune, then x, y, width, height in bytes.
		var ps []pdftext.Page
		n := int(pages%4) + 1
		for i := range n {
			ps = append(ps, pdftext.Page{Number: i + 1, Width: 255, Height: 255})
		}
		k := 0
		for len(b) > 0 {
			r, size := utf8.DecodeRune(b)
			b = b[size:]
			if len(b) < 4 {
				break
			}
			x, y, w, h := float64(b[0]), float64(b[1]), float64(b[2]%32), float64(b[3]%32)
			b = b[4:]
			p := &ps[k%n]
			p.Chars = append(p.Chars, pdftext.Char{Text: string(r), Left: x, Right: x + w, Top: y, Bottom: y + h})
			k++
		}
		lines, err := layoutPDF(context.Background(), ps)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if len(l.Cells) == 0 {
				t.Fatalf("a line with no cell")
			}
		}
	})
}

// The simulated web's PDFs (its own writer, with the standard STSong-Light
// font): no cell read differs from the value the world wrote.
func TestSimwebPDFsNeverWrong(t *testing.T) {
	t.Parallel()
	w, byURL := testWorld(t)
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	e, err := NewWithOptions(Options{PDF: eng})
	if err != nil {
		t.Fatal(err)
	}
	docs, right, null := 0, 0, 0
	// Every PDF the world writes comes from one writer: up to a dozen of each
	// template show its every layout.
	perTemplate := map[string]int{}
	for _, r := range w.Manifest(true).Reports {
		if r.Format != "pdf" || byURL[r.URL] == nil || perTemplate[r.Template] >= 12 {
			continue
		}
		perTemplate[r.Template]++
		body, _ := simweb.AttachmentBytes(w, byURL[r.URL])
		rec, err := e.Extract(context.Background(), Document{Body: body, Name: "report.pdf"})
		if err != nil {
			t.Errorf("%s: %v", r.URL, err)
			continue
		}
		docs++
		for p, v := range r.Values {
			switch got, _ := rec.Cell(p); {
			case got == nil:
				null++
			case *got != v:
				t.Errorf("%s: %s = %v, want %v", r.URL, p, *got, v)
			default:
				right++
			}
		}
	}
	t.Logf("%d PDFs (by template %v): %d cells right, %d null", docs, perTemplate, right, null)
	if docs < 10 || len(perTemplate) < 3 || right == 0 {
		t.Fatalf("only %d PDFs, %d cells read", docs, right)
	}
}
