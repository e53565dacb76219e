package report

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func requests2021(vals map[string][7]*float64) *Record {
	r := New()
	r.Template = Template2021
	r.Requests = NewTable(Requests2021)
	for row, cells := range vals {
		for i, v := range cells {
			r.Requests.Set(row, ApplicantCols[i].Key, v)
		}
	}
	return r
}

func n(v float64) *float64 { return &v }

func row(vs ...*float64) [7]*float64 {
	var out [7]*float64
	copy(out[:], vs)
	return out
}

func zeros() map[string][7]*float64 {
	m := map[string][7]*float64{}
	for _, rs := range Requests2021.Rows {
		m[rs.Key] = row(n(0), n(0), n(0), n(0), n(0), n(0), n(0))
	}
	return m
}

func TestChecksOnPrintedValues(t *testing.T) {
	vals := zeros()
	vals["new_received"] = row(n(5), n(0), n(0), n(0), n(0), n(0), n(5))
	vals["granted"] = row(n(3), n(0), n(0), n(0), n(0), n(0), n(3))
	vals["total_processed"] = row(n(3), n(0), n(0), n(0), n(0), n(0), n(4)) // row total broken
	vals["carried_forward"] = row(n(2), n(0), n(0), n(0), n(0), n(0), n(2))
	r := requests2021(vals)
	Evaluate(r)
	failed := strings.Join(r.FailedChecks(), " ")
	for _, want := range []string{"requests.row_total.total_processed", "requests.column_sum.total", "requests.column_balance.total"} {
		if !strings.Contains(failed, want) {
			t.Errorf("%s did not fail: %v", want, failed)
		}
	}
	if strings.Contains(failed, "requests.column_balance.natural_person") {
		t.Errorf("a holding identity failed: %v", failed)
	}
	if v, _ := r.Cell("requests.total_processed.total"); *v != 4 {
		t.Errorf("a printed cell was changed to %v", *v)
	}
	for _, c := range r.Checks {
		if c.Rule == "requests.column_balance.natural_person" && c.Detail != "5+0 = 3+2" {
			t.Errorf("detail = %q", c.Detail)
		}
	}
}

func TestInferenceFromOneUnknown(t *testing.T) {
	vals := zeros()
	vals["new_received"] = row(nil, n(0), n(0), n(0), n(0), n(0), n(19))
	vals["granted"] = row(n(19), n(0), n(0), n(0), n(0), n(0), n(19))
	vals["total_processed"] = row(nil, n(0), n(0), n(0), n(0), n(0), n(19))
	r := requests2021(vals)
	Evaluate(r)
	got := map[string]float64{}
	for _, in := range r.Inferred {
		got[in.Cell] = in.Value
	}
	if got["requests.new_received.natural_person"] != 19 || got["requests.total_processed.natural_person"] != 19 || len(got) != 2 {
		t.Fatalf("inferred = %v", r.Inferred)
	}
	if v, _ := r.Cell("requests.new_received.natural_person"); v != nil {
		t.Fatal("an inferred value was written into the cell")
	}
}

func TestNoInferenceWhenIdentitiesDisagree(t *testing.T) {
	vals := zeros()
	// The row says natural_person = 5; the column says 7: nothing may be inferred.
	vals["granted"] = row(nil, n(0), n(0), n(0), n(0), n(0), n(5))
	vals["total_processed"] = row(n(7), n(0), n(0), n(0), n(0), n(0), n(7))
	vals["new_received"] = row(n(7), n(0), n(0), n(0), n(0), n(0), n(7))
	r := requests2021(vals)
	Evaluate(r)
	for _, in := range r.Inferred {
		if in.Cell == "requests.granted.natural_person" {
			t.Fatalf("inferred %v from identities that disagree", in)
		}
	}
	if !strings.Contains(strings.Join(r.Warnings, " "), "disagree") {
		t.Fatalf("disagreement not reported: %v", r.Warnings)
	}
}

