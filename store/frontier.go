package store

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
)

// The frontier keeps the crawl's queue and visited set in the store file, so that a
// run killed at any instant resumes with nothing lost: a request is taken by
// reservation (in memory) and leaves the file only when its results are committed
// in the same transaction (the acknowledgement). Requests are kept per host and
// handed out by host readiness, one at a time per host, so politeness is enforced
// where requests are chosen. Memory holds one small entry per host, never the
// queue: the frontier can grow to millions of URLs.

var (
	bucketFrontier = []byte("frontier") // host \x00 seq → QueuedRequest JSON
	bucketSeen     = []byte("seen")     // canonical URL → first seen (unix seconds)
	bucketFetches  = []byte("fetches")  // seq → FetchLog JSON
	bucketHosts    = []byte("hosts")    // host → HostInfo JSON
	bucketVisited  = []byte("visited")  // colly request id → 1 (colly's storage.Storage)
	bucketCookies  = []byte("cookies")  // host → cookie string (colly's storage.Storage)
)

// ErrFrontierDone is returned by Next when nothing is queued or in flight.
var ErrFrontierDone = errors.New("the frontier is empty")

// ErrNotReady is returned by GetRequest when requests are queued but no host may
// be asked yet.
var ErrNotReady = errors.New("no host is ready")

// QueuedRequest is one request in the frontier. Its JSON is also colly's
// serialised request form (URL, Method, Depth, Body, Ctx, Headers), so colly's own
// queue can read it; the crawl's own fields travel in Ctx.
type QueuedRequest struct {
	URL string `json:"URL"` // what is fetched
	// Key names the page for de-duplication (the crawler's canonical form,
	// which may map several URLs to one page); empty means the URL itself.
	Key     string              `json:"Key,omitempty"`
	Method  string              `json:"Method"`
	Depth   int                 `json:"Depth"`
	Body    []byte              `json:"Body,omitempty"`
	ID      uint32              `json:"ID,omitempty"`
	Ctx     map[string]string   `json:"Ctx,omitempty"`
	Headers map[string][]string `json:"Headers,omitempty"`

	// Seq is the request's place in its host's queue: its Later in the top
	// byte, then the order it was queued in (set by the frontier).
	Seq  uint64 `json:"-"`
	Host string `json:"-"`
	// Later says how far back in its host's queue a new request goes: a
	// host's requests are handed out by Later, the least first, then in the
	// order they were queued (best-first within the host's budget). 0, the
	// seeds', revisits' and redirects' value, goes with the first.
	Later uint8 `json:"-"`
	// Ready is when the frontier's host became ready for this request (set by
	// Next); Waited how long the request then waited for a worker.
	Ready  time.Time     `json:"-"`
	Waited time.Duration `json:"-"`
	// Unlocated says that the host's address is to be looked up and
	// given to Locate before the request is sent (set by Next).
	Unlocated bool `json:"-"`
}

// The fields a request carries from the page that queued it to its fetch.
// They are kept in Ctx, the frontier's stored form (colly's Context shape), and
// read and written only through the methods below.
const (
	fieldKind     = "kind"     // what the URL is expected to be (crawl.Kind)
	fieldParent   = "parent"   // the page an attachment was linked from
	fieldAnchor   = "anchor"   // the text of the link that found it
	fieldHint     = "hint"     // a discovery hint from the link's extractor
	fieldChain    = "chain"    // the redirect chain so far, space-separated
	fieldOrigin   = "origin"   // the first URL of that chain
	fieldCookie   = "cookie"   // asked again with the cookie its first answer set
	fieldAttempts = "attempts" // failed attempts so far
	fieldRevisit  = "revisit"  // queued again from an earlier run, with validators
	fieldWeak     = "weak"     // links in a row no word or path named (best-first)
)

func (q *QueuedRequest) get(k string) string { return q.Ctx[k] }

func (q *QueuedRequest) set(k, v string) {
	if q.Ctx == nil {
		q.Ctx = map[string]string{}
	}
	if v == "" {
		delete(q.Ctx, k)
		return
	}
	q.Ctx[k] = v
}

// Kind is what the request's URL is expected to be.
func (q *QueuedRequest) Kind() crawl.Kind { return crawl.Kind(q.get(fieldKind)) }

