package truth

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// lower is a stand-in for the crawler's canonical form: host names fold case.
func lower(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), true
}

// TestFound: a report stored under its attachment's address is found through
// its page too; a wrong cell and a missing report are both told, by URL.
func TestFound(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const page, pdf = "http://WWW.A.gov.cn/nb/t1.html", "http://www.a.gov.cn/nb/P1.pdf"
	rec := report.New()
	rec.Source.URL = pdf
	rec.ReviewLitigation = report.NewTable(report.ReviewLitigation)
	rec.ReviewLitigation.Set("review", "total", report.Num(3))
	e := &store.Entry{ReportID: "r1", Record: rec, Sources: []store.SourceRef{{URL: pdf}, {URL: page}}}
	if err := st.PutEntries([]*store.Entry{e}); err != nil {
		t.Fatal(err)
	}
	s, err := Read(st, lower)
	if err != nil {
		t.Fatal(err)
	}
	if s["http://www.a.gov.cn/nb/t1.html"] == nil || s[pdf] == nil {
		t.Fatalf("indexed under %v", keys(s))
	}
	m := &simweb.Manifest{Reports: []simweb.ManifestReport{
		{URL: page, Outcome: simweb.Found, Format: "html", Values: map[string]float64{"review_litigation.review.total": 3}},
		{URL: "http://www.a.gov.cn/nb/t2.html", Outcome: simweb.Found, Format: "html"},
		{URL: "http://www.a.gov.cn/nb/t3.html", Outcome: simweb.Gone},
	}}
	f := s.Found(m, lower)
	if f.Total != 2 || f.Stored != 1 || f.HTML != 1 || f.Matching != 1 || len(f.Missed) != 1 || f.Recall() != 0.5 {
		t.Errorf("found %+v", f)
	}
	m.Reports[0].Values["review_litigation.review.total"] = 4
	if f := s.Found(m, lower); f.Matching != 0 || len(f.Wrong[page]) != 1 || f.Wrong[page][0].String() != "review_litigation.review.total = 3, want 4" {
		t.Errorf("a wrong cell: %+v", f)
	}
}

func keys(s Stored) []string {
	var out []string
	for k := range s {
		out = append(out, k)
	}
	return out
}

// TestExpected: what a second night should record, drift by drift.
func TestExpected(t *testing.T) {
	found := simweb.ManifestReport{Outcome: simweb.Found}
	for _, c := range []struct {
		r, r0 simweb.ManifestReport
		want  Change
	}{
		{simweb.ManifestReport{Outcome: simweb.Found, Drift: "new"}, simweb.ManifestReport{}, New},
		{simweb.ManifestReport{Outcome: simweb.Found, Drift: "revised"}, found, Revised},
		{simweb.ManifestReport{Outcome: simweb.Found, Drift: "revised"}, simweb.ManifestReport{Outcome: simweb.Unreachable}, None},
		{simweb.ManifestReport{Outcome: simweb.Moved, Drift: "moved"}, found, Moved},
		{simweb.ManifestReport{Outcome: simweb.Found, Drift: "migrated"}, found, Moved},
		{simweb.ManifestReport{Outcome: simweb.Gone, Drift: "gone_404"}, found, Gone},
		{simweb.ManifestReport{Outcome: simweb.Gone, Drift: "gone_404"}, simweb.ManifestReport{Outcome: simweb.Found, Drift: "moved"}, None},
		{found, found, Unchanged},
	} {
		if got := Expected(c.r, c.r0); got != c.want {
			t.Errorf("%+v after %+v: %q, want %q", c.r, c.r0, got, c.want)
		}
	}
}
