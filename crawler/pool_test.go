package crawler

import (
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/simweb"
)

func TestJudgeLimit(t *testing.T) {
	for _, c := range []struct {
		rate, bound, busy float64
		workers           int
		cpu               float64
		want              Limit
	}{
		{rate: 140, bound: 150, busy: 40, workers: 512, cpu: 0.3, want: LimitPoliteness},
		{rate: 33, bound: 150, busy: 16, workers: 16, cpu: 0.2, want: LimitWorkers},
		{rate: 60, bound: 150, busy: 100, workers: 512, cpu: 0.95, want: LimitCPU},
		{rate: 60, bound: 150, busy: 100, workers: 512, cpu: 0.3, want: LimitLatency},
		{rate: 140, bound: 150, busy: 16, workers: 16, cpu: 0.99, want: LimitPoliteness}, // at the bound, nothing else matters
	} {
		if got := judgeLimit(c.rate, c.bound, c.busy, c.workers, c.cpu); got != c.want {
			t.Errorf("%+v: %s, want %s", c, got, c.want)
		}
	}
}

// The cap follows the machine: a quarter of the open files, one request per
// 16 MiB of memory, within 16 and 512.
func TestWorkersFor(t *testing.T) {
	for _, c := range []struct {
		files, mem uint64
		want       int
	}{
		{0, 0, 512},              // nothing known: the most
		{1 << 20, 64 << 30, 512}, // a large machine: the most
		{1024, 64 << 30, 256},    // 1,024 open files
		{1 << 20, 1 << 30, 64},   // 1 GiB of memory
		{1024, 1 << 30, 64},      // the smaller of the two
		{40, 64 << 20, 16},       // a tiny one: the fewest
	} {
		if got := workersFor(c.files, c.mem); got != c.want {
			t.Errorf("workersFor(%d files, %d bytes) = %d, want %d", c.files, c.mem, got, c.want)
		}
	}
}

// A crawl names what held it back, judged from figures it measured: the
// verdict is judgeLimit's (tested above as a function of its inputs) on the
// run's own rate, bound, busy workers and CPU share, whatever the machine's
// load made them. What the crawls did that no load changes is asserted too:
// one worker never has two requests in flight, and answers 300 ms late are
// never seen sooner.
func TestRunReportNamesTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls for seconds")
	}
	t.Parallel()
	cases := []struct {
		name    string
		latency time.Duration
		delay   time.Duration
		workers int
	}{
		{"one worker", 300 * time.Millisecond, 500 * time.Millisecond, 1},
		{"slow answers", 300 * time.Millisecond, 500 * time.Millisecond, 0},
		{"polite", 0, 2 * time.Second, 0},
	}
	// The three crawls mostly wait (for answers, for their delays): they run
	// at once, in this one test, rather than as three parallel tests that
	// would each hold one of the package's few test slots for seconds.
	sums, errs := make([]Summary, len(cases)), make([]error, len(cases))
	hs := make([]*harness, len(cases))
	ex := testExtractor(t)
	var wg sync.WaitGroup
	for i, c := range cases {
		h := newHarnessOpts(t, 4, 0, false, simweb.Options{Latency: c.latency})
		h.cfg.Delay, h.cfg.Workers = c.delay, c.workers
		hs[i] = h
		wg.Go(func() { sums[i], errs[i] = h.crawlWith(ex, 4*time.Second) })
	}
	wg.Wait()
	for i, c := range cases {
		sum := sums[i]
		t.Run(c.name, func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			in := sum.Judged
			t.Logf("%d requests, %.1f/s against a bound of %.1f/s, %.2f of %d workers busy, %.0f%% CPU: %s",
				sum.Fetched, in.Rate, in.Bound, in.Busy, in.Workers, 100*in.CPU, sum.Limit)
			if sum.Limit == LimitUnknown || sum.Limit != judgeLimit(in.Rate, in.Bound, in.Busy, in.Workers, in.CPU) {
				t.Errorf("limited by %s, but the judge gives %s on the run's figures %+v", sum.Limit, judgeLimit(in.Rate, in.Bound, in.Busy, in.Workers, in.CPU), in)
			}
			if sum.Bound != in.Bound || in.Workers != sum.Workers && c.workers > 0 {
				t.Errorf("the report's bound %.2f and cap %d are not the judged %.2f and %d", sum.Bound, sum.Workers, in.Bound, in.Workers)
			}
			if c.latency > 0 && sum.FirstByte < c.latency {
				t.Errorf("mean time to first byte %s, under the servers' %s", sum.FirstByte, c.latency)
			}
			if c.workers == 1 {
				if most := mostInFlight(hs[i].srv.Log().Entries()); most > 1 {
					t.Errorf("%d requests in flight with one worker", most)
				}
			}
		})
	}
}

// mostInFlight is the most requests a server's log shows at once.
func mostInFlight(entries []simweb.LogEntry) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, e := range entries {
		edges = append(edges, edge{e.Start, 1}, edge{e.End, -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if !edges[i].at.Equal(edges[j].at) {
			return edges[i].at.Before(edges[j].at)
		}
		return edges[i].delta < edges[j].delta // an end before a start at the same instant
	})
	in, most := 0, 0
	for _, e := range edges {
		in += e.delta
		most = max(most, in)
	}
	return most
}

