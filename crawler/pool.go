package crawler

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nianbao/nianbao/store"
)

// The crawl's workers. One dispatcher asks the frontier for the next request
// (so the frontier has one waiter, not a herd woken by every release) when a
// slot is free, and starts a worker for it. The frontier hands out a host's
// requests one at a time and only once its delay has passed, so the requests
// in flight are those of the hosts that may be asked now, up to the cap on
// workers: a crawl of many slow hosts runs at the politeness bound, not at
// workers ÷ latency.

// Most and fewest workers DefaultWorkers gives, and the memory it counts for
// each request in flight (a connection's buffers, a body, its parse).
const (
	maxDefaultWorkers = 512
	minDefaultWorkers = 16
	memoryPerRequest  = 16 << 20
)

// DefaultWorkers is the cap on requests in flight when none is configured:
// what the process's file descriptors (a connection each, two through a
// proxy, and files besides) and the machine's memory allow, between 16 and 512.
func DefaultWorkers() int { return workersFor(openFileLimit(), totalMemory()) }

// workersFor is DefaultWorkers for a limit on open files and a memory size in
// bytes (0: unknown).
func workersFor(files, mem uint64) int {
	n := maxDefaultWorkers
	if files > 0 && files < uint64(4*n) {
		n = int(files / 4)
	}
	if mem > 0 && mem/memoryPerRequest < uint64(n) {
		n = int(mem / memoryPerRequest)
	}
	return max(n, minDefaultWorkers)
}

// pool is the run's workers and what they are doing. A worker is a goroutine
// started for one request and gone when it is done, not one of a standing
// crew: the cap is a count of slots, and a crawl that has 40 requests in
// flight under a cap of 512 keeps 40 stacks, not 512 (a few megabytes).
type pool struct {
	c       *Crawler
	slots   chan struct{} // one per request in flight, up to the cap
	busy    atomic.Int64  // requests being processed
	extract chan struct{} // slots for the CPU-bound part: decoding, extraction
}

func newPool(c *Crawler) *pool {
	return &pool{c: c, slots: make(chan struct{}, max(c.cfg.Workers, 1)), extract: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// run dispatches the frontier's requests to workers until the frontier is
// done, the context ends or a worker fails; it returns the errors.
func (p *pool) run(ctx context.Context, cancel context.CancelFunc) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs error
	fail := func(err error) {
		mu.Lock()
		errs = errors.Join(errs, err)
		mu.Unlock()
		cancel()
	}
	p.dispatch(ctx, fail, func(req *store.QueuedRequest) {
		wg.Go(func() {
			defer func() { <-p.slots }()
			if ctx.Err() != nil {
				return // stopping: left in the frontier for the next run
			}
			if !req.Ready.IsZero() {
				req.Waited = max(0, time.Since(req.Ready))
			}
			p.busy.Add(1)
			err := p.c.process(ctx, req)
			p.busy.Add(-1)
			if err != nil {
				fail(err)
			}
		})
	})
	wg.Wait()
	return errs
}

// dispatch takes the frontier's requests one at a time and starts each in a
// free slot, waiting for one when all are taken. It takes the request first:
// waiting for a host to come due while holding a slot would keep that slot
// from the requests that wait their turn without one (see wait). A request
// taken when the run stops is left in the frontier for the next run.
func (p *pool) dispatch(ctx context.Context, fail func(error), start func(*store.QueuedRequest)) {
	for {
		req, err := p.c.fr.Next(ctx)
		if err != nil {
			// Done, or stopped (interrupted, or the caller's deadline), or failed.
			if !errors.Is(err, store.ErrFrontierDone) && ctx.Err() == nil {
				fail(err)
			}
			return
		}
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return // taken, not asked: queued again next run
		}
		start(req)
	}
}

// wait sleeps d for a request that must wait its host's turn, and gives its
// slot to other hosts' requests meanwhile: the cap counts requests being
// served, not ones asleep. It takes a slot back (waiting for one, so the
// request may go on later than d, never sooner) and is false if the context
// ended first.
func (p *pool) wait(ctx context.Context, d time.Duration) bool {
	p.busy.Add(-1)
	<-p.slots
	ok := pause(ctx, d)
	p.slots <- struct{}{} // run gives it back when the request is done
	p.busy.Add(1)
	return ok
}

// pause waits d; it is false if the context ended first.
func pause(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// extracting runs f in one of the extraction slots: as many documents are
// decoded and read at once as there are CPUs, however many requests are in
// flight.
func (p *pool) extracting(ctx context.Context, f func()) error {
	select {
	case p.extract <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.extract }()
	f()
	return nil
}

// sampler keeps, once a second, what bounds the crawl: the politeness bound
// (hosts with work ÷ delay) and the workers busy; limit judges a run by them.
type sampler struct {
	n                 int
	boundSum, busySum float64
	cpu0              time.Duration
	start             time.Time
}

func newSampler() *sampler { return &sampler{cpu0: processCPU(), start: time.Now()} }

func (s *sampler) sample(bound float64, busy int64) {
	s.n++
	s.boundSum += bound
	s.busySum += float64(busy)
}

// Limit is what held a run's rate down.
type Limit int

const (
	LimitUnknown    Limit = iota // too short to tell
	LimitPoliteness              // one request per host per delay: the rate is the bound's
	LimitWorkers                 // every worker was busy: the cap on workers
	LimitCPU                     // the process used the machine's CPUs
	LimitLatency                 // the hosts' answers: requests waited on the network
)

func (l Limit) String() string {
	if l < 0 || int(l) >= len(limitNames) {
		return "unknown"
	}
	return limitNames[l]
}

var limitNames = [...]string{"unknown", "politeness", "workers", "cpu", "latency"}

// MarshalText writes a limit by its name (in the run report).
func (l Limit) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a limit's name; one it does not know is LimitUnknown.
func (l *Limit) UnmarshalText(b []byte) error {
	*l = LimitUnknown
	for i, n := range limitNames {
		if n == string(b) {
			*l = Limit(i)
		}
	}
	return nil
}

// LimitInputs are the figures a run's limit is judged from: the rate of
// requests, the mean politeness bound, the mean number of busy workers and
// the cap, and the share of the machine's CPUs the process used.
type LimitInputs struct {
	Rate, Bound, Busy float64
	Workers           int
	CPU               float64
}

// judge says what limited a run that fetched n requests, and from what.
func (s *sampler) judge(n int64, workers int) (Limit, LimitInputs) {
	el := time.Since(s.start).Seconds()
	if s.n < 3 || el <= 0 {
		return LimitUnknown, LimitInputs{Workers: workers}
	}
	in := LimitInputs{Rate: float64(n) / el, Bound: s.boundSum / float64(s.n), Busy: s.busySum / float64(s.n), Workers: workers,
		CPU: (processCPU() - s.cpu0).Seconds() / el / float64(runtime.GOMAXPROCS(0))}
	return judgeLimit(in.Rate, in.Bound, in.Busy, in.Workers, in.CPU), in
}

// judgeLimit: politeness when the rate was 80% of the mean bound or more,
// else the cap on workers when nine tenths of them were busy on average, else
// the CPUs when the process used 80% of them (cpu is the share used), else the
// network's latency.
func judgeLimit(rate, bound, busy float64, workers int, cpu float64) Limit {
	switch {
	case bound > 0 && rate >= 0.8*bound:
		return LimitPoliteness
	case workers > 0 && busy >= 0.9*float64(workers):
		return LimitWorkers
	case cpu >= 0.8:
		return LimitCPU
	}
	return LimitLatency
}
