package store

import (
	"container/heap"
	"net"
	"strings"
	"time"
)

// Politeness per server, not only per host name: the hosts of one registered
// domain (a wildcard domain can offer any number of names, all on one
// server) share a limit on requests in flight and on their rate, so that
// however many names a site spells, its server is asked no faster than
// Limit polite hosts together. The frontier hands a host's request out only
// when its server may be asked too; otherwise the host waits for the
// server's next turn. Hosts named by an IP address are their own server.
//
// Names that resolve to one address share it too (ByAddress): a shared
// hosting address or a wildcard domain spelt under several registered
// domains is one server. The crawl learns a host's address before its first
// request (Locate), and the host's server and the address's are joined into
// one: a union of servers, each host pointing at the one it now shares.

// ServerPolicy says how hosts share a server's politeness.
type ServerPolicy struct {
	// Limit is how many requests a registered domain's hosts may have in
	// flight at once, and, with Gap, how fast they are asked together: at
	// most Limit requests per Gap. 0 leaves hosts ungrouped.
	Limit int
	Gap   time.Duration // a host's own delay
	// ByAddress joins, into one server, the hosts whose names resolve to
	// one address (with Limit > 0; see Locate).
	ByAddress bool
}

// serverQueue is one server's share of the crawl (under the frontier's lock).
// Of its hosts ready to be asked, one waits in the frontier's heap for the
// server's next turn (rep) and the others in line behind it (parked), so a
// server of a million names costs the heap one entry, not a million looked
// at on every turn.
type serverQueue struct {
	keys     []string // the registered domains and addresses it stands for
	hosts    []*hostQ // the hosts that share it
	inFlight int
	next     time.Time // when it may be asked again
	rep      *hostQ
	parked   []*hostQ
}

// reserve marks a host asked, out of the heap, on its server's share (the
// lock is held): taken for a queued request, or held for one outside the
// queue.
func (f *Frontier) reserve(q *hostQ) {
	q.busy = true
	f.servers.took(q.server, f.now())
	if q.server != nil && q.server.rep == q {
		q.server.rep = nil
		f.unpark(q.server) // the next of its server's hosts waits the next turn
	}
}

// wait makes a ready host wait for its server's turn at later (the lock is
// held): the server's representative in the heap, or in line behind it.
func (f *Frontier) wait(q *hostQ, later time.Time) {
	s := q.server
	if s.rep != nil && s.rep != q && s.rep.index >= 0 {
		heap.Remove(&f.ready, q.index)
		q.parked = true
		s.parked = append(s.parked, q)
		return
	}
	s.rep = q
	q.readyAt = later
	heap.Fix(&f.ready, q.index)
}

// unpark offers the next host in the server's line when none of its hosts
// waits in the heap, or brings the one that waits forward to the server's
// next turn when a request of it has ended (the lock is held).
func (f *Frontier) unpark(s *serverQueue) {
	if s != nil && s.rep != nil && s.rep.index >= 0 && s.inFlight < f.servers.Limit {
		if turn := later(s.next, f.now()); s.rep.readyAt.After(turn) {
			s.rep.readyAt = turn
			heap.Fix(&f.ready, s.rep.index)
		}
	}
	for s != nil && (s.rep == nil || s.rep.index < 0) && len(s.parked) > 0 {
		q := s.parked[0]
		s.parked[0] = nil
		s.parked = s.parked[1:]
		q.parked = false
		f.offer(q)
		if q.index >= 0 {
			return
		}
	}
}

type serverPolicy struct {
	ServerPolicy
	servers map[string]*serverQueue
}

// SetServerPolicy groups the hosts that share a server (before the run).
func (f *Frontier) SetServerPolicy(p ServerPolicy) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.servers = serverPolicy{ServerPolicy: p, servers: map[string]*serverQueue{}}
	for _, q := range f.hosts {
		q.server = f.servers.of(q.name)
		q.located = false
		if q.server != nil {
			q.server.hosts = append(q.server.hosts, q)
		}
	}
}

// of is the server a host shares, nil when hosts are not grouped.
func (p *serverPolicy) of(host string) *serverQueue {
	if p.Limit <= 0 {
		return nil
	}
	return p.keyed(RegisteredDomain(host))
}

// keyed is the server a registered domain or an address ("addr " and the
// address) stands for, made when first named.
func (p *serverPolicy) keyed(key string) *serverQueue {
	s := p.servers[key]
	if s == nil {
		s = &serverQueue{keys: []string{key}}
		p.servers[key] = s
	}
	return s
}

// due says whether the server may be asked now, and if not from when.
func (p *serverPolicy) due(s *serverQueue, now time.Time) (time.Time, bool) {
	switch {
	case s == nil:
		return now, true
	case s.inFlight >= p.Limit:
		return now.Add(p.interval()), false // looked at again after a turn
	case s.next.After(now):
		return s.next, false
	}
	return now, true
}

