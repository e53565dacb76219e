package store

import (
	"context"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawl"
)

// TestReleasedBeforeItsCommit: a host released while its request is still
// being read hands out its next request, never the taken one again; a host
// dropped meanwhile keeps the taken request for its own commit, and a retry
// makes it available again.
func TestReleasedBeforeItsCommit(t *testing.T) {
	s := openTemp(t)
	f, err := s.Frontier()
	if err != nil {
		t.Fatal(err)
	}
	const host = "www.example.gov.cn"
	for _, p := range []string{"/a", "/b", "/c"} {
		q := &QueuedRequest{URL: "http://" + host + p, Method: "GET", Host: host}
		q.SetKind(crawl.Report)
		if _, err := f.Enqueue(q); err != nil {
			t.Fatal(err)
		}
	}
	next := func() *QueuedRequest {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		q, err := f.Next(ctx)
		if err != nil {
			return nil
		}
		return q
	}
	a := next()
	f.Release(host, time.Time{}) // a's answer read; its document still being extracted
	b := next()
	if a == nil || b == nil || a.URL == b.URL {
		t.Fatalf("after an early release: %v then %v", a, b)
	}
	// b blocks the host for good: the queue is dropped, but a is still taken.
	if _, err := f.Commit(Commit{Done: b, DropHost: host}); err != nil {
		t.Fatal(err)
	}
	f.Release(host, time.Time{})
	if q := next(); q != nil {
		t.Fatalf("handed out %s: a is taken, c was dropped", q.URL)
	}
	if f.Pending() != 1 {
		t.Fatalf("pending %d, want a's alone", f.Pending())
	}
	if _, err := f.Commit(Commit{Retry: a}); err != nil { // a's commit: ask again
		t.Fatal(err)
	}
	if q := next(); q == nil || q.URL != a.URL {
		t.Fatalf("after a's retry: %v, want a again", q)
	}
}