// SetKind sets what the request's URL is expected to be.
func (q *QueuedRequest) SetKind(k crawl.Kind) { q.set(fieldKind, string(k)) }

// Parent is the page an attachment was linked from ("" for none).
func (q *QueuedRequest) Parent() string { return q.get(fieldParent) }

// SetParent names the page an attachment was linked from.
func (q *QueuedRequest) SetParent(u string) { q.set(fieldParent, u) }

// Anchor is the text of the link the request was found by.
func (q *QueuedRequest) Anchor() string { return q.get(fieldAnchor) }

// SetAnchor keeps the text of the link the request was found by.
func (q *QueuedRequest) SetAnchor(s string) { q.set(fieldAnchor, s) }

// Hint is what the link's extractor said of the target.
func (q *QueuedRequest) Hint() string { return q.get(fieldHint) }

// SetHint keeps what the link's extractor said of the target.
func (q *QueuedRequest) SetHint(s string) { q.set(fieldHint, s) }

// Chain is the redirect chain that led to the request, first URL first.
func (q *QueuedRequest) Chain() []string { return strings.Fields(q.get(fieldChain)) }

// SetChain keeps the redirect chain that led to the request (URLs, which
// never hold a space).
func (q *QueuedRequest) SetChain(urls []string) { q.set(fieldChain, strings.Join(urls, " ")) }

// Origin is the first URL of the redirect chain that led to the request.
func (q *QueuedRequest) Origin() string { return q.get(fieldOrigin) }

// SetOrigin names the first URL of the redirect chain.
func (q *QueuedRequest) SetOrigin(u string) { q.set(fieldOrigin, u) }

// Cookie says the request is asked again with the cookie its answer set.
func (q *QueuedRequest) Cookie() bool { return q.get(fieldCookie) != "" }

// SetCookie marks the request to be asked again with its cookie.
func (q *QueuedRequest) SetCookie() { q.set(fieldCookie, "1") }

// Attempts counts the request's failed attempts so far.
func (q *QueuedRequest) Attempts() int {
	n, _ := strconv.Atoi(q.get(fieldAttempts))
	return n
}

// SetAttempts sets the count of failed attempts.
func (q *QueuedRequest) SetAttempts(n int) { q.set(fieldAttempts, strconv.Itoa(n)) }

// Revisit says the request was queued again from an earlier run.
func (q *QueuedRequest) Revisit() bool { return q.get(fieldRevisit) != "" }

func (q *QueuedRequest) setRevisit() { q.set(fieldRevisit, "1") }

// Weak is how many links in a row that no word or path named led to the
// request (0: it was named).
func (q *QueuedRequest) Weak() int {
	n, _ := strconv.Atoi(q.get(fieldWeak))
	return n
}

// SetWeak keeps how many unnamed links in a row led to the request.
func (q *QueuedRequest) SetWeak(n int) {
	if n <= 0 {
		q.set(fieldWeak, "")
		return
	}
	q.set(fieldWeak, strconv.Itoa(n))
}

// FetchLog is one fetch, as every fetch is recorded.
type FetchLog struct {
	URL      string              `json:"url"`
	FinalURL string              `json:"final_url,omitempty"`
	Method   string              `json:"method"`
	Status   int                 `json:"status,omitempty"`
	Header   map[string][]string `json:"header,omitempty"`
	Time     time.Time           `json:"time"`
	Duration time.Duration       `json:"duration"`
	// FirstByte is the time to the answer's headers (the rest of Duration is
	// the body's transfer); QueueWait how long the request, its host ready,
	// waited for a worker.
	FirstByte time.Duration `json:"first_byte,omitempty"`
	QueueWait time.Duration `json:"queue_wait,omitempty"`
	Size      int           `json:"size"`
	SHA256    string        `json:"sha256,omitempty"`
	Class     crawl.Class   `json:"class"` // ok, not_modified, robots_disallowed, blocked_waf, rate_limited, server_error, unreachable, gone, moved, offsite, tls_error, too_large, error
	Detail    string        `json:"detail,omitempty"`
	Host      string        `json:"host"`
}

