package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
)

// The simulated web's DOCX, XLSX and DOC reports read back to the values it
// gives for them.
func TestOfficeAttachmentsReadBack(t *testing.T) {
	w, byURL := testWorld(t)
	e := newTestExtractor(t)
	checked := map[string]int{}
	for _, r := range w.Manifest(true).Reports {
		if (r.Format != "docx" && r.Format != "xlsx" && r.Format != "doc") || r.Template == "legacy" || checked[r.Format] >= 4 {
			continue
		}
		body, _ := simweb.AttachmentBytes(w, byURL[r.URL])
		if want := map[string]string{"doc": "ole"}[r.Format]; Sniff(body) != r.Format && Sniff(body) != want {
			t.Fatalf("%s sniffed as %s", r.Format, Sniff(body))
		}
		rec, err := e.Extract(context.Background(), Document{Body: body, Name: "report." + r.Format})
		if err != nil {
			t.Fatal(err)
		}
		titleYearOff := !strings.Contains(r.Title, strconv.Itoa(r.Year)) // last year's year copied into the title, no date to correct it
		if r.Format == "doc" {                                           // every DOC carries the world's one fixed sample, a 2019 report
			r.Template, r.Year, titleYearOff = "2019", 2019, false
		}
		if string(rec.Template) != r.Template || rec.Year == nil || *rec.Year != r.Year && !titleYearOff {
			t.Errorf("%s: template %s year %v, want %s %d (warnings %v)", r.Format, rec.Template, rec.Year, r.Template, r.Year, rec.Warnings)
		}
		for p, v := range r.Values {
			if got, _ := rec.Cell(p); got == nil || *got != v {
				t.Errorf("%s %s: %s = %v, want %v", r.Format, r.URL, p, got, v)
			}
		}
		checked[r.Format]++
	}
	if checked["docx"] == 0 || checked["xlsx"] == 0 || checked["doc"] == 0 {
		t.Fatalf("checked %v", checked)
	}
}

// testWorld is a simulated web of 80 hosts and its reports by URL.
func testWorld(t *testing.T) (*simweb.World, map[string]*simweb.Report) {
	t.Helper()
	list, err := seeds.ReadFile("../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	w, err := simweb.Generate(simweb.Config{Seed: 3, Hosts: 80, Portals: list})
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string]*simweb.Report{}
	for _, u := range w.Units {
		for _, x := range u.Reports {
			byURL[x.URL()] = x
		}
	}
	return w, byURL
}

func TestZipBombRefused(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write(bytes.Repeat([]byte("<w:p/>"), 1<<20)) // 6 MB of one pattern: a ratio (~1000) no document has
	zw.Close()
	_, err := docxReader{}.Read(context.Background(), Document{Body: buf.Bytes()})
	if !errors.Is(err, ErrUnpackLimit) {
		t.Fatalf("a zip bomb was unpacked: %v (%d bytes packed)", err, buf.Len())
	}
	_, err = newTestExtractor(t).Extract(context.Background(), Document{Body: buf.Bytes()})
	if err == nil || !strings.Contains(err.Error(), "unpacking limits") {
		t.Fatalf("extract: %v", err)
	}
	// The same bomb as a plain ZIP attachment.
	buf.Reset()
	zw = zip.NewWriter(&buf)
	w, _ = zw.Create("年报.txt")
	w.Write(bytes.Repeat([]byte("一"), 2<<20))
	zw.Close()
	if _, err := newTestExtractor(t).Extract(context.Background(), Document{Body: buf.Bytes()}); !errors.Is(err, ErrUnpackLimit) {
		t.Fatalf("a ZIP attachment bomb: %v", err)
	}
}
