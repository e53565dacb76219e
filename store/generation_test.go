package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
)

func TestScheduleAdapts(t *testing.T) {
	s := Schedule{}.withDefaults()
	if s.Base != 20*time.Hour || s.Max != 30*24*time.Hour {
		t.Fatalf("defaults: %+v", s)
	}
	iv := s.next(0, false)
	for range 10 {
		iv = s.next(iv, false)
	}
	if iv != s.Max {
		t.Errorf("an unchanged URL grows to %v, not the maximum %v", iv, s.Max)
	}
	if got := s.next(iv, true); got != s.Base {
		t.Errorf("a change resets the interval to %v, got %v", s.Base, got)
	}
	zero := Schedule{Base: 0, Max: time.Hour}.withDefaults()
	if zero.next(time.Minute, true) != 0 {
		t.Errorf("a zero base means every run looks again")
	}
}

func TestObserveLifecycle(t *testing.T) {
	s := Schedule{}.withDefaults()
	q := &QueuedRequest{URL: "http://www.example.gov.cn/a.html", Method: "GET"}
	q.SetKind(crawl.Report)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newDoc(q, t0)
	if ev := observe(d, Visit{Req: q, Time: t0, Class: "ok", SHA256: "a", Fingerprint: "f1", ETag: `"x"`}, 1, s); ev != "" {
		t.Errorf("first answer: event %q", ev)
	}
	d.ReportID = "r1"
	if d.State != DocOK || d.NextVisit != t0.Add(s.Base) || d.LastChanged != t0 {
		t.Fatalf("after the first answer: %+v", d)
	}
	t1 := t0.Add(24 * time.Hour)
	observe(d, Visit{Req: q, Time: t1, Class: "not_modified"}, 2, s)
	if d.LastSeen != t1 || d.LastChanged != t0 || d.Interval != 2*s.Base {
		t.Errorf("after a 304: %+v", d)
	}
	t2 := t1.Add(48 * time.Hour)
	observe(d, Visit{Req: q, Time: t2, Class: "ok", Fingerprint: "f2"}, 3, s)
	if d.LastChanged != t2 || d.Changes != 1 || d.Interval != s.Base {
		t.Errorf("after a change: %+v", d)
	}
	t3 := t2.Add(24 * time.Hour)
	if ev := observe(d, Visit{Req: q, Time: t3, Class: "server_error"}, 4, s); ev != "" || d.State != DocOK || d.LastSeen != t2 {
		t.Errorf("a failure changed the state: %q %+v", ev, d)
	}
	if ev := observe(d, Visit{Req: q, Time: t3, Class: "gone", Detail: "404"}, 4, s); ev != ChangeGone || d.GoneSince != t3 {
		t.Errorf("a 404: %q %+v", ev, d)
	}
	if ev := observe(d, Visit{Req: q, Time: t3.Add(time.Hour), Class: "gone"}, 5, s); ev != "" || d.GoneSince != t3 {
		t.Errorf("gone twice: %q %+v", ev, d)
	}
	if ev := observe(d, Visit{Req: q, Time: t3.Add(48 * time.Hour), Class: "ok", Fingerprint: "f2"}, 6, s); ev != ChangeReturned || !d.GoneSince.IsZero() {
		t.Errorf("back again: %q %+v", ev, d)
	}
}

