package crawler

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/nianbao/nianbao/fetch"
)

// nameCheck resolves the host names a crawl sends through a proxy and refuses
// those that name a loopback or private address, before the proxy connects to
// them (without a proxy the dialer checks the address it connects to). A name
// that cannot be resolved here is left to the proxy: it may resolve names this
// machine cannot. Answers are kept by the resolver (the crawl's keeps them for
// their TTL).
type nameCheck struct {
	resolve func(ctx context.Context, host string) ([]net.IP, error)
}

func newNameCheck(resolve func(ctx context.Context, host string) ([]net.IP, error)) *nameCheck {
	return &nameCheck{resolve: resolve}
}

// check refuses a host whose name resolves to a non-public address.
func (n *nameCheck) check(ctx context.Context, host string) error {
	if net.ParseIP(host) != nil {
		return nil // a literal: the scope has judged it already
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := n.resolve(ctx, host)
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if !fetch.Public(ip) {
			return fmt.Errorf("%s resolves to %s: %w", host, ip, fetch.ErrPrivateAddress)
		}
	}
	return nil
}
