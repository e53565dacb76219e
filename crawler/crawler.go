package crawler

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/discover"
	"github.com/nianbao/nianbao/dnscache"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/render"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// Config says how to crawl.
type Config struct {
	UserAgent    string        // identifies the crawler, with a contact URL
	Delay        time.Duration // minimum time between two requests to one host
	Timeout      time.Duration // one request
	MaxBytes     int64         // one body; larger is an error
	Proxy        string        // HTTP(S) proxy URL, or empty
	CAFile       string        // extra root CAs (PEM), e.g. a test CA
	AllowPrivate bool          // allow loopback and private target addresses
	// InsecureTLSHosts may be fetched without certificate verification; every such
	// fetch is logged as such. Empty: never.
	InsecureTLSHosts []string
	// Workers caps the requests in flight (each host one at a time, once its
	// delay has passed); 0: DefaultWorkers, from the machine.
	Workers         int
	MaxPagesPerHost int // budget per host per run
	MaxDepth        int // links followed from a seed
	// PerDomain is how many requests one registered domain's hosts may have
	// in flight, and per Delay (0: hosts are not grouped); MaxHostsPerDomain
	// bounds the hosts of one domain a run discovers, seeds aside (0: 200).
	PerDomain         int
	MaxHostsPerDomain int
	// ByAddress makes the hosts whose names resolve to one address one
	// server too, sharing PerDomain (a shared hosting address, or a
	// wildcard spelt under several domains); each host's address is looked
	// up before its first request.
	ByAddress       bool
	MaxRetries      int // tries of a request after 429, 5xx or an outage
	MaxHostFailures int // consecutive outages before a host is given up (429s and 5xx: that many times MaxRetries+1)
	BackoffBase     time.Duration
	MaxBackoff      time.Duration // the longest one back-off, whatever Retry-After asks
	// MemoryBudget bounds the bytes of large answers held in flight across
	// the crawl (default 512 MiB, at least one answer of MaxBytes).
	MemoryBudget int64
	// MaxHostBackoff is the back-off a host may cost one run before it is
	// given up (default 30 min): a host that never gets better cannot keep
	// a night's run going for days.
	MaxHostBackoff time.Duration
	RobotsTTL      time.Duration
	RobotsFailTTL  time.Duration
	// Revisit says when a URL met in an earlier run is asked again (with its
	// validators, so an unchanged one costs a 304): after RevisitBase, doubling
	// while it stays the same, up to RevisitMax. Zero: 20h and 30 days.
	RevisitBase, RevisitMax time.Duration
	// Clock is the time a run's schedule is judged by (default time.Now).
	Clock func() time.Time
	// Resolve looks a host name up for the proxy's name check (default: the
	// crawl's resolver, which keeps answers for their TTL). Behind a proxy, a
	// name that resolves to a private address is refused.
	Resolve func(ctx context.Context, host string) ([]net.IP, error)
	// DNS resolves every name the crawl dials (default: a resolver that keeps
	// answers for their TTL, asking the system's DNS servers).
	DNS *dnscache.Resolver
	// Render renders the script shells no static reading opens (render.go);
	// nil: none is.
	Render *render.Browser
}