// A report revised between two runs keeps its old version; one found unchanged
// at a new address after its old one went is moved, not gone and new.
func TestVersionsAndReconcile(t *testing.T) {
	s := openTemp(t)
	f, err := s.Frontier()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := func(v float64) *report.Record {
		r := report.New()
		r.Title = "某局2023年政府信息公开工作年度报告"
		r.Template = report.Template2021
		r.ReviewLitigation = report.NewTable(report.ReviewLitigation)
		r.ReviewLitigation.Set("review", "total", report.Num(v))
		return r
	}
	n := &nightFetcher{s: s, f: f}
	a, b, c := "http://www.example.gov.cn/a.html", "http://www.example.gov.cn/b.html", "http://www.example.gov.cn/c_v2.html"
	if _, _, err := f.Begin(t0, Schedule{}, nil); err != nil {
		t.Fatal(err)
	}
	n.fetch(t, a, rec(3), t0, "ok")
	n.fetch(t, b, rec(5), t0, "ok")
	if _, err := f.Finish(t0); err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(24 * time.Hour)
	run, resumed, err := f.Begin(t1, Schedule{}, nil)
	if err != nil || resumed || run.Generation != 2 || run.Revisits != 2 {
		t.Fatalf("second run: %+v %v %v", run, resumed, err)
	}
	n.answers = map[string]answer{a: {rec(4), "ok"}, b: {nil, "gone"}} // revised; renumbered …
	n.fetch(t, a, rec(4), t1, "ok")
	n.fetch(t, b, nil, t1, "gone")
	n.fetch(t, c, rec(5), t1, "ok") // … to here
	fin, err := f.Finish(t1)
	if err != nil {
		t.Fatal(err)
	}
	if fin.Counts.Revised != 1 || fin.Counts.Moved != 1 || fin.Counts.Gone != 0 || fin.Counts.New != 0 {
		t.Errorf("second run's counts: %+v", fin.Counts)
	}
	h, err := s.History(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Versions) != 1 || len(h.Changes) != 2 || h.Changes[1].Kind != ChangeRevised || len(h.Changes[1].Cells) != 1 ||
		*h.Changes[1].Cells[0].Old != 3 || *h.Changes[1].Cells[0].New != 4 {
		t.Errorf("history of the revised report: %+v", h)
	}
	h, err = s.History(c)
	if err != nil {
		t.Fatal(err)
	}
	if h.Current.ReportID != ReportID(b, "") || len(h.Changes) != 2 || h.Changes[1].Kind != ChangeMoved || h.Changes[1].To != c {
		t.Errorf("history of the moved report: %+v", h)
	}
	if _, err := s.Entry(ReportID(c, "")); err == nil {
		t.Errorf("the moved report is also kept under its new address's id")
	}
}

type answer struct {
	r     *report.Record
	class crawl.Class
}

// nightFetcher plays the crawler against a frontier: it asks for a URL, takes
// what the frontier hands out next and commits the answer given for that.
type nightFetcher struct {
	s       *Store
	f       *Frontier
	answers map[string]answer // for URLs a run queued itself, in its order
}

// fetch fetches u, answered with r (nil: no record) and class at tm.
func (n *nightFetcher) fetch(t *testing.T, u string, r *report.Record, tm time.Time, class crawl.Class) {
	t.Helper()
	q := &QueuedRequest{URL: u, Method: "GET", Host: "www.example.gov.cn"}
	q.SetKind(crawl.Report)
	if _, err := n.f.Enqueue(q); err != nil { // a no-op for a URL this run queued already
		t.Fatal(err)
	}
	got, err := n.f.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != u {
		a, ok := n.answers[got.URL]
		if !ok {
			t.Fatalf("next is %s, not %s", got.URL, u)
		}
		n.answers[u] = answer{r, class}
		u, r, class = got.URL, a.r, a.class
	}
	if d, _ := n.s.Doc("GET", u, nil); d != nil && (len(got.Headers["If-None-Match"]) == 0 || got.Headers["If-None-Match"][0] != d.ETag) {
		t.Errorf("a known URL is asked again without its validator: %v", got.Headers)
	}
	cm := Commit{Done: got, Visits: []Visit{{Req: got, Time: tm, Class: class, SHA256: u, ETag: `"` + u + `"`, Fingerprint: report.Fingerprint(r)}}}
	if r != nil {
		r.Source.URL = report.Text(u)
		cm.Capture = &Capture{URL: u, FetchedAt: tm, Origin: "fetch"}
		cm.Body = []byte(u + string(r.Title) + report.Fingerprint(r))
		cm.Entry = &Entry{ReportID: ReportID(u, ""), Record: r, ExtractedAt: tm}
	}
	if _, err := n.f.Commit(cm); err != nil {
		t.Fatal(err)
	}
	n.f.Release(got.Host, time.Time{})
}

// openOld writes a store file of an older schema version with the given
// buckets and content, and opens it (migrating it); it is closed with the test.
func openOld(t *testing.T, version int, buckets [][]byte, fill func(tx *bolt.Tx) error) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(version))); err != nil {
			return err
		}
		return fill(tx)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A store written by schema 1 keeps its visited set as the first generation's.
func TestMigrateFromSchema1(t *testing.T) {
	s := openOld(t, 1, [][]byte{bucketMeta, bucketRaw, bucketCaptures, bucketRecords, bucketSeen}, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeen).Put([]byte("0123456789abcdef"), binary.BigEndian.AppendUint64(nil, 1700000000))
	})
	if v, _ := s.Version(); v != SchemaVersion {
		t.Fatalf("version %d", v)
	}
	s.db.View(func(tx *bolt.Tx) error {
		if g := readGeneration(tx); g != 1 {
			t.Errorf("generation %d", g)
		}
		if v := tx.Bucket(bucketSeen).Get([]byte("0123456789abcdef")); binary.BigEndian.Uint64(v) != 1 {
			t.Errorf("seen value %x", v)
		}
		return nil
	})
}