// HostInfo is what a crawl has learnt of a host.
type HostInfo struct {
	Host      string      `json:"host"`
	Class     crawl.Class `json:"class,omitempty"` // ok, robots_disallowed, blocked_waf, unreachable, tls_error
	Detail    string      `json:"detail,omitempty"`
	Fetches   int         `json:"fetches"`
	Failures  int         `json:"failures"` // consecutive
	BackoffTo time.Time   `json:"backoff_to,omitempty"`
	// Gap is the least time between two requests the host has asked for by
	// answering 429 (Too Many Requests): the crawl slows down for it.
	Gap     time.Duration `json:"gap,omitempty"`
	Updated time.Time     `json:"updated"`
	// Spent is where this run's requests to the host went.
	Spent Spent `json:"spent,omitzero"`
}

// Spent counts a host's requests by what they turned out to be: a report
// or a report's file; a list (a page or list answer that led on to reports,
// files or lists); anything else (robots.txt, pages that led nowhere,
// failures, redirects).
type Spent struct {
	Reports int `json:"reports,omitempty"`
	Lists   int `json:"lists,omitempty"`
	Other   int `json:"other,omitempty"`
}

type hostQ struct {
	name    string
	pending int
	busy    bool
	readyAt time.Time
	index   int          // in the heap, -1 when not there
	server  *serverQueue // the server it shares politeness with, if grouped
	parked  bool         // waiting in its server's line, not in the heap
	located bool         // its address is known, or was looked for (Locate)
}

type readyHeap []*hostQ

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h readyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *readyHeap) Push(x any)        { q := x.(*hostQ); q.index = len(*h); *h = append(*h, q) }
func (h *readyHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	*h = old[:len(old)-1]
	q.index = -1
	return q
}

// Frontier is the crawl queue and visited set in a store.
type Frontier struct {
	st    *Store
	mu    sync.Mutex
	hosts map[string]*hostQ
	ready readyHeap
	// taken are the requests handed out and not yet settled by a commit, by
	// host: a host released while its last answer is still being read (its
	// document extracted) is asked for its next request, not for that one.
	taken   map[string]map[uint64]bool
	ntaken  int // the requests in taken
	pending int
	wake    chan struct{} // closed and replaced whenever work may have become ready
	now     func() time.Time

	gen      uint64    // the current generation (run)
	runStart time.Time // when it began: a known URL is due if its next visit is not after this
	sched    Schedule

	group group // commits waiting for the writer, written together

	servers serverPolicy // hosts that share a server's politeness (servers.go)
}

// Frontier opens the store's frontier and rebuilds its per-host index from the
// file: whatever was taken but not acknowledged when a run died is queued again.
func (s *Store) Frontier() (*Frontier, error) {
	f := &Frontier{st: s, hosts: map[string]*hostQ{}, taken: map[string]map[uint64]bool{}, wake: make(chan struct{}), now: time.Now, group: newGroup(),
		sched: Schedule{}.withDefaults()}
	err := s.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFrontier, bucketSeen, bucketFetches, bucketHosts, bucketVisited, bucketCookies} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		f.gen = readGeneration(tx)
		if r, err := getRun(tx, f.gen); err != nil {
			return err
		} else if r != nil {
			f.runStart = r.Started
		}
		return tx.Bucket(bucketFrontier).ForEach(func(k, _ []byte) error {
			host := string(k[:bytes.IndexByte(k, 0)])
			f.host(host).pending++
			f.pending++
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("opening the frontier in %s: %w", s.path, err)
	}
	for _, q := range f.hosts {
		heap.Push(&f.ready, q)
	}
	return f, nil
}

func (f *Frontier) host(name string) *hostQ {
	q := f.hosts[name]
	if q == nil {
		q = &hostQ{name: name, index: -1, server: f.servers.of(name)}
		if q.server != nil {
			q.server.hosts = append(q.server.hosts, q)
		}
		f.hosts[name] = q
	}
	return q
}

// placeOf is a queued request's Seq: its Later before its sequence number
// (which stays far below 2⁵⁶), so that the host's requests, in key order,
// come best first.
func placeOf(later uint8, seq uint64) uint64 {
	return uint64(later)<<56 | seq&(1<<56-1)
}

// RequestLater is how far back in its host's queue a queued request went
// (QueuedRequest.Later), read from its place.
func RequestLater(q *QueuedRequest) uint8 { return uint8(q.Seq >> 56) }

