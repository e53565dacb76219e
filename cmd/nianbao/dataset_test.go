package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

const seedsDir = "../../../shared/fixtures/seeds"

// importSeeds imports the five seed reports into a new store.
func importSeeds(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "seeds.db")
	files, err := filepath.Glob(filepath.Join(seedsDir, "*.txt"))
	if err != nil || len(files) != 5 {
		t.Fatalf("seed fixtures: %v %v", files, err)
	}
	if out, _, err := run(t, "", append([]string{"--db", db, "import"}, files...)...); err != nil || !strings.Contains(out, "5 record(s)") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	return db
}

func readCSV(t *testing.T, s string) []map[string]string {
	t.Helper()
	if !strings.HasPrefix(s, "\uFEFF") {
		t.Fatal("no BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func entries(t *testing.T, db string) map[string]*store.Entry {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := map[string]*store.Entry{}
	st.Entries(func(e *store.Entry) error { m[e.ReportID] = e; return nil })
	return m
}

// TestExportRoundTrip exports the seeds and reads the CSVs back.
func TestExportRoundTrip(t *testing.T) {
	db := importSeeds(t)
	recs := entries(t, db)

	wide, _, err := run(t, "", "--db", db, "export")
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, wide)
	if len(rows) != len(recs) || len(rows) != 5 {
		t.Fatalf("%d rows for %d records", len(rows), len(recs))
	}
	cells := 0
	for _, row := range rows {
		e := recs[row["report_id"]]
		if e == nil {
			t.Fatalf("row for unknown report %q", row["report_id"])
		}
		if row["organisation"] != string(e.Record.Organisation) || row["title"] != string(e.Record.Title) {
			t.Errorf("%s: metadata %q %q", row["report_id"], row["organisation"], row["title"])
		}
		for _, p := range report.CSVCells() {
			v, _ := e.Record.Cell(p)
			got := row[export.CellColumn(p)]
			switch {
			case v == nil && got != "":
				t.Errorf("%s %s: CSV %q, record null", e.ReportID, p, got)
			case v != nil:
				f, err := strconv.ParseFloat(got, 64)
				if err != nil || f != *v {
					t.Errorf("%s %s: CSV %q, record %v", e.ReportID, p, got, *v)
				}
			}
		}
		for _, name := range []string{"active", "requests", "review_litigation"} {
			if tb := e.Record.Table(name); tb != nil {
				for _, r := range tb.Rows {
					cells += len(r.Cells)
				}
			}
		}
	}

	long, _, err := run(t, "", "--db", db, "export", "--long")
	if err != nil {
		t.Fatal(err)
	}
	lrows := readCSV(t, long)
	if len(lrows) != cells || cells == 0 {
		t.Fatalf("long form: %d rows for %d cells", len(lrows), cells)
	}
	inferred := 0
	for _, r := range lrows {
		e := recs[r["report_id"]]
		v, _ := e.Record.Cell(r["table"] + "." + r["row"] + "." + r["column"])
		switch {
		case r["inferred"] == "true":
			inferred++
			if v != nil {
				t.Errorf("a printed cell marked inferred: %v", r)
			}
		case v == nil && r["value"] != "", v != nil && r["value"] != report.FormatNumber(*v):
			t.Errorf("long row %v, record %v", r, v)
		}
	}
	var want int
	for _, e := range recs {
		for _, in := range e.Record.Inferred {
			if v, _ := e.Record.Cell(in.Cell); v == nil {
				want++
			}
		}
	}
	if inferred != want {
		t.Errorf("long form: %d inferred values, the records have %d", inferred, want)
	}

	// --fill-inferred fills exactly the inferred cells and says which.
	filled, _, err := run(t, "", "--db", db, "export", "--fill-inferred")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range readCSV(t, filled) {
		for _, p := range strings.Split(row["inferred_cells"], ";") {
			if p != "" {
				n++
				if row[export.CellColumn(p)] == "" {
					t.Errorf("%s listed as filled but empty", p)
				}
			}
		}
	}
	if n != want {
		t.Errorf("--fill-inferred filled %d cells, want %d", n, want)
	}

	book, _, err := run(t, "", "export", "--codebook")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range readCSV(t, book) {
		listed[r["column"]] = r["label_zh"] != ""
	}
	for _, c := range export.Header() {
		if !listed[c] {
			t.Errorf("codebook: column %s missing or without a label", c)
		}
	}

	// Filters.
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"--template", "2021"}, countWhere(recs, func(e *store.Entry) bool { return e.Record.Template == report.Template2021 })},
		{[]string{"--year", "2019-2020"}, countWhere(recs, func(e *store.Entry) bool { y := e.Record.Year; return y != nil && *y >= 2019 && *y <= 2020 })},
		{[]string{"--checks", "failed"}, countWhere(recs, func(e *store.Entry) bool { return len(e.Record.FailedChecks()) > 0 })},
		{[]string{"--checks", "passed"}, countWhere(recs, func(e *store.Entry) bool { return len(e.Record.FailedChecks()) == 0 })},
		{[]string{"--region", "99"}, 0},
	} {
		out, _, err := run(t, "", append([]string{"--db", db, "export"}, c.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(readCSV(t, out)); got != c.want {
			t.Errorf("export %v: %d rows, want %d", c.args, got, c.want)
		}
	}
	// Values no report can have are refused, not answered with an empty dataset.
	for _, args := range [][]string{{"--level", "city"}, {"--template", "2020"}, {"--region", "abc"}, {"--unit", "bureau"}, {"--checks", "ok"}} {
		if out, _, err := run(t, "", append([]string{"--db", db, "export"}, args...)...); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("export %v: %v, want a refusal naming %s\n%s", args, err, args[0], out)
		}
	}
}