// A store written by schema 2 gets the content index of the records it has, so
// that a copy of one of its reports fetched later joins it.
func TestMigrateFromSchema2IndexesContent(t *testing.T) {
	rec := report.New()
	rec.Title, rec.Template = "某县人民政府办公室2022年政府信息公开工作年度报告", report.Template2021
	rec.Requests = report.NewTable(report.Requests2021)
	seven := 7.0
	rec.Requests.Set("new_received", "total", &seven)
	body, err := json.Marshal(&Entry{ReportID: "r1", Record: rec})
	if err != nil {
		t.Fatal(err)
	}
	s := openOld(t, 2, [][]byte{bucketMeta, bucketRaw, bucketCaptures, bucketRecords, bucketSeen, bucketDocs, bucketRuns, bucketVersions, bucketChanges}, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecords).Put([]byte("r1"), body)
	})
	s.db.View(func(tx *bolt.Tx) error {
		if e, err := entryWithContent(tx, report.Fingerprint(rec)); err != nil || e == nil || e.ReportID != "r1" {
			t.Errorf("the record is not found by its content: %+v %v", e, err)
		}
		other := *rec
		other.Title = "另一份报告"
		if e, _ := entryWithContent(tx, report.Fingerprint(&other)); e != nil {
			t.Errorf("other content found %q", e.ReportID)
		}
		return nil
	})
}

// TestCopiesOrderedByAddress: two copies of one report make the same record
// whichever was fetched first, so two crawls of one web agree on its source.
func TestCopiesOrderedByAddress(t *testing.T) {
	a, b := "http://www.example.gov.cn/a/1.html", "http://www.example.gov.cn/b/1.html"
	page := func(u string) *Entry {
		r := report.New()
		r.Title, r.Template, r.Source.URL = "某局2023年政府信息公开工作年度报告", report.Template2021, report.Text(u)
		r.ReviewLitigation = report.NewTable(report.ReviewLitigation)
		r.ReviewLitigation.Set("review", "total", report.Num(7))
		return &Entry{ReportID: ReportID(u, ""), Record: r, Sources: []SourceRef{{URL: u}}}
	}
	for _, order := range [][2]string{{a, b}, {b, a}} {
		first, second := order[0], order[1]
		e := page(second)
		if !mergeInto(page(first), e, false, false) {
			t.Fatalf("%s after %s did not join the report", second, first)
		}
		if string(e.Record.Source.URL) != a || e.Sources[0].URL != a || len(e.Sources) != 2 || e.Components[0].Source.URL != a {
			t.Errorf("%s fetched first: source %s, sources %+v", first, e.Record.Source.URL, e.Sources)
		}
	}
}

// TestCopyDoesNotTakeItsPage: one file attached to two reports' pages (the
// same bytes read before as another report's document) joins that report, and
// the page that links it stays its own report whichever of the two was fetched
// first. Before, a page fetched after its attachment followed it into the
// other report, and one fetched before did not.
func TestCopyDoesNotTakeItsPage(t *testing.T) {
	const (
		x = "http://www.example.gov.cn/a/x.doc" // the file, read first as one report's
		p = "http://www.example.gov.cn/b/p.html"
		a = "http://www.example.gov.cn/b/a.doc"  // the same bytes, attached to p
		q = "http://www.example.gov.cn/c/q.html" // another page attaching a
	)
	doc := func() *report.Record {
		r := report.New()
		r.Title, r.Organisation, r.Template = "2019年政府信息公开工作年度报告", "某区人民政府办公室", report.Template2019
		r.Year = new(2019)
		r.ReviewLitigation = report.NewTable(report.ReviewLitigation)
		r.ReviewLitigation.Set("review", "total", report.Num(7))
		return r
	}
	page := func() *report.Record {
		r := report.New()
		r.Title, r.Organisation = "另一区2019年政府信息公开工作年度报告", "另一区人民政府"
		r.Year = new(2019)
		return r
	}
	fx, fp, fa := fetch{u: x, r: doc(), body: "DOC"}, fetch{u: p, r: page(), body: "PAGE", attaches: []string{a}}, fetch{u: a, parent: p, r: doc(), body: "DOC"}
	fq := fetch{u: q, r: page(), body: "ANOTHER PAGE", attaches: []string{a}}
	fq.r.Organisation = "第三区人民政府"
	want := map[string]string{"某区人民政府办公室": x + " " + a, "另一区人民政府": p}
	for name, nights := range map[string][][]fetch{
		"page first":       {{fx, fp, fa}},
		"attachment first": {{fx, fa, fp}},
		// The next night every URL is due again (the attachment first) and
		// the attachment's own URL leads to its report: it is still a copy
		// there, so a new page that names it is a report of its own, not
		// one more source of the report the copy joined.
		"fetched again": {{fx, fp, fa}, {fa, fx, fp, fq}},
	} {
		want := want
		if name == "fetched again" {
			want = map[string]string{"某区人民政府办公室": x + " " + a, "另一区人民政府": p, "第三区人民政府": q}
		}
		if got := fetchNights(t, nights...); !maps.Equal(got, want) {
			t.Errorf("%s: records %v, want %v", name, got, want)
		}
	}
}