func frontierKey(host string, seq uint64) []byte {
	k := make([]byte, 0, len(host)+9)
	k = append(k, host...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

// Pending counts the queued requests (in flight ones included until acknowledged).
func (f *Frontier) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending
}

// Hosts counts the hosts the frontier knows.
func (f *Frontier) Hosts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hosts)
}

// ActiveHosts is how many hosts have requests queued or one in flight.
func (f *Frontier) ActiveHosts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, q := range f.hosts {
		if q.pending > 0 || q.busy {
			n++
		}
	}
	return n
}

// ActiveShare is how many polite hosts' worth of requests the hosts with work
// may be asked: one each, but a server's hosts together no more than its
// share (ServerPolicy.Limit).
func (f *Frontier) ActiveShare() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	per := map[*serverQueue]int{}
	for _, q := range f.hosts {
		if q.pending == 0 && !q.busy {
			continue
		}
		if q.server == nil {
			n++
		} else if per[q.server] < f.servers.Limit {
			per[q.server]++
			n++
		}
	}
	return n
}

// notify wakes every waiting Next (the lock must not be held).
func (f *Frontier) notify() {
	f.mu.Lock()
	close(f.wake)
	f.wake = make(chan struct{})
	f.mu.Unlock()
}

// take reserves the first request of the first ready host; it returns the time
// to wait when none is ready yet, and ErrFrontierDone when nothing is left at all.
func (f *Frontier) take() (*QueuedRequest, time.Duration, chan struct{}, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wake := f.wake
	if f.pending == 0 {
		return nil, 0, wake, ErrFrontierDone
	}
	if len(f.ready) == 0 {
		return nil, time.Minute, wake, nil // every host with work is busy: wait for a release
	}
	q := f.ready[0]
	if wait := q.readyAt.Sub(f.now()); wait > 0 {
		return nil, wait, wake, nil
	}
	if later, ok := f.servers.due(q.server, f.now()); !ok {
		f.wait(q, later) // its server has been asked enough for now
		return nil, 0, wake, nil
	}
	heap.Pop(&f.ready)
	var req *QueuedRequest
	taken := f.taken[q.name]
	err := f.st.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFrontier).Cursor()
		prefix := append([]byte(q.name), 0)
		k, v := c.Seek(prefix)
		for k != nil && bytes.HasPrefix(k, prefix) && taken[binary.BigEndian.Uint64(k[len(prefix):])] {
			k, v = c.Next()
		}
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return nil
		}
		req = &QueuedRequest{}
		if err := json.Unmarshal(v, req); err != nil {
			return fmt.Errorf("decoding queued request %q: %w", k, err)
		}
		req.Seq = binary.BigEndian.Uint64(k[len(prefix):])
		req.Host = q.name
		return nil
	})
	if err != nil {
		return nil, 0, wake, err
	}
	if req == nil {
		if len(taken) == 0 {
			// The index said there was work; the file says not: repair the count.
			f.pending -= q.pending
			q.pending = 0
		}
		return nil, 0, wake, nil // its requests are all taken: it is ready again when one settles
	}
	f.reserve(q)
	if taken == nil {
		taken = map[uint64]bool{}
		f.taken[q.name] = taken
	}
	taken[req.Seq] = true
	f.ntaken++
	req.Unlocated = !q.located && q.server != nil && f.servers.ByAddress
	req.Ready = q.readyAt
	if req.Ready.IsZero() {
		req.Ready = f.now()
	}
	return req, 0, wake, nil
}

// takenCount is how many requests are taken and not yet settled by a commit.
func (f *Frontier) takenCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ntaken
}

// available counts a host's queued requests not taken (the lock is held).
func (f *Frontier) available(q *hostQ) int {
	return q.pending - len(f.taken[q.name])
}

// settle forgets that a request was taken and makes its host ready when it
// has work left to hand out (the lock is held).
func (f *Frontier) settle(req *QueuedRequest) {
	q := f.host(req.Host)
	if t := f.taken[req.Host]; t != nil && t[req.Seq] {
		delete(t, req.Seq)
		f.ntaken--
		if len(t) == 0 {
			delete(f.taken, req.Host)
		}
	}
	f.offer(q)
}

