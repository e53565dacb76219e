package dnscache

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/dnscache/dnstest"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// resolverFor is a Resolver whose every DNS query goes to s.
func resolverFor(s *dnstest.Server, c *clock) *Resolver {
	var d net.Dialer
	return New(Options{Now: c.Now, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, s.Addr)
	}})
}

func lookup(t *testing.T, r *Resolver, host string) []net.IP {
	t.Helper()
	ips, err := r.LookupIP(t.Context(), host)
	if err != nil {
		t.Fatalf("looking up %s: %v", host, err)
	}
	return ips
}

// TestAnswersKeptForTheirTTL: a name is asked once per TTL, a TTL of 0 is
// never kept, and the answer is the server's.
func TestAnswersKeptForTheirTTL(t *testing.T) {
	s := dnstest.NewServer(t, map[string]dnstest.Record{
		"www.a.example": {IP: [4]byte{192, 0, 2, 1}, TTL: 60},
		"www.b.example": {IP: [4]byte{192, 0, 2, 2}, TTL: 0},
	})
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := resolverFor(s, c)

	ips := lookup(t, r, "www.a.example")
	if len(ips) != 1 || !ips[0].Equal(net.IPv4(192, 0, 2, 1)) {
		t.Fatalf("answer %v", ips)
	}
	asked := s.Queries.Load() // A and AAAA
	if asked == 0 {
		t.Fatal("the server was never asked")
	}
	c.advance(59 * time.Second)
	lookup(t, r, "WWW.A.example.")
	if got := s.Queries.Load(); got != asked {
		t.Errorf("asked again within the TTL: %d queries, then %d", asked, got)
	}
	c.advance(2 * time.Second)
	lookup(t, r, "www.a.example")
	if got := s.Queries.Load(); got != 2*asked {
		t.Errorf("after the TTL: %d queries, want %d", got, 2*asked)
	}

	before := s.Queries.Load()
	lookup(t, r, "www.b.example")
	lookup(t, r, "www.b.example")
	if got := s.Queries.Load() - before; got != 2*asked {
		t.Errorf("a TTL of 0 was kept: %d queries for two lookups, want %d", got, 2*asked)
	}
	if st := r.Stats(); st.Lookups != 5 || st.Cached != 1 {
		t.Errorf("stats %+v, want 5 lookups, 1 from the cache", st)
	}
	if ips := lookup(t, r, "192.0.2.9"); len(ips) != 1 || r.Stats().Lookups != 5 {
		t.Errorf("an IP literal: %v, stats %+v", ips, r.Stats())
	}
}

// TestMissingNameKeptForItsNegativeTTL: a name that does not exist is asked
// again after the zone's negative TTL (30 s here), not before.
func TestMissingNameKeptForItsNegativeTTL(t *testing.T) {
	s := dnstest.NewServer(t, nil)
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := resolverFor(s, c)
	_, err := r.LookupIP(t.Context(), "gone.example")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("a missing name: %v", err)
	}
	asked := s.Queries.Load()
	c.advance(29 * time.Second)
	if _, err := r.LookupIP(t.Context(), "gone.example"); err == nil || s.Queries.Load() != asked {
		t.Errorf("within the negative TTL: %v, %d queries (want %d)", err, s.Queries.Load(), asked)
	}
	c.advance(2 * time.Second)
	r.LookupIP(t.Context(), "gone.example")
	if s.Queries.Load() == asked {
		t.Errorf("not asked again after the negative TTL")
	}
}

// TestConcurrentLookupsShareOneQuery: many requests for a host at once ask
// the server once.
func TestConcurrentLookupsShareOneQuery(t *testing.T) {
	s := dnstest.NewServer(t, map[string]dnstest.Record{"www.a.example": {IP: [4]byte{192, 0, 2, 1}, TTL: 300}})
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := resolverFor(s, c)
	lookup(t, New(Options{Dial: r.opts.Dial}), "www.a.example") // how many queries one lookup takes
	one := s.Queries.Load()
	s.Queries.Store(0)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := r.LookupIP(t.Context(), "www.a.example"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := s.Queries.Load(); got != one {
		t.Errorf("50 lookups at once made %d queries, one makes %d", got, one)
	}
}

// TestDialUsesTheCache: the dial function connects to the address the cache
// holds, checked by the dialer's Control, and asks the server once for two
// connections.
func TestDialUsesTheCache(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer web.Close()
	s := dnstest.NewServer(t, map[string]dnstest.Record{"www.loop.example": {IP: [4]byte{127, 0, 0, 1}, TTL: 300}})
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := resolverFor(s, c)
	var dialed []string
	var mu sync.Mutex
	d := &net.Dialer{Control: func(_, address string, _ syscall.RawConn) error {
		mu.Lock()
		dialed = append(dialed, address)
		mu.Unlock()
		return nil
	}}
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	client := &http.Client{Transport: &http.Transport{DialContext: r.DialContext(d), DisableKeepAlives: true}}
	for range 2 {
		resp, err := client.Get("http://www.loop.example:" + port + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	asked := s.Queries.Load()
	if len(dialed) != 2 || dialed[0] != "127.0.0.1:"+port {
		t.Errorf("dialed %v", dialed)
	}
	if st := r.Stats(); st.Lookups != 2 || st.Cached != 1 || asked == 0 {
		t.Errorf("two connections: stats %+v, %d queries", st, asked)
	}
}