// TestWorkersCapRequestsInFlight crawls 40 hosts whose servers answer after
// 100 ms with a cap of 4, until the servers have answered 80 requests: they
// never saw more than 4 at once, and did see 4 (the cap is the limit, not one
// host at a time).
func TestWorkersCapRequestsInFlight(t *testing.T) {
	h := newHarnessOpts(t, 40, 0, false, simweb.Options{Latency: 100 * time.Millisecond})
	h.cfg.Workers = 4
	h.crawlUntil(t, func() bool { return len(h.srv.Log().Entries()) >= 80 }, 2*time.Minute)
	entries := h.srv.Log().Entries()
	most := mostInFlight(entries)
	if most > h.cfg.Workers {
		t.Errorf("%d requests in flight at once; the cap is %d", most, h.cfg.Workers)
	}
	if most < h.cfg.Workers {
		t.Errorf("at most %d requests in flight with 40 hosts and a cap of %d", most, h.cfg.Workers)
	}
}

// spread fills one delay evenly whatever the number of hosts: the first
// waits nothing, none waits a whole delay, and the first n leave no gap in
// the delay wider than 3/n of it (waves would leave all but one gap empty).
func TestSpread(t *testing.T) {
	const d = time.Second
	if got := spread(0, d); got != 0 {
		t.Errorf("the first host waits %s", got)
	}
	for _, n := range []int{2, 3, 7, 40, 300, 3211} {
		at := make([]time.Duration, n)
		for k := range at {
			at[k] = spread(uint64(k), d)
			if at[k] < 0 || at[k] >= d {
				t.Fatalf("host %d of %d waits %s, outside one delay", k, n, at[k])
			}
		}
		slices.Sort(at)
		widest := d - at[n-1] + at[0] // around the end of the delay
		for i := 1; i < n; i++ {
			widest = max(widest, at[i]-at[i-1])
		}
		if widest > 3*d/time.Duration(n) {
			t.Errorf("%d hosts: a gap of %s in a delay of %s", n, widest, d)
		}
	}
}

// TestFirstContactsSpread crawls a 30-portal world at 500 ms apart: the seed
// hosts, all ready at the start, reach the servers with their first requests
// (robots.txt) spread over the delay, not all at once, and each host is still
// asked no sooner than its delay after that.
func TestFirstContactsSpread(t *testing.T) {
	h := newHarnessOpts(t, 30, 0, false, simweb.Options{})
	h.cfg.Delay = 500 * time.Millisecond
	seedHosts := map[string]bool{}
	for _, u := range h.seeds {
		seedHosts[hostOf(u)] = true
	}
	h.crawlUntil(t, func() bool { return everyHostAsked(h, seedHosts) }, time.Minute)
	first := map[string]time.Time{}
	for _, e := range h.srv.Log().Entries() {
		if at, ok := first[e.Host]; seedHosts[e.Host] && (!ok || e.Start.Before(at)) {
			first[e.Host] = e.Start
		}
	}
	if len(first) < len(seedHosts) || len(first) < 5 {
		t.Fatalf("%d of %d seed hosts asked", len(first), len(seedHosts))
	}
	var at []time.Time
	for _, s := range first {
		at = append(at, s)
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	if span := at[len(at)-1].Sub(at[0]); span < h.cfg.Delay/2 {
		t.Errorf("the first requests of %d hosts came within %s of each other; want them spread over the %s delay", len(at), span, h.cfg.Delay)
	}
	checkPoliteness(t, h, h.cfg.Delay)
}

// TestWaitingGivesTheSlotAway crawls 12 portals with one worker and 500 ms
// between requests to a host, until every seed host has been asked: a
// request waiting its host's turn (its place in the spread, its delay after
// robots.txt) does not hold the one slot, so the first contacts of the
// twelve come within about one delay, not one delay after another (5.5 s
// at the least if the waiting held the slot; the verdict is at half that).
func TestWaitingGivesTheSlotAway(t *testing.T) {
	h := newHarnessOpts(t, 12, 0, false, simweb.Options{})
	h.cfg.Delay, h.cfg.Workers = 500*time.Millisecond, 1
	seedHosts := map[string]bool{}
	for _, u := range h.seeds {
		seedHosts[hostOf(u)] = true
	}
	h.crawlUntil(t, func() bool { return everyHostAsked(h, seedHosts) }, time.Minute)
	first := map[string]time.Time{}
	for _, e := range h.srv.Log().Entries() {
		if at, ok := first[e.Host]; seedHosts[e.Host] && (!ok || e.Start.Before(at)) {
			first[e.Host] = e.Start
		}
	}
	var lo, hi time.Time
	for _, at := range first {
		if lo.IsZero() || at.Before(lo) {
			lo = at
		}
		if at.After(hi) {
			hi = at
		}
	}
	if held := time.Duration(len(seedHosts)-1) * h.cfg.Delay; hi.Sub(lo) >= held/2 {
		t.Errorf("the first contacts of %d hosts took %s with one worker at %s apart: waiting requests hold the slot (one after another takes %s)", len(seedHosts), hi.Sub(lo), h.cfg.Delay, held)
	}
	checkPoliteness(t, h, h.cfg.Delay)
}

// everyHostAsked says whether the server has seen a request of every host.
func everyHostAsked(h *harness, hosts map[string]bool) bool {
	asked := map[string]bool{}
	for _, e := range h.srv.Log().Entries() {
		if hosts[e.Host] {
			asked[e.Host] = true
		}
	}
	return len(asked) == len(hosts)
}