// offer puts a host in the ready heap when it has work to hand out and is
// neither busy, there already, nor waiting in its server's line (the lock
// is held).
func (f *Frontier) offer(q *hostQ) {
	if !q.busy && q.index < 0 && !q.parked && f.available(q) > 0 {
		heap.Push(&f.ready, q)
	}
}

// Next waits for a host that may be asked and hands out its next request. The
// host stays busy until Release; the request stays taken (not handed out
// again) until a commit settles it, as done or as one to retry.
func (f *Frontier) Next(ctx context.Context) (*QueuedRequest, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err // stopping: hand out nothing more
		}
		req, wait, wake, err := f.take()
		if err != nil || req != nil {
			return req, err
		}
		if wait == 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Release frees a host; it may be asked again from readyAt on. It may come
// before the commit of the request taken from it (while its document is
// read): its next request is handed out meanwhile, that one is not.
func (f *Frontier) Release(host string, readyAt time.Time) {
	f.mu.Lock()
	q := f.host(host)
	if q.busy {
		f.servers.done(q.server)
	}
	q.busy = false
	if readyAt.After(q.readyAt) {
		q.readyAt = readyAt
	}
	f.offer(q)
	f.unpark(q.server)
	f.mu.Unlock()
	f.notify()
}

// Commit is what one fetch leaves behind, written in one transaction: the request
// acknowledged (or kept for a retry), the links it found, its fetch record, and
// the document, capture and record it yielded.
type Commit struct {
	Done     *QueuedRequest // acknowledged: removed from the frontier
	Retry    *QueuedRequest // kept in the frontier with its updated fields instead
	Add      []*QueuedRequest
	Fetch    *FetchLog
	Extra    []*FetchLog // more fetch records (a redirect chain's origin)
	Host     *HostInfo
	Capture  *Capture
	Body     []byte
	Entry    *Entry
	DropHost string // remove every queued request of this host (it is blocked or gone)
	// Visits update the states of the URLs this fetch answered for (the request,
	// and a redirect chain's first URL).
	Visits []Visit
	// Origin is the first URL of the redirect chain that led to Done, if any: a
	// report known under it keeps its id at the new address.
	Origin string
	// Attachments are the attachments a report page links (canonical URLs): a
	// report already read from one of them is the page's report too.
	Attachments []string

	// prints are the content fingerprints worked out for the commit: a
	// record's is asked for several times (finding its report, logging its
	// version, indexing it).
	prints map[*report.Record]string
}

// Commit writes a fetch's results and returns how many new requests were
// queued. Everything it writes is in one transaction (shared with the commits
// waiting beside it: group.go): a kill at any instant leaves the fetch either
// committed whole or not at all.
func (f *Frontier) Commit(cm Commit) (int, error) {
	// What needs no store is worked out before the writer is waited for:
	// the document compressed and kept beside the file (durable before the
	// transaction naming it), the record's fingerprint.
	if cm.Entry != nil {
		for _, v := range cm.Visits {
			if v.Req == cm.Done && v.Req != nil && v.Fingerprint != "" {
				cm.prints = map[*report.Record]string{cm.Entry.Record: v.Fingerprint} // the caller's
			}
		}
		cm.fingerprint(cm.Entry.Record)
	}
	var z []byte
	if cm.Capture != nil {
		cm.Capture.SHA256 = SHA256(cm.Body)
		cm.Capture.Size = len(cm.Body)
		var err error
		if z, err = f.st.compress(cm.Body); err != nil {
			return 0, err
		}
		// A commit is short and must end whole once begun: no context.
		if err := f.st.putBlob(context.Background(), cm.Capture.SHA256, z); err != nil {
			return 0, fmt.Errorf("committing the fetch of %s: %w", describeCommit(cm), err)
		}
	}
	var keep map[uint64]bool // a dropped host's requests still taken: their own commits settle them
	if cm.DropHost != "" {
		f.mu.Lock()
		keep = maps.Clone(f.taken[cm.DropHost])
		f.mu.Unlock()
	}
	p := &pending{cm: &cm, z: z, keep: keep}
	if err := f.group.commit(f, p); err != nil {
		return 0, fmt.Errorf("committing the fetch of %s: %w", describeCommit(cm), err)
	}
	return len(p.added), nil
}

