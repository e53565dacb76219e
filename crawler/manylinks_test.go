package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A page of 20,000 links queues at most MaxLinksPerPage of them, named
// links first (the three report links at its very end are fetched), counts
// the rest, and the crawl commits and ends.
func TestPageOfManyLinks(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.URL.Path] = true
		mu.Unlock()
		switch {
		case r.URL.Path == "/":
			var b strings.Builder
			b.WriteString(`<html><head><title>某县人民政府</title></head><body>`)
			for i := range 20_000 {
				fmt.Fprintf(&b, `<a href="/x/%d.html">%d</a>`, i, i)
			}
			for y := 2021; y <= 2023; y++ {
				fmt.Fprintf(&b, `<a href="/nb/%d.html">某县%d年政府信息公开工作年度报告</a>`, y, y)
			}
			w.Write([]byte(b.String()))
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: time.Millisecond, Timeout: 10 * time.Second, MaxBytes: 16 << 20, MaxPagesPerHost: 20}
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	if want := int64(20_003 - MaxLinksPerPage); sum.LinksDropped != want {
		t.Errorf("%d links dropped, want %d", sum.LinksDropped, want)
	}
	mu.Lock()
	defer mu.Unlock()
	for y := 2021; y <= 2023; y++ {
		if !asked[fmt.Sprintf("/nb/%d.html", y)] {
			t.Errorf("the report link of %d, last on the page, was not followed", y)
		}
	}
}
