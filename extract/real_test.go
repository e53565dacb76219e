package extract

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// realDir holds real reports in the shapes that circulate (PDFs, markdown made
// by conversion tools, crawlers' flattened page dumps) with hand-read values,
// beside the project's root. They are read in place, never copied.
const realDir = "../../shared/fixtures/real"

// realMark is the share of hand-read cells the extractor must give on the real
// fixtures. What it leaves null are cells a flattened dump prints as one run of
// digits that several splits fit (their warnings list the readings); a wrong
// cell fails the test whatever the share.
const realMark = 0.97

type realExpect struct {
	Organisation     string         `json:"organisation"`
	OrganisationAlso []string       `json:"organisation_also"`
	Year             int            `json:"year"`
	Template         string         `json:"template"`
	Active           map[string]any `json:"active"`
	Requests         map[string]any `json:"requests"`
	ReviewLitigation map[string]any `json:"review_litigation"`
}

// score compares a record with hand-read values as ../shared/tools/score.py
// does: a cell is right when it equals the value (null for a blank), wrong
// when it holds another number.
func score(rec *report.Record, want realExpect) (right, total int, wrong, meta []string) {
	orgs := append([]string{want.Organisation}, want.OrganisationAlso...)
	if !slices.Contains(orgs, string(rec.Organisation)) {
		meta = append(meta, "organisation "+string(rec.Organisation))
	}
	if rec.Year == nil || *rec.Year != want.Year {
		meta = append(meta, "year")
	}
	if string(rec.Template) != want.Template {
		meta = append(meta, "template "+string(rec.Template))
	}
	for _, tb := range []struct {
		name string
		want map[string]any
	}{{"active", want.Active}, {"requests", want.Requests}, {"review_litigation", want.ReviewLitigation}} {
		for row, cols := range tb.want {
			for col, w := range cols.(map[string]any) {
				total++
				got, _ := rec.Cell(tb.name + "." + row + "." + col)
				wv, isNum := w.(float64)
				switch {
				case got == nil && !isNum:
					right++
				case got != nil && isNum && math.Abs(*got-wv) < 1e-6:
					right++
				case got != nil:
					wrong = append(wrong, tb.name+"."+row+"."+col)
				}
			}
		}
	}
	return right, total, wrong, meta
}

// TestRealFixtures reads every real fixture and every seed: no cell wrong, the
// metadata right, the seeds exact, and the real ones at the mark.
func TestRealFixtures(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	defer e.Close()
	for _, dir := range []struct {
		path string
		mark float64
	}{{realDir, realMark}, {seedDir, 1}} {
		exps, _ := filepath.Glob(filepath.Join(dir.path, "*.expected.json"))
		if len(exps) == 0 {
			t.Fatalf("no fixtures in %s (is ../shared beside the project?)", dir.path)
		}
		right, total := 0, 0
		for _, exp := range exps {
			base := strings.TrimSuffix(exp, ".expected.json")
			docs, _ := filepath.Glob(base + ".*")
			docs = slices.DeleteFunc(docs, func(p string) bool { return p == exp })
			if len(docs) == 0 {
				continue
			}
			var want realExpect
			b, err := os.ReadFile(exp)
			if err == nil {
				err = json.Unmarshal(b, &want)
			}
			body, err2 := os.ReadFile(docs[0])
			if err != nil || err2 != nil {
				t.Fatalf("reading %s: %v %v", base, err, err2)
			}
			rec, err := e.Extract(context.Background(), Document{Body: body, Name: filepath.Base(docs[0])})
			if err != nil {
				t.Fatalf("%s: %v", docs[0], err)
			}
			r, n, wrong, meta := score(rec, want)
			right, total = right+r, total+n
			if len(wrong) > 0 || len(meta) > 0 {
				t.Errorf("%s: wrong cells %v, wrong metadata %v", filepath.Base(docs[0]), wrong, meta)
			}
			t.Logf("%s: %d/%d cells", filepath.Base(docs[0]), r, n)
		}
		share := float64(right) / float64(total)
		t.Logf("%s: %d/%d cells (%.1f%%)", dir.path, right, total, 100*share)
		if share < dir.mark {
			t.Errorf("%s: %d/%d cells (%.1f%%), below the mark of %.0f%%", dir.path, right, total, 100*share, 100*dir.mark)
		}
	}
}
