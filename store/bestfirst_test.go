package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestBestFirstWithinHost: a host's requests are handed out by their Later,
// the least first, then in the order they were queued; a request put back
// for a retry keeps its place; a run resumed from the file keeps the order.
func TestBestFirstWithinHost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fr, err := st.Frontier()
	if err != nil {
		t.Fatal(err)
	}
	var reqs []*QueuedRequest
	for i, later := range []uint8{6, 4, 2, 6, 1, 4, 0} {
		q := &QueuedRequest{URL: fmt.Sprintf("http://www.x.gov.cn/p%d.html", i), Method: "GET", Host: "www.x.gov.cn", Later: later}
		reqs = append(reqs, q)
	}
	if _, err := fr.Enqueue(reqs...); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	next := func() *QueuedRequest {
		t.Helper()
		q, err := fr.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	var got []string
	q := next() // p6 (0): put back for a retry, it comes first again
	if _, err := fr.Commit(Commit{Retry: q}); err != nil {
		t.Fatal(err)
	}
	fr.Release(q.Host, time.Time{})
	for range 3 {
		q := next()
		got = append(got, fmt.Sprintf("%s:%d", q.URL[len("http://www.x.gov.cn/"):], RequestLater(q)))
		if _, err := fr.Commit(Commit{Done: q}); err != nil {
			t.Fatal(err)
		}
		fr.Release(q.Host, time.Time{})
	}
	st.Close()
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if fr, err = st.Frontier(); err != nil {
		t.Fatal(err)
	}
	for fr.Pending() > 0 {
		q := next()
		got = append(got, fmt.Sprintf("%s:%d", q.URL[len("http://www.x.gov.cn/"):], RequestLater(q)))
		if _, err := fr.Commit(Commit{Done: q}); err != nil {
			t.Fatal(err)
		}
		fr.Release(q.Host, time.Time{})
	}
	want := "[p6.html:0 p4.html:1 p2.html:2 p1.html:4 p5.html:4 p0.html:6 p3.html:6]"
	if fmt.Sprint(got) != want {
		t.Errorf("handed out %v, want %s", got, want)
	}
}
