package extract

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// seedDir holds the five real reports with their hand-read values, beside the
// project's root. They are read in place, never copied.
const seedDir = "../../shared/fixtures/seeds"

type seedExpect struct {
	Organisation     string                         `json:"organisation"`
	Year             int                            `json:"year"`
	Template         string                         `json:"template"`
	Published        string                         `json:"published"`
	Active           map[string]map[string]*float64 `json:"active"`
	Requests         map[string]map[string]*float64 `json:"requests"`
	ReviewLitigation map[string]map[string]*float64 `json:"review_litigation"`
	Inferred         map[string]float64             `json:"inferred"`
	TablesAbsent     bool                           `json:"tables_absent"`
	Attachment       string                         `json:"attachment"`
	TextContains     []string                       `json:"text_contains"`
	TextLacks        []string                       `json:"text_lacks"`
	Encoding         string                         `json:"encoding"`
	Script           string                         `json:"script"`
	ContentType      string                         `json:"content_type"`
}

func newTestExtractor(t testing.TB) *Extractor {
	t.Helper()
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func seedNames(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(seedDir, "*.expected.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no seed fixtures in %s (is ../shared beside the project?): %v", seedDir, err)
	}
	return names
}

func TestSeeds(t *testing.T) {
	e := newTestExtractor(t)
	for _, expPath := range seedNames(t) {
		base := strings.TrimSuffix(filepath.Base(expPath), ".expected.json")
		t.Run(base, func(t *testing.T) {
			var want seedExpect
			b, err := os.ReadFile(expPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("reading %s: %v", expPath, err)
			}
			body, err := os.ReadFile(filepath.Join(seedDir, base+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			rec, err := e.Extract(context.Background(), Document{Body: body, Name: base + ".txt"})
			if err != nil {
				t.Fatal(err)
			}
			checkSeed(t, rec, want)
		})
	}
}

func checkSeed(t *testing.T, rec *report.Record, want seedExpect) {
	t.Helper()
	if string(rec.Organisation) != want.Organisation {
		t.Errorf("organisation = %q, want %q", rec.Organisation, want.Organisation)
	}
	if rec.Year == nil || *rec.Year != want.Year {
		t.Errorf("year = %v, want %d", rec.Year, want.Year)
	}
	if string(rec.Template) != want.Template {
		t.Errorf("template = %q, want %q", rec.Template, want.Template)
	}
	if want.Published != "" && string(rec.Published) != want.Published {
		t.Errorf("published = %q, want %q", rec.Published, want.Published)
	}
	if want.Encoding != "" && rec.Source.Encoding != want.Encoding {
		t.Errorf("encoding = %q, want %q", rec.Source.Encoding, want.Encoding)
	}
	if want.Script != "" && rec.Source.Script != want.Script {
		t.Errorf("script = %q, want %q", rec.Source.Script, want.Script)
	}
	compareTable(t, "active", rec.Active, want.Active)
	compareTable(t, "requests", rec.Requests, want.Requests)
	compareTable(t, "review_litigation", rec.ReviewLitigation, want.ReviewLitigation)
	for _, in := range rec.Inferred {
		v, ok := want.Inferred[in.Cell]
		if !ok {
			t.Errorf("inferred %s = %v (%s), which the hand-read record does not list", in.Cell, in.Value, in.Rule)
		} else if v != in.Value {
			t.Errorf("inferred %s = %v, want %v", in.Cell, in.Value, v)
		}
	}
	if want.TablesAbsent {
		if rec.Active != nil || rec.Requests != nil || rec.ReviewLitigation != nil {
			t.Errorf("tables present, want none: active %d, requests %d, review %d cells",
				rec.Active.Filled(), rec.Requests.Filled(), rec.ReviewLitigation.Filled())
		}
	}
	if want.Attachment != "" {
		found := false
		for _, a := range rec.Attachments {
			if a.Name == want.Attachment {
				found = true
			}
		}
		if !found {
			t.Errorf("attachment %q not listed in %v", want.Attachment, rec.Attachments)
		}
	}
	text := allText(rec)
	for _, s := range want.TextContains {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q", s)
		}
	}
	for _, s := range want.TextLacks {
		if strings.Contains(text, s) {
			t.Errorf("text still holds %q", s)
		}
	}
	if t.Failed() {
		for _, w := range rec.Warnings {
			t.Log("warning:", w)
		}
	}
}

func allText(rec *report.Record) string {
	s := rec.Sections
	return strings.Join([]string{string(rec.Title), string(rec.Organisation), s.General, s.Active, s.Requests, s.Review, s.Problems, s.Other}, "\n")
}

func compareTable(t *testing.T, name string, got *report.Table, want map[string]map[string]*float64) {
	t.Helper()
	if want == nil {
		return
	}
	if got == nil {
		t.Errorf("%s: table missing", name)
		return
	}
	for row, cols := range want {
		if !got.Has(row) {
			t.Errorf("%s.%s: row missing", name, row)
			continue
		}
		for col, w := range cols {
			g, ok := got.Get(row, col)
			switch {
			case !ok:
				t.Errorf("%s.%s.%s: cell missing", name, row, col)
			case w == nil && g != nil:
				t.Errorf("%s.%s.%s = %v, want null", name, row, col, *g)
			case w != nil && g == nil:
				t.Errorf("%s.%s.%s = null, want %v", name, row, col, *w)
			case w != nil && *g != *w:
				t.Errorf("%s.%s.%s = %v, want %v", name, row, col, *g, *w)
			}
		}
	}
}