// write is one commit's part of a transaction.
func (f *Frontier) write(tx *bolt.Tx, p *pending) error {
	cm := p.cm
	var err error
	if p.dropped, err = f.settleRequests(tx, cm, p.keep); err != nil {
		return err
	}
	if p.added, err = f.queueNew(tx, cm.Add); err != nil {
		return err
	}
	if err := logFetches(tx, cm); err != nil {
		return err
	}
	// The run's counts are read once and written once per commit.
	var run *RunInfo
	if len(cm.Visits) > 0 || cm.Entry != nil {
		if run, err = f.runOf(tx); err != nil {
			return err
		}
	}
	if err := f.observeAll(tx, cm, run); err != nil {
		return err
	}
	if err := f.storeCapture(tx, cm, run); err != nil {
		return err
	}
	if run != nil {
		return putRun(tx, run)
	}
	return nil
}

// settleRequests removes the acknowledged request from the frontier, puts back
// the one to retry, and drops a given-up host's queue but for the requests in
// keep; it returns how many requests it dropped.
func (f *Frontier) settleRequests(tx *bolt.Tx, cm *Commit, keep map[uint64]bool) (int, error) {
	fb := tx.Bucket(bucketFrontier)
	fb.FillPercent = 0.9 // each host's requests are appended in order
	if cm.Done != nil {
		if err := fb.Delete(frontierKey(cm.Done.Host, cm.Done.Seq)); err != nil {
			return 0, err
		}
	}
	if cm.Retry != nil {
		b, err := json.Marshal(cm.Retry)
		if err != nil {
			return 0, err
		}
		if err := fb.Put(frontierKey(cm.Retry.Host, cm.Retry.Seq), b); err != nil {
			return 0, err
		}
	}
	dropped := 0
	if cm.DropHost != "" {
		c := fb.Cursor()
		prefix := append([]byte(cm.DropHost), 0)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if keep[binary.BigEndian.Uint64(k[len(prefix):])] {
				continue
			}
			if err := c.Delete(); err != nil {
				return 0, err
			}
			dropped++
		}
	}
	return dropped, nil
}

// queueNew queues the requests this generation has not seen and whose URL the
// schedule says is due, with their validators; it returns those queued.
func (f *Frontier) queueNew(tx *bolt.Tx, reqs []*QueuedRequest) ([]*QueuedRequest, error) {
	fb, seen := tx.Bucket(bucketFrontier), tx.Bucket(bucketSeen)
	var added []*QueuedRequest
	for _, q := range reqs {
		key := seenKey(q)
		if v := seen.Get(key); len(v) == 8 && binary.BigEndian.Uint64(v) >= f.gen {
			continue // this generation has it already
		}
		if err := seen.Put(key, u64(f.gen)); err != nil {
			return nil, err
		}
		d, err := getDoc(tx, docKey(q.Method, q.URL, q.Body))
		if err != nil {
			return nil, err
		}
		if d != nil && !d.Due(f.runStart) {
			continue // known, and the schedule says not yet
		}
		conditional(q, d)
		seq, err := fb.NextSequence()
		if err != nil {
			return nil, err
		}
		q.Seq = placeOf(q.Later, seq)
		b, err := json.Marshal(q)
		if err != nil {
			return nil, err
		}
		if err := fb.Put(frontierKey(q.Host, q.Seq), b); err != nil {
			return nil, err
		}
		added = append(added, q)
	}
	return added, nil
}

// logFetches appends the commit's fetch log lines and writes its host's state.
func logFetches(tx *bolt.Tx, cm *Commit) error {
	fl := tx.Bucket(bucketFetches)
	for _, rec := range append([]*FetchLog{cm.Fetch}, cm.Extra...) {
		if rec == nil {
			continue
		}
		seq, err := fl.NextSequence()
		if err != nil {
			return err
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := fl.Put(u64(seq), b); err != nil {
			return err
		}
	}
	if cm.Host == nil {
		return nil
	}
	b, err := json.Marshal(cm.Host)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketHosts).Put([]byte(cm.Host.Host), b)
}

