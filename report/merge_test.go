package report

import (
	"strings"
	"testing"
)

func TestMergePageAndAttachment(t *testing.T) {
	page := New()
	page.Title, page.Organisation, page.Published = "某县2022年政府信息公开工作年度报告", "某县人民政府", "2023-01-20"
	y := 2022
	page.Year = &y
	page.Template = Template2021
	page.Sections.General = "正文"
	page.Attachments = []Attachment{{Name: "年报.pdf"}}
	page.ReviewLitigation = NewTable(ReviewLitigation)
	page.ReviewLitigation.Set("review", "total", Num(3)) // the page's prose table says 3

	pdf := New()
	pdf.Title = "年报"
	pdf.Template = Template2021
	pdf.Requests = NewTable(Requests2021)
	pdf.Requests.Set("granted", "total", Num(5))
	pdf.ReviewLitigation = NewTable(ReviewLitigation)
	for col, v := range map[string]float64{"upheld": 1, "corrected": 1, "other": 1, "pending": 1, "total": 4} {
		pdf.ReviewLitigation.Set("review", col, Num(v))
	}
	Evaluate(pdf)

	m, best := Merge(page, pdf)
	if best != 1 {
		t.Fatalf("tables taken from part %d, want the attachment's", best)
	}
	if m.Title != page.Title || m.Organisation != page.Organisation || m.Published != page.Published || m.Sections.General != "正文" {
		t.Errorf("metadata not the page's: %q %q %q", m.Title, m.Organisation, m.Published)
	}
	if v, _ := m.Cell("requests.granted.total"); v == nil || *v != 5 {
		t.Errorf("cells not the attachment's: %v", v)
	}
	if v, _ := m.Cell("review_litigation.review.total"); v == nil || *v != 4 {
		t.Errorf("review total %v, want the attachment's 4", v)
	}
	found := false
	for _, w := range m.Warnings {
		found = found || strings.Contains(w, "review_litigation.review.total") && strings.Contains(w, "4") && strings.Contains(w, "3")
	}
	if !found {
		t.Errorf("no warning with both values: %v", m.Warnings)
	}
	if len(m.Attachments) != 1 {
		t.Errorf("attachments %v", m.Attachments)
	}
	if page.Requests != nil {
		t.Errorf("merging changed its parts")
	}
}
