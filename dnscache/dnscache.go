// Package dnscache looks host names up and keeps each answer for the time to
// live its DNS server gave it, so that a crawl asks its resolver once per host
// and TTL, not once per connection.
//
// Lookups go through Go's own resolver (the hosts file, resolv.conf, search
// domains and retries as usual); the DNS messages it reads are watched on their
// way in for the TTLs of their answers. A name answered without a DNS message
// (from the hosts file) is kept for Options.HostsTTL; a name that does not
// exist for its zone's negative TTL, at most Options.NegativeTTL; any other
// failure is not kept. Concurrent lookups of one name share one query.
package dnscache

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// Options tune a Resolver; the zero value is usable.
type Options struct {
	MaxTTL      time.Duration // longest an answer is kept, whatever its TTL (default 1 h)
	HostsTTL    time.Duration // how long a name answered from the hosts file is kept (default 5 min)
	NegativeTTL time.Duration // longest a name that does not exist is kept (default 1 min)
	// Dial reaches a DNS server (default: a net.Dialer); tests point it at a
	// server on loopback.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	Now  func() time.Time // the clock (default time.Now)
}

func (o Options) withDefaults() Options {
	if o.MaxTTL <= 0 {
		o.MaxTTL = time.Hour
	}
	if o.HostsTTL <= 0 {
		o.HostsTTL = 5 * time.Minute
	}
	if o.NegativeTTL <= 0 {
		o.NegativeTTL = time.Minute
	}
	if o.Dial == nil {
		d := &net.Dialer{Timeout: 5 * time.Second}
		o.Dial = d.DialContext
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Stats counts a Resolver's work.
type Stats struct {
	Lookups int64 // names asked for (IP literals aside)
	Cached  int64 // of those, answered from the cache or by a lookup already under way
}

// Resolver is a caching resolver, safe for concurrent use.
type Resolver struct {
	opts    Options
	net     *net.Resolver
	mu      sync.Mutex
	names   map[string]*entry
	lookups atomic.Int64
	cached  atomic.Int64
}

// entry is one name's answer; ready is closed once it is known.
type entry struct {
	ready   chan struct{}
	ips     []net.IP
	err     error
	expires time.Time
}

// New returns a Resolver.
func New(o Options) *Resolver {
	r := &Resolver{opts: o.withDefaults(), names: map[string]*entry{}}
	r.net = &net.Resolver{PreferGo: true, Dial: r.dialServer}
	return r
}

// Stats returns the counts so far.
func (r *Resolver) Stats() Stats {
	return Stats{Lookups: r.lookups.Load(), Cached: r.cached.Load()}
}

// LookupIP returns the addresses of host (an IP literal is its own answer).
func (r *Resolver) LookupIP(ctx context.Context, host string) ([]net.IP, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	r.lookups.Add(1)
	for {
		r.mu.Lock()
		e := r.names[host]
		if e == nil {
			break // looked up below, with r.mu held
		}
		select {
		case <-e.ready:
			if r.opts.Now().Before(e.expires) {
				r.mu.Unlock()
				r.cached.Add(1)
				return slices.Clone(e.ips), e.err
			}
			delete(r.names, host)
			r.mu.Unlock()
			continue
		default:
		}
		r.mu.Unlock()
		select { // a lookup of the name is under way: its answer is this one's
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &entry{ready: make(chan struct{})}
	r.names[host] = e
	r.mu.Unlock()
	ips, ttl, err := r.query(ctx, host)
	e.ips, e.err, e.expires = ips, err, r.opts.Now().Add(ttl)
	if ttl <= 0 {
		r.mu.Lock()
		if r.names[host] == e {
			delete(r.names, host)
		}
		r.mu.Unlock()
	}
	close(e.ready)
	return slices.Clone(ips), err
}

// query asks the resolver and says how long its answer may be kept.
func (r *Resolver) query(ctx context.Context, host string) ([]net.IP, time.Duration, error) {
	w := &watch{}
	ips, err := r.net.LookupIP(context.WithValue(ctx, watchKey{}, w), "ip", host)
	w.mu.Lock()
	defer w.mu.Unlock()
	var dnsErr *net.DNSError
	switch {
	case err == nil && w.answered:
		return ips, min(w.ttl, r.opts.MaxTTL), nil
	case err == nil:
		return ips, r.opts.HostsTTL, nil
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		ttl := r.opts.NegativeTTL
		if w.negative {
			ttl = min(ttl, w.negativeTTL)
		}
		return nil, ttl, err
	default:
		return nil, 0, err
	}
}

// DialContext returns a dial function for an http.Transport: it looks the host
// up here and dials its addresses in turn with d (whose Control, if any, sees
// each address).
func (r *Resolver) DialContext(d *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		if net.ParseIP(host) != nil {
			return d.DialContext(ctx, network, address)
		}
		ips, err := r.LookupIP(ctx, host)
		if err != nil {
			return nil, err
		}
		var first error
		for _, ip := range ips {
			if (network == "tcp4" && ip.To4() == nil) || (network == "tcp6" && ip.To4() != nil) {
				continue
			}
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
			if ctx.Err() != nil {
				break
			}
		}
		if first == nil {
			first = &net.DNSError{Err: "no address of the wanted family", Name: host, IsNotFound: true}
		}
		return nil, first
	}
}

// dialServer is the resolver's dial: the connection to the DNS server is
// wrapped so that the answers read from it are watched.
func (r *Resolver) dialServer(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := r.opts.Dial(ctx, network, address)
	if err != nil {
		return nil, err
	}
	w, _ := ctx.Value(watchKey{}).(*watch)
	if w == nil {
		return c, nil
	}
	wc := &watchedConn{Conn: c, w: w}
	if pc, ok := c.(net.PacketConn); ok {
		return &watchedPacketConn{watchedConn: wc, pc: pc}, nil // Go's resolver frames by this type
	}
	wc.stream = true
	return wc, nil
}

type watchKey struct{}

// watch gathers the TTLs of the DNS messages one lookup reads.
type watch struct {
	mu          sync.Mutex
	answered    bool          // an address or alias was answered
	ttl         time.Duration // the shortest TTL among them
	negative    bool          // a name-does-not-exist answer gave its zone's negative TTL
	negativeTTL time.Duration
}

// message reads one DNS message's TTLs; a message it cannot parse is ignored
// (the resolver will refuse it too).
func (w *watch) message(msg []byte) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || !h.Response || p.SkipAllQuestions() != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		ah, err := p.AnswerHeader()
		if err != nil {
			break
		}
		if ah.Type == dnsmessage.TypeA || ah.Type == dnsmessage.TypeAAAA || ah.Type == dnsmessage.TypeCNAME {
			ttl := time.Duration(ah.TTL) * time.Second
			if !w.answered || ttl < w.ttl {
				w.ttl = ttl
			}
			w.answered = true
		}
		if p.SkipAnswer() != nil {
			return
		}
	}
	if h.RCode != dnsmessage.RCodeNameError {
		return
	}
	for { // RFC 2308: the negative TTL is the lesser of the SOA's TTL and its MINIMUM
		ah, err := p.AuthorityHeader()
		if err != nil {
			return
		}
		if ah.Type != dnsmessage.TypeSOA {
			if p.SkipAuthority() != nil {
				return
			}
			continue
		}
		soa, err := p.SOAResource()
		if err != nil {
			return
		}
		w.negative, w.negativeTTL = true, time.Duration(min(ah.TTL, soa.MinTTL))*time.Second
		return
	}
}

// watchedConn passes a TCP connection's bytes through and hands each whole
// length-prefixed message to its watch.
type watchedConn struct {
	net.Conn
	w      *watch
	stream bool
	buf    []byte
}

// maxStream bounds what a stream keeps of a message not yet complete.
const maxStream = 2 + 65535

func (c *watchedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.saw(b[:n])
	}
	return n, err
}

func (c *watchedConn) saw(b []byte) {
	if !c.stream {
		c.w.message(b)
		return
	}
	if len(c.buf)+len(b) > maxStream {
		c.buf = c.buf[:0]
		return
	}
	c.buf = append(c.buf, b...)
	for len(c.buf) >= 2 {
		n := int(c.buf[0])<<8 | int(c.buf[1])
		if len(c.buf) < 2+n {
			return
		}
		c.w.message(c.buf[2 : 2+n])
		c.buf = c.buf[2+n:]
	}
}

// watchedPacketConn is a watched UDP connection: one read, one message.
type watchedPacketConn struct {
	*watchedConn
	pc net.PacketConn
}

func (c *watchedPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := c.pc.ReadFrom(b)
	if n > 0 {
		c.saw(b[:n])
	}
	return n, addr, err
}

func (c *watchedPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	return c.pc.WriteTo(b, addr)
}
