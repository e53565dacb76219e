package store

import (
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Group commit. Every fetch is committed in a transaction of its own
// making, and each transaction ends in a write to disk (fdatasync): at a
// couple of hundred fetches a second the store's one writer is busy all the
// time and fetches queue up behind it. So the commits that arrive while a
// transaction is being written wait for it to end and are then written
// together, in one transaction, in the order they came: each is still all
// there or not at all after a kill, and in order, but one write to disk
// serves them all. A commit that finds the writer idle is written at once,
// alone; nothing waits for company.

// maxGroup bounds a group: at most this many commits, or this many bytes of
// compressed documents (beyond one), in one transaction.
const (
	maxGroup      = 64
	maxGroupBytes = 8 << 20
)

// pending is one commit waiting in a group.
type pending struct {
	cm   *Commit
	z    []byte          // the document, compressed
	keep map[uint64]bool // a dropped host's requests still taken

	// Set by the transaction that wrote it.
	dropped int
	added   []*QueuedRequest
	done    bool
	err     error
}

// gatherFor is how long the writer waits for company when more commits are
// on their way (requests taken and not yet committed): at most this much
// later than alone, a commit shares its transaction with the ones that come
// meanwhile. Hosts crawled at an even rate (see the crawler's spread) answer
// one at a time, each would find the writer idle and be written alone, and a
// transaction costs about 1.5 ms of CPU however small it is: on 300 hosts at
// 2 s answering after 300 ms, without waiting, 3,011 transactions for 3,284
// commits and 2.9 ms of CPU a request; waiting up to 50 ms, 442 and 2.3 ms
// (20 ms: 945 and 2.5 ms; 100 ms: 242 and 2.2 ms).
const gatherFor = 50 * time.Millisecond

// group queues commits for the writer.
type group struct {
	writer sync.Mutex // held by the commit that writes a group
	// Under writer: commits written, and the transactions that wrote them
	// (a failed group counts in neither).
	commits, transactions int64

	mu      sync.Mutex // guards queue
	queue   []*pending
	arrived chan struct{} // a commit was queued (a token, never blocking)
}

func newGroup() group { return group{arrived: make(chan struct{}, 1)} }

// CommitStats counts the commits written since the frontier was opened and
// the transactions that wrote them (fewer when commits were grouped).
type CommitStats struct{ Commits, Transactions int64 }

// CommitStats says how the frontier's commits were written.
func (f *Frontier) CommitStats() CommitStats {
	f.group.writer.Lock()
	defer f.group.writer.Unlock()
	return CommitStats{Commits: f.group.commits, Transactions: f.group.transactions}
}

// commit writes p, in a group with the commits waiting beside it. Whoever
// holds the writer next writes the commits queued then, in groups up to the
// bounds, until its own is written (unless an earlier group took it).
func (g *group) commit(f *Frontier, p *pending) error {
	g.mu.Lock()
	g.queue = append(g.queue, p)
	g.mu.Unlock()
	select {
	case g.arrived <- struct{}{}:
	default:
	}

	g.writer.Lock()
	defer g.writer.Unlock()
	for !p.done { // else written by a group before
		g.gather(f)
		g.write(f, g.take())
	}
	return p.err
}

// gather waits, for at most gatherFor, until the queue holds a full group or
// every request taken from the frontier has its commit queued (the writer is
// held: the commits that come meanwhile queue behind it).
func (g *group) gather(f *Frontier) {
	var timeout <-chan time.Time
	for {
		g.mu.Lock()
		n := len(g.queue)
		g.mu.Unlock()
		if n >= maxGroup || f.takenCount() <= n {
			return
		}
		if timeout == nil {
			t := time.NewTimer(gatherFor)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-g.arrived:
		case <-timeout:
			return
		}
	}
}

// write writes one group in one transaction. If one commit fails it, none
// of the group is written, and the others' error names the one that failed.
func (g *group) write(f *Frontier, batch []*pending) {
	var failed *pending
	err := f.st.update(func(tx *bolt.Tx) error {
		for _, q := range batch {
			if err := f.write(tx, q); err != nil {
				failed = q
				return err
			}
		}
		return nil
	})
	if err == nil {
		g.transactions++
		g.commits += int64(len(batch))
	}
	for _, q := range batch {
		q.done, q.err = true, err
		switch {
		case err == nil:
			f.account(*q.cm, q.dropped, q.added)
		case failed != nil && q != failed:
			q.err = fmt.Errorf("a commit written with it (%s) failed: %w", describeCommit(*failed.cm), err)
		}
	}
}

// take removes the next group from the queue: the commits in the order they
// came, up to the bounds.
func (g *group) take() []*pending {
	g.mu.Lock()
	defer g.mu.Unlock()
	n, size := 0, 0
	for n < len(g.queue) && n < maxGroup {
		size += len(g.queue[n].z)
		if n > 0 && size > maxGroupBytes {
			break
		}
		n++
	}
	batch := g.queue[:n:n]
	g.queue = append([]*pending(nil), g.queue[n:]...)
	return batch
}
