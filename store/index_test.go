package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/report"
)

// indexedWorld is a store written through every path that writes records,
// captures, URL states and changes: two nights of crawl commits (pages with
// attachments, one shared by three pages, a page fetched as its print copy,
// a revision), imports, and a re-extraction's rewrite of every record.
func indexedWorld(t *testing.T) *Store {
	t.Helper()
	const (
		p1 = "http://www.example.gov.cn/a/p1.html"
		a1 = "http://www.example.gov.cn/a/p1.doc"
		p2 = "http://www.example.gov.cn/b/p2.html"
		a2 = "http://www.example.gov.cn/b/p2.doc"
		p3 = "http://www.example.gov.cn/c/p3.html"
		a3 = "http://www.example.gov.cn/c/p3.doc"
		p4 = "http://www.example.gov.cn/d/p4.html"
	)
	rec := func(org string, year int, tables bool, total int) *report.Record {
		r := report.New()
		r.Title, r.Organisation, r.Template = report.Text(fmt.Sprintf("%s%d年政府信息公开工作年度报告", org, year)), report.Text(org), report.Template2019
		r.Year = new(year)
		if tables {
			r.ReviewLitigation = report.NewTable(report.ReviewLitigation)
			r.ReviewLitigation.Set("review", "total", report.Num(float64(total)))
		} else {
			r.Template = report.TemplateUnknown
		}
		return r
	}
	doc := rec("某区人民政府办公室", 2019, true, 7)
	f1 := fetch{u: p1, r: rec("第一区人民政府", 2019, false, 0), body: "PAGE 1", attaches: []string{a1}}
	f2 := fetch{u: p2, r: rec("第二区人民政府", 2019, false, 0), body: "PAGE 2", attaches: []string{a2}}
	f3 := fetch{u: p3, r: rec("第三区人民政府", 2020, false, 0), body: "PAGE 3", attaches: []string{a3}}
	g1, g2, g3 := fetch{u: a1, parent: p1, r: doc, body: "DOC"}, fetch{u: a2, parent: p2, r: doc, body: "DOC"}, fetch{u: a3, parent: p3, r: doc, body: "DOC"}
	copyOf := fetch{u: p4 + "?print=1", key: p4, r: rec("第四区人民政府", 2021, true, 3), body: "PAGE 4"}
	revised := copyOf
	revised.r, revised.body = rec("第四区人民政府", 2021, true, 4), "PAGE 4 REVISED"
	_, s := fetchNightsIn(t, []fetch{f1, g1, f3, g3, f2, g2, copyOf}, []fetch{revised, g2, g1, f3, f1, g3, f2})
	var items []Item
	for i := range 3 {
		r := rec(fmt.Sprintf("第%d县人民政府", i), 2022, i != 1, i)
		body := fmt.Appendf(nil, "import %d", i)
		c := &Capture{Name: fmt.Sprintf("r%d.txt", i), FetchedAt: time.Unix(1700000000, 0).UTC(), Origin: "import"}
		items = append(items, Item{Capture: c, Body: body, Entry: &Entry{ReportID: ReportID("", SHA256(body)), Record: r}})
	}
	items = append(items, Item{Capture: &Capture{Name: "unread.pdf", Origin: "import"}, Body: []byte("%PDF-1.4 unread")})
	if err := s.PutAll(items); err != nil {
		t.Fatal(err)
	}
	// A re-extraction rewrites every record with its new reading.
	var all []*Entry
	if err := s.Entries(func(e *Entry) error { all = append(all, e); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		e.Extractor = "again"
		e.Record.Warnings = append(e.Record.Warnings, "read again")
	}
	if err := s.PutEntries(all); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIndexes(); err != nil {
		t.Fatal(err)
	}
	return s
}

// unindexedCopy copies a store's file without its index version, as a store
// written by a nianbao without indexes, and opens it read-only: its readers
// take the scans the indexes replace.
func unindexedCopy(t *testing.T, s *Store) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plain.db")
	if err := s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) }); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyIndex) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if c.Indexed() {
		t.Fatal("the copy without its index version reads as indexed")
	}
	return c
}