// Defaults fills what is unset.
func (c *Config) Defaults() {
	if c.UserAgent == "" {
		c.UserAgent = "nianbao/0.1 (research harvester of 政府信息公开工作年度报告; +https://github.com/nianbao/nianbao)"
	}
	if c.Delay <= 0 {
		c.Delay = 2 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 64 << 20
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers()
	}
	if c.MaxHostsPerDomain <= 0 {
		c.MaxHostsPerDomain = 200
	}
	if c.MaxPagesPerHost <= 0 {
		c.MaxPagesPerHost = 2000
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 10
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 3
	}
	if c.MaxHostFailures <= 0 {
		c.MaxHostFailures = 3
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = 5 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	if c.MemoryBudget <= 0 {
		c.MemoryBudget = 512 << 20
	}
	if c.MaxHostBackoff <= 0 {
		c.MaxHostBackoff = 30 * time.Minute
	}
	if c.RobotsTTL <= 0 {
		c.RobotsTTL = 24 * time.Hour
	}
	if c.RobotsFailTTL <= 0 {
		c.RobotsFailTTL = time.Hour
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
}

// Extractor turns a document into a record.
type Extractor interface {
	Extract(ctx context.Context, doc extract.Document) (*report.Record, error)
}

// Stats counts a run as it goes.
type Stats struct {
	// Timed requests and their summed queue wait, time to first byte and
	// transfer time (nanoseconds).
	Timed, QueueWait, FirstByte, Transfer atomic.Int64

	Fetched    atomic.Int64
	Reports    atomic.Int64
	Documents  atomic.Int64
	Errors     atomic.Int64
	Disallowed atomic.Int64
	Queued     atomic.Int64
	// LinksDropped counts the links pages offered past MaxLinksPerPage.
	LinksDropped atomic.Int64
	// HostsRefused counts the links to new hosts of a domain past MaxHostsPerDomain.
	HostsRefused atomic.Int64
	// SharedAddress counts the hosts found to resolve to an address another
	// host's server already had (ByAddress): they share its politeness.
	SharedAddress atomic.Int64
	// PagesCut counts the pages past maxLinkText read for links in part.
	PagesCut atomic.Int64
}

// Summary is what a run did.
type Summary struct {
	Fetched, Reports, Documents, Errors, Disallowed int64
	// LinksDropped: links pages offered past MaxLinksPerPage, not queued;
	// HostsRefused: links to new hosts of a domain past MaxHostsPerDomain.
	LinksDropped, HostsRefused int64
	// SharedAddress: hosts that share a server with others by address;
	// PagesCut: pages past 8 MiB read for links in their first 8 MiB.
	SharedAddress, PagesCut int64
	Pending                 int
	Hosts                   map[crawl.Class]int // host class → count
	Duration                time.Duration
	Stopped                 bool // interrupted; a later run resumes
	Resumed                 bool // this run continued an unfinished one
	// GivenUp are the hosts this run gave up on (blocked, unreachable, broken
	// TLS, robots.txt unreachable or disallowing all, page budget spent).
	GivenUp []store.HostInfo
	// Noted are hosts crawled otherwise than they asked (a Crawl-delay past
	// the cap), with what was done (up to maxFailures).
	Noted []store.HostInfo
	// Failures are the documents this run could not get (up to maxFailures;
	// Errors counts them all).
	Failures []Failure
	// Refused are the seeds that were not asked at all, with the reason (not a
	// URL, out of scope, a private address without allow_private).
	Refused []Refusal
	// Run is the generation's record: its requests, 304s, and the reports that
	// were new, revised, moved, gone or came back (over all its runs when resumed).
	Run store.RunInfo
	// Workers is the cap on requests in flight; Bound the politeness bound
	// (hosts with work ÷ delay, requests a second), averaged over the run;
	// Limit what held the rate down.
	Workers int
	Bound   float64
	Limit   Limit
	// Judged is what Limit was judged from (see judgeLimit).
	Judged LimitInputs
	// The mean request's wait for a worker once its host was ready, time to the
	// answer's headers, and transfer of the body.
	QueueWait, FirstByte, Transfer time.Duration
	// DNS counts the names looked up to dial them, and how many of those the
	// cache answered.
	DNS dnscache.Stats
	// Commits counts the fetches committed to the store and the transactions
	// that wrote them (grouped while the writer was busy).
	Commits store.CommitStats
	// Render counts the pages rendered and what they cost (render.go).
	Render RenderStats
	// Budget says, host by host (the most asked first), how much of its
	// page budget this run spent and on what (reports, lists, other).
	Budget []HostBudget
}

// Failure is a document the run could not get, for good: its class
// (too_large, server_error, unreachable, error …) and what happened.
type Failure struct {
	URL    string      `json:"url"`
	Class  crawl.Class `json:"class"`
	Detail string      `json:"detail"`
}

// maxFailures bounds the failures a summary lists (all are in the fetch log).
const maxFailures = 1000

// failed counts a document lost for good and keeps it for the summary.
func (c *Crawler) failed(req *store.QueuedRequest, class crawl.Class, detail string) {
	c.Stats.Errors.Add(1)
	c.mu.Lock()
	if len(c.failures) < maxFailures {
		c.failures = append(c.failures, Failure{URL: req.URL, Class: class, Detail: detail})
	}
	c.mu.Unlock()
}

// Refusal is a seed the crawler refused to ask, and why.
type Refusal struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// Crawler crawls into a store.
type Crawler struct {
	cfg        Config
	st         *store.Store
	fr         *store.Frontier
	ex         Extractor
	extractors []discover.Extractor // the registry of link extractors
	dec        *decode.Decoder
	scope      *Scope
	refused    []Refusal          // seeds not asked, and why
	names      *nameCheck         // names resolved before they go to a proxy
	dns        *dnscache.Resolver // every name the crawl dials, kept for its TTL
	failures   []Failure          // documents lost for good (under mu)
	robots     *robotsCache
	plain      *http.Client // robots.txt
	col        *colly.Collector
	insecure   *colly.Collector // for cfg.InsecureTLSHosts only
	plainIns   *http.Client     // robots.txt of those hosts
	Stats      Stats

	mu       sync.Mutex
	hosts    map[string]*store.HostInfo
	backoffs map[string]time.Duration // back-off each host has cost this run
	agent    string
	seeds    []*store.QueuedRequest
	resumed  bool
	noFollow bool          // fetch the seeds only (NewForTargets)
	pool     *pool         // the running crawl's workers (set by Run)
	contacts atomic.Uint64 // hosts contacted this run, for spread
	rend     rendering     // the run's renders (render.go)
	bodies   *bodyGate     // large answers in flight (inflight.go)
	domains  domainHosts   // the hosts each registered domain has led to this run
	moves    runMoves      // where this run's pages redirected to (loops across requests)
}

// New prepares a crawl of the seeds into the store.
func New(cfg Config, st *store.Store, ex Extractor, seeds []string) (*Crawler, error) {
	cfg.Defaults()
	fr, err := st.Frontier()
	if err != nil {
		return nil, err
	}
	fr.SetServerPolicy(store.ServerPolicy{Limit: cfg.PerDomain, Gap: cfg.Delay, ByAddress: cfg.ByAddress})
	dec, err := decode.New()
	if err != nil {
		return nil, err
	}
	dns := cfg.DNS
	if dns == nil {
		dns = dnscache.New(dnscache.Options{})
	}
	resolve := cfg.Resolve
	if resolve == nil {
		resolve = dns.LookupIP
	}
	c := &Crawler{cfg: cfg, dns: dns, names: newNameCheck(resolve), st: st, fr: fr, ex: ex, dec: dec, scope: NewScope(seeds), hosts: map[string]*store.HostInfo{}, backoffs: map[string]time.Duration{}, bodies: newBodyGate(cfg.MemoryBudget, cfg.MaxBytes), extractors: discover.Default(),
		agent: RobotsAgent(cfg.UserAgent)}
	c.scope.AllowPrivate(cfg.AllowPrivate)
	c.robots = newRobotsCache(c.agent, cfg.RobotsTTL, cfg.RobotsFailTTL)
	tr, err := c.transport(false)
	if err != nil {
		return nil, err
	}
	c.plain = &http.Client{Transport: tr, Timeout: cfg.Timeout}
	if c.col, err = c.collector(tr); err != nil {
		return nil, err
	}
	if len(cfg.InsecureTLSHosts) > 0 {
		itr, err := c.transport(true)
		if err != nil {
			return nil, err
		}
		if c.insecure, err = c.collector(itr); err != nil {
			return nil, err
		}
		c.plainIns = &http.Client{Transport: itr, Timeout: cfg.Timeout}
	}
	for _, s := range seeds {
		u, ok := FetchForm(s)
		switch {
		case !ok:
			c.refused = append(c.refused, Refusal{URL: s, Reason: "not an http(s) URL"})
		case !c.scope.Allows(u):
			c.refused = append(c.refused, Refusal{URL: s, Reason: c.scope.Why(u)})
		default:
			c.seeds = append(c.seeds, newRequest(u, "GET", "", KindPage, 0, ""))
			c.domains.add(hostOf(u)) // a seed's host is never refused
		}
	}
	c.domains.refused = func() { c.Stats.HostsRefused.Add(1) }
	return c, nil
}

// Target is one document to fetch as it is, without following its links: a
// report page, or an attachment (whose record comes from its own bytes).
type Target struct {
	URL        string
	Attachment bool
	Parent     string // an attachment's page, whose report it belongs to
}

// NewForTargets prepares a fetch of known documents into the store, as rebuild
// does from a manifest: the same politeness, scope (the targets' hosts) and
// extraction as a crawl, but no discovery.
func NewForTargets(cfg Config, st *store.Store, ex Extractor, targets []Target) (*Crawler, error) {
	urls := make([]string, len(targets))
	for i, t := range targets {
		urls[i] = t.URL
	}
	c, err := New(cfg, st, ex, urls)
	if err != nil {
		return nil, err
	}
	c.seeds, c.noFollow = nil, true
	for _, t := range targets {
		kind := KindReport
		if t.Attachment {
			kind = KindAttachment
		}
		if u, ok := FetchForm(t.URL); ok && c.scope.Allows(u) {
			q := newRequest(u, "GET", "", kind, 0, "")
			if p, ok := FetchForm(t.Parent); ok && t.Attachment {
				q.SetParent(p)
			}
			c.seeds = append(c.seeds, q)
		}
	}
	return c, nil
}

// Frontier exposes the crawl's frontier (for progress and tests).
func (c *Crawler) Frontier() *store.Frontier { return c.fr }

// Bound is the most requests a second politeness allows now: one per delay
// for each host with work, a registered domain's hosts together no more than
// its share (a host's Crawl-delay or 429 gap only lowers it).
func (c *Crawler) Bound() float64 {
	return float64(c.fr.ActiveShare()) / c.cfg.Delay.Seconds()
}

// redirected classifies a redirect of req (answered at u) to loc: a cookie
// set by a redirect to the same address, a move off scope, a loop, or a move
// to the address it gives (a FetchForm).
func (c *Crawler) redirected(req *store.QueuedRequest, u *url.URL, loc string, setsCookie bool) (class crawl.Class, detail, to string) {
	target, err := u.Parse(loc)
	ok := false
	if err == nil {
		to, ok = FetchForm(target.String())
	}
	chain := req.Chain()
	switch {
	case ok && to == req.URL && setsCookie && !req.Cookie():
		// A host that sets a cookie by redirecting to the same address: the
		// jar keeps it, and the address is asked again, once.
		return ClassCookie, "a cookie set by a redirect to the same address; asked again with it", ""
	case loc == "":
		return ClassError, "a redirect to no address", ""
	case err != nil:
		return ClassError, "a redirect to an address that cannot be read: " + clip(loc), ""
	case !ok || !c.scope.Allows(to):
		return ClassOffsite, "redirect out of scope to " + clip(loc) + c.scope.why(to), ""
	case contains(append(chain, req.URL), to) || c.moves.loops(req.URL, to):
		return ClassGone, "redirect loop via " + clip(loc), ""
	case len(chain) >= maxRedirects:
		return ClassError, fmt.Sprintf("too many redirects (%d) at %s", len(chain)+1, clip(loc)), ""
	}
	c.moves.add(req.URL, to)
	return ClassMoved, "redirected to " + clip(to), to
}

// maxRedirects is how many redirects a page may take to its document: Go's
// client follows 10 (browsers 20); each hop is a request of its own, waiting
// its host's delay.
const maxRedirects = 10

// maxDetail bounds an address quoted in the fetch log: a server's Location
// may be any length, and every fetch's detail is kept for good.
const maxDetail = 512

// clip cuts a quoted address to maxDetail bytes (at a character), saying how
// long it was.
func clip(s string) string {
	if len(s) <= maxDetail {
		return s
	}
	cut := maxDetail
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:cut], len(s))
}

