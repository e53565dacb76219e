package crawler

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/fetch"
)

// A resolver that never answers (a DNS server out of reach) is waited for
// once per name and minute: the requests after the first go to the proxy
// without asking it again. A name that resolves to a private address is
// refused every time.
func TestNameCheckKeepsUnresolvableNames(t *testing.T) {
	var calls atomic.Int64
	n := newNameCheck(func(ctx context.Context, host string) ([]net.IP, error) {
		calls.Add(1)
		if host == "intranet.example.gov.cn" {
			return []net.IP{net.ParseIP("10.1.2.3")}, nil
		}
		<-ctx.Done() // never answers
		return nil, ctx.Err()
	})
	n.timeout = 20 * time.Millisecond
	clock := time.Unix(1_800_000_000, 0)
	n.now = func() time.Time { return clock }
	for range 5 {
		if err := n.check(context.Background(), "www.hz001.gov.cn"); err != nil {
			t.Fatal(err)
		}
	}
	if c := calls.Load(); c != 1 {
		t.Fatalf("%d lookups of one unresolvable name for five requests, want 1", c)
	}
	clock = clock.Add(2 * time.Minute)
	n.check(context.Background(), "www.hz001.gov.cn")
	if c := calls.Load(); c != 2 {
		t.Fatalf("%d lookups after the name's minute, want 2", c)
	}
	for range 2 {
		if err := n.check(context.Background(), "intranet.example.gov.cn"); !errors.Is(err, fetch.ErrPrivateAddress) {
			t.Fatalf("a name resolving to 10.1.2.3: %v", err)
		}
	}
	// A request that ends while its name is looked up says nothing of the name.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n.check(ctx, "cancelled.example.gov.cn")
	n.check(context.Background(), "cancelled.example.gov.cn")
	if c := calls.Load(); c != 6 {
		t.Fatalf("%d lookups, want 6: the cancelled request's name asked again", c)
	}
}
