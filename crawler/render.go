package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/discover"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/render"
	"github.com/nianbao/nianbao/store"
)

// Rendering: a page no static reading opens (a script shell: little visible
// text, scripts, and no link toward a report, an attachment or a list
// endpoint that the dialects and the markup find) is rendered once in
// headless Chromium (Config.Render; package render), and its DOM and the
// JSON and XML answers its scripts fetched are read by the same extractors
// as any page. Every request the page makes comes here and is asked the
// crawler's way or refused: in scope (the seeds' hosts and their gov.cn
// sub-domains), allowed by robots.txt, within the host's budget, one at a
// time per host with its delay (the frontier's Hold), never an image, a font,
// media or a stylesheet (refused by render). A challenge is never rendered:
// only a page classified OK is, and not one whose script sets a cookie and
// sends the browser back (the cookie challenge's shape).

// Most visible characters a script shell has, and most renders of one host
// in a run.
const (
	shellText          = 400
	maxRendersPerHost  = 20
	maxShellCandidates = 512 << 10 // a larger page is no shell
)

// RenderStats is what rendering did in a run, and what it cost.
type RenderStats struct {
	Pages    int64         `json:"pages"`               // rendered
	Failed   int64         `json:"failed,omitempty"`    // renders that ended in an error
	Requests int64         `json:"requests"`            // the pages' requests asked through the crawler's gate and answered
	Refused  int64         `json:"refused"`             // not answered: their type, scope, robots.txt, the budget, a cap, a failure
	Links    int64         `json:"links"`               // links the renders found
	Wall     time.Duration `json:"wall_ns"`             // summed over the renders
	TimedOut int64         `json:"timed_out,omitempty"` // read at the time limit, not idle
}

// rendering is the run's account of its renders.
type rendering struct {
	mu      sync.Mutex
	perHost map[string]int
	stats   RenderStats
}

// take counts a render of host, false when the host has had its share.
func (r *rendering) take(host string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.perHost == nil {
		r.perHost = map[string]int{}
	}
	if r.perHost[host] >= maxRendersPerHost {
		return false
	}
	r.perHost[host]++
	return true
}

func (r *rendering) add(f func(*RenderStats)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.stats)
}

// RenderStats is what rendering did so far in the run.
func (c *Crawler) RenderStats() RenderStats {
	c.rend.mu.Lock()
	defer c.rend.mu.Unlock()
	return c.rend.stats
}

// renderShell renders a harvested page that is a script shell and queues
// the links its rendering shows (into the commit).
func (c *Crawler) renderShell(ctx context.Context, req *store.QueuedRequest, a *answer, read *discover.Doc, cm *store.Commit) {
	if c.cfg.Render == nil || c.noFollow || req.Depth >= c.cfg.MaxDepth || cm.Entry != nil || read == nil {
		return
	}
	base := read.URL
	if !c.scriptShell(req, a, read) || !c.rend.take(req.Host) {
		return
	}
	doc := &render.Response{Status: a.status, Header: a.header, Body: a.body}
	res, err := c.cfg.Render.Render(ctx, a.final, doc, c.pageFetcher(req, cm))
	if ctx.Err() != nil {
		return
	}
	var links []discover.Link
	if res != nil {
		// Its links' queries in the page's own encoding, as the browser sends them.
		links, _ = c.linksIn(res.DOM, charsetOf(a.decoded), base, req.Kind(), req.Hint())
		for _, an := range res.Answers {
			au, err := url.Parse(an.URL)
			if err != nil {
				continue
			}
			answer, _ := c.linksIn(c.dec.Bytes(an.Body, an.ContentType, false).Text, "", au, KindAPI, req.Hint())
			links = append(links, answer...) // read as a list answer is, vendors' paging included
			if _, _, ok := extract.JSONReport(an.Body); ok {
				// The page fetched a report (a detail service's JSON that
				// carries its HTML): asked again as a report, read and stored
				// as any report is, its bytes the record's source.
				links = append(links, discover.Link{URL: an.URL, Kind: KindReport, Anchor: "a report the rendered page fetched"})
			}
		}
		c.follow(req, links, cm)
	}
	c.rend.add(func(s *RenderStats) {
		s.Pages++
		if err != nil {
			s.Failed++
		}
		if res != nil {
			s.Wall += res.Elapsed
			s.Requests += int64(res.Requests)
			s.Refused += int64(res.Refused)
			s.Links += int64(len(links))
			if !res.Idle {
				s.TimedOut++
			}
		}
	})
}

