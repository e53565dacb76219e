package crawler

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/nianbao/nianbao/fetch"
)

// nameCheck resolves the host names a crawl sends through a proxy and refuses
// those that name a loopback or private address, before the proxy connects to
// them (without a proxy the dialer checks the address it connects to). A name
// that cannot be resolved here is left to the proxy: it may resolve names this
// machine cannot. Answers are kept for the run.
type nameCheck struct {
	resolve func(ctx context.Context, host string) ([]net.IP, error)
	mu      sync.Mutex
	seen    map[string]error
}

func newNameCheck(resolve func(ctx context.Context, host string) ([]net.IP, error)) *nameCheck {
	if resolve == nil {
		resolve = func(ctx context.Context, host string) ([]net.IP, error) {
			return net.DefaultResolver.LookupIP(ctx, "ip", host)
		}
	}
	return &nameCheck{resolve: resolve, seen: map[string]error{}}
}

// check refuses a host whose name resolves to a non-public address.
func (n *nameCheck) check(ctx context.Context, host string) error {
	if net.ParseIP(host) != nil {
		return nil // a literal: the scope has judged it already
	}
	n.mu.Lock()
	err, ok := n.seen[host]
	n.mu.Unlock()
	if ok {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, lerr := n.resolve(ctx, host)
	if lerr == nil {
		for _, ip := range ips {
			if !fetch.Public(ip) {
				err = fmt.Errorf("%s resolves to %s: %w", host, ip, fetch.ErrPrivateAddress)
				break
			}
		}
	}
	if ctx.Err() == nil || lerr == nil {
		n.mu.Lock()
		n.seen[host] = err
		n.mu.Unlock()
	}
	return err
}
