package extract

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// Seed 004 has no tables; its prose states the figures.
func TestNarrativeSeed004(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(seedDir, "004_9a9840e34a30576e.txt"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := newTestExtractor(t).Extract(context.Background(), Document{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"new_received": 455, "carried_over": 9, "carried_forward": 13,
		"review.total": 18, "review.upheld": 15, "review.corrected": 0, "review.other": 2, "review.pending": 1,
		"litigation.total": 10, "litigation.upheld": 3, "litigation.corrected": 0, "litigation.other": 4, "litigation.pending": 3,
		"fees.processing_yuan": 20560,
	}
	got := map[string]float64{}
	for _, f := range rec.Narrative {
		if prev, dup := got[f.Key]; dup && prev != f.Value {
			t.Errorf("%s stated as %v and %v", f.Key, prev, f.Value)
		}
		got[f.Key] = f.Value
		if !strings.Contains(f.Sentence, report.FormatNumber(f.Value)) {
			t.Errorf("%s = %v: the sentence %q does not hold the number", f.Key, f.Value, f.Sentence)
		}
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("narrative %s = %v (found %v), want %v", k, g, ok, v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("narrative has %d keys, want %d: %v", len(got), len(want), got)
	}
	if rec.Requests != nil || rec.ReviewLitigation != nil {
		t.Error("narrative figures were written into tables")
	}
}

func TestNarrativeForms(t *testing.T) {
	cases := []struct {
		text string
		want map[string]float64
	}{
		{"今年共收到依申请公开申请 7 件，其中 1 件予以公开、2 件不属于本机关掌握的相关信息，剩余 4 件转结到下一年度办理。",
			map[string]float64{"new_received": 7, "granted": 1, "carried_forward": 4}},
		{"全年共受理政府信息公开申请十二件，本年度未发生行政复议和行政诉讼案件。",
			map[string]float64{"new_received": 12, "review.total": 0, "litigation.total": 0}},
		{"因政府信息公开被申请行政复议2件，结果均为维持；被提起行政诉讼1件，尚未审结1件。",
			map[string]float64{"review.total": 2, "litigation.total": 1, "litigation.pending": 1}},
		{"本年度共收取信息处理费0.5万元。", map[string]float64{"fees.processing_yuan": 5000}},
	}
	for _, c := range cases {
		figs, err := narrativeFigures(context.Background(), []Line{{Cells: []string{c.text}}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range figs {
			got[f.Key] = f.Value
		}
		for k, v := range c.want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%q: %s = %v (found %v), want %v; all %v", c.text, k, g, ok, v, got)
			}
		}
		for k := range got {
			if _, ok := c.want[k]; !ok {
				t.Errorf("%q: unexpected figure %s = %v", c.text, k, got[k])
			}
		}
	}
}

// A mismatch between the prose and the table is a finding in checks.
func TestNarrativeMismatchIsACheck(t *testing.T) {
	rec := extractString(t, `某局2022年政府信息公开工作年度报告
一、总体情况
2022年共收到政府信息公开申请9件。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量	7	0	0	0	0	0	7
`)
	found := false
	for _, c := range rec.Checks {
		if c.Rule == "narrative.new_received" {
			found = true
			if c.OK || !strings.Contains(c.Detail, "text 9 vs table 7") {
				t.Errorf("check = %+v", c)
			}
		}
	}
	if !found {
		t.Fatalf("no narrative check: %v", rec.Checks)
	}
	wantCell(t, rec, "requests.new_received.total", 7)
}

func TestNarrativeCellsOfACheck(t *testing.T) {
	for _, c := range []struct {
		tpl  report.Template
		rule string
		want []string
	}{
		{report.Template2021, "narrative.new_received", []string{"requests.new_received.total"}},
		{report.Template2019, "narrative.litigation.total", []string{"review_litigation.suit_direct.total", "review_litigation.suit_after_review.total"}},
		{report.Template2019, "narrative.normative_docs.issued", []string{"active.normative_docs.made"}},
		{report.Template2021, "requests.row_total.granted", nil},
		{report.Template2021, "narrative.nothing", nil},
	} {
		if got := NarrativeCells(c.tpl, c.rule); !slices.Equal(got, c.want) {
			t.Errorf("%s %s: %v, want %v", c.tpl, c.rule, got, c.want)
		}
	}
}
