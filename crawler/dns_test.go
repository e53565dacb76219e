package crawler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nianbao/nianbao/dnscache"
	"github.com/nianbao/nianbao/dnscache/dnstest"
)

// TestNamesResolvedOncePerTTL: a crawl whose server closes every connection
// dials afresh for each request, and its DNS server is asked for the name as
// often as one lookup asks, not once per connection.
func TestNamesResolvedOncePerTTL(t *testing.T) {
	t.Parallel()
	dns := dnstest.NewServer(t, map[string]dnstest.Record{"www.dnstest.gov.cn": {IP: [4]byte{127, 0, 0, 1}, TTL: 300}})
	var d net.Dialer
	toServer := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, dns.Addr)
	}
	if _, err := dnscache.New(dnscache.Options{Dial: toServer}).LookupIP(t.Context(), "www.dnstest.gov.cn"); err != nil {
		t.Fatal(err)
	}
	one := dns.Queries.Load() // what one lookup asks (A, AAAA, and any search domains)
	dns.Queries.Store(0)

	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for i := range 4 {
			fmt.Fprintf(w, `<a href="/xxgk/t%d.html">政府信息公开</a> `, i)
		}
	}))
	defer web.Close()
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 5 * time.Second, DNS: dnscache.New(dnscache.Options{Dial: toServer})}
	sum := crawlOnce(t, cfg, st, ex, "http://www.dnstest.gov.cn:"+port+"/")
	if sum.Fetched < 5 {
		t.Fatalf("fetched %d, want the page and its four links", sum.Fetched)
	}
	if got := dns.Queries.Load(); got != one {
		t.Errorf("%d requests on fresh connections asked the DNS server %d times; one lookup asks %d", sum.Fetched, got, one)
	}
	if sum.DNS.Lookups < sum.Fetched || sum.DNS.Cached != sum.DNS.Lookups-1 {
		t.Errorf("summary's names: %+v for %d requests, want one lookup per connection, all but the first cached", sum.DNS, sum.Fetched)
	}
}
