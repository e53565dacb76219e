package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-cmd":                     "'-cmd",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\t=1":                     "'\t=1",
		"郑州市人民政府":                  "郑州市人民政府",
		"":                         "",
	} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVRowHostileOrganisation(t *testing.T) {
	rec := report.New()
	rec.Organisation = `=cmd|' /C calc'!A0`
	rec.Title = "@SUM(1+1)"
	y := 2022
	rec.Year = &y
	rec.Template = report.Template2021
	rec.Active = report.NewTable(report.Active2021)
	rec.Active.Set("licensing", "decisions", report.Num(-3))
	rec.Active.Set("fees", "amount_10k_yuan", report.Num(83.93))
	var buf bytes.Buffer
	cw, err := NewCSV(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Write(&store.Entry{ReportID: "abc", Record: rec}, attrib.Attribution{Region: "+湖南省", Host: "-x.gov.cn", Code: "430102"}); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Fatal("no UTF-8 BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(rows[0]) != len(rows[1]) {
		t.Fatalf("rows: %d", len(rows))
	}
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	if col["organisation"] != `'=cmd|' /C calc'!A0` || col["title"] != "'@SUM(1+1)" || col["region"] != "'+湖南省" || col["host"] != "'-x.gov.cn" {
		t.Fatalf("formula not neutralised: %q %q", col["organisation"], col["title"])
	}
	if col["active__licensing__decisions"] != "-3" || col["active__fees__amount_10k_yuan"] != "83.93" {
		t.Fatalf("numbers written wrong: %q %q", col["active__licensing__decisions"], col["active__fees__amount_10k_yuan"])
	}
	if col["active__rules__issued"] != "" || col["year"] != "2022" {
		t.Fatalf("null or year wrong: %q %q", col["active__rules__issued"], col["year"])
	}
}

// The long CSV writes a negative number as a number (a 本年增/减 of -4), as
// the wide CSV does; text in it is still neutralised.
func TestLongCSVNegativeNumber(t *testing.T) {
	rec := report.New()
	rec.Template = report.Template2019
	rec.Active = report.NewTable(report.Active2019)
	rec.Active.Set("licensing", "change", report.Num(-4))
	var buf bytes.Buffer
	lw, err := NewLong(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := lw.Write(&store.Entry{ReportID: "-abc", Record: rec}); err != nil {
		t.Fatal(err)
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows[1:] {
		if r[2] == "licensing" && r[3] == "change" {
			found = true
			if r[4] != "-4" {
				t.Errorf("value %q, want -4", r[4])
			}
		}
		if r[0] != "'-abc" {
			t.Fatalf("report_id %q not neutralised", r[0])
		}
	}
	if !found {
		t.Fatal("no licensing.change row")
	}
}
