package serve

import (
	"reflect"
	"testing"

	"github.com/nianbao/nianbao/export"
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
