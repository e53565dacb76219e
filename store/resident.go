package store

import (
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The store file is read through a memory map, and every page a transaction
// reads stays mapped into the process afterwards; the kernel maps the pages
// of its cache around each one read as well (64 KiB to 512 KiB a read,
// measured here), documents just written among them. Over a crawl the
// process's resident memory would grow to the size of the file, though the
// pages are only the kernel's cache of it: on the 100-host bulk world, 47 MB
// of a 94 MB peak after 15 seconds. So the store gives the mappings back
// after a write at most once every releaseEvery: the pages stay in the page
// cache, where the kernel may reclaim them, and the next read maps the ones
// it needs again (a minor fault, no disk read while memory allows).

// releaseEvery is how often a writing store drops its mapped pages. Measured
// on the bulk world: every second leaves a 78 MB peak, every 100 ms 56 MB,
// for about 0.4 ms more CPU a request (the faults of pages mapped again).
// Once the crawl's commits gathered (one transaction every 50 ms or more),
// after every transaction instead of every 100 ms: 42–43 MB against 46–49
// on the 300-host world, 41–48 against 49 on the bulk world, for no CPU
// measurable. 25 ms lets every such transaction release, and bounds the
// releases of a writer that commits in a loop (import).
const releaseEvery = 25 * time.Millisecond

// releaser drops the store's mapped pages every releaseEvery.
type releaser struct {
	mu   sync.Mutex // writes end on any goroutine (bbolt orders them, not their ends)
	last time.Time
	err  error // the first failure; none is tried after it
}

// update runs fn in a write transaction, then gives the mapped pages back if
// it is time. Every write of the store goes through it.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	if err := s.damaged(); err != nil {
		return err
	}
	err := s.noteDamage(guard(s.path, func() error { return s.db.Update(func(tx *bolt.Tx) error { return keepIndexed(tx, fn) }) }))
	if err == nil {
		s.release.maybe(s.db, time.Now())
	}
	return err
}

// maybe releases the mapped pages of db if releaseEvery has passed since
// the last time. A failure costs memory, not data: the commits are written
// either way, so it is kept, not returned, and releasing stops.
func (r *releaser) maybe(db *bolt.DB, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || now.Sub(r.last) < releaseEvery {
		return
	}
	r.last = now
	// Inside a read transaction the file cannot be mapped again elsewhere
	// (bbolt remaps only under the lock every transaction holds shared),
	// so the range given back is the store's map, and only that.
	r.err = db.View(func(tx *bolt.Tx) error {
		return unmapPages(db.Info().Data, uintptr(tx.Size()))
	})
}

// scanRelease is how many bytes of values a long read (every record,
// capture or document) reads between two releases of the mapped pages: a
// reader of the whole file would otherwise hold every page it read, its
// resident memory growing to the file's size. The values read stay valid:
// the pages are mapped again if read again. A value counts at least
// scanValueMin, as the kernel maps 64 KiB around each page a read faults in
// and small values (captures, facts rows) share their pages. Measured on 10⁴
// imported documents (a 635 MB store), export's peak: 710 MB never released,
// 187 MB released every 2,048 records, 77 MB every 8 MB, 54 MB every 1 MB,
// 39 MB every 1 MB with each value counted as at least 1 KiB (34 MB at 10³).
const (
	scanRelease  = 1 << 20
	scanValueMin = 1 << 10
)

// forEachReleasing calls fn for every key and value of a bucket of a read
// transaction, giving the mapped pages back every scanRelease bytes of
// values (those fn reads elsewhere in the file, as verify does, count
// through the values they follow).
func (s *Store) forEachReleasing(tx *bolt.Tx, b *bolt.Bucket, fn func(k, v []byte) error) error {
	read := 0
	return b.ForEach(func(k, v []byte) error {
		if read += max(len(k)+len(v), scanValueMin); read >= scanRelease && !tx.Writable() {
			read = 0
			// A failure costs memory, not data: the read goes on.
			_ = unmapPages(s.db.Info().Data, uintptr(tx.Size()))
		}
		return fn(k, v)
	})
}