// fetch is one document a test's night commits: its URL, the page it is
// attached to (none: a page), its reading, its bytes and its attachments.
type fetch struct {
	u, parent string
	key       string // the page's de-duplication key, when not u
	r         *report.Record
	body      string
	attaches  []string
}

// fetchNights commits the fetches of each night, in order, to a new store and
// returns its records: organisation → the addresses of its sources, sorted.
func fetchNights(t *testing.T, nights ...[]fetch) map[string]string {
	t.Helper()
	out, _ := fetchNightsIn(t, nights...)
	return out
}

// fetchNightsIn is fetchNights that returns the store as well.
func fetchNightsIn(t *testing.T, nights ...[]fetch) (map[string]string, *Store) {
	t.Helper()
	s := openTemp(t)
	f, err := s.Frontier()
	if err != nil {
		t.Fatal(err)
	}
	for n, order := range nights {
		t0 := time.Date(2026, 1, 1+n, 0, 0, 0, 0, time.UTC)
		if _, _, err := f.Begin(t0, Schedule{}, nil); err != nil {
			t.Fatal(err)
		}
		for _, d := range order {
			req := &QueuedRequest{URL: d.u, Key: d.key, Method: "GET", Host: "www.example.gov.cn"}
			req.SetKind(crawl.Report)
			if d.parent != "" {
				req.SetKind(crawl.Attachment)
				req.SetParent(d.parent)
			}
			if _, err := f.Enqueue(req); err != nil {
				t.Fatal(err)
			}
			got, err := f.Next(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != d.u {
				t.Fatalf("night %d: next is %s, want %s", n+1, got.URL, d.u)
			}
			r := cloneRecord(t, d.r)
			r.Source.URL = report.Text(d.u)
			cm := Commit{Done: got, Visits: []Visit{{Req: got, Time: t0, Class: crawl.OK, SHA256: SHA256([]byte(d.body)), Fingerprint: report.Fingerprint(r)}},
				Capture: &Capture{URL: d.u, FetchedAt: t0, Origin: "fetch"}, Body: []byte(d.body),
				Entry: &Entry{ReportID: ReportID(d.u, ""), Record: r, ExtractedAt: t0}, Attachments: d.attaches}
			if _, err := f.Commit(cm); err != nil {
				t.Fatal(err)
			}
			f.Release(got.Host, time.Time{})
		}
		if _, err := f.Finish(t0); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]string{}
	s.Entries(func(e *Entry) error {
		var urls []string
		for _, s := range e.Sources {
			urls = append(urls, s.URL)
		}
		slices.Sort(urls)
		out[string(e.Record.Organisation)] = strings.Join(urls, " ")
		return nil
	})
	return out, s
}

// TestSharedFileLeavesItsPages: one file attached to the pages of two
// reports is a report of its own with every address as a source, and each
// page is its own report, whatever the order the four were read in. Before,
// the first page whose attachment was read took the file's tables and the
// other page stayed bare, so two crawls of one web could differ.
func TestSharedFileLeavesItsPages(t *testing.T) {
	const (
		p1   = "http://www.example.gov.cn/a/p1.html"
		a1   = "http://www.example.gov.cn/a/p1.doc"
		p2   = "http://www.example.gov.cn/b/p2.html"
		a2   = "http://www.example.gov.cn/b/p2.doc"
		p3   = "http://www.example.gov.cn/c/p3.html" // another year's page attaching it too
		a3   = "http://www.example.gov.cn/c/p3.doc"
		list = "http://www.example.gov.cn/list.html"
	)
	rec := func(org string, year int, tables bool) *report.Record {
		r := report.New()
		r.Title, r.Organisation, r.Template = report.Text(fmt.Sprintf("%s%d年政府信息公开工作年度报告", org, year)), report.Text(org), report.Template2019
		r.Year = new(year)
		if tables {
			r.ReviewLitigation = report.NewTable(report.ReviewLitigation)
			r.ReviewLitigation.Set("review", "total", report.Num(7))
		} else {
			r.Template = report.TemplateUnknown
		}
		return r
	}
	doc := rec("某区人民政府办公室", 2019, true)
	f1 := fetch{u: p1, r: rec("第一区人民政府", 2019, false), body: "PAGE 1", attaches: []string{a1}}
	f2 := fetch{u: p2, r: rec("第二区人民政府", 2019, false), body: "PAGE 2", attaches: []string{a2}}
	f3 := fetch{u: p3, r: rec("第三区人民政府", 2020, false), body: "PAGE 3", attaches: []string{a3}}
	g1, g2, g3 := fetch{u: a1, parent: p1, r: doc, body: "DOC"}, fetch{u: a2, parent: p2, r: doc, body: "DOC"}, fetch{u: a3, parent: p3, r: doc, body: "DOC"}
	fromList := g2
	fromList.parent = list // linked from a list as well, read before its page
	two := map[string]string{"某区人民政府办公室": a1 + " " + a2, "第一区人民政府": p1, "第二区人民政府": p2}
	three := map[string]string{"某区人民政府办公室": a1 + " " + a2 + " " + a3, "第一区人民政府": p1, "第二区人民政府": p2, "第三区人民政府": p3}
	for _, c := range []struct {
		name   string
		nights [][]fetch
		want   map[string]string
	}{
		{"first page first", [][]fetch{{f1, g1, f2, g2}}, two},
		{"second page first", [][]fetch{{f2, g2, f1, g1}}, two},
		{"pages first", [][]fetch{{f1, f2, g1, g2}}, two},
		{"pages first, files the other way", [][]fetch{{f1, f2, g2, g1}}, two},
		{"a file before its page", [][]fetch{{f1, g1, fromList, f2}}, two},
		{"another year's page first", [][]fetch{{f3, g3, f1, g1, f2, g2}}, three},
		{"another year's page between", [][]fetch{{f1, g1, f3, g3, f2, g2}}, three},
		{"another year's page last", [][]fetch{{f1, g1, f2, g2, f3, g3}}, three},
		{"a second night", [][]fetch{{f1, g1, f2, g2}, {g2, g1, f1, f2}}, two},
	} {
		if got := fetchNights(t, c.nights...); !maps.Equal(got, c.want) {
			t.Errorf("%s: records %v, want %v", c.name, got, c.want)
		}
	}
	// A page stored on an earlier night that loses the file is revised (its
	// old version kept); the file's report is new; a report new this night
	// is only new.
	got, s := fetchNightsIn(t, []fetch{f1, g1}, []fetch{g1, f1, f2, g2})
	if !maps.Equal(got, two) {
		t.Errorf("the second page a night later: records %v, want %v", got, two)
	}
	var changes []string
	s.Changes(0, 0, func(c *ReportChange) error {
		changes = append(changes, fmt.Sprintf("%d %s %s", c.Generation, c.Kind, c.URL))
		return nil
	})
	want := []string{"1 new " + p1, "2 new " + p2, "2 revised " + p1, "2 new " + a1}
	if !slices.Equal(changes, want) {
		t.Errorf("changes %q, want %q", changes, want)
	}
	h, err := s.History(p1)
	if err != nil || len(h.Versions) != 1 || h.Versions[0].Record.ReviewLitigation == nil {
		t.Errorf("the page's version with the file's tables is not kept: %+v, %v", h, err)
	}
}

func cloneRecord(t *testing.T, r *report.Record) *report.Record {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	c := report.New()
	if err := json.Unmarshal(b, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHistoryOfAPageFetchedAsItsCopy: a page fetched only as its print copy
// (a copy of another address named it first) has a history under its own
// address, the copy's de-duplication key.
func TestHistoryOfAPageFetchedAsItsCopy(t *testing.T) {
	const page = "http://www.example.gov.cn/a/t1.html"
	r := report.New()
	r.Title, r.Organisation = "某区2021年政府信息公开工作年度报告", "某区人民政府"
	r.Year = new(2021)
	_, s := fetchNightsIn(t, []fetch{{u: page + "?print=1", key: page, r: r, body: "PAGE"}})
	h, err := s.History(page)
	if err != nil || h.Current == nil || string(h.Current.Record.Source.URL) != page+"?print=1" {
		t.Fatalf("history of %s: %+v, %v", page, h, err)
	}
	if _, err := s.History("http://www.example.gov.cn/a/t2.html"); err == nil {
		t.Errorf("a page never met has a history")
	}
}
