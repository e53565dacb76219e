package store

import (
	"container/heap"
	"context"
	"time"
)

// Hold waits until a host may be asked (no request of it in flight, its
// delay passed since the last one, its server's share free) and reserves it as Next does for a request
// it hands out, for a request the crawl makes outside the queue (a rendered
// page's own requests): Release frees it again, with the time from which it
// may be asked next. While held, Next hands out none of the host's requests.
// It returns the context's error if that ends first (the host not held).
func (f *Frontier) Hold(ctx context.Context, host string) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		f.mu.Lock()
		q := f.host(host)
		wake := f.wake
		wait := time.Minute // busy: a release wakes the wait
		if !q.busy {
			wait = q.readyAt.Sub(f.now())
			if later, ok := f.servers.due(q.server, f.now()); !ok {
				wait = max(wait, later.Sub(f.now())) // its server has been asked enough for now
			}
			if wait <= 0 {
				if q.index >= 0 {
					heap.Remove(&f.ready, q.index)
				}
				f.reserve(q)
				f.mu.Unlock()
				return nil
			}
		}
		f.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}