// redirectKey prefixes the key of a redirect's target that is another
// spelling of the redirecting page.
const redirectKey = "redirect "

// keyOf is a request's de-duplication key.
func keyOf(q *store.QueuedRequest) string {
	if q.Key != "" {
		return q.Key
	}
	return q.URL
}

// newRequest queues u (a FetchForm) under its canonical key, so that the
// addresses of one page are asked once.
func newRequest(u, method, body string, kind crawl.Kind, depth int, anchor string) *store.QueuedRequest {
	pu, _ := url.Parse(u)
	q := &store.QueuedRequest{URL: u, Method: method, Depth: depth, Host: strings.ToLower(pu.Host)}
	if key, ok := Canonical(u); ok && key != u {
		q.Key = key
	}
	if body != "" {
		q.Body = []byte(body)
	}
	q.SetKind(kind)
	if anchor != "" {
		q.SetAnchor(anchor)
	}
	return q
}

// idlePerHost is how many idle connections are kept per host: one request at
// a time goes to each host, so two do; through a proxy every plain-HTTP request
// goes to the one proxy, which then needs one for each worker.
func (c *Crawler) idlePerHost() int {
	if c.cfg.Proxy != "" {
		return c.cfg.Workers
	}
	return 2
}

// transport builds the HTTP transport: proxy, extra root CAs, no private targets
// unless allowed, TLS verification on unless this is the configured fallback.
func (c *Crawler) transport(insecure bool) (*http.Transport, error) {
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:            c.dns.DialContext(dialer),
		TLSHandshakeTimeout:    15 * time.Second,
		ResponseHeaderTimeout:  c.cfg.Timeout,
		MaxIdleConnsPerHost:    c.idlePerHost(),
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		IdleConnTimeout:        30 * time.Second,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		// A connection is kept open to every host between its requests, and
		// what is written is a request line and headers: 1 KiB of buffer
		// instead of 4 is a megabyte less across 300 hosts.
		WriteBufferSize: 1 << 10,
	}
	if c.cfg.CAFile != "" {
		pem, err := os.ReadFile(c.cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA file %s holds no certificate", c.cfg.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	if insecure {
		tr.TLSClientConfig.InsecureSkipVerify = true // only for cfg.InsecureTLSHosts; logged per fetch
	}
	if c.cfg.Proxy != "" {
		pu, err := url.Parse(c.cfg.Proxy)
		if err != nil || pu.Host == "" {
			return nil, fmt.Errorf("proxy %q is not a URL", c.cfg.Proxy)
		}
		// The proxy itself was configured: it may be local. The names sent
		// through it are resolved here first, so that one pointing at a
		// private address is refused before the proxy connects to it.
		proxyURL := http.ProxyURL(pu)
		tr.Proxy = func(r *http.Request) (*url.URL, error) {
			if !c.cfg.AllowPrivate {
				if err := c.names.check(r.Context(), r.URL.Hostname()); err != nil {
					return nil, err
				}
			}
			return proxyURL(r)
		}
	} else if !c.cfg.AllowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !fetch.Public(ip) {
				return fmt.Errorf("%s: %w", address, fetch.ErrPrivateAddress)
			}
			return nil
		}
	}
	return tr, nil
}

