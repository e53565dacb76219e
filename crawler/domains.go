package crawler

import (
	"sync"

	"github.com/nianbao/nianbao/store"
)

// domainHosts counts, per registered domain, the hosts a run's links have led
// to, so that a wildcard domain (every page linking 200 new sub-domains: 710,000
// hosts queued in a minute) yields at most MaxHostsPerDomain of them. The
// seeds' hosts are known from the start and never refused. What it keeps is
// bounded by the cap times the domains the scope allows.
type domainHosts struct {
	mu      sync.Mutex
	hosts   map[string]map[string]bool // registered domain → hosts
	refused func()                     // counts a link refused
}

func (d *domainHosts) add(host string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.hosts == nil {
		d.hosts = map[string]map[string]bool{}
	}
	dom := store.RegisteredDomain(host)
	if d.hosts[dom] == nil {
		d.hosts[dom] = map[string]bool{}
	}
	d.hosts[dom][host] = true
}

// admit says whether a link to host may be queued: a host already met, or a
// new one while its domain has fewer than limit.
func (d *domainHosts) admit(host string, limit int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.hosts == nil {
		d.hosts = map[string]map[string]bool{}
	}
	dom := store.RegisteredDomain(host)
	hs := d.hosts[dom]
	if hs[host] {
		return true
	}
	if len(hs) >= limit {
		if d.refused != nil {
			d.refused()
		}
		return false
	}
	if hs == nil {
		hs = map[string]bool{}
		d.hosts[dom] = hs
	}
	hs[host] = true
	return true
}
