package serve

import (
	"net/url"
	"os"
	"testing"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/store"
)

// benchCatalog serves a large store (NIANBAO_BENCH_STORE, e.g. bench/scale's
// scale.db; skipped without it) and reads its catalog once.
func benchCatalog(b *testing.B) (*Server, *store.Store) {
	path := os.Getenv("NIANBAO_BENCH_STORE")
	if path == "" {
		b.Skip("NIANBAO_BENCH_STORE names no store")
	}
	list, err := seeds.ReadFile("../samples/portals_demo.csv")
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Store: path, Portals: list})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return s, st
}

// firstPage selects the list's first page from the catalog, as the list does.
func firstPage(b *testing.B, s *Server, st *store.Store) {
	c, err := s.catalogOf(st)
	if err != nil {
		b.Fatal(err)
	}
	q, err := parseQuery(url.Values{})
	if err != nil {
		b.Fatal(err)
	}
	sel := q.selectRows(c)
	if len(sel) == 0 {
		b.Fatal("no rows")
	}
	c.rowsAt(sel[:min(len(sel), 50)])
	optionsOf(c.rows)
}

// BenchmarkCatalogCold is a new server's first list.
func BenchmarkCatalogCold(b *testing.B) {
	s, st := benchCatalog(b)
	for b.Loop() {
		s.cat = nil
		firstPage(b, s, st)
	}
}

// BenchmarkCatalogAfterPublication is the first list after the store
// changed: the facts rows are read again, the unchanged ones not decoded.
func BenchmarkCatalogAfterPublication(b *testing.B) {
	s, st := benchCatalog(b)
	firstPage(b, s, st)
	for b.Loop() {
		s.cat.state = fileState{} // as after a publication
		firstPage(b, s, st)
	}
}

// BenchmarkCatalogSortedByOrganisation is the first list in an order not
// asked for before in this reading of the store: every row sorted once.
func BenchmarkCatalogSortedByOrganisation(b *testing.B) {
	s, st := benchCatalog(b)
	firstPage(b, s, st)
	q, err := parseQuery(url.Values{"sort": {"organisation"}, "page": {"40"}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s.cat.orders = nil
		if len(q.selectRows(s.cat)) == 0 {
			b.Fatal("no rows")
		}
	}
}
