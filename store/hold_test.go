package store

import (
	"context"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawl"
)

// TestHold: a held host hands out none of its queued requests until it is
// released, and a host busy with a handed-out request is held only once
// that is released; a wait for a held host ends with its context.
func TestHold(t *testing.T) {
	s := openTemp(t)
	f, err := s.Frontier()
	if err != nil {
		t.Fatal(err)
	}
	const host = "www.example.gov.cn"
	for _, p := range []string{"/a", "/b"} {
		q := &QueuedRequest{URL: "http://" + host + p, Method: "GET", Host: host}
		q.SetKind(crawl.Page)
		if _, err := f.Enqueue(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Hold(t.Context(), host); err != nil {
		t.Fatal(err)
	}
	if q, _, _, err := f.take(); q != nil || err != nil {
		t.Fatalf("a held host handed out %v (%v)", q, err)
	}
	// Held: a second hold waits, until its context ends.
	waiting, stop := context.WithCancel(t.Context())
	second := make(chan error, 1)
	go func() { second <- f.Hold(waiting, host) }()
	stop()
	if err := <-second; err == nil {
		t.Fatal("held twice")
	}
	f.Release(host, time.Time{})
	q, _, _, err := f.take()
	if q == nil || err != nil {
		t.Fatalf("after its release: %v (%v)", q, err)
	}
	// Busy with q: a hold waits for q's release.
	held := make(chan error, 1)
	go func() { held <- f.Hold(t.Context(), host) }()
	f.Release(host, time.Time{})
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if q, _, _, _ := f.take(); q != nil {
		t.Fatalf("held after q, and %v handed out", q)
	}
	f.Release(host, time.Time{})
}