func countWhere(m map[string]*store.Entry, f func(*store.Entry) bool) int {
	n := 0
	for _, e := range m {
		if f(e) {
			n++
		}
	}
	return n
}

// TestVerifyFindsAFlippedByte changes one byte of one stored document.
func TestVerifyFindsAFlippedByte(t *testing.T) {
	db := importSeeds(t)
	manifest := filepath.Join(t.TempDir(), "manifest.jsonl")
	if _, _, err := run(t, "", "--db", db, "export", "--manifest", "--out", manifest); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, "", "--db", db, "verify", "--manifest", manifest); err != nil || !strings.Contains(out, "5 document(s) checked, 0 bad") {
		t.Fatalf("verify of an intact store: %v\n%s", err, out)
	}
	// Flip one byte inside one document's file, keeping it a valid gzip stream.
	files, err := filepath.Glob(filepath.Join(store.BlobsPath(db), "*", "*.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no document files beside %s: %v", db, err)
	}
	victim := files[0]
	z, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	body[len(body)/2] ^= 0x01
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	zw.Close()
	if err := os.WriteFile(victim, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"verify", "--manifest", manifest}, {"verify"}} {
		out, _, err := run(t, "", append([]string{"--db", db}, args...)...)
		if err == nil || !strings.Contains(out, "1 bad") || !strings.Contains(out, "do not match their SHA-256") || !strings.Contains(out, victim) {
			t.Errorf("%v after a flipped byte in %s: %v\n%s", args, victim, err, out)
		}
	}
}

// TestRebuildReproducesTheCorpus crawls a small simulated web, exports the
// manifest and rebuilds the corpus from it into a new store: every document
// comes back identical and every record the same.
func TestRebuildReproducesTheCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a simulated web")
	}
	t.Parallel()
	_, dir, fetchCfg := startSimweb(t, 5, 4)
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, fmt.Appendf(nil, "%s  delay: 100ms\n  workers: 8\n", fetchCfg), 0o644)
	first, second := filepath.Join(dir, "first.db"), filepath.Join(dir, "second.db")
	if out, _, err := run(t, "", "--config", cfgPath, "--db", first, "crawl"); err != nil {
		t.Fatalf("crawl: %v\n%s", err, out)
	}
	manifest := filepath.Join(dir, "manifest.jsonl")
	if _, _, err := run(t, "", "--config", cfgPath, "--db", first, "export", "--manifest", "--out", manifest); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "", "--config", cfgPath, "--db", second, "rebuild", "--manifest", manifest)
	if err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	// A page whose attachment link is signed afresh on every visit comes back
	// with other bytes; its record must still be the same (below).
	if !strings.Contains(out, " 0 not fetched again") || strings.Contains(out, " 0 identical") {
		t.Errorf("rebuild: %s", out)
	}
	byURL := func(db string) map[string]string {
		m := map[string]string{}
		for _, e := range entries(t, db) {
			b, _ := json.Marshal(struct {
				F string
				C []string
			}{report.Fingerprint(e.Record), e.Record.FailedChecks()})
			sum := sha256.Sum256(b)
			m[string(e.Record.Source.URL)] = hex.EncodeToString(sum[:])
		}
		return m
	}
	a, b := byURL(first), byURL(second)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d records first, %d rebuilt", len(a), len(b))
	}
	for u, fp := range a {
		if b[u] != fp {
			t.Errorf("record of %s differs after the rebuild", u)
		}
	}
	if _, _, err := run(t, "", "--config", cfgPath, "--db", second, "rebuild", "--manifest", manifest); err == nil {
		t.Errorf("rebuild into an existing store was not refused")
	}
}

// A command that fails on its arguments creates no store.
func TestFailedImportCreatesNoStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "n.db")
	if _, _, err := run(t, "", "--db", db, "import", filepath.Join(t.TempDir(), "typo")); err == nil {
		t.Fatal("importing a path that does not exist succeeded")
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("the failed import left %s (%v)", db, err)
	}
}
