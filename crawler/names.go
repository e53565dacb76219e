package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/nianbao/nianbao/fetch"
)

// nameCheck resolves the host names a crawl sends through a proxy and refuses
// those that name a loopback or private address, before the proxy connects to
// them (without a proxy the dialer checks the address it connects to). A name
// that cannot be resolved here is left to the proxy: it may resolve names this
// machine cannot. Answers are kept by the resolver (the crawl's keeps them for
// their TTL); so is, here, that a name could not be resolved at all, whatever
// the reason: a resolver that never answers (a DNS server out of reach) costs
// one wait per name and minute, not one before every request, which had added
// seconds to every request through a proxy.
type nameCheck struct {
	resolve func(ctx context.Context, host string) ([]net.IP, error)
	timeout time.Duration // the longest one lookup is waited for
	keep    time.Duration // how long a name that could not be resolved is left to the proxy unasked
	now     func() time.Time

	mu         sync.Mutex
	unresolved map[string]time.Time // name → until when it is not asked again
}

// maxUnresolved bounds the names remembered as unresolvable (a wildcard
// domain can offer any number); past it the memory starts again.
const maxUnresolved = 100_000

func newNameCheck(resolve func(ctx context.Context, host string) ([]net.IP, error)) *nameCheck {
	return &nameCheck{resolve: resolve, timeout: 3 * time.Second, keep: time.Minute, now: time.Now, unresolved: map[string]time.Time{}}
}

// check refuses a host whose name resolves to a non-public address.
func (n *nameCheck) check(ctx context.Context, host string) error {
	if net.ParseIP(host) != nil {
		return nil // a literal: the scope has judged it already
	}
	for _, ip := range n.lookup(ctx, host) {
		if !fetch.Public(ip) {
			return fmt.Errorf("%s resolves to %s: %w", host, ip, fetch.ErrPrivateAddress)
		}
	}
	return nil
}

// lookup resolves a name within the timeout, nil when it cannot be
// resolved here (then not asked again for a while).
func (n *nameCheck) lookup(ctx context.Context, host string) []net.IP {
	n.mu.Lock()
	until, known := n.unresolved[host]
	n.mu.Unlock()
	if known && n.now().Before(until) {
		return nil
	}
	lctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	ips, err := n.resolve(lctx, host)
	if err != nil {
		if ctx.Err() == nil { // not the request's own end: the name's
			n.forget(host)
		}
		return nil
	}
	return ips
}

// forget remembers that a name could not be resolved, for a while.
func (n *nameCheck) forget(host string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.unresolved) >= maxUnresolved {
		clear(n.unresolved)
	}
	n.unresolved[host] = n.now().Add(n.keep)
}

// address is the address a host's requests go to, as far as this machine can
// tell: its literal, or the least of the addresses its name resolves to
// (hosts that share any one address are one server to politeness; the least
// makes the choice stable across lookups). Empty when the name cannot be
// resolved here (behind a proxy that resolves it, or a dead name).
func (n *nameCheck) address(ctx context.Context, host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip := net.ParseIP(host); ip != nil {
		return ip.String()
	}
	ips := n.lookup(ctx, host)
	if len(ips) == 0 {
		return ""
	}
	least := ips[0]
	for _, ip := range ips[1:] {
		if bytes.Compare(ip.To16(), least.To16()) < 0 {
			least = ip
		}
	}
	return least.String()
}