func TestNoInferenceFromTooManyUnknowns(t *testing.T) {
	vals := zeros()
	vals["granted"] = row(nil, nil, n(0), n(0), n(0), n(0), n(5))
	vals["total_processed"] = row(nil, nil, n(0), n(0), n(0), n(0), n(5))
	vals["new_received"] = row(nil, nil, n(0), n(0), n(0), n(0), n(5))
	vals["carried_forward"] = row(nil, nil, n(0), n(0), n(0), n(0), n(0))
	r := requests2021(vals)
	Evaluate(r)
	for _, in := range r.Inferred {
		if strings.HasSuffix(in.Cell, "natural_person") || strings.HasSuffix(in.Cell, "commercial") {
			if !strings.HasPrefix(in.Cell, "requests.carried_forward") {
				t.Fatalf("guessed %v where two cells are unknown", in)
			}
		}
	}
}

func TestReviewGroupTotal(t *testing.T) {
	r := New()
	r.ReviewLitigation = NewTable(ReviewLitigation)
	for i, v := range []float64{3, 0, 1, 0, 5} {
		r.ReviewLitigation.Set("review", outcomeCols[i].Key, n(v))
	}
	Evaluate(r)
	if f := r.FailedChecks(); len(f) != 1 || f[0] != "review_litigation.group_total.review" {
		t.Fatalf("failed = %v", f)
	}
}

func TestJSONRoundTripKeepsOrderAndNulls(t *testing.T) {
	r := requests2021(zeros())
	r.Requests.Set("granted", "total", nil)
	r.Requests.Set("granted", "natural_person", n(83.93))
	y := 2022
	r.Year = &y
	r.Title = "某某2022年政府信息公开工作年度报告"
	Evaluate(r)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Index(s, `"new_received"`) > strings.Index(s, `"carried_forward"`) {
		t.Fatal("rows not in template order")
	}
	if !strings.Contains(s, `"granted":{"natural_person":83.93,`) || !strings.Contains(s, `"total":null}`) {
		t.Fatalf("cells not written as printed: %s", s[:300])
	}
	if !strings.Contains(s, `"published":null`) || !strings.Contains(s, `"active":null`) {
		t.Fatal("absent values not null")
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b2) != s {
		t.Fatalf("round trip changed the record:\n%s\n%s", s, b2)
	}
}

func TestCSVCellsCoverBothTemplates(t *testing.T) {
	cells := CSVCells()
	seen := map[string]bool{}
	for _, c := range cells {
		if seen[c] {
			t.Fatalf("duplicate column %s", c)
		}
		seen[c] = true
		if CellLabel(c) == "" {
			t.Fatalf("no label for %s", c)
		}
	}
	for _, want := range []string{"active.procurement.amount_yuan", "active.fees.amount_10k_yuan", "requests.other_processing.total", "requests.other_other.total", "review_litigation.suit_after_review.pending"} {
		if !seen[want] {
			t.Fatalf("CSV lacks %s", want)
		}
	}
	// 2021 table 二 (10) + the 2019 cells it lacks (22 less the three decisions
	// cells both share: 19) + 26 rows of table 三 (25 and other_processing) + 15.
	if want := 10 + 19 + 26*7 + 15; len(cells) != want {
		t.Fatalf("%d CSV cells, want %d", len(cells), want)
	}
}

func TestUnconfirmed(t *testing.T) {
	r := New()
	r.Template = Template2021
	r.Requests = NewTable(Requests2021)
	r.ReviewLitigation = NewTable(ReviewLitigation)
	v := func(f float64) *float64 { return &f }
	// A row that adds up, one that does not, and a review row without its total.
	for _, c := range []string{"natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org"} {
		r.Requests.Set("granted", c, v(0))
		r.Requests.Set("partially_granted", c, v(0))
	}
	r.Requests.Set("granted", "natural_person", v(2))
	r.Requests.Set("granted", "total", v(2))
	r.Requests.Set("partially_granted", "total", v(9))
	r.ReviewLitigation.Set("review", "upheld", v(1))
	got := Unconfirmed(r)
	for _, p := range got {
		if strings.HasPrefix(p, "requests.granted.") {
			t.Errorf("%s is confirmed by its row total", p)
		}
	}
	for _, p := range []string{"requests.partially_granted.total", "requests.partially_granted.natural_person", "review_litigation.review.upheld"} {
		if !slices.Contains(got, p) {
			t.Errorf("%s not listed as unconfirmed: %v", p, got)
		}
	}
}