// took counts a request handed out to one of the server's hosts.
func (p *serverPolicy) took(s *serverQueue, now time.Time) {
	if s == nil {
		return
	}
	s.inFlight++
	s.next = now.Add(p.interval())
}

// done counts a host of the server released.
func (p *serverPolicy) done(s *serverQueue) {
	if s != nil && s.inFlight > 0 {
		s.inFlight--
	}
}

// interval is the least time between two requests to one server.
func (p *serverPolicy) interval() time.Duration {
	return p.Gap / time.Duration(p.Limit)
}

// secondLevel are the labels under which a name's registered domain takes
// one more label (hz.gov.cn, not gov.cn).
var secondLevel = map[string]bool{"gov": true, "com": true, "net": true, "org": true, "edu": true, "ac": true, "mil": true}

// RegisteredDomain is the domain a host name was registered under: its last
// two labels, or three under a second-level domain (www.hz.gov.cn →
// hz.gov.cn; a.b.example.com → example.com). An IP address (or a name
// without a dot) is its own, with its port.
func RegisteredDomain(host string) string {
	name := strings.ToLower(host)
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	name = strings.TrimSuffix(name, ".")
	if net.ParseIP(name) != nil || !strings.Contains(name, ".") {
		return strings.ToLower(host)
	}
	labels := strings.Split(name, ".")
	n := 2
	if len(labels) >= 3 && secondLevel[labels[len(labels)-2]] && len(labels[len(labels)-1]) == 2 {
		n = 3
	}
	if len(labels) <= n {
		return name
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Located is what Locate found.
type Located int

const (
	// LocatedAlone: the host's address is its own (or unknown, or hosts are
	// not grouped by address); the request goes on.
	LocatedAlone Located = iota
	// LocatedShared: another host's server had the address; the two are one
	// server now, and the request goes on.
	LocatedShared
	// LocatedWait: as LocatedShared, but the joined server may not be asked
	// now; the request was given back and waits for the server's turn.
	LocatedWait
)

// Locate gives the frontier the address a request's host resolves to (addr,
// empty when it could not be resolved here), for the request Next handed out
// with Unlocated set, before anything is sent to the host. The host's server
// and the address's are joined into one. When the joined server may not be
// asked now (another of its hosts was asked within its interval, or its share
// is in flight), the request is given back, not taken, and the host waits for
// the server's turn (LocatedWait).
func (f *Frontier) Locate(req *QueuedRequest, addr string) Located {
	f.mu.Lock()
	q := f.host(req.Host)
	grouped := !q.located && q.server != nil && f.servers.ByAddress && addr != ""
	q.located = true
	if !grouped {
		f.mu.Unlock()
		return LocatedAlone
	}
	a, b := f.servers.keyed("addr "+addr), q.server
	if a == b {
		f.mu.Unlock()
		return LocatedAlone
	}
	shared := len(a.hosts) > 0
	_, free := f.servers.due(a, f.now()) // before this request joins it
	s := f.join(a, b)
	if free || !shared {
		f.mu.Unlock()
		if shared {
			return LocatedShared
		}
		return LocatedAlone
	}
	// Given back: the request untaken, the host not busy, its server's
	// count without it; it is handed out again at the server's turn.
	if t := f.taken[req.Host]; t[req.Seq] {
		delete(t, req.Seq)
		f.ntaken--
		if len(t) == 0 {
			delete(f.taken, req.Host)
		}
	}
	if q.busy {
		q.busy = false
		f.servers.done(s)
	}
	q.readyAt = later(q.readyAt, s.next)
	f.offer(q)
	f.unpark(s)
	f.mu.Unlock()
	f.notify()
	return LocatedWait
}

// join makes two servers one (the lock is held): the smaller's hosts and
// names move to the larger, which takes their requests in flight, the later
// of their next turns, and their hosts in line.
func (f *Frontier) join(a, b *serverQueue) *serverQueue {
	if len(a.hosts) < len(b.hosts) {
		a, b = b, a
	}
	for _, h := range b.hosts {
		h.server = a
	}
	a.hosts = append(a.hosts, b.hosts...)
	for _, k := range b.keys {
		f.servers.servers[k] = a
	}
	a.keys = append(a.keys, b.keys...)
	a.inFlight += b.inFlight
	a.next = later(a.next, b.next)
	inHeap := func(q *hostQ) bool { return q != nil && q.index >= 0 }
	switch {
	case !inHeap(b.rep):
	case !inHeap(a.rep):
		a.rep = b.rep
	default: // one representative is enough: the other waits in line
		heap.Remove(&f.ready, b.rep.index)
		b.rep.parked = true
		a.parked = append(a.parked, b.rep)
	}
	a.parked = append(a.parked, b.parked...)
	*b = serverQueue{}
	f.unpark(a)
	return a
}