// storeCapture keeps the capture (its document is beside the file already,
// see Commit), and the report's record under the report it belongs to.
func (f *Frontier) storeCapture(tx *bolt.Tx, cm *Commit, run *RunInfo) error {
	if cm.Capture == nil {
		return nil
	}
	var stored *Entry // the report's record as it is, if it has one
	copied := false   // the document joins it as a copy of another
	if cm.Entry != nil {
		if err := movedHere(tx, cm); err != nil {
			return err
		}
		rid, e, c, err := f.reportID(tx, cm)
		if err != nil {
			return err
		}
		if c && cm.Done != nil && cm.Done.Kind() == crawl.Attachment {
			if e, err = f.sharedFile(tx, cm, run, e); err != nil {
				return err
			}
			rid = e.ReportID
		}
		cm.Entry.ReportID, cm.Capture.ReportID, stored, copied = rid, rid, e, c
	}
	caps := tx.Bucket(bucketCaptures)
	id, err := caps.NextSequence()
	if err != nil {
		return err
	}
	cm.Capture.ID = id
	b, err := json.Marshal(cm.Capture)
	if err != nil {
		return err
	}
	if err := caps.Put(u64(id), b); err != nil {
		return err
	}
	if cm.Entry == nil {
		return nil
	}
	cm.Entry.Sources = append([]SourceRef{{CaptureID: id, URL: cm.Capture.URL, SHA256: cm.Capture.SHA256, FetchedAt: cm.Capture.FetchedAt}}, cm.Entry.Sources...)
	if err := f.storeEntry(tx, cm, run, stored, copied); err != nil {
		return err
	}
	if cm.Done != nil && cm.Done.Kind() != crawl.Attachment {
		return f.pagesSharedFiles(tx, cm, run, cm.Capture.FetchedAt)
	}
	return nil
}

// account updates the in-memory queue counts after a commit: the acknowledged
// request, a dropped host's requests, and the new ones (their hosts made ready).
func (f *Frontier) account(cm Commit, dropped int, added []*QueuedRequest) {
	f.mu.Lock()
	if cm.Done != nil {
		q := f.host(cm.Done.Host)
		q.pending--
		f.pending--
		f.settle(cm.Done)
	}
	if cm.Retry != nil {
		f.settle(cm.Retry)
	}
	if cm.DropHost != "" {
		q := f.host(cm.DropHost)
		q.pending -= dropped
		f.pending -= dropped
		if q.pending < 0 {
			f.pending -= q.pending
			q.pending = 0
		}
	}
	for _, a := range added {
		q := f.host(a.Host)
		q.pending++
		f.pending++
		f.offer(q)
	}
	f.mu.Unlock()
	if len(added) > 0 || cm.Done != nil || cm.Retry != nil {
		f.notify()
	}
}

// seenKey is 16 bytes of the SHA-256 of method, page key (see
// QueuedRequest.Key) and body: the visited set stays small at millions of URLs.
func seenKey(q *QueuedRequest) []byte {
	name := q.Key
	if name == "" {
		name = q.URL
	}
	h := sha256.New()
	h.Write([]byte(q.Method + " " + name + " "))
	h.Write(q.Body)
	return h.Sum(nil)[:16]
}

func describeCommit(cm Commit) string {
	switch {
	case cm.Done != nil:
		return cm.Done.URL
	case cm.Retry != nil:
		return cm.Retry.URL
	case cm.Capture != nil:
		return cm.Capture.URL
	case cm.Fetch != nil:
		return cm.Fetch.URL
	case len(cm.Add) > 0:
		return fmt.Sprintf("%d new requests (%s, …)", len(cm.Add), cm.Add[0].URL)
	}
	return "a request"
}

// fingerprint is report.Fingerprint(r), worked out once per record while the
// commit is written (its records are not changed meanwhile: a merge makes a
// new one).
func (cm *Commit) fingerprint(r *report.Record) string {
	if fp, ok := cm.prints[r]; ok {
		return fp
	}
	if cm.prints == nil {
		cm.prints = map[*report.Record]string{}
	}
	fp := report.Fingerprint(r)
	cm.prints[r] = fp
	return fp
}

// Enqueue queues requests that have not been seen (seeds, a resumed run's start).
func (f *Frontier) Enqueue(reqs ...*QueuedRequest) (int, error) {
	return f.Commit(Commit{Add: reqs})
}