// scriptShell says whether a page is one no static reading opens: an HTML
// answer classified OK (never a challenge), with scripts and little visible
// text, in which neither the markup nor a dialect finds a report, an
// attachment or a list endpoint (the generic guess of URL-like strings in
// scripts aside: a guess is no reading).
func (c *Crawler) scriptShell(req *store.QueuedRequest, a *answer, read *discover.Doc) bool {
	if a.class != ClassOK || a.decoded == nil || len(a.text) > maxShellCandidates || cookieChallenge(a.text) {
		return false
	}
	if k := req.Kind(); k != KindPage && k != KindReport {
		return false
	}
	root := read.HTML() // parsed for its links already
	if root == nil {
		return false
	}
	if text, scripts := visibleText(root); scripts == 0 || text > shellText {
		return false
	}
	var readers []discover.Extractor
	for _, x := range c.extractors {
		if x.Name() != (discover.ScriptURLs{}).Name() {
			readers = append(readers, x)
		}
	}
	for _, l := range discover.Find(read, readers) {
		if l.Kind != KindPage {
			return false
		}
	}
	return true
}

// visibleText counts the characters a reader sees in a page's body (not in
// scripts, styles, templates or noscript, spaces aside) and its scripts.
func visibleText(root *html.Node) (text, scripts int) {
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && n.DataAtom == atom.Script:
			if n.FirstChild != nil || hasAttr(n, "src") {
				scripts++
			}
			return
		case n.Type == html.ElementNode && (n.DataAtom == atom.Style || n.DataAtom == atom.Noscript || n.DataAtom == atom.Template || n.DataAtom == atom.Head):
			if n.DataAtom == atom.Head {
				for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
					if ch.Type == html.ElementNode && ch.DataAtom == atom.Script {
						walk(ch)
					}
				}
			}
			return
		case n.Type == html.TextNode:
			for _, r := range n.Data {
				if !unicode.IsSpace(r) {
					text++
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(root)
	return text, scripts
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// cookieChallenge: a page whose script sets a cookie and sends the browser
// back (reloads, or goes to a location): the shape of the cookie challenges
// of web firewalls, which a crawler does not solve.
func cookieChallenge(text string) bool {
	lower := strings.ToLower(text)
	if !strings.Contains(lower, "document.cookie") {
		return false
	}
	for _, s := range []string{"location.reload", "location.href", "location.replace", "location=", "location ="} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

// errRefused is a rendered page's request the crawler does not make.
var errRefused = errors.New("refused")

// pageFetcher asks a rendered page's requests the crawler's way: scope,
// the host's turn and delay (the frontier's Hold), robots.txt, the budget.
// Each request made is counted in the host's fetches and logged with the
// page's commit.
func (c *Crawler) pageFetcher(page *store.QueuedRequest, cm *store.Commit) render.Fetcher {
	var mu sync.Mutex            // the commit's log lines
	jar, _ := cookiejar.New(nil) // the cookies the page's answers set, for its next requests
	return func(ctx context.Context, r *render.Request) (*render.Response, error) {
		resp, fl, err := c.renderRequest(ctx, r, jar)
		if fl != nil {
			fl.Detail = strings.TrimSpace("asked by the rendered page " + page.URL + " " + fl.Detail)
			mu.Lock()
			cm.Extra = append(cm.Extra, fl)
			mu.Unlock()
		}
		return resp, err
	}
}

// renderRequest makes one request of a rendered page, or refuses it.
func (c *Crawler) renderRequest(ctx context.Context, r *render.Request, jar http.CookieJar) (*render.Response, *store.FetchLog, error) {
	u, ok := FetchForm(r.URL)
	if !ok || !c.scope.Allows(u) || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
		return nil, nil, fmt.Errorf("%s %s: out of scope: %w", r.Method, r.URL, errRefused)
	}
	pu, _ := url.Parse(u)
	host := strings.ToLower(pu.Host)
	hi := c.hostInfo(host)
	rules, err := c.renderRobots(ctx, pu, hi)
	if err != nil {
		return nil, nil, err
	}
	path := pu.EscapedPath()
	if pu.RawQuery != "" {
		path += "?" + pu.RawQuery
	}
	if !rules.allowed(path, c.agent) {
		c.Stats.Disallowed.Add(1)
		return nil, nil, fmt.Errorf("%s: disallowed by robots.txt: %w", u, errRefused)
	}
	if err := c.fr.Hold(ctx, host); err != nil {
		return nil, nil, fmt.Errorf("%s: waiting its host's turn: %w", u, err)
	}
	release := time.Time{}
	defer func() { c.fr.Release(host, release) }()
	if !c.spend(hi) {
		return nil, nil, fmt.Errorf("%s: the host's budget is spent: %w", u, errRefused)
	}
	resp, fl, err := c.renderDo(ctx, r, pu, jar)
	release = time.Now().Add(c.delay(rules, hi))
	return resp, fl, err
}

// spend counts a request against its host's budget, false when the host is
// given up or its budget spent.
func (c *Crawler) spend(hi *store.HostInfo) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if terminal(hi.Class) || hi.Fetches >= c.cfg.MaxPagesPerHost {
		return false
	}
	hi.Fetches++
	c.Stats.Fetched.Add(1)
	return true
}

// renderRobots is a host's robots.txt rules, fetched in the host's turn
// (and counted against its budget) when not known yet.
func (c *Crawler) renderRobots(ctx context.Context, u *url.URL, hi *store.HostInfo) (*robotsRules, error) {
	host := strings.ToLower(u.Host)
	if rules := c.robots.cached(host); rules != nil {
		return rules, nil
	}
	if err := c.fr.Hold(ctx, host); err != nil {
		return nil, fmt.Errorf("%s: waiting its host's turn: %w", u, err)
	}
	if rules := c.robots.cached(host); rules != nil { // read meanwhile
		c.fr.Release(host, time.Time{})
		return rules, nil
	}
	if !c.spend(hi) {
		c.fr.Release(host, time.Time{})
		return nil, fmt.Errorf("%s: the host's budget is spent: %w", u, errRefused)
	}
	client := c.plain
	if c.plainIns != nil && c.insecureHost(host) {
		client = c.plainIns
	}
	rules := c.robots.fetch(ctx, client, u.Scheme, host, c.cfg.UserAgent)
	c.fr.Release(host, time.Now().Add(c.delay(rules, hi)))
	return rules, nil
}

// renderDo asks the page's request with the crawler's client (its
// transport: the scope's address checks, the proxy, TLS), never following a
// redirect (the browser asks for its target, which comes back here).
func (c *Crawler) renderDo(ctx context.Context, r *render.Request, u *url.URL, jar http.CookieJar) (*render.Response, *store.FetchLog, error) {
	client := *c.plain
	if c.plainIns != nil && c.insecureHost(strings.ToLower(u.Host)) {
		client = *c.plainIns
	}
	client.Jar = jar
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var body io.Reader
	if len(r.Body) > 0 {
		body = bytes.NewReader(r.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", u, err)
	}
	for k, v := range r.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Connection", "Content-Length", "Accept-Encoding", "User-Agent", "Proxy-Authorization", "Upgrade", "Te", "Trailer":
			continue // the client's own, or ours
		}
		hreq.Header[http.CanonicalHeaderKey(k)] = v
	}
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	hreq.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	start := time.Now()
	fl := &store.FetchLog{URL: u.String(), Method: r.Method, Time: start, Host: strings.ToLower(u.Host)}
	resp, err := client.Do(hreq)
	if err != nil {
		fl.Class, fl.Detail = classifyError(err)
		fl.Duration = time.Since(start)
		return nil, fl, fmt.Errorf("asking %s: %w", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBytes+1))
	fl.Duration, fl.Status, fl.Header, fl.Size = time.Since(start), resp.StatusCode, keptHeader(resp.Header), len(b)
	if err == nil && int64(len(b)) > c.cfg.MaxBytes {
		err = fmt.Errorf("body over %d bytes", c.cfg.MaxBytes)
	}
	if err != nil {
		fl.Class, fl.Detail = ClassTooLarge, err.Error()
		return nil, fl, fmt.Errorf("reading %s: %w", u, err)
	}
	fl.Class, fl.Detail = classify(resp.StatusCode, b, "", nil)
	fl.SHA256 = store.SHA256(b)
	return &render.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, fl, nil // the page sees every header; the log keeps what keptHeader keeps
}
