package crawler

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Seeds that spell a loopback or private address are refused before any
// request, through a proxy as well as without one, and the run says which
// and why (not "robots-disallowed").
func TestPrivateSpellingsNeverReachTheProxy(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String())
		mu.Unlock()
		http.Error(w, "a logging proxy", http.StatusBadGateway)
	}))
	defer proxy.Close()
	port := proxy.URL[strings.LastIndexByte(proxy.URL, ':'):]
	var seeds []string
	for _, h := range []string{"localhost", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::ffff:127.0.0.1]", "127.0.0.1.", "10.0.0.1"} {
		seeds = append(seeds, "http://"+h+port+"/")
	}
	st, ex := testStore(t)
	for _, withProxy := range []bool{true, false} {
		cfg := Config{Delay: 5 * time.Millisecond, Timeout: 2 * time.Second}
		if withProxy {
			cfg.Proxy = proxy.URL
		}
		sum := crawlOnce(t, cfg, st, ex, seeds...)
		if len(sum.Refused) != len(seeds) || sum.Fetched != 0 || sum.Disallowed != 0 {
			t.Errorf("proxy %v: refused %d of %d seeds, fetched %d, robots-disallowed %d", withProxy, len(sum.Refused), len(seeds), sum.Fetched, sum.Disallowed)
		}
		for _, r := range sum.Refused {
			if !strings.Contains(r.Reason, "private") {
				t.Errorf("%s refused for %q", r.URL, r.Reason)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) > 0 {
		t.Errorf("the proxy was asked for %v", seen)
	}
}

// A gov.cn name that resolves to a loopback address is refused before the
// proxy is asked to connect to it, and the host is given up as refused.
func TestPrivateNameNeverReachesTheProxy(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String())
		mu.Unlock()
		http.Error(w, "a logging proxy", http.StatusBadGateway)
	}))
	defer proxy.Close()
	st, ex := testStore(t)
	resolve := func(_ context.Context, host string) ([]net.IP, error) {
		if host == "www.rebind.gov.cn" {
			return []net.IP{net.ParseIP("127.0.0.1")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	cfg := Config{Proxy: proxy.URL, Delay: 5 * time.Millisecond, Timeout: 2 * time.Second, Resolve: resolve}
	sum := crawlOnce(t, cfg, st, ex, "http://www.rebind.gov.cn/")
	if len(sum.GivenUp) != 1 || sum.GivenUp[0].Class != ClassRefused || sum.Disallowed != 0 {
		t.Errorf("given up %+v, robots-disallowed %d; want the host refused", sum.GivenUp, sum.Disallowed)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) > 0 {
		t.Errorf("the proxy was asked for %v", seen)
	}
}
