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

type realExpect struct {
	Organisation     string         `json:"organisation"`
	OrganisationAlso []string       `json:"organisation_also"`
	Year             int            `json:"year"`
	Template         string         `json:"template"`
	Active           map[string]any `json:"active"`
	Requests         map[string]any `json:"requests"`
	ReviewLitigation map[string]any `json:"review_litigation"`
	// Undecidable names the cells the document alone cannot decide (several
	// readings fit every identity and figure it prints, or a dump dropped the
	// lines that held them): null is right there, as is the printed value.
	Undecidable []string `json:"undecidable"`
}

// score compares a record with hand-read values as ../shared/tools/score.py
// does: a cell is right when it equals the value (null for a blank), or is
// null where the document cannot decide it; wrong when it holds another
// number; lost when it is null where the document decides it.
func score(rec *report.Record, want realExpect) (right, total int, wrong, lost, meta []string) {
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
				path := tb.name + "." + row + "." + col
				switch {
				case got == nil && (!isNum || slices.Contains(want.Undecidable, path)):
					right++
				case got != nil && isNum && math.Abs(*got-wv) < 1e-6:
					right++
				case got != nil:
					wrong = append(wrong, path)
				default:
					lost = append(lost, path)
				}
			}
		}
	}
	return right, total, wrong, lost, meta
}

// TestRealFixtures reads every real fixture and every seed: no cell wrong, no
// cell that the document decides lost, the metadata right.
func TestRealFixtures(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	defer e.Close()
	for _, dir := range []string{realDir, seedDir} {
		exps, _ := filepath.Glob(filepath.Join(dir, "*.expected.json"))
		if len(exps) == 0 {
			t.Fatalf("no fixtures in %s (is ../shared beside the project?)", dir)
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
			r, n, wrong, lost, meta := score(rec, want)
			right, total = right+r, total+n
			if len(wrong) > 0 || len(lost) > 0 || len(meta) > 0 {
				t.Errorf("%s: wrong cells %v, decidable cells lost %v, wrong metadata %v", filepath.Base(docs[0]), wrong, lost, meta)
			}
			if u := unexplained(rec, want); len(u) > 0 {
				t.Errorf("%s: cells the document prints left null with no warning naming their row: %v", filepath.Base(docs[0]), u)
			}
			t.Logf("%s: %d/%d cells", filepath.Base(docs[0]), r, n)
		}
		t.Logf("%s: %d/%d cells", dir, right, total)
	}
}

// unexplained lists the cells that the document prints a number for but the
// record leaves null without a warning that names their row (or table 四,
// which is one row).
func unexplained(rec *report.Record, want realExpect) []string {
	var out []string
	for _, tb := range []struct {
		name string
		want map[string]any
	}{{"active", want.Active}, {"requests", want.Requests}, {"review_litigation", want.ReviewLitigation}} {
		for row, cols := range tb.want {
			for col, w := range cols.(map[string]any) {
				path := tb.name + "." + row + "." + col
				if got, _ := rec.Cell(path); got != nil || w == nil {
					continue
				}
				named := slices.ContainsFunc(rec.Warnings, func(s string) bool {
					return strings.Contains(s, tb.name+"."+row) || strings.HasPrefix(s, tb.name+":") && strings.Contains(s, row) ||
						tb.name == "review_litigation" && strings.HasPrefix(s, tb.name)
				})
				if !named {
					out = append(out, path)
				}
			}
		}
	}
	return out
}