type slot struct {
	permit      bool // holds a permit for a large body (inflight.go)
	resp        *colly.Response
	err         error
	contentType string
	start, end  time.Time
	headers     time.Time // when the answer's headers came
}

func (c *Crawler) collector(tr *http.Transport) (*colly.Collector, error) {
	col := colly.NewCollector(
		colly.UserAgent(c.cfg.UserAgent),
		colly.MaxBodySize(int(c.cfg.MaxBytes)+1), // one byte over: too large is an error, not a cut
		colly.ParseHTTPErrorResponse(),
		colly.IgnoreRobotsTxt(), // robots.txt is read by robotsCache, RFC 9309 semantics
		colly.AllowURLRevisit(), // the frontier keeps the visited set
	)
	col.WithTransport(gated{next: locationRepair{next: inflateBounded{next: tr, max: c.cfg.MaxBytes + 1}}, gate: c.bodies})
	col.SetRequestTimeout(c.cfg.Timeout)
	if err := col.SetStorage(c.fr); err != nil {
		return nil, err
	}
	col.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		// Never followed on the spot: a redirect target is queued like any request,
		// so the host's delay holds for every hop, and loops and off-site targets
		// are seen for what they are.
		return http.ErrUseLastResponse
	})
	col.OnResponseHeaders(func(r *colly.Response) {
		s := r.Ctx.GetAny("slot").(*slot)
		s.headers = time.Now()
		s.contentType = r.Headers.Get("Content-Type")
		// colly would transcode the body to UTF-8 by the header's charset; the raw
		// bytes are kept and decoded by the project's decoder instead.
		if i := strings.Index(strings.ToLower(s.contentType), "charset"); i >= 0 {
			r.Headers.Set("Content-Type", strings.TrimRight(strings.TrimSpace(s.contentType[:i]), "; "))
		}
	})
	col.OnResponse(func(r *colly.Response) {
		s := r.Ctx.GetAny("slot").(*slot)
		s.resp = r
	})
	col.OnError(func(r *colly.Response, err error) {
		s := r.Ctx.GetAny("slot").(*slot)
		s.resp, s.err = r, err
	})
	return col, nil
}

