// Package dnstest runs a small DNS server on loopback for tests of what
// resolves names: its zone's names answer with an address and a TTL.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server is a DNS server on loopback UDP: each name in its zone answers A with
// its address and TTL (and AAAA with no data); any other name does not exist, with
// a negative TTL of 30 s in its SOA.
type Server struct {
	Addr    string       // host:port
	Queries atomic.Int64 // questions asked
	mu      sync.Mutex
	zone    map[string]Record
}

// Record is a name's address and TTL in seconds.
type Record struct {
	IP  [4]byte
	TTL uint32
}

// NewServer starts a server for the zone; it stops with the test.
func NewServer(t testing.TB, zone map[string]Record) *Server {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	s := &Server{Addr: pc.LocalAddr().String(), zone: zone}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := s.answer(buf[:n]); out != nil {
				pc.WriteTo(out, from)
			}
		}
	}()
	return s
}

func (s *Server) answer(in []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(in)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	s.Queries.Add(1)
	name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
	s.mu.Lock()
	rec, ok := s.zone[name]
	s.mu.Unlock()
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !ok {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	if ok && q.Type == dnsmessage.TypeA {
		b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: rec.TTL}, dnsmessage.AResource{A: rec.IP})
	}
	b.StartAuthorities()
	if !ok {
		soa := dnsmessage.MustNewName("example.")
		b.SOAResource(dnsmessage.ResourceHeader{Name: soa, Class: dnsmessage.ClassINET, TTL: 3600},
			dnsmessage.SOAResource{NS: soa, MBox: soa, Serial: 1, Refresh: 1, Retry: 1, Expire: 1, MinTTL: 30})
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}
