package serve

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

// get asks the server for a path and returns the status and body.
func get(t *testing.T, h http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", path, nil)
	req.Host = "127.0.0.1:8080"
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

var reportLink = regexp.MustCompile(`href="/report/([0-9a-f]{16})"`)

func TestListFiltersSortsAndPaginates(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{PageSize: 7})
	all := entries(t, w)
	in2021 := 0
	for _, e := range all {
		if e.Record.Year != nil && *e.Record.Year == 2021 {
			in2021++
		}
	}
	if in2021 <= 7 {
		t.Fatalf("the world has %d reports of 2021: too few to page", in2021)
	}
	seen := map[string]bool{}
	next := "/?year=2021&sort=organisation&dir=asc"
	var orgs []string
	for pages := 0; next != ""; pages++ {
		code, body, _ := get(t, s, next)
		if code != 200 {
			t.Fatalf("%s: %d", next, code)
		}
		ids := reportLink.FindAllStringSubmatch(body, -1)
		if len(ids) == 0 || len(ids) > 7 {
			t.Fatalf("%s: %d rows, want 1 to 7", next, len(ids))
		}
		for _, m := range ids {
			if seen[m[1]] {
				t.Errorf("%s shown on two pages", m[1])
			}
			seen[m[1]] = true
		}
		orgs = append(orgs, cellsOfColumn(body, 0)...)
		next = ""
		if m := regexp.MustCompile(`rel="next" href="([^"]+)"`).FindStringSubmatch(body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
		if pages > 20 {
			t.Fatal("pages never end")
		}
	}
	// The form keeps the order it was given, so filtering again keeps it.
	if _, body, _ := get(t, s, "/?sort=organisation&dir=desc"); !strings.Contains(body, `name="sort" value="organisation"`) || !strings.Contains(body, `name="dir" value="desc"`) {
		t.Error("the filter form drops the order")
	}
	if len(seen) != in2021 {
		t.Errorf("pages showed %d reports of 2021, the store has %d", len(seen), in2021)
	}
	for i := 1; i < len(orgs); i++ {
		if orgs[i-1] > orgs[i] {
			t.Errorf("not sorted by organisation: %q before %q", orgs[i-1], orgs[i])
		}
	}
	for _, e := range all {
		if seen[e.ReportID] != (e.Record.Year != nil && *e.Record.Year == 2021) {
			t.Errorf("%s (year %v): shown %v", e.ReportID, e.Record.Year, seen[e.ReportID])
		}
	}
}

// cellsOfColumn reads the text of one column of the reports table.
func cellsOfColumn(body string, col int) []string {
	var out []string
	tbody := body[strings.Index(body, "<tbody>"):strings.Index(body, "</tbody>")]
	for _, tr := range strings.Split(tbody, "<tr>")[1:] {
		tds := regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(tr, -1)
		if col < len(tds) {
			out = append(out, regexp.MustCompile(`<[^>]+>`).ReplaceAllString(tds[col][1], ""))
		}
	}
	return out
}

func TestBadFilterIsAnError(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t, Options{})
	for _, q := range []string{"level=city", "template=2020", "region=abc", "year=19x", "checks=maybe"} {
		code, body, _ := get(t, s, "/?"+q)
		if code != http.StatusBadRequest || !strings.Contains(body, `id="query-error"`) {
			t.Errorf("/?%s: %d, want 400 with the reason", q, code)
		}
		if code, _, _ := get(t, s, "/reports.csv?"+q); code != http.StatusBadRequest {
			t.Errorf("/reports.csv?%s: %d, want 400", q, code)
		}
	}
}

func TestCSVIsTheExport(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	st, err := store.Open(w.path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, q := range []string{"", "year=2021", "checks=failed", "template=2019&level=county", "region=" + regionOf(t, w), "year=2019-2020&unit=department"} {
		v, _ := url.ParseQuery(q)
		pq, err := parseQuery(v)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		n, err := export.WriteReports(&want, st, export.Request{Filter: pq.Filter, Attrib: attrib.New(w.portals)})
		if err != nil {
			t.Fatal(err)
		}
		code, body, h := get(t, s, "/reports.csv?"+q)
		if code != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%s: %d %s", q, code, h.Get("Content-Type"))
		}
		if body != want.String() {
			t.Errorf("?%s: the download (%d bytes) differs from export (%d rows, %d bytes)", q, len(body), n, want.Len())
		}
		if q != "" && n == 0 {
			t.Errorf("?%s selects nothing: not a test of the filter", q)
		}
	}
}