// Run crawls until the frontier is empty or ctx is cancelled; a cancelled run
// leaves the frontier as it was (in-flight requests are queued again next time).
//
// A run that finds the frontier empty starts a new generation: the seeds and
// every known URL that the revisit schedule says is due, asked conditionally. One
// that finds work queued resumes the stopped generation.
func (c *Crawler) Run(ctx context.Context) (Summary, error) {
	start := time.Now()
	run, resumed, err := c.fr.Begin(c.cfg.Clock(), store.Schedule{Base: c.cfg.RevisitBase, Max: c.cfg.RevisitMax}, c.seeds)
	if err != nil {
		return Summary{}, err
	}
	c.resumed = resumed
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// In-flight requests end with the run.
	c.col.Context = ctx
	if c.insecure != nil {
		c.insecure.Context = ctx
	}
	c.pool = newPool(c)
	smp := newSampler()
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				smp.sample(c.Bound(), c.pool.busy.Load())
			}
		}
	}()
	err = c.pool.run(ctx, cancel)
	cancel()
	<-sampled
	sum := Summary{Fetched: c.Stats.Fetched.Load(), Reports: c.Stats.Reports.Load(), Documents: c.Stats.Documents.Load(),
		Errors: c.Stats.Errors.Load(), Disallowed: c.Stats.Disallowed.Load(), LinksDropped: c.Stats.LinksDropped.Load(), HostsRefused: c.Stats.HostsRefused.Load(), SharedAddress: c.Stats.SharedAddress.Load(), PagesCut: c.Stats.PagesCut.Load(), Pending: c.fr.Pending(), Duration: time.Since(start),
		Hosts: map[crawl.Class]int{}}
	sum.Stopped = sum.Pending > 0
	sum.Resumed, sum.Run = resumed, run
	sum.Workers = c.cfg.Workers
	sum.Limit, sum.Judged = smp.judge(sum.Fetched, c.cfg.Workers)
	sum.Bound = sum.Judged.Bound
	sum.DNS = c.dns.Stats()
	sum.Commits = c.fr.CommitStats()
	sum.Render = c.RenderStats()
	if n := c.Stats.Timed.Load(); n > 0 {
		sum.QueueWait = time.Duration(c.Stats.QueueWait.Load() / n)
		sum.FirstByte = time.Duration(c.Stats.FirstByte.Load() / n)
		sum.Transfer = time.Duration(c.Stats.Transfer.Load() / n)
	}
	if !sum.Stopped && err == nil {
		fin, ferr := c.fr.Finish(c.cfg.Clock())
		if ferr != nil {
			err = ferr
		}
		sum.Run = fin
	} else if runs, rerr := c.st.Runs(); rerr == nil {
		for _, r := range runs {
			if r.Generation == run.Generation {
				sum.Run = r
			}
		}
	}
	c.mu.Lock()
	for _, h := range c.hosts {
		class := h.Class
		if class == "" {
			class = ClassOK
		}
		sum.Hosts[class]++
		if terminal(h.Class) {
			sum.GivenUp = append(sum.GivenUp, *h)
		} else if h.Detail != "" && len(sum.Noted) < maxFailures {
			sum.Noted = append(sum.Noted, *h)
		}
	}
	sort.Slice(sum.Noted, func(i, j int) bool { return sum.Noted[i].Host < sum.Noted[j].Host })
	sort.Slice(sum.GivenUp, func(i, j int) bool { return sum.GivenUp[i].Host < sum.GivenUp[j].Host })
	sum.Budget = c.budgets()
	sum.Refused = c.refused
	sum.Failures = append([]Failure(nil), c.failures...)
	c.mu.Unlock()
	return sum, err
}

