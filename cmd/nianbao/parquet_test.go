package main

import (
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/export"
)

// duckdbNode finds node and the npm package @duckdb/node-api, the
// independent Parquet reader of TestParquetReadByDuckDB (.ci/run installs it
// into /opt/nianbao-tools; NIANBAO_NODE_MODULES names another folder).
func duckdbNode(t *testing.T) (node, modules string) {
	t.Helper()
	modules = os.Getenv("NIANBAO_NODE_MODULES")
	if modules == "" {
		modules = "/opt/nianbao-tools/node_modules"
	}
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(modules, "@duckdb", "node-api")); err != nil || statErr != nil {
		if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
			t.Fatalf("no node or no @duckdb/node-api in %s (npm install --prefix /opt/nianbao-tools @duckdb/node-api)", modules)
		}
		t.Skip("no node or no @duckdb/node-api: npm install --prefix /opt/nianbao-tools @duckdb/node-api")
	}
	return node, modules
}

// TestParquetReadByDuckDB exports the seeds and the real fixtures as CSV and
// as Parquet, reads the Parquet with DuckDB, and compares every cell with
// the CSV: the same rows and columns in the same order, counts as 64-bit
// integers, money as exact decimals, blanks as nulls. The data package
// written beside each describes the same columns with their types.
func TestParquetReadByDuckDB(t *testing.T) {
	node, modules := duckdbNode(t)
	db := filepath.Join(t.TempDir(), "fixtures.db")
	var files []string
	for _, pat := range []string{seedsDir + "/*.txt", "../../../shared/fixtures/real/*.txt", "../../../shared/fixtures/real/*.md"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("fixtures: %v", files)
	}
	if out, _, err := run(t, "", append([]string{"--db", db, "import"}, files...)...); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	dir := t.TempDir()
	csvPath, pqPath := filepath.Join(dir, "csv", "reports.csv"), filepath.Join(dir, "pq", "reports.parquet")
	for _, p := range []string{csvPath, pqPath} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		format := strings.TrimPrefix(filepath.Ext(p), ".")
		if out, _, err := run(t, "", "--db", db, "export", "--format", format, "--out", p); err != nil {
			t.Fatalf("export %s: %v\n%s", format, err, out)
		}
	}
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, string(b))
	cmd := exec.Command(node, "../../export/testdata/read_parquet.cjs", pqPath)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("DuckDB reading the Parquet: %v", err)
	}
	var got struct {
		Types [][2]string `json:"types"`
		Rows  [][]*string `json:"rows"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	header := export.Header()
	if len(got.Types) != len(header) || len(got.Rows) != len(rows) || len(rows) < 10 {
		t.Fatalf("Parquet: %d columns, %d rows; CSV: %d columns, %d rows", len(got.Types), len(got.Rows), len(header), len(rows))
	}
	for i, h := range header {
		want := "BIGINT"
		switch {
		case strings.Contains(h, "amount"):
			want = "DECIMAL(18,6)"
		case h == "fetched_at":
			want = "TIMESTAMP WITH TIME ZONE"
		case !strings.Contains(h, "__") && h != "year" && h != "checks_ok" && h != "warnings":
			want = "VARCHAR"
		}
		if got.Types[i][0] != h || got.Types[i][1] != want {
			t.Errorf("column %d: %v, want %s %s", i, got.Types[i], h, want)
		}
	}
	cells := 0
	for r, row := range rows {
		for i, h := range header {
			if !sameCell(h, row[h], got.Rows[r][i]) {
				t.Errorf("row %d (%s), %s: CSV %q, Parquet %v", r, row["report_id"], h, row[h], deref(got.Rows[r][i]))
			}
			cells++
		}
	}
	t.Logf("%d rows, %d cells compared", len(rows), cells)
	checkPackage(t, filepath.Join(dir, "csv", "datapackage.json"), "csv", "reports.csv", len(rows))
	checkPackage(t, filepath.Join(dir, "pq", "datapackage.json"), "parquet", "reports.parquet", len(rows))
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// sameCell: a CSV cell and DuckDB's text of the Parquet value say the same.
func sameCell(col, csv string, pq *string) bool {
	if pq == nil {
		return csv == ""
	}
	switch {
	case col == "fetched_at":
		return strings.Replace(strings.TrimSuffix(*pq, "+00"), " ", "T", 1)+"Z" == csv
	case strings.Contains(col, "__"):
		a, ok1 := new(big.Rat).SetString(csv)
		b, ok2 := new(big.Rat).SetString(*pq)
		return ok1 && ok2 && a.Cmp(b) == 0
	}
	// Text: the CSV neutralises what a spreadsheet would run as a formula.
	return csv == *pq || csv == export.Neutralise(*pq)
}

func checkPackage(t *testing.T, path, format, file string, rows int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no data package beside the export: %v", err)
	}
	var pkg export.DataPackage
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	if len(pkg.Resources) != 1 {
		t.Fatalf("%s: %d resources", path, len(pkg.Resources))
	}
	res := pkg.Resources[0]
	if res.Format != format || res.Path != file || res.Rows != rows || res.Schema == nil || len(res.Schema.Fields) != len(export.Header()) {
		t.Errorf("%s: resource %s %s rows %d", path, res.Format, res.Path, res.Rows)
	}
	for i, f := range res.Schema.Fields {
		if f.Name != export.Header()[i] || f.Title == "" || f.Type == "" {
			t.Errorf("%s: field %d is %+v", path, i, f)
		}
	}
	if len(pkg.Nianbao.ManifestSHA256) != 64 || pkg.Nianbao.Documents < rows {
		t.Errorf("%s: provenance %+v", path, pkg.Nianbao)
	}
}
