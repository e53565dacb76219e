package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func TestRegisteredDomain(t *testing.T) {
	for in, want := range map[string]string{
		"www.hz.gov.cn": "hz.gov.cn", "a.b.c.hz.gov.cn": "hz.gov.cn", "hz.gov.cn": "hz.gov.cn", "WWW.HZ.GOV.CN.": "hz.gov.cn",
		"x1.evil.example.com": "example.com", "www.example.com.cn": "example.com.cn", "127.0.0.1:8080": "127.0.0.1:8080",
		"[::1]:80": "[::1]:80", "localhost:9": "localhost:9", "sub.gov.cn": "sub.gov.cn",
	} {
		if got := RegisteredDomain(in); got != want {
			t.Errorf("RegisteredDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

// clockedFrontier is a frontier on a new store whose clock is moved by hand.
func clockedFrontier(t *testing.T) (*Frontier, *time.Time) {
	st, err := Open(filepath.Join(t.TempDir(), "f.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fr, err := st.Frontier()
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1_800_000_000, 0)
	fr.now = func() time.Time { return clock }
	return fr, &clock
}

// The hosts of one registered domain share its server's politeness: with a
// limit of 2 and a delay of 1 s, 200 sub-domains of one domain are handed out
// two at a time and at most two per second (the clock is the frontier's
// own, moved by hand), while another domain's host is not held up by them;
// the heap holds one host of the crowded server at a time.
func TestServerShareOfPoliteness(t *testing.T) {
	fr, clock := clockedFrontier(t)
	fr.SetServerPolicy(ServerPolicy{Limit: 2, Gap: time.Second})
	var reqs []*QueuedRequest
	for i := range 200 {
		h := fmt.Sprintf("h%d.evil.gov.cn", i)
		reqs = append(reqs, &QueuedRequest{URL: "http://" + h + "/", Method: "GET", Host: h})
	}
	reqs = append(reqs, &QueuedRequest{URL: "http://www.good.gov.cn/", Method: "GET", Host: "www.good.gov.cn"})
	if _, err := fr.Enqueue(reqs...); err != nil {
		t.Fatal(err)
	}
	if n, all := fr.ActiveShare(), fr.ActiveHosts(); n != 3 || all != 201 {
		t.Fatalf("politeness share %d of %d hosts with work, want 3 (2 for the crowded domain, 1 for the other)", n, all)
	}
	// All 201 hosts are ready now: what may be handed out at this instant.
	now := func() []*QueuedRequest {
		var out []*QueuedRequest
		for {
			q, wait, _, err := fr.take()
			if err != nil {
				t.Fatal(err)
			}
			if q != nil {
				out = append(out, q)
				continue
			}
			if wait > 0 {
				return out
			}
		}
	}
	got := now()
	evil, good := 0, 0
	for _, q := range got {
		if q.Host == "www.good.gov.cn" {
			good++
		} else {
			evil++
		}
	}
	if evil != 1 || good != 1 {
		t.Fatalf("at the start: %d of the crowded domain's hosts and %d of the other's handed out; want 1 and 1 (2 per second: one now, one half a second on)", evil, good)
	}
	fr.mu.Lock()
	inHeap := 0
	for _, q := range fr.ready {
		if q.server != nil && q.server.keys[0] == "evil.gov.cn" {
			inHeap++
		}
	}
	fr.mu.Unlock()
	if inHeap != 1 {
		t.Errorf("%d hosts of the crowded server in the heap, want 1", inHeap)
	}
	*clock = clock.Add(500 * time.Millisecond)
	if n := len(now()); n != 1 {
		t.Fatalf("half a second later: %d handed out, want 1", n)
	}
	*clock = clock.Add(500 * time.Millisecond)
	if n := len(now()); n != 0 {
		t.Fatalf("with two in flight: %d more handed out, want 0", n)
	}
	fr.Release(got[0].Host, time.Time{})
	if n := len(now()); n != 1 {
		t.Fatalf("after one is released: %d handed out, want 1", n)
	}
}

// Hosts of different registered domains whose names resolve to one address
// are one server: with a limit of 1 and a delay of 1 s, three domains on one
// address are asked one at a time, a second apart, while a fourth domain on
// another address is not held up; the request of a host that turns out to
// share a server asked a moment ago is given back, not lost, and handed out
// at the server's turn.
func TestHostsOfOneAddressShareItsServer(t *testing.T) {
	fr, clock := clockedFrontier(t)
	fr.SetServerPolicy(ServerPolicy{Limit: 1, Gap: time.Second, ByAddress: true})
	addrOf := map[string]string{"www.one.gov.cn": "10.0.0.1", "www.two.gov.cn": "10.0.0.1", "www.three.gov.cn": "10.0.0.1", "www.four.gov.cn": "10.0.0.2"}
	var reqs []*QueuedRequest
	for h := range addrOf {
		for i := range 2 {
			reqs = append(reqs, &QueuedRequest{URL: fmt.Sprintf("http://%s/%d", h, i), Method: "GET", Host: h})
		}
	}
	if _, err := fr.Enqueue(reqs...); err != nil {
		t.Fatal(err)
	}
	inFlight := map[string]*QueuedRequest{}
	sent := map[string]int{} // address → requests sent at this instant
	// handOut takes what may be handed out now, locating the unlocated, and
	// counts what would be sent per address.
	handOut := func() {
		clear(sent)
		for {
			q, wait, _, err := fr.take()
			if err != nil {
				t.Fatal(err)
			}
			if q == nil {
				if wait > 0 {
					return
				}
				continue
			}
			if q.Unlocated && fr.Locate(q, addrOf[q.Host]) == LocatedWait {
				continue // given back
			}
			inFlight[q.Host] = q
			sent[addrOf[q.Host]]++
		}
	}
	handOut()
	if sent["10.0.0.1"] != 1 || sent["10.0.0.2"] != 1 {
		t.Fatalf("at the start: sent %v; want one request to each address", sent)
	}
	if n := fr.takenCount(); n != 2 {
		t.Fatalf("%d requests taken, want the 2 sent (the others given back)", n)
	}
	finish := func() {
		for h, q := range inFlight {
			fr.Release(h, clock.Add(time.Second))
			if _, err := fr.Commit(Commit{Done: q}); err != nil {
				t.Fatal(err)
			}
			delete(inFlight, h)
		}
	}
	total := 2
	for step := 0; total < len(reqs); step++ {
		if step > 20 {
			t.Fatalf("after 20 s only %d of %d requests handed out", total, len(reqs))
		}
		finish()
		*clock = clock.Add(time.Second)
		handOut()
		if sent["10.0.0.1"] > 1 {
			t.Fatalf("%d requests to one address at one instant", sent["10.0.0.1"])
		}
		total += sent["10.0.0.1"] + sent["10.0.0.2"]
	}
	finish()
	if p := fr.Pending(); p != 0 {
		t.Errorf("%d requests left", p)
	}
}
