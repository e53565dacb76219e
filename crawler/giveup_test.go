package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A host that answers 503 with an absurd Retry-After on every page is given
// up: after MaxHostFailures × (MaxRetries+1) such answers in a row, or once
// its back-offs have cost the run MaxHostBackoff, whichever comes first. The
// run ends, names the host and why, and the server saw a bounded number of
// requests, not one per page and retry.
func TestHostThatNeverGetsBetterIsGivenUp(t *testing.T) {
	for _, c := range []struct {
		name       string
		maxBackoff time.Duration
		hostBudget time.Duration
		want       string
		most       int64
	}{
		{"failures in a row", 20 * time.Millisecond, time.Hour, "failures in a row", 12},
		{"back-off budget", 100 * time.Millisecond, 250 * time.Millisecond, "backed off for", 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			var asked atomic.Int64
			mux := http.NewServeMux()
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/robots.txt":
					http.NotFound(w, r)
				case r.URL.Path == "/":
					var b strings.Builder
					b.WriteString(`<html><head><title>某县人民政府</title></head><body>`)
					for i := range 40 {
						fmt.Fprintf(&b, `<a href="/nb/t%d.html">某县%d年政府信息公开工作年度报告</a>`, i, 1990+i)
					}
					w.Write([]byte(b.String()))
				default:
					asked.Add(1)
					w.Header().Set("Retry-After", "999999999")
					http.Error(w, "busy", http.StatusServiceUnavailable)
				}
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			st, ex := testStore(t)
			cfg := Config{AllowPrivate: true, Delay: time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 1 << 20,
				BackoffBase: time.Millisecond, MaxBackoff: c.maxBackoff, MaxHostBackoff: c.hostBudget}
			sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
			if len(sum.GivenUp) != 1 || !strings.Contains(sum.GivenUp[0].Detail, c.want) {
				t.Fatalf("given up: %+v; want the host, %q", sum.GivenUp, c.want)
			}
			if n := asked.Load(); n > c.most {
				t.Errorf("the server was asked %d times after its first 503s; the host should be given up after %d", n, c.most)
			}
		})
	}
}
