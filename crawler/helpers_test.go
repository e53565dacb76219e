package crawler

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

// testStore opens a new store and an extractor for a test, closed with it.
func testStore(t *testing.T) (*store.Store, *extract.Extractor) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, testExtractor(t)
}

// sharedExtractor is the extractor every crawl of a test binary shares: its
// PDFium starts once (about a second under the race detector), not once a
// crawl. It is safe for concurrent use, as one crawl's workers use it.
var sharedExtractor = sync.OnceValues(extract.New)

// testExtractor is the shared extractor.
func testExtractor(t testing.TB) *extract.Extractor {
	t.Helper()
	ex, err := sharedExtractor()
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// crawlOnce runs one crawl of seeds into st, within a minute.
func crawlOnce(t *testing.T, cfg Config, st *store.Store, ex *extract.Extractor, seeds ...string) Summary {
	t.Helper()
	c, err := New(cfg, st, ex, seeds)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
