package store

import (
	"os"
	"testing"
)

// BenchmarkLookups times the lookups a command makes on a large store
// (NIANBAO_BENCH_STORE, e.g. bench/scale's scale.db; skipped without it):
// the history of an address in it and of one not in it, and import's
// "imported before?" of a file it holds.
func BenchmarkLookups(b *testing.B) {
	path := os.Getenv("NIANBAO_BENCH_STORE")
	if path == "" {
		b.Skip("NIANBAO_BENCH_STORE names no store")
	}
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if !s.Indexed() {
		b.Fatal("the store has no indexes")
	}
	var in string
	var imp *Capture
	if err := s.Captures(func(c *Capture) error {
		if c.URL != "" && in == "" {
			in = c.URL
		}
		if c.Origin == "import" && imp == nil {
			imp = c
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.Run("history URL in store", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.History(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("history URL not in store", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.History("http://www.absent.gov.cn/none.html"); err == nil {
				b.Fatal("found")
			}
		}
	})
	b.Run("imported before", func(b *testing.B) {
		for b.Loop() {
			if found, _, err := s.Imported(imp.Name, imp.SHA256); !found || err != nil {
				b.Fatal(found, err)
			}
		}
	})
}
