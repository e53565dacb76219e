package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/atomicfile"
	"github.com/nianbao/nianbao/config"
	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/fanout"
	"github.com/nianbao/nianbao/render"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/store"
)

// Exit statuses of crawl, for cron and systemd.
const (
	exitOK      = 0
	exitFailed  = 1   // the run could not be done (configuration, store, a crawl error)
	exitPartial = 3   // the run finished, but hosts were given up or requests failed for good
	exitLocked  = 75  // EX_TEMPFAIL: another process holds the store; nothing was touched
	exitStopped = 130 // interrupted; the next run resumes
)

// crawlGCPercent is the garbage collector's target while a crawl runs: the
// heap may grow to 1.5 times what is live instead of twice. A crawl's live
// heap is small (connections, requests in flight, the documents being
// extracted) and the CPU mostly idle while it waits on politeness, so
// collecting more often is cheap: on the 300-host world at 300 ms, the peak
// resident memory falls by about 5 MB for about 0.3 ms more CPU a request
// (at 25, 1 MB more for 0.4 ms more).
const crawlGCPercent = 50

// runReport is the JSON a run leaves for monitoring.
type runReport struct {
	Status     string    `json:"status"` // ok, partial, stopped, locked, failed
	ExitCode   int       `json:"exit_code"`
	Error      string    `json:"error,omitempty"`
	Store      string    `json:"store"`
	Generation uint64    `json:"generation,omitempty"`
	Resumed    bool      `json:"resumed,omitempty"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`
	Seeds      int       `json:"seeds"`
	Revisits   int       `json:"revisits"` // known URLs asked again because they were due
	Fetched    int64     `json:"requests"`
	Documents  int64     `json:"documents"`
	Reports    int64     `json:"reports"`
	Errors     int64     `json:"errors"`
	Disallowed int64     `json:"robots_disallowed"`
	// LinksDropped: links pages offered past the crawler's cap per page;
	// HostsRefused: links to new hosts of a domain past max_hosts_per_domain.
	LinksDropped int64 `json:"links_dropped,omitempty"`
	HostsRefused int64 `json:"hosts_refused,omitempty"`
	// SharedAddress: hosts that resolve to an address another server had,
	// asked together with it.
	SharedAddress int64 `json:"hosts_sharing_an_address,omitempty"`
	// PagesCut: pages past 8 MiB, read for links in their first 8 MiB.
	PagesCut int64               `json:"pages_cut,omitempty"`
	Pending  int                 `json:"still_queued"`
	Hosts    map[crawl.Class]int `json:"hosts,omitempty"` // by class
	GivenUp  []store.HostInfo    `json:"hosts_given_up,omitempty"`
	// Noted: hosts crawled otherwise than they asked, and how.
	Noted []store.HostInfo `json:"hosts_noted,omitempty"`
	// Budget is each host's page budget as the run spent it: on reports,
	// lists and other requests (the most asked host first).
	Budget   []crawler.HostBudget `json:"budget,omitempty"`
	Refused  []crawler.Refusal    `json:"seeds_refused,omitempty"`
	Failures []crawler.Failure    `json:"failures,omitempty"` // documents lost for good, with the reason
	// Changes are the generation's: conditional requests answered 304, and the
	// reports that were new, revised, moved, gone or came back.
	Changes store.RunCounts `json:"changes"`
	// OCR is the reading of the crawl's scans by workers (crawl --nats).
	OCR *fanout.Summary `json:"ocr,omitempty"`
	// The pace: requests a second, the politeness bound over the run (hosts with
	// work ÷ delay), the cap on requests in flight, and what held the rate down
	// (politeness, workers, cpu, latency).
	Rate    float64       `json:"requests_per_second"`
	Bound   float64       `json:"politeness_bound"`
	Workers int           `json:"max_in_flight"`
	Limit   crawler.Limit `json:"limited_by"`
	// The mean request's wait for a worker once its host was ready, time to
	// the answer's headers and transfer of the body, in seconds.
	QueueWait float64 `json:"mean_queue_wait_s"`
	FirstByte float64 `json:"mean_first_byte_s"`
	Transfer  float64 `json:"mean_transfer_s"`
	// Names looked up to dial hosts, and how many the cache answered (an
	// answer is kept for its DNS TTL).
	DNSLookups int64 `json:"dns_lookups"`
	DNSCached  int64 `json:"dns_cached"`
	// Commits written to the store, and the transactions (each one write
	// to disk) that wrote them: fewer when commits waited for the writer and
	// were written together.
	Commits      int64 `json:"commits"`
	Transactions int64 `json:"commit_transactions"`
	// Rendering is what the rendering of script shells did and cost, or why
	// it was off.
	Rendering renderReport `json:"rendering"`
}