func (c *Crawler) hostInfo(host string) *store.HostInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.hosts[host]
	if h == nil {
		// A resumed run goes on with what it learnt of the host; a new run gives
		// every host a fresh chance and a fresh page budget.
		if stored, err := c.st.HostInfo(host); err == nil && stored != nil && c.resumed {
			h = stored
		} else {
			h = &store.HostInfo{Host: host}
		}
		c.hosts[host] = h
	}
	return h
}

// terminal host classes: nothing more is asked of such a host in this run.
func terminal(class crawl.Class) bool {
	switch class {
	case ClassBlockedWAF, ClassUnreachable, ClassTLS, ClassRobotsDisallowed, ClassBudget, ClassRefused:
		return true
	}
	return false
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (c *Crawler) insecureHost(host string) bool {
	for _, h := range c.cfg.InsecureTLSHosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// bodyType is the content type of a posted body: JSON (an object or an
// array, as vendor platforms post their list queries) or a form.
func bodyType(b []byte) string {
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t) {
		return "application/json;charset=UTF-8"
	}
	return "application/x-www-form-urlencoded"
}

// do fetches a request with colly.
func (c *Crawler) do(ctx context.Context, req *store.QueuedRequest) (*slot, error) {
	s := &slot{start: time.Now()}
	if ctx.Err() != nil {
		return s, nil
	}
	cctx := colly.NewContext()
	cctx.Put("slot", s)
	hdr := http.Header{}
	defer c.bodies.register(s, hdr)()
	hdr.Set("Accept-Language", "zh-CN,zh;q=0.9")
	for k, v := range req.Headers {
		hdr[k] = v
	}
	var body *bytes.Reader
	if len(req.Body) > 0 {
		body = bytes.NewReader(req.Body)
		hdr.Set("Content-Type", bodyType(req.Body))
	}
	col := c.col
	if c.insecure != nil && c.insecureHost(req.Host) {
		col = c.insecure
	}
	// The collector's requests carry the run's context (set in Run): a stop ends them.
	var err error
	if body != nil {
		err = col.Request(req.Method, req.URL, body, cctx, hdr)
	} else {
		err = col.Request(req.Method, req.URL, nil, cctx, hdr)
	}
	if err != nil && s.err == nil && s.resp == nil {
		s.err = err
	}
	s.end = time.Now()
	return s, nil
}

// RobotsAgent is the product token robots.txt groups are matched against
// (RFC 9309 §2.2.1): the User-Agent's first word without its version,
// "nianbao/0.1 (…)" → "nianbao".
func RobotsAgent(userAgent string) string {
	tok, _, _ := strings.Cut(strings.TrimSpace(userAgent), " ")
	tok, _, _ = strings.Cut(tok, "/")
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, tok)
	if clean == "" {
		return "nianbao"
	}
	return clean
}