func historyJSON(t *testing.T, s *Store, ref string) string {
	t.Helper()
	h, err := s.History(ref)
	if err != nil {
		return "error: " + err.Error()
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func allFacts(t *testing.T, s *Store) []Fact {
	t.Helper()
	var out []Fact
	if err := s.Facts(func(f *Fact) error { out = append(out, *f); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every lookup through the indexes gives what the scan it replaces gives:
// the history of every address, page key, source and report id the store
// knows (and of one it does not), and every record's facts.
func TestIndexesAnswerAsTheScans(t *testing.T) {
	s := indexedWorld(t)
	if !s.Indexed() {
		t.Fatal("a store written by this version is not indexed")
	}
	plain := unindexedCopy(t, s)
	refs := []string{"http://www.example.gov.cn/never.html", "no-such-report"}
	if err := s.Docs(func(d *DocState) error {
		refs = append(refs, d.URL, d.Key, d.MovedTo, d.ReportID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Entries(func(e *Entry) error {
		refs = append(refs, e.ReportID)
		for _, src := range e.Sources {
			refs = append(refs, src.URL)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, ref := range slices.Compact(slices.Sorted(slices.Values(refs))) {
		if ref == "" {
			continue
		}
		got, want := historyJSON(t, s, ref), historyJSON(t, plain, ref)
		if got != want {
			t.Errorf("history of %s through the indexes:\n%s\nthrough the scans:\n%s", ref, got, want)
		}
		if got[:6] != "error:" {
			found++
		}
		gotID, err1 := s.ReportAt(ref)
		wantID, err2 := plain.ReportAt(ref)
		if gotID != wantID || (err1 == nil) != (err2 == nil) {
			t.Errorf("ReportAt(%s): %q, %v through the indexes, %q, %v through the scans", ref, gotID, err1, wantID, err2)
		}
	}
	if found < 10 {
		t.Errorf("only %d references have a history: the world is not what the test means", found)
	}
	if got, want := allFacts(t, s), allFacts(t, plain); !reflect.DeepEqual(got, want) || len(got) < 8 {
		t.Errorf("facts rows %d, records %d; differ: %v", len(got), len(want), !reflect.DeepEqual(got, want))
	}
}

// Import's question "was this file imported before?" is answered by the
// index for every imported file, and for no other name or bytes; a store
// without indexes says it cannot tell (the caller reads the captures).
func TestImportedByIndex(t *testing.T) {
	s := indexedWorld(t)
	n := 0
	if err := s.Captures(func(c *Capture) error {
		found, ok, err := s.Imported(c.Name, c.SHA256)
		if err != nil || !ok || found != (c.Origin == "import") {
			t.Errorf("capture %d (%s %q): found %v ok %v %v", c.ID, c.Origin, c.Name, found, ok, err)
		}
		if c.Origin == "import" {
			n++
			if found, _, _ := s.Imported(c.Name, SHA256([]byte("other"))); found {
				t.Errorf("%s with other bytes reads as imported", c.Name)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d imports, want 4", n)
	}
	if _, ok, err := unindexedCopy(t, s).Imported("r0.txt", SHA256([]byte("import 0"))); ok || err != nil {
		t.Errorf("a store without indexes answers from them: %v %v", ok, err)
	}
}

// A write that fails leaves the indexes as they were (they are written in
// its transaction), and a store written behind their back (a nianbao
// without indexes) has them built again when next opened for writing, the
// record written meanwhile among them.
func TestIndexesFollowEveryWrite(t *testing.T) {
	s := indexedWorld(t)
	before := allFacts(t, s)
	boom := errors.New("killed mid-write")
	r := report.New()
	r.Title, r.Organisation = "不该留下2023年报告", "不该留下"
	err := s.update(func(tx *bolt.Tx) error {
		if err := putEntry(tx, &Entry{ReportID: "half", Record: r, Sources: []SourceRef{{URL: "http://half.example/"}}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got := allFacts(t, s); !reflect.DeepEqual(got, before) || !s.Indexed() {
		t.Errorf("a rolled-back write changed the facts: %d rows, %d before", len(got), len(before))
	}
	if id, _ := s.ReportAt("http://half.example/"); id != "" {
		t.Errorf("a rolled-back write left a lookup to %s", id)
	}
	// Written as an older nianbao would: the record only.
	b, _ := json.Marshal(&Entry{ReportID: "behind", Record: r})
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketRecords).Put([]byte("behind"), b) }); err != nil {
		t.Fatal(err)
	}
	if s.Indexed() {
		t.Fatal("indexes read as current after a write that did not keep them")
	}
	path := s.Path()
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Indexed() {
		t.Fatal("not indexed after opening for writing")
	}
	if err := s.CheckIndexes(); err != nil {
		t.Error(err)
	}
	got := allFacts(t, s)
	if len(got) != len(before)+1 || !slices.ContainsFunc(got, func(f Fact) bool { return f.ReportID == "behind" }) {
		t.Errorf("rebuilt facts: %d rows (%d before), the record written behind them missing", len(got), len(before))
	}
}

// A build cut short (killed between its batches) is begun again at the next
// opening for writing, and ends as a build from nothing does.
func TestIndexBuildCutShortIsDoneAgain(t *testing.T) {
	s := indexedWorld(t)
	want := allFacts(t, s)
	path := s.Path()
	// Undo the indexes, then build only the first bucket's, as a kill would leave it.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketLookup, bucketFacts} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Delete(keyIndex)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.indexBucket(bucketDocs, func(tx *bolt.Tx, k, v []byte) error {
		var d DocState
		if err := json.Unmarshal(v, &d); err != nil {
			return err
		}
		return indexDoc(tx, k, &d)
	}); err != nil {
		t.Fatal(err)
	}
	if s.Indexed() {
		t.Fatal("a half-built index reads as current")
	}
	s.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckIndexes(); err != nil {
		t.Error(err)
	}
	if got := allFacts(t, s); !s.Indexed() || !reflect.DeepEqual(got, want) {
		t.Errorf("after the build was done again: indexed %v, %d facts rows, want %d", s.Indexed(), len(got), len(want))
	}
}

// Facts rows read back as written, and a damaged row is an error in words.
func TestFactRoundTrip(t *testing.T) {
	f := Fact{ReportID: "r1", Title: "某县2022年报告", Organisation: "某县人民政府", SiteCode: "4301000001", CreditCode: "11430100MB1234567X",
		SourceURL: "http://www.example.gov.cn/a.html", Format: "html", Template: "2021", Year: 2022, Checks: 12, Failed: []string{"a", "b"}}
	got, err := decodeFact(f.encode())
	if err != nil || !reflect.DeepEqual(got, f) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	b := f.encode()
	for _, bad := range [][]byte{nil, b[:len(b)-1], append(b[:len(b):len(b)], 0), append([]byte{9}, b[1:]...)} {
		if _, err := decodeFact(bad); err == nil {
			t.Errorf("a damaged row (%d bytes) decodes", len(bad))
		}
	}
}

// The copy a crawl publishes for readers carries the indexes, current: a
// reader of it looks up as a reader of the store does.
func TestPublishedCopyIsIndexed(t *testing.T) {
	s := indexedWorld(t)
	if _, err := s.Snapshot(); err != nil {
		t.Fatal(err)
	}
	c, err := openSnapshot(s.Path(), blobsFor(s.Path(), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Indexed() {
		t.Fatal("the published copy has no current indexes")
	}
	const page = "http://www.example.gov.cn/d/p4.html"
	if got, want := historyJSON(t, c, page), historyJSON(t, s, page); got != want || got[:6] == "error:" {
		t.Errorf("history of %s in the copy:\n%s\nin the store:\n%s", page, got, want)
	}
}

// EntriesWhere gives the records whose facts match, in report-id order, as
// reading every record and filtering does; without indexes too.
func TestEntriesWhereIsAFilteredScan(t *testing.T) {
	s := indexedWorld(t)
	match := func(f *Fact) bool { return f.Year == 2019 || f.Checks > 0 && len(f.Failed) == 0 }
	var want []string
	if err := s.Entries(func(e *Entry) error {
		if f := FactOf(e); match(&f) {
			want = append(want, e.ReportID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 {
		t.Fatalf("the world has %d such records", len(want))
	}
	for _, st := range []*Store{s, unindexedCopy(t, s)} {
		var got []string
		if err := st.EntriesWhere(match, func(e *Entry) error { got = append(got, e.ReportID); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("indexed %v: %v, want %v", st.Indexed(), got, want)
		}
	}
}

// CheckIndexes finds a record whose facts row is gone and a URL state whose
// lookup entry is gone.
func TestCheckIndexesFindsWhatIsMissing(t *testing.T) {
	s := indexedWorld(t)
	var id string
	if err := s.Entries(func(e *Entry) error { id = e.ReportID; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketFacts).Delete([]byte(id)); err != nil {
			return err
		}
		c := tx.Bucket(bucketLookup).Cursor()
		k, _ := c.Seek([]byte{lookDocURL})
		return tx.Bucket(bucketLookup).Delete(k)
	}); err != nil {
		t.Fatal(err)
	}
	err := s.CheckIndexes()
	if err == nil || !strings.Contains(err.Error(), "record "+id) || !strings.Contains(err.Error(), "is not indexed") {
		t.Errorf("damaged indexes: %v", err)
	}
}