// renderReport is the run report's account of rendering.
type renderReport struct {
	Off string `json:"off,omitempty"` // why no page could be rendered
	crawler.RenderStats
	SecondsPerPage float64 `json:"seconds_per_page,omitempty"` // wall time of one render, on average
}

func (a *app) crawlCmd() *cobra.Command {
	var seedsPath, proxy, caFile, reportPath, natsURL string
	cmd := &cobra.Command{
		Use:   "crawl",
		Short: "Discover and fetch the reports of the seed portals, politely, into the store",
		Long: `crawl starts from the seed portals (the portal list, or a plain list of URLs),
finds the report columns and every report page and attachment, and stores the raw
bytes and the extracted records as it goes. It obeys robots.txt, asks each host one
request at a time with the configured delay, and backs off from rate limits,
errors and challenges. Ctrl-C stops cleanly; a later run resumes where it stopped.

Run it every night on the same store: each run that starts with nothing queued
asks the seeds and every known URL that is due again, conditionally (an unchanged
page costs a 304), fetches what is new or changed, keeps the old version of a
revised report, and records reports that moved or went away (see history and
changes). Two runs never share a store: the second exits at once.

Exit status: 0 done; 3 done, but some hosts were given up or requests failed
for good (see the report); 75 the store is in use by another run (nothing
touched; try later); 130 interrupted (the next run resumes); 1 failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			if reportPath == "" {
				reportPath = cfg.Crawl.Report
			}
			rep := &runReport{Store: cfg.Store, Started: time.Now().UTC()}
			err = a.crawl(cmd, cfg, crawlInputs{seedsPath, proxy, caFile, natsURL}, rep)
			rep.Finished = time.Now().UTC()
			switch {
			case err == nil:
				rep.Status, rep.ExitCode = "ok", exitOK
			case errors.Is(err, store.ErrLocked):
				rep.Status, rep.ExitCode = "locked", exitLocked
				err = exitError{code: exitLocked, err: fmt.Errorf("%w; this run exits without touching it (try again later)", err)}
			default:
				rep.Status, rep.ExitCode = "failed", exitCode(err)
				if rep.ExitCode == exitPartial {
					rep.Status = "partial"
				} else if rep.ExitCode == exitStopped {
					rep.Status = "stopped"
				}
			}
			if err != nil {
				rep.Error = err.Error()
			}
			if reportPath != "" {
				if werr := writeJSONFile(reportPath, rep); werr != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "nianbao: writing the run report: %v\n", werr)
					if err == nil {
						err = werr
					}
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&seedsPath, "seeds", "", "portal list (CSV) or URL list (default: the config's crawl.seeds)")
	cmd.Flags().StringVar(&proxy, "proxy", "", "HTTP(S) proxy URL (default: the config's fetch.proxy)")
	cmd.Flags().StringVar(&caFile, "ca", "", "extra root CA file (PEM), e.g. simweb's ca.pem")
	cmd.Flags().StringVar(&reportPath, "report", "", "write the run's JSON report to this file (default: the config's crawl.report)")
	cmd.Flags().StringVar(&natsURL, "nats", "", "leave OCR to `nianbao worker` processes through this NATS JetStream server: scans are read by them after the crawl (docs/scaling.md)")
	return cmd
}

// crawl runs one crawl and fills in its report; the error carries the exit status.
// crawlInputs are the crawl's flags: the seed list, the proxy, an extra CA
// and the NATS server OCR is left to ("": OCR in this process).
type crawlInputs struct{ seedsPath, proxy, caFile, natsURL string }

func (a *app) crawl(cmd *cobra.Command, cfg config.Config, in crawlInputs, rep *runReport) error {
	seedsPath, proxy, caFile := in.seedsPath, in.proxy, in.caFile
	if seedsPath == "" {
		seedsPath = cfg.Crawl.Seeds
	}
	urls, err := seedURLs(seedsPath)
	if err != nil {
		return err
	}
	st, ex, err := a.openCrawling(cmd, in.natsURL != "")
	if err != nil {
		return err
	}
	defer st.Close()
	defer ex.Close()
	if err := keepPortals(st, seedsPath, nil); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" { // else the user's setting holds
		defer debug.SetGCPercent(debug.SetGCPercent(crawlGCPercent))
	}
	cc := crawlConfig(cfg, proxy, caFile)
	browser, off, err := renderer(cfg)
	if err != nil {
		return err
	}
	if browser != nil {
		defer browser.Close()
		cc.Render = browser
	}
	c, err := crawler.New(cc, st, ex, urls)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "crawl: %d seed URLs into %s, %s between requests to a host, at most %d requests in flight\n", len(urls), st.Path(), cc.Delay, workersOf(cc.Workers))
	stop := publishSnapshots(cmd.Context(), st, cfg.Crawl.SnapshotEvery, cmd.ErrOrStderr())
	sum, err := runCrawl(cmd, c)
	stop()
	rep.Generation, rep.Resumed, rep.Seeds, rep.Revisits, rep.Changes = sum.Run.Generation, sum.Resumed, len(urls), sum.Run.Revisits, sum.Run.Counts
	rep.Fetched, rep.Documents, rep.Reports, rep.Errors, rep.Disallowed, rep.Pending = sum.Fetched, sum.Documents, sum.Reports, sum.Errors, sum.Disallowed, sum.Pending
	rep.LinksDropped, rep.HostsRefused, rep.SharedAddress, rep.PagesCut = sum.LinksDropped, sum.HostsRefused, sum.SharedAddress, sum.PagesCut
	if sum.Duration > 0 {
		rep.Rate = float64(sum.Fetched) / sum.Duration.Seconds()
	}
	rep.Bound, rep.Workers, rep.Limit = sum.Bound, sum.Workers, sum.Limit
	rep.QueueWait, rep.FirstByte, rep.Transfer = sum.QueueWait.Seconds(), sum.FirstByte.Seconds(), sum.Transfer.Seconds()
	rep.DNSLookups, rep.DNSCached = sum.DNS.Lookups, sum.DNS.Cached
	rep.Commits, rep.Transactions = sum.Commits.Commits, sum.Commits.Transactions
	rep.Hosts, rep.Refused, rep.Failures = sum.Hosts, sum.Refused, sum.Failures
	rep.Budget = sum.Budget
	rep.Rendering = renderReport{Off: off, RenderStats: sum.Render}
	if sum.Render.Pages > 0 {
		rep.Rendering.SecondsPerPage = sum.Render.Wall.Seconds() / float64(sum.Render.Pages)
	}
	printRendering(out, rep.Rendering)
	for i, f := range sum.Failures {
		if i == 20 {
			fmt.Fprintf(out, "… and %d more failures (nianbao failures lists them all)\n", int(sum.Errors)-20)
			break
		}
		fmt.Fprintf(out, "failed %s: %s: %s\n", f.URL, f.Class, f.Detail)
	}
	for _, r := range sum.Refused {
		fmt.Fprintf(out, "refused seed %s: %s\n", r.URL, r.Reason)
	}
	for _, h := range sum.GivenUp {
		if h.Class != crawler.ClassRobotsDisallowed { // the site's own wish, not a failure
			rep.GivenUp = append(rep.GivenUp, h)
		}
	}
	rep.Noted = sum.Noted
	for _, h := range sum.Noted {
		fmt.Fprintf(out, "note on %s: %s\n", h.Host, h.Detail)
	}
	if err == nil && !sum.Stopped && in.natsURL != "" {
		// The crawl is stored: its scans are read by the workers now.
		fmt.Fprintf(out, "crawl: reading the scans left unread through the workers of %s\n", in.natsURL)
		ocr, oerr := coordinate(cmd, st, in.natsURL, fanout.CoordinatorOptions{Scope: fanout.ScopeUnreadScans}, "")
		rep.OCR = &ocr
		if oerr != nil {
			return fmt.Errorf("the crawl is stored; reading its scans through %s: %w (run crawl or reextract --nats --unread-scans again)", in.natsURL, oerr)
		}
	}
	if err != nil {
		return err
	}
	if sum.Stopped {
		return exitError{code: exitStopped, err: fmt.Errorf("stopped with %d requests queued; run crawl again to resume", sum.Pending)}
	}
	budget := 0 // hosts that answered until their page budget was spent
	for _, h := range rep.GivenUp {
		if h.Class == crawler.ClassBudget {
			budget++
		}
	}
	if reached := sum.Hosts[crawler.ClassOK] + sum.Hosts[crawler.ClassRobotsDisallowed] + budget; reached == 0 && len(rep.GivenUp) > 0 && sum.Documents == 0 {
		// Nothing answered at all: no network, a wrong proxy, every host down.
		return exitError{code: exitFailed, err: fmt.Errorf("no host could be reached: %d given up, the first %s: %s; check the network and the proxy",
			len(rep.GivenUp), rep.GivenUp[0].Host, rep.GivenUp[0].Detail)}
	}
	if len(rep.GivenUp) > 0 || sum.Errors > 0 || len(sum.Refused) > 0 {
		spent := ""
		if budget > 0 {
			spent = fmt.Sprintf(" (%d of them stopped at their page budget, crawl.max_pages_per_host)", budget)
		}
		return exitError{code: exitPartial, err: fmt.Errorf("run %d finished, partly: %d host(s) given up%s, %d request(s) failed for good, %d seed(s) refused",
			sum.Run.Generation, len(rep.GivenUp), spent, sum.Errors, len(sum.Refused))}
	}
	return nil
}

// renderer is the browser that renders script shells as crawl.render says,
// or nil and why there is none; "on" without Chromium is an error.
func renderer(cfg config.Config) (*render.Browser, string, error) {
	if cfg.Crawl.Render == "off" {
		return nil, "crawl.render is off", nil
	}
	path, err := render.Find()
	if err != nil {
		if cfg.Crawl.Render == "on" {
			return nil, "", fmt.Errorf("crawl.render is on: %w", err)
		}
		return nil, err.Error(), nil
	}
	return render.New(render.Options{ExecPath: path, UserAgent: cfg.Fetch.UserAgent, Timeout: cfg.Crawl.RenderTimeout,
		MaxBytes: min(cfg.Fetch.MaxBytes, 8<<20)}), "", nil
}

// printRendering prints what rendering did, or why it was off.
func printRendering(w io.Writer, r renderReport) {
	switch {
	case r.Off != "":
		fmt.Fprintf(w, "rendering: off (%s): script shells were read statically only\n", r.Off)
	case r.Pages > 0:
		fmt.Fprintf(w, "rendering: script shells rendered %d (%d failed, %d at the time limit), %.1fs a page; their requests asked through the crawl's gate %d, refused %d; links found %d\n",
			r.Pages, r.Failed, r.TimedOut, r.SecondsPerPage, r.Requests, r.Refused, r.Links)
	}
}

// workersOf is the cap on requests in flight a configured value gives.
func workersOf(n int) int {
	if n > 0 {
		return n
	}
	return crawler.DefaultWorkers()
}

// crawlConfig is the crawler's configuration from the file, with the flags'
// proxy and CA file when given.
func crawlConfig(cfg config.Config, proxy, caFile string) crawler.Config {
	if proxy == "" {
		proxy = cfg.Fetch.Proxy
	}
	if caFile == "" {
		caFile = cfg.Crawl.CAFile
	}
	return crawler.Config{UserAgent: cfg.Fetch.UserAgent, Delay: cfg.Crawl.Delay, Timeout: cfg.Fetch.Timeout,
		MaxBytes: cfg.Fetch.MaxBytes, MemoryBudget: cfg.Fetch.MemoryBudget, Proxy: proxy, CAFile: caFile, AllowPrivate: cfg.Fetch.AllowPrivate,
		InsecureTLSHosts: cfg.Crawl.InsecureTLSHosts, Workers: cfg.Crawl.Workers, MaxPagesPerHost: cfg.Crawl.MaxPagesPerHost,
		PerDomain: cfg.Crawl.PerDomain, MaxHostsPerDomain: cfg.Crawl.MaxHostsPerDomain, ByAddress: cfg.Crawl.ByAddress,
		MaxDepth: cfg.Crawl.MaxDepth, MaxRetries: cfg.Crawl.MaxRetries, RevisitBase: cfg.Crawl.RevisitAfter, RevisitMax: cfg.Crawl.RevisitMax}
}

// writeJSONFile writes v as indented JSON, replacing the file only when complete.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// runCrawl runs a crawl with its progress display and closing summary.
func runCrawl(cmd *cobra.Command, c *crawler.Crawler) (crawler.Summary, error) {
	stop, done := make(chan struct{}), make(chan struct{})
	go progress(cmd.ErrOrStderr(), c, 0, stop, done)
	sum, err := c.Run(cmd.Context())
	close(stop)
	<-done
	printSummary(cmd.OutOrStdout(), sum)
	return sum, err
}

// seedURLs reads a portal list or URL list: a portal's URL, and its host's root
// when the URL is a deep link.
func seedURLs(path string) ([]string, error) {
	l, err := seeds.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range l.Portals {
		if p.URL == "" || p.HasFlag("missing") {
			continue
		}
		out = append(out, p.URL)
		if p.HasFlag("deep_link_not_homepage") {
			if i := strings.Index(p.URL[strings.Index(p.URL, "//")+2:], "/"); i >= 0 {
				out = append(out, p.URL[:strings.Index(p.URL, "//")+2+i+1])
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("seeds %s: no URL", path)
	}
	return out, nil
}

// progress prints the crawl's counters: a line redrawn in place on a terminal,
// a log line every ten seconds otherwise (every, when given).
func progress(w io.Writer, c *crawler.Crawler, every time.Duration, stop, done chan struct{}) {
	defer close(done)
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	switch {
	case every > 0:
	case tty:
		every = time.Second
	default:
		every = 10 * time.Second
	}
	// The rate and the bound (hosts with work ÷ delay) are both averaged over
	// the interval, the bound from one sample a second.
	last, lastFetched := time.Now(), int64(0)
	var boundSum float64
	samples := 0
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			if tty {
				fmt.Fprintln(w)
			}
			return
		case now := <-t.C:
			boundSum += c.Bound()
			samples++
			if now.Sub(last) < every-time.Second/2 { // a tick may come a little early
				continue
			}
			s := &c.Stats
			fetched := s.Fetched.Load()
			rate := float64(fetched-lastFetched) / now.Sub(last).Seconds()
			bound := boundSum / float64(samples)
			last, lastFetched, boundSum, samples = now, fetched, 0, 0
			line := fmt.Sprintf("fetched %d (%.1f/s of a politeness bound of %.0f/s), reports %d, documents %d, errors %d, robots-disallowed %d, queued %d, hosts %d",
				fetched, rate, bound, s.Reports.Load(), s.Documents.Load(), s.Errors.Load(), s.Disallowed.Load(),
				c.Frontier().Pending(), c.Frontier().Hosts())
			if tty {
				fmt.Fprintf(w, "\r\033[K%s", line)
			} else {
				fmt.Fprintf(w, "%s %s\n", time.Now().Format("15:04:05"), line)
			}
		}
	}
}

func printSummary(w io.Writer, s crawler.Summary) {
	how := "new run"
	if s.Resumed {
		how = "resumed run"
	}
	fmt.Fprintf(w, "crawl: %s %d, %s; fetched %d, reports %d (documents %d), errors %d, robots-disallowed %d, still queued %d\n",
		how, s.Run.Generation, s.Duration.Round(time.Second), s.Fetched, s.Reports, s.Documents, s.Errors, s.Disallowed, s.Pending)
	c := s.Run.Counts
	fmt.Fprintf(w, "changes: %d known URLs asked again, %d unchanged (304); reports new %d, revised %d, moved %d, gone %d, back %d\n",
		s.Run.Revisits, c.NotModified, c.New, c.Revised, c.Moved, c.Gone, c.Returned)
	if s.Duration > 0 && s.Limit != crawler.LimitUnknown {
		fmt.Fprintf(w, "rate: %.1f requests/s against a politeness bound of %.1f/s, at most %d in flight; limited by %s\n",
			float64(s.Fetched)/s.Duration.Seconds(), s.Bound, s.Workers, s.Limit)
		fmt.Fprintf(w, "a request on average: %s waiting for a worker, %s to the first byte, %s of transfer\n",
			s.QueueWait.Round(time.Millisecond), s.FirstByte.Round(time.Millisecond), s.Transfer.Round(time.Millisecond))
	}
	if s.Commits.Commits > 0 {
		fmt.Fprintf(w, "store: %d commits written in %d transactions\n", s.Commits.Commits, s.Commits.Transactions)
	}
	if s.DNS.Lookups > 0 {
		fmt.Fprintf(w, "names: %d looked up to dial hosts, %d of them answered from the cache (kept for their TTL)\n", s.DNS.Lookups, s.DNS.Cached)
	}
	printBudget(w, s.Budget)
	if len(s.Hosts) > 0 {
		var parts []string
		for class, n := range s.Hosts {
			parts = append(parts, fmt.Sprintf("%s %d", class, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "hosts: %s\n", strings.Join(parts, ", "))
	}
}

// printBudget says where the hosts' page budgets went: in all, and for the
// most asked hosts.
func printBudget(w io.Writer, bs []crawler.HostBudget) {
	if len(bs) == 0 {
		return
	}
	var all store.Spent
	for _, b := range bs {
		all.Reports, all.Lists, all.Other = all.Reports+b.Reports, all.Lists+b.Lists, all.Other+b.Other
	}
	fmt.Fprintf(w, "budget: %d requests to reports, %d to lists, %d to other pages over %d hosts\n", all.Reports, all.Lists, all.Other, len(bs))
	for _, b := range bs[:min(len(bs), 5)] {
		fmt.Fprintf(w, "  %s: %d of %d (reports %d, lists %d, other %d)\n", b.Host, b.Fetches, b.Budget, b.Reports, b.Lists, b.Other)
	}
}
