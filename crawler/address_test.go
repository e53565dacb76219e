package crawler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/dnscache"
	"github.com/nianbao/nianbao/dnscache/dnstest"
)

// TestHostsOfOneAddressAskedAsOneServer: three registered domains whose
// names resolve, through a real DNS server on loopback, to one address are
// one server: with per_domain 1 the server never has two requests at once
// and is asked no faster than one polite host, and the run report counts
// the hosts that share it. Without ByAddress the same crawl asks it several
// at a time, which is what a shared hosting server saw before.
func TestHostsOfOneAddressAskedAsOneServer(t *testing.T) {
	t.Parallel()
	names := []string{"www.one-county.gov.cn", "www.two-county.gov.cn", "www.three-county.gov.cn"}
	zone := map[string]dnstest.Record{}
	for _, n := range names {
		zone[n] = dnstest.Record{IP: [4]byte{127, 0, 0, 1}, TTL: 300}
	}
	dns := dnstest.NewServer(t, zone)
	var d net.Dialer
	toServer := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, dns.Addr)
	}
	const delay = 60 * time.Millisecond
	for _, byAddress := range []bool{true, false} {
		t.Run(fmt.Sprintf("by_address=%v", byAddress), func(t *testing.T) {
			var mu sync.Mutex
			var now, most int
			var arrivals []time.Time
			web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				now++
				most = max(most, now)
				arrivals = append(arrivals, time.Now())
				mu.Unlock()
				defer func() { mu.Lock(); now--; mu.Unlock() }()
				time.Sleep(20 * time.Millisecond) // long enough for requests at once to overlap
				if r.URL.Path != "/" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				for i := range 3 {
					fmt.Fprintf(w, `<a href="/xxgk/t%d.html">政府信息公开</a> `, i)
				}
			}))
			defer web.Close()
			_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
			var seeds []string
			for _, n := range names {
				seeds = append(seeds, "http://"+n+":"+port+"/")
			}
			st, ex := testStore(t)
			cfg := Config{AllowPrivate: true, Delay: delay, Timeout: 5 * time.Second, Workers: 8, PerDomain: 1, ByAddress: byAddress,
				DNS: dnscache.New(dnscache.Options{Dial: toServer})}
			sum := crawlOnce(t, cfg, st, ex, seeds...)
			mu.Lock()
			defer mu.Unlock()
			if len(arrivals) < 12 {
				t.Fatalf("the server was asked %d times, want robots.txt, the page and its three links of each host", len(arrivals))
			}
			if !byAddress {
				if most < 2 {
					t.Errorf("hosts not grouped by address: at most %d request at once; the control should overlap", most)
				}
				return
			}
			if most != 1 {
				t.Errorf("one server was asked %d requests at once, want 1", most)
			}
			if span, least := arrivals[len(arrivals)-1].Sub(arrivals[0]), time.Duration(len(arrivals)-1)*delay*8/10; span < least {
				t.Errorf("%d requests came in %v; one polite host takes at least %v", len(arrivals), span, least)
			}
			if sum.SharedAddress != 2 {
				t.Errorf("hosts sharing an address: %d, want 2 (the second and third domain)", sum.SharedAddress)
			}
		})
	}
}
