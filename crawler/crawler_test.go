package crawler

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
	"github.com/nianbao/nianbao/truth"
)

type harness struct {
	w     *simweb.World
	srv   *simweb.Server
	st    *store.Store
	cfg   Config
	seeds []string
	dir   string
	// crawlDelay is what the world's Crawl-delay hosts ask for.
	crawlDelay time.Duration
}

func newHarnessFaults(t testing.TB, hosts int, epoch int, faults bool) *harness {
	return newHarnessOpts(t, hosts, epoch, faults, simweb.Options{})
}

// newHarnessOpts serves a world of the crawler tests' config (worldConfig,
// changed by tweaks) with the server's options opt, and opens a store for it.
func newHarnessOpts(t testing.TB, hosts int, epoch int, faults bool, opt simweb.Options, tweaks ...func(*simweb.Config)) *harness {
	t.Helper()
	if opt.CrawlDelay == 0 {
		// Time is compressed: a Crawl-delay host asks for 100ms, not the 1s
		// a real one might (which made such a host, 70 pages one second
		// apart, the long pole of every world test).
		opt.CrawlDelay = 100 * time.Millisecond
	}
	if opt.RateInterval == 0 {
		opt.RateInterval = 100 * time.Millisecond // the 429 host's limit, compressed alike
	}
	if opt.BurstWindow == 0 {
		// The burst detector's 10 requests a second, compressed alike: a crawler
		// that keeps the 30ms delay never asks 10 times within 250ms, one that
		// does not keep it does.
		opt.BurstWindow = 250 * time.Millisecond
	}
	list, err := seeds.ReadFile("../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	wc := worldConfig(list, hosts, epoch, faults)
	for _, tw := range tweaks {
		if tw != nil {
			tw(&wc)
		}
	}
	w, err := simweb.Generate(wc)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := simweb.NewServer(w, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, srv.CACertPEM(), 0o644)
	st, err := store.Open(filepath.Join(dir, "crawl.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sd := w.SeedURLs() // sub-domains and split disclosure hosts must be discovered
	cfg := Config{Proxy: srv.ProxyURL(), Resolve: srv.Resolve, CAFile: ca, Delay: 30 * time.Millisecond, Timeout: 3 * time.Second, Workers: 32,
		BackoffBase: 100 * time.Millisecond, MaxBackoff: 1500 * time.Millisecond, MaxPagesPerHost: 400, RobotsFailTTL: time.Hour}
	return &harness{w: w, srv: srv, st: st, cfg: cfg, seeds: sd, dir: dir, crawlDelay: opt.CrawlDelay}
}

// worldConfig is the crawler tests' world: seed 11, and report years from 2018,
// which keeps a free-form pre-2019 year and both templates (2019–2020 and
// 2021–2023) in three quarters of the default's pages.
func worldConfig(list *seeds.List, hosts, epoch int, faults bool) simweb.Config {
	return simweb.Config{Seed: 11, Hosts: hosts, Epoch: epoch, Portals: list, Faults: faults, FirstYear: 2018}
}

func (h *harness) crawl(t testing.TB) Summary {
	t.Helper()
	return h.crawlFor(t, 4*time.Minute)
}

// crawlFor crawls the harness's world for at most limit.
func (h *harness) crawlFor(t testing.TB, limit time.Duration) Summary {
	t.Helper()
	sum, err := h.crawlWith(testExtractor(t), limit)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// crawlWith crawls the harness's world for at most limit with ex; it may run
// on any goroutine.
func (h *harness) crawlWith(ex *extract.Extractor, limit time.Duration) (Summary, error) {
	c, err := New(h.cfg, h.st, ex, h.seeds)
	if err != nil {
		return Summary{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	return c.Run(ctx)
}

// crawlUntil crawls the harness's world until done holds (looked at every
// 10 ms) or limit passes, which fails the test: a verdict on what the crawl
// did, not on how much it did in a given time.
func (h *harness) crawlUntil(t testing.TB, done func() bool, limit time.Duration) Summary {
	t.Helper()
	c, err := New(h.cfg, h.st, testExtractor(t), h.seeds)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reached := make(chan bool, 1)
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(limit)
		for {
			select {
			case <-ctx.Done():
				return
			case <-deadline:
				reached <- false
				cancel()
				return
			case <-tick.C:
				if done() {
					reached <- true
					cancel()
					return
				}
			}
		}
	}()
	sum, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ok := <-reached:
		if !ok {
			t.Fatalf("the crawl did not get there in %s", limit)
		}
	default: // the crawl ended by itself first
		if !done() {
			t.Fatal("the crawl ended before getting there")
		}
	}
	return sum
}

func canon(t testing.TB, u string) string {
	c, ok := Canonical(u)
	if !ok {
		t.Fatalf("bad URL %q", u)
	}
	return c
}

func TestCrawlSimulatedWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a simulated world")
	}
	t.Parallel()
	// Report years 2018–2021: every template, and a third fewer pages than
	// to 2023 (this world's hosts and faults are what it is for).
	h := newHarnessOpts(t, 50, 0, true, simweb.Options{}, func(c *simweb.Config) { c.LastYear = 2021 })
	sum := h.crawl(t)
	t.Logf("summary: %+v", sum)

	c := readCrawled(t, h)
	records := c.records
	m := h.w.Manifest(true)
	for _, r := range m.Reports {
		if r.Outcome != simweb.Found {
			c.checkNotFound(t, h, r)
		}
	}
	f := records.Found(m, Canonical)
	for u, wrong := range f.Wrong {
		t.Errorf("%s: %v", u, wrong[0])
	}
	misses := map[string]int{}
	for _, r := range f.Missed {
		k := string(h.w.Host(r.Host).Dialect) + "/" + r.Kind
		if misses[k]++; misses[k] == 1 {
			t.Logf("missed %s (%s, %s, %s)", r.URL, h.w.Host(r.Host).Dialect, r.Kind, r.Format)
		}
	}
	t.Logf("recall %d/%d = %.3f; misses by dialect/kind %v", f.Stored, f.Total, f.Recall(), misses)
	if f.Recall() < 0.99 {
		t.Errorf("recall %.3f, want at least 0.99", f.Recall())
	}
	// No distractor, clone page or gateway copy stored as a report.
	distractors := map[string]bool{}
	for _, d := range m.Distractors {
		distractors[canon(t, d)] = true
	}
	for u := range records {
		if distractors[u] || strings.Contains(u, m.Clone) || strings.Contains(u, "/gate/big5/") {
			t.Errorf("stored as a report: %s", u)
		}
	}
	checkOnlyReports(t, h, m)
	checkPoliteness(t, h, h.cfg.Delay)
}

// crawled is what a crawl stored, keyed by canonical URL.
type crawled struct {
	records   truth.Stored
	fetches   map[string][]*store.FetchLog
	hostClass map[string]crawl.Class
}

func readCrawled(t *testing.T, h *harness) crawled {
	records, err := truth.Read(h.st, Canonical)
	if err != nil {
		t.Fatal(err)
	}
	c := crawled{records: records, fetches: map[string][]*store.FetchLog{}, hostClass: map[string]crawl.Class{}}
	h.st.Fetches(func(f *store.FetchLog) error {
		k := canon(t, f.URL)
		c.fetches[k] = append(c.fetches[k], f)
		return nil
	})
	h.st.HostInfos(func(hi *store.HostInfo) error { c.hostClass[hi.Host] = hi.Class; return nil })
	return c
}

// checkNotFound checks that a report the world does not serve was recorded
// with the reason.
func (c crawled) checkNotFound(t *testing.T, h *harness, r simweb.ManifestReport) {
	main := h.w.Host(r.Host).Division.Host() // sub-domains are found through it
	switch r.Outcome {
	case simweb.RobotsDisallowed:
		ok := c.hostClass[r.Host] == ClassRobotsDisallowed || c.hostClass[main] == ClassRobotsDisallowed
		for _, f := range c.fetches[canon(t, r.URL)] {
			ok = ok || f.Class == ClassRobotsDisallowed
		}
		if !ok && !anyClass(c.fetches, r.Host, ClassRobotsDisallowed) && !anyClass(c.fetches, main, ClassRobotsDisallowed) {
			t.Errorf("%s (%s): robots_disallowed not recorded", r.URL, r.Host)
		}
	case simweb.BlockedWAF, simweb.Unreachable:
		want := map[simweb.Outcome][]crawl.Class{simweb.BlockedWAF: {ClassBlockedWAF}, simweb.Unreachable: {ClassUnreachable, ClassTLS}}[r.Outcome]
		if !slices.Contains(want, c.hostClass[r.Host]) && !slices.Contains(want, c.hostClass[main]) {
			t.Errorf("%s: host %s recorded as %q, want %v", r.URL, r.Host, c.hostClass[r.Host], want)
		}
	case simweb.Gone:
		fs := c.fetches[canon(t, r.URL)]
		if len(fs) == 0 || fs[len(fs)-1].Class != ClassGone && fs[len(fs)-1].Class != ClassOffsite {
			t.Errorf("%s: gone not recorded (%d fetches)", r.URL, len(fs))
		}
	case simweb.Moved:
		fs := c.fetches[canon(t, r.URL)]
		if len(fs) == 0 || fs[len(fs)-1].Class != ClassMoved || c.records[canon(t, r.MovedURL)] == nil && c.records[canon(t, r.URL)] == nil {
			t.Errorf("%s: move not recorded", r.URL)
		}
	}
}

// checkOnlyReports: every stored record is one report of the manifest (no
// list page, whatever its title), and no report has two records of one year.
// (The simulated web serves one canned DOC for every DOC attachment, read as
// another year's report: the store rightly keeps it apart from its page, and
// the copies of such a report, which meet only through that DOC, stay apart.)
func checkOnlyReports(t *testing.T, h *harness, m *simweb.Manifest) {
	t.Helper()
	owner := map[string]string{} // canonical URL → the report's unit and year
	canned := map[string]bool{}  // reports whose attachment is the canned DOC
	for _, r := range m.Reports {
		id := fmt.Sprintf("%s/%d", r.UnitID, r.Year)
		canned[id] = r.Format == "doc"
		for _, u := range []string{r.URL, r.MovedURL, r.DuplicateURL, r.AttachmentURL} {
			if u != "" {
				owner[canon(t, u)] = id
			}
		}
	}
	perReport := map[string][]string{} // report → its records, by year read
	h.st.Entries(func(e *store.Entry) error {
		u := canon(t, string(e.Record.Source.URL))
		id, ok := owner[u]
		if !ok {
			for _, src := range e.Sources {
				if id, ok = owner[canon(t, src.URL)]; ok {
					break
				}
			}
		}
		if !ok {
			if d, _ := h.st.Doc("GET", u, nil); d != nil && d.Kind == KindAttachment {
				return nil // an attachment reached through a redirect (downfile.jsp → /attach/…)
			}
			t.Errorf("stored, but no report of the world: %s (%q)", u, e.Record.Title)
			return nil
		}
		if canned[id] {
			return nil // its copies name the canned DOC, read as another report: not merged, rightly
		}
		year := 0
		if e.Record.Year != nil {
			year = *e.Record.Year
		}
		perReport[fmt.Sprintf("%s (read as %d)", id, year)] = append(perReport[fmt.Sprintf("%s (read as %d)", id, year)], u)
		return nil
	})
	for id, us := range perReport {
		if len(us) > 1 {
			t.Errorf("report %s has %d records: %v", id, len(us), us)
		}
	}
}

func anyClass(fetches map[string][]*store.FetchLog, host string, class crawl.Class) bool {
	for u, fs := range fetches {
		if pu, err := url.Parse(u); err == nil && strings.EqualFold(pu.Host, host) {
			for _, f := range fs {
				if f.Class == class {
					return true
				}
			}
		}
	}
	return false
}

// checkPoliteness reads the simulated web's request log.
func checkPoliteness(t *testing.T, h *harness, delay time.Duration) {
	t.Helper()
	byHost := h.srv.Log().ByHost()
	names := make([]string, 0, len(byHost))
	for n := range byHost {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		es := byHost[name]
		host := h.w.Host(name)
		for i, e := range es {
			if e.Method == "CONNECT" {
				continue
			}
			if host != nil && host.Robots == simweb.RobotsDisallow && e.Path != "/robots.txt" {
				t.Errorf("%s: fetched %s under Disallow: /", name, e.Path)
			}
			if host != nil && host.Robots == simweb.RobotsPath && (strings.HasPrefix(e.Path, "/xxgk/bmxxgknb/") || strings.HasPrefix(e.Path, "/search.jsp")) {
				t.Errorf("%s: fetched disallowed %s", name, e.Path)
			}
			if i == 0 {
				continue
			}
			prev := es[i-1]
			if e.Start.Before(prev.End) {
				t.Errorf("%s: two requests at once (%s and %s)", name, prev.Path, e.Path)
			}
			if gap := e.Start.Sub(prev.End); gap < delay-5*time.Millisecond {
				t.Errorf("%s: %s only %s after the previous request", name, e.Path, gap)
			}
			if gap := e.Start.Sub(prev.End); host != nil && host.Robots == simweb.RobotsCrawlDelay && prev.Path != "/robots.txt" && gap < h.crawlDelay-5*time.Millisecond {
				t.Errorf("%s: %s only %s after the previous request, under Crawl-delay %s", name, e.Path, gap, h.crawlDelay)
			}
			if prev.Status == 429 && e.Start.Sub(prev.End) < time.Second {
				t.Errorf("%s: Retry-After not honoured (%s)", name, e.Start.Sub(prev.End))
			}
			switch prev.Status {
			case 412, 418, 512, 521: // a challenge: backed off from, never answered at once
				if gap := e.Start.Sub(prev.End); gap < h.cfg.BackoffBase-5*time.Millisecond {
					t.Errorf("%s: %s only %s after a %d challenge", name, e.Path, gap, prev.Status)
				}
			}
		}
		// A host that answers 429 is asked more slowly from then on, not at
		// the same rate after each back-off.
		if n := countStatus(es, 429); n > 8 {
			t.Errorf("%s: %d answers 429 of %d requests: the crawl did not slow down", name, n, len(es))
		}
		if len(es) > h.cfg.MaxPagesPerHost+1 {
			t.Errorf("%s: %d requests, budget %d", name, len(es), h.cfg.MaxPagesPerHost)
		}
	}
}

func countStatus(es []simweb.LogEntry, status int) int {
	n := 0
	for _, e := range es {
		if e.Status == status {
			n++
		}
	}
	return n
}
