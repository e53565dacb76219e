package serve

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// The list reads the store's facts rows, never a record: its rows are the
// ones it built from every record before (every column, every filter's
// fact), in the same order.
func TestCatalogFromFactsIsTheRecords(t *testing.T) {
	t.Parallel()
	s, w := newServer(t, Options{})
	st, err := store.Open(w.path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !st.Indexed() {
		t.Fatal("the harvested store has no indexes: the list would read the records")
	}
	got, err := s.rows(st)
	if err != nil {
		t.Fatal(err)
	}
	var want []row
	for _, e := range entries(t, w) {
		at := s.attr.Attribute(e.Record, export.SourceURL(e))
		r := e.Record
		want = append(want, row{Facts: export.FactsOf(e, at), ID: e.ReportID, Title: string(r.Title), Organisation: string(r.Organisation),
			Region: at.Region, Format: r.Source.Format, Checks: len(r.Checks)})
	}
	if len(want) < 10 {
		t.Fatalf("the world has %d reports", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("row %d from the facts:\n%+v\nfrom the record:\n%+v", i, got[i], want[i])
			}
		}
		t.Fatalf("%d rows from the facts, %d records", len(got), len(want))
	}
}

// After the store changes, the list reads the facts rows again and decodes
// only those that changed: its rows are then those a new server reads, the
// revised report's new title among them, and its orders are computed anew.
func TestCatalogAfterAChangeIsANewReading(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	path := filepath.Join(t.TempDir(), "copy.db")
	b, err := os.ReadFile(w.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: path, Portals: w.portals})
	if err != nil {
		t.Fatal(err)
	}
	read := func(s *Server) []row {
		t.Helper()
		st, err := store.Open(path, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		c, err := s.catalogOf(st)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := parseQuery(url.Values{"sort": {"organisation"}})
		byOrg := c.rowsAt(q.selectRows(c))
		q, _ = parseQuery(url.Values{"sort": {"year"}, "dir": {"desc"}})
		return append(byOrg, c.rowsAt(q.selectRows(c))...)
	}
	before := read(s)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Entry(before[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Record.Organisation = "ＺＺＺ最后一个单位"
	e.Record.Title = "改过的标题"
	added := *e
	added.ReportID, added.Record = "0000new", cloneRecord(t, e.Record)
	added.Record.Organisation, added.Record.Year = "ＡＡＡ新单位", new(2031)
	if err := st.PutEntries([]*store.Entry{e, &added}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	s.cat.state = fileState{} // the file's size and time may not have moved within the test's instant
	after := read(s)
	fresh, err := New(Options{Store: path, Portals: w.portals})
	if err != nil {
		t.Fatal(err)
	}
	if want := read(fresh); !reflect.DeepEqual(after, want) {
		t.Fatalf("the list after a change differs from a new reading (%d rows, %d)", len(after), len(want))
	}
	n := len(after) / 2
	for i, w := range after[n+1:] { // by year, latest first, ties by id
		if p := after[n+i]; p.Year < w.Year || p.Year == w.Year && p.ID >= w.ID {
			t.Fatalf("by year: %s (%d) before %s (%d)", p.ID, p.Year, w.ID, w.Year)
		}
	}
	if len(after) != len(before)+2 || after[n].ID != "0000new" {
		t.Errorf("%d rows after adding one to %d; the added report (of 2031) is not first by year: %s", len(after)/2, len(before)/2, after[n].ID)
	}
	if last := after[n-1]; last.ID != before[0].ID || last.Title != "改过的标题" || reflect.DeepEqual(after, before) {
		t.Errorf("the revised report is not last by organisation with its new title: %+v", last)
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