// HostInfo returns what a crawl recorded for a host.
func (s *Store) HostInfo(host string) (*HostInfo, error) {
	var hi *HostInfo
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHosts)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(host))
		if v == nil {
			return nil
		}
		hi = &HostInfo{}
		return json.Unmarshal(v, hi)
	})
	return hi, err
}

// HostInfos calls fn for every host a crawl recorded.
func (s *Store) HostInfos(fn func(*HostInfo) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHosts)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var hi HostInfo
			if err := json.Unmarshal(v, &hi); err != nil {
				return err
			}
			return fn(&hi)
		})
	})
}

// Fetches calls fn for every recorded fetch in order.
func (s *Store) Fetches(fn func(*FetchLog) error) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFetches)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var fl FetchLog
			if err := json.Unmarshal(v, &fl); err != nil {
				return err
			}
			return fn(&fl)
		})
	})
}

// colly's queue.Storage: Init, AddRequest, GetRequest, QueueSize.

// Init is part of colly's queue.Storage and storage.Storage; the frontier is ready
// once opened.
func (f *Frontier) Init() error { return nil }

// AddRequest queues a colly-serialised request.
func (f *Frontier) AddRequest(b []byte) error {
	var q QueuedRequest
	if err := json.Unmarshal(b, &q); err != nil {
		return fmt.Errorf("decoding a colly request: %w", err)
	}
	u, err := url.Parse(q.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("queueing %q: not an absolute URL", q.URL)
	}
	q.Host = strings.ToLower(u.Host)
	if q.Method == "" {
		q.Method = "GET"
	}
	_, err = f.Enqueue(&q)
	return err
}

// GetRequest hands out the next request of a ready host without waiting
// (ErrNotReady when none is), acknowledging it at once: colly's own queue has no
// acknowledgement. The crawler uses Next, Commit and Release instead.
func (f *Frontier) GetRequest() ([]byte, error) {
	req, _, _, err := f.take()
	if err != nil {
		return nil, err
	}
	if req == nil {
		return nil, ErrNotReady
	}
	if _, err := f.Commit(Commit{Done: req}); err != nil {
		return nil, err
	}
	f.Release(req.Host, time.Time{})
	return json.Marshal(req)
}

// QueueSize counts the queued requests.
func (f *Frontier) QueueSize() (int, error) { return f.Pending(), nil }

// colly's storage.Storage: Visited, IsVisited, Cookies, SetCookies.

// Visited records a colly request id as visited.
func (f *Frontier) Visited(requestID uint64) error {
	return f.st.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVisited).Put(u64(requestID), []byte{1})
	})
}

// IsVisited reports whether colly visited a request id.
func (f *Frontier) IsVisited(requestID uint64) (bool, error) {
	var ok bool
	err := f.st.view(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketVisited).Get(u64(requestID)) != nil
		return nil
	})
	return ok, err
}

// Cookies returns the cookies stored for a URL's host.
func (f *Frontier) Cookies(u *url.URL) string {
	var s string
	f.st.view(func(tx *bolt.Tx) error {
		s = string(tx.Bucket(bucketCookies).Get([]byte(strings.ToLower(u.Host))))
		return nil
	})
	return s
}

// MaxCookieBytes bounds the cookies kept for one host (a browser keeps
// about 50 of at most 4 KB each); a server that sets more, as a hostile one
// does with every page, has the rest dropped, whole cookies at a time.
const MaxCookieBytes = 16 << 10

// SetCookies stores cookies for a URL's host (one cookie a line, as colly
// writes them), at most MaxCookieBytes of them.
func (f *Frontier) SetCookies(u *url.URL, cookies string) {
	for len(cookies) > MaxCookieBytes {
		i := strings.LastIndexByte(cookies[:MaxCookieBytes], '\n')
		if i < 0 {
			cookies = ""
			break
		}
		cookies = cookies[:i]
	}
	f.st.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCookies).Put([]byte(strings.ToLower(u.Host)), []byte(cookies))
	})
}

func sameYear(a, b *report.Record) bool {
	return a == nil || b == nil || a.Year == nil || b.Year == nil || *a.Year == *b.Year
}
