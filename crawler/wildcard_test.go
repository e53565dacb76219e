package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A wildcard domain whose every page links 30 new sub-domains (all one
// server, reached here through a forward proxy on loopback) is asked as one
// server: never more than PerDomain requests in flight across its names, and
// at most MaxHostsPerDomain of its names, the rest counted as refused.
func TestWildcardDomainIsOneServer(t *testing.T) {
	var (
		mu       sync.Mutex
		hosts    = map[string]bool{}
		inFlight int
		most     int
		next     int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		hosts[r.Host] = true
		inFlight++
		most = max(most, inFlight)
		first := next
		next += 30
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // long enough for requests to overlap if they may
		var b strings.Builder
		b.WriteString(`<html><head><title>某市人民政府</title></head><body>`)
		for i := first; i < first+30; i++ {
			fmt.Fprintf(&b, `<a href="http://h%d.evil.gov.cn/">部门%d</a>`, i, i)
		}
		b.WriteString(`</body></html>`)
		w.Write([]byte(b.String()))
		mu.Lock()
		inFlight--
		mu.Unlock()
	}))
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Proxy: srv.URL, Delay: 100 * time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 1 << 20,
		PerDomain: 2, MaxHostsPerDomain: 25, Workers: 32}
	c, err := New(cfg, st, ex, []string{"http://www.evil.gov.cn/"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sum, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if most > 2 {
		t.Errorf("%d requests to the one server at once; per_domain is 2", most)
	}
	if len(hosts) > 25 {
		t.Errorf("%d of the domain's names asked; at most 25 may be discovered", len(hosts))
	}
	if sum.HostsRefused == 0 {
		t.Errorf("no link refused, %d names asked", len(hosts))
	}
	t.Logf("%d names asked, %d links to new names refused, at most %d at once", len(hosts), sum.HostsRefused, most)
}