// failedIdentity finds a harvested report that breaks a table identity.
func failedIdentity(t *testing.T, w *world) *store.Entry {
	t.Helper()
	for _, e := range entries(t, w) {
		if e.ReportID == w.hostile {
			continue
		}
		for _, c := range e.Record.Checks {
			if !c.OK && !strings.HasPrefix(c.Rule, "narrative.") && e.Record.Source.Format == "text" {
				return e
			}
		}
	}
	t.Fatal("no text report breaks an identity")
	return nil
}

func TestReportShowsSourceTablesAndFailedCheck(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	e := failedIdentity(t, w)
	code, body, _ := get(t, s, "/report/"+e.ReportID)
	if code != 200 {
		t.Fatalf("%d", code)
	}
	for _, want := range []string{`<iframe class="doc" sandbox src="/report/` + e.ReportID + `/source/`, "三、收到和处理政府信息公开申请情况",
		"（一）予以公开", "行政复议", `class="printed failed"`, `id="failed"`, "/report/" + e.ReportID + "/history"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	var failed string
	for _, c := range e.Record.Checks {
		if !c.OK {
			failed = c.Rule
		}
	}
	if !strings.Contains(body, failed) {
		t.Errorf("the page does not name the broken identity %s", failed)
	}
	if got, want := strings.Count(body, `class="printed`), printedCells(e); got != want {
		t.Errorf("%d printed cells shown, the record has %d", got, want)
	}
	src := regexp.MustCompile(`/report/[0-9a-f]{16}/source/\d+`).FindString(body)
	code, page, h := get(t, s, src)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox;") {
		t.Fatalf("%s: %d, policy %q", src, code, h.Get("Content-Security-Policy"))
	}
	if !strings.Contains(page, "本年新收政府信息公开申请数量") {
		t.Errorf("the shown source is not the report's text")
	}
}

// regionOf is the province of the harvest's first attributed report.
func regionOf(t *testing.T, w *world) string {
	a := attrib.New(w.portals)
	for _, e := range entries(t, w) {
		if at := a.Attribute(e.Record, export.SourceURL(e)); at.Code != "" {
			return at.Code[:2]
		}
	}
	t.Fatal("no report is attributed")
	return ""
}

// A figure the text states that its cells contradict outlines those cells
// (real report 005 states 本年新收 in words and its table sums otherwise).
func TestNarrativeCheckOutlinesItsCells(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	for _, e := range entries(t, w) {
		for _, c := range e.Record.Checks {
			if c.OK || c.Rule != "narrative.new_received" {
				continue
			}
			_, body, _ := get(t, s, "/report/"+e.ReportID)
			if !regexp.MustCompile(`<td class="printed failed" title="broken: narrative\.new_received: `).MatchString(body) {
				t.Errorf("%s: the cell of the failed narrative check is not outlined", e.ReportID)
			}
			return
		}
	}
	t.Fatal("no report fails narrative.new_received")
}

func TestHistory(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	e := failedIdentity(t, w)
	var harvested *store.Entry
	for _, x := range entries(t, w) {
		if len(x.Sources) > 0 && strings.HasPrefix(x.Sources[0].URL, "http") && x.ReportID != w.hostile {
			harvested = x
		}
	}
	for _, x := range []*store.Entry{e, harvested} {
		code, body, _ := get(t, s, "/report/"+x.ReportID+"/history")
		if code != 200 || !strings.Contains(body, `id="versions"`) || !strings.Contains(body, "current") {
			t.Fatalf("history of %s: %d", x.ReportID, code)
		}
		if x == harvested && (!strings.Contains(body, `id="changes"`) || !strings.Contains(body, ">new<") && !strings.Contains(body, ">new:")) {
			t.Errorf("the history of a harvested report logs no change: %s", body)
		}
	}
}

func printedCells(e *store.Entry) int {
	n := 0
	for c := range e.Record.AllCells() {
		if v, ok := e.Record.Cell(c.Path()); ok && v != nil {
			n++
		}
	}
	return n
}