// delay is the host's minimum gap: the configured delay, its Crawl-delay, or
// the gap its 429 answers asked for, whichever is longest.
func (c *Crawler) delay(r *robotsRules, hi *store.HostInfo) time.Duration {
	d := c.cfg.Delay
	if r != nil && r.delay > d {
		d = r.delay
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(d, hi.Gap)
}

// spread is how long the k-th host contacted in a run (from 0) waits before
// its first request, within one delay d: k times the golden ratio, modulo 1,
// fills [0, d) evenly whatever the number of hosts, and the first waits
// nothing. Without it every seed host is ready at the start, each is asked
// again one delay after its answer, and the whole crawl moves in waves: one
// request to every host at once, then nothing. Each wave holds every host's
// answer in memory at the same moment (300 hosts at 2 s answering after
// 300 ms: a 65–66 MB peak, against 46–48 MB spread, all else the same) and
// meets the network as one burst; spread out, the same requests come at an
// even rate, no host is asked sooner than its delay, and the run loses at
// most one delay of each host's time (there 2 % of 30 s's requests).
func spread(k uint64, d time.Duration) time.Duration {
	const phi = 0.6180339887498949 // (√5 − 1) / 2
	x := float64(k) * phi
	return time.Duration((x - math.Floor(x)) * float64(d))
}

// maxGap bounds how far 429 answers slow the crawl of a host down.
const maxGap = time.Minute

// slowDown doubles the gap between two requests to a host that answered 429,
// so that it is asked no faster than it serves, rather than backing off and
// coming back at the same rate.
func (c *Crawler) slowDown(r *robotsRules, hi *store.HostInfo) {
	d := c.delay(r, hi)
	c.mu.Lock()
	defer c.mu.Unlock()
	hi.Gap = min(2*d, maxGap)
}

// backoff is exponential in the attempts, at least Retry-After.
func (c *Crawler) backoff(attempts int, header http.Header) time.Duration {
	d := time.Duration(float64(c.cfg.BackoffBase) * math.Pow(2, float64(max(attempts-1, 0))))
	if header != nil {
		if ra := header.Get("Retry-After"); ra != "" {
			if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && time.Duration(secs)*time.Second > d {
				d = time.Duration(secs) * time.Second
			} else if t, err := http.ParseTime(ra); err == nil && time.Until(t) > d {
				d = time.Until(t)
			}
		}
	}
	return min(d, c.cfg.MaxBackoff)
}

var titleRe = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

// harvest reads a fetched page: links to follow, and the report or attachment
// it is. It returns the page as discovery read it (nil for no markup or text).
func (c *Crawler) harvest(ctx context.Context, req *store.QueuedRequest, a *answer, s *slot, cm *store.Commit) (read *discover.Doc) {
	final, body, text, header := a.final, a.body, a.text, a.header
	kind := req.Kind()
	base, err := url.Parse(final)
	if err != nil {
		return nil
	}
	var links []discover.Link
	if f := extract.Sniff(body); f == "html" || f == "text" {
		links, read = c.linksIn(text, charsetOf(a.decoded), base, kind, req.Hint())
		fetchedAs := kind
		kind = pageKind(kind, text)
		if kind == KindPage && read != nil && opensAsReport(read.HTML()) {
			kind = KindReport // its text opens with a report's title: its content decides
		}
		if kind == KindReport && fetchedAs == KindPage && read != nil {
			// Read as a report's page after all: the files it names, wherever
			// it names them, are its attachments.
			read.Kind = KindReport
			links = discover.Find(read, c.extractors)
		}
	}
	var attachments []string
	if req.Depth < c.cfg.MaxDepth && !c.noFollow {
		attachments = c.follow(req, links, cm)
	}
	if kind != KindReport && kind != KindAttachment {
		return read
	}
	ct := header.Get("Content-Type")
	capture := &store.Capture{URL: req.URL, FinalURL: final, Status: 200, Header: keptHeader(header), ContentType: ct, FetchedAt: s.start.UTC(),
		Duration: s.end.Sub(s.start), Origin: "fetch"}
	canonFinal, _ := Canonical(final)
	capture.ReportID = store.ReportID(canonFinal, "")
	doc := extract.Document{Body: body, URL: final, ContentType: ct, Decoded: a.decoded}
	if a.decoded != nil && read != nil && len(read.Text) == len(a.decoded.Text) {
		doc.Tree = read.HTML() // parsed for the links already (the whole page): not parsed again
	}
	var rec *report.Record
	if c.pool.extracting(ctx, func() { rec, err = c.ex.Extract(ctx, doc) }) != nil {
		return read // stopping: process leaves the request unacknowledged
	}
	if kind == KindReport && (err != nil && !errors.Is(err, extract.ErrLimit) || err == nil && rec.Template == report.TemplateUnknown && !extract.UnreadScan(rec)) {
		return read // not a report after all: a distractor is never stored as one
	}
	// A report page past a per-document limit (its deadline among them) is
	// kept and failed with the reason, as an attachment not read is.
	if err == nil && kind == KindReport && !extract.UnreadScan(rec) {
		// (A scan left unread is kept: its link named a report, and its
		// text is read later, by OCR here or by the workers of crawl --nats.)
		if ok, _ := readsAsReport(rec, links, canonFinal); !ok {
			return read // not a report, whatever its title says: what it links is queued
		}
	}
	cm.Capture, cm.Body = capture, body
	c.Stats.Documents.Add(1)
	if err != nil {
		// An attachment fetched but not read (damaged, a format this build
		// does not read, past a reader's limits): its bytes are kept for
		// reextract, and it is a failure of the run, with the reason.
		c.failed(req, ClassError, "fetched and kept, but not read: "+err.Error())
	}
	if err == nil {
		// The attachments the report names, wherever their links are.
		for _, a := range rec.Attachments {
			ref, err := base.Parse(string(a.URL))
			if err != nil {
				continue
			}
			if u, ok := FetchForm(ref.String()); ok && c.scope.Allows(u) && !contains(attachments, u) {
				attachments = append(attachments, u)
			}
		}
		cm.Attachments = attachments
		cm.Entry = &store.Entry{ReportID: capture.ReportID, Record: rec, Extractor: extract.Version, ExtractedAt: time.Now().UTC()}
		c.Stats.Reports.Add(1)
	}
	return read
}

// strongest keeps MaxLinksPerPage of a page's links, named ones (reports,
// files, columns a word names) before weak ones, in the page's order, and
// counts the rest.
func (c *Crawler) strongest(req *store.QueuedRequest, links []discover.Link) []discover.Link {
	type ranked struct {
		l    discover.Link
		weak int
	}
	rs := make([]ranked, 0, len(links))
	for _, l := range links {
		weak := 1 << 20
		if cu, ok := FetchForm(l.URL); ok {
			if _, w, follow := placeLink(req, l, cu); follow {
				weak = w
			}
		}
		rs = append(rs, ranked{l, weak})
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return a.weak - b.weak })
	out := make([]discover.Link, 0, MaxLinksPerPage)
	for _, r := range rs[:MaxLinksPerPage] {
		out = append(out, r.l)
	}
	c.Stats.LinksDropped.Add(int64(len(links) - MaxLinksPerPage))
	return out
}

