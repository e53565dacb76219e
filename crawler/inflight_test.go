package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Six hosts answer 2 MB pages at once, each under max_bytes: with a memory
// budget of one such answer, the large bodies are read one at a time (each
// holds its permit until it is processed), and every page is still fetched.
func TestBytesInFlightAreBounded(t *testing.T) {
	page := "<html><head><title>某县人民政府</title></head><body>" + strings.Repeat("<p>某县政务公开</p>", 2<<20/24) + "</body></html>"
	var seeds []string
	for range 6 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(page))
		}))
		defer srv.Close()
		seeds = append(seeds, srv.URL+"/")
	}
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: time.Millisecond, Timeout: 20 * time.Second, MaxBytes: 4 << 20, MemoryBudget: 4 << 20, Workers: 16}
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
	if most := c.bodies.most.Load(); most != 1 {
		t.Errorf("%d large bodies held at once; the budget allows 1", most)
	}
	if c.bodies.held.Load() != 0 {
		t.Errorf("%d permits still held after the run", c.bodies.held.Load())
	}
	if sum.Errors != 0 || sum.Fetched < 6 {
		t.Errorf("fetched %d, errors %d, failures %+v", sum.Fetched, sum.Errors, sum.Failures)
	}
}