func TestHostileRecordIsInert(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	for _, path := range []string{"/", "/?q=evil", "/report/" + w.hostile, "/report/" + w.hostile + "/history", "/compare?org=" + url.QueryEscape(hostileOrg)} {
		code, body, _ := get(t, s, path)
		if code != 200 {
			t.Fatalf("%s: %d", path, code)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<img src=x") || strings.Contains(body, "<b>rule") {
			t.Errorf("%s: untrusted markup reaches the page unescaped", path)
		}
	}
	_, body, _ := get(t, s, "/report/"+w.hostile)
	src := regexp.MustCompile(`/report/[0-9a-f]{16}/source/\d+`).FindString(body)
	code, page, h := get(t, s, src)
	if code != 200 {
		t.Fatalf("%s: %d", src, code)
	}
	low := strings.ToLower(page)
	for _, bad := range []string{"<script", "evil.example", "onload", "onerror", "<iframe", "<object", "<link", "<base", "http-equiv", "javascript:"} {
		if strings.Contains(low, bad) && !(bad == "javascript:" && strings.Contains(page, `title="javascript:`)) {
			t.Errorf("the shown source keeps %q", bad)
		}
	}
	if !strings.Contains(page, "某某局2021年政府信息公开工作年度报告") || !strings.Contains(page, "[image: 印章]") {
		t.Errorf("the shown source lost its text: %s", page)
	}
	if p := h.Get("Content-Security-Policy"); !strings.Contains(p, "sandbox") || !strings.Contains(p, "default-src 'none'") {
		t.Errorf("source policy %q", p)
	}
}

func TestUnknownAndTraversingRequestsAre404(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	e := failedIdentity(t, w)
	other := e.Sources[0].CaptureID
	for _, path := range []string{
		"/report/ffffffffffffffff", "/report/..%2F..%2Fetc%2Fpasswd", "/report/%2e%2e", "/report/ABC",
		"/report/" + w.hostile + "/source/" + strconv.FormatUint(other, 10), // another report's capture
		"/report/" + e.ReportID + "/source/99999999", "/report/" + e.ReportID + "/source/..%2F1",
		"/report/ffffffffffffffff/history", "/static/..%2Fserve.go", "/static/../serve.go", "/nothing", "/coverage?region=999999",
	} {
		code, body, _ := get(t, s, path)
		if code != http.StatusNotFound && !(code >= 300 && code < 400) {
			t.Errorf("%s: %d, want 404", path, code)
		}
		if strings.Contains(body, "package serve") {
			t.Errorf("%s: serves a file of the program", path)
		}
	}
}

func TestCoverageAndCompare(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	code, body, _ := get(t, s, "/coverage")
	if code != 200 || !strings.Contains(body, `id="coverage"`) || !strings.Contains(body, "<svg class=\"chart\"") {
		t.Fatalf("coverage: %d", code)
	}
	drill := regexp.MustCompile(`href="(/coverage\?region=\d{6})"`).FindAllStringSubmatch(body, -1)
	var covered string
	for _, m := range drill {
		_, b, _ := get(t, s, m[1])
		if regexp.MustCompile(`c[1-4]"><a`).MatchString(b) {
			covered = m[1]
		}
	}
	if covered == "" {
		t.Fatal("no province drills down to a covered division")
	}
	var e *store.Entry
	for _, x := range entries(t, w) {
		if x.Record.Organisation != "" && x.ReportID != w.hostile && x.Record.Requests != nil {
			e = x
		}
	}
	code, body, _ = get(t, s, "/compare?org="+url.QueryEscape(string(e.Record.Organisation)))
	if code != 200 || !strings.Contains(body, `id="compare"`) || !strings.Contains(body, "<polyline") || !strings.Contains(body, "/report/"+e.ReportID) {
		t.Errorf("compare of %s: %d, no table, sparkline or link to the report", e.Record.Organisation, code)
	}
}

func TestCheckAddr(t *testing.T) {
	for _, c := range []struct {
		addr   string
		public bool
		ok     bool
	}{
		{"127.0.0.1:8080", false, true}, {"localhost:8080", false, true}, {"[::1]:80", false, true},
		{"0.0.0.0:8080", false, false}, {":8080", false, false}, {"192.168.1.2:80", false, false},
		{"0.0.0.0:8080", true, true}, {"nonsense", false, false},
	} {
		if err := CheckAddr(c.addr, c.public); (err == nil) != c.ok {
			t.Errorf("CheckAddr(%q, %v) = %v", c.addr, c.public, err)
		}
	}
}

func TestStoreHeldByACrawl(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	dir := t.TempDir()
	path := dir + "/held.db"
	b, err := os.ReadFile(w.path) // no one writes it after the harvest
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	held, err := store.Open(path, store.Options{}) // as a crawl holds it
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	s, err := New(Options{Store: path, LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := get(t, s, "/")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "held by another nianbao process") {
		t.Errorf("a held store without a copy: %d %q", code, body)
	}
	if _, err := held.Snapshot(); err != nil {
		t.Fatal(err)
	}
	code, body, _ = get(t, s, "/")
	if code != 200 || !strings.Contains(body, "A crawl holds the store") || !reportLink.MatchString(body) {
		t.Errorf("a held store with its published copy: %d", code)
	}
}