// pageKind is what a fetched page is, from what it was fetched as and its
// text: a gkmlpt shell is a report (the extractor reads the report in its
// DETAIL); a page first reached by a link that did not name it (a 手机版
// link, a tab) is a report if its own title says so.
func pageKind(kind crawl.Kind, text string) crawl.Kind {
	if _, ok := extract.GkmlptDetail(text); ok {
		return KindReport
	}
	if kind == KindPage {
		if m := titleRe.FindStringSubmatch(text); m != nil && extract.LooksLikeReportTitle(html.UnescapeString(m[1])) {
			return KindReport
		}
	}
	return kind
}

// MaxLinksPerPage bounds the links one page may queue: a list page holds
// tens or hundreds, a host's budget is 2,000 pages a run, and a page of a
// million links had cost minutes in one transaction. Past it the named
// links go first and the rest are counted, not queued.
const MaxLinksPerPage = 5000

// follow queues the links in scope (into the commit) and returns the
// attachments among them.
func (c *Crawler) follow(req *store.QueuedRequest, links []discover.Link, cm *store.Commit) []string {
	var attachments []string
	if len(links) > MaxLinksPerPage {
		links = c.strongest(req, links)
	}
	for _, l := range links {
		cu, ok := FetchForm(l.URL)
		if !ok || !c.scope.Allows(cu) || !c.domains.admit(hostOf(cu), c.cfg.MaxHostsPerDomain) {
			continue
		}
		later, weak, follow := placeLink(req, l, cu)
		if !follow {
			continue
		}
		q := newRequest(cu, l.Method, l.Body, l.Kind, req.Depth+1, l.Anchor)
		q.Later = later
		q.SetWeak(weak)
		if l.Kind == KindAttachment {
			attachments = append(attachments, cu)
			parent := req.URL // the page that leads to the attachment's report
			if pu, ok := FetchForm(l.Parent); ok && l.Parent != "" {
				parent = pu // listed beside its report in a list answer
			}
			q.SetParent(parent)
		}
		if l.Hint != "" {
			q.SetHint(l.Hint)
		}
		if l.Referer != "" {
			q.Headers = map[string][]string{"Referer": {l.Referer}}
		}
		cm.Add = append(cm.Add, q)
	}
	return attachments
}
