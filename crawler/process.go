package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/discover"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// One request's way through the crawler, in the order it takes: the host's
// gate (given up, over budget), robots.txt, the fetch, the answer classified,
// the outcome that follows from its class (a document harvested, a retry, a
// redirect followed, a host given up), the visit recorded, the commit.

// process handles one request from taking to committing, and releases its host.
func (c *Crawler) process(ctx context.Context, req *store.QueuedRequest) error {
	hi := c.hostInfo(req.Host)
	if done, err := c.gate(req, hi); done {
		return err
	}
	if req.Unlocated {
		// Its address first: a host that shares a server asked a moment
		// ago waits for the server's turn.
		switch c.fr.Locate(req, c.names.address(ctx, req.Host)) {
		case store.LocatedWait:
			c.Stats.SharedAddress.Add(1)
			return nil
		case store.LocatedShared:
			c.Stats.SharedAddress.Add(1)
		}
	}
	u, _ := url.Parse(req.URL)
	rules, ok := c.robotsFor(ctx, req, u, hi)
	if !ok {
		return nil // stopped: not acknowledged, queued again next run
	}
	if done, err := c.refuseDisallowed(req, u, hi, rules); done {
		return err
	}
	s, err := c.do(ctx, req)
	defer c.bodies.release(s) // the answer's bytes are let go of once it is processed
	if ctx.Err() != nil {
		c.fr.Release(req.Host, time.Time{}) // not acknowledged: queued again next run
		return nil
	}
	if err != nil {
		return err
	}
	c.Stats.Fetched.Add(1)
	if !s.headers.IsZero() {
		c.Stats.Timed.Add(1)
		c.Stats.QueueWait.Add(int64(req.Waited))
		c.Stats.FirstByte.Add(int64(s.headers.Sub(s.start)))
		c.Stats.Transfer.Add(int64(s.end.Sub(s.headers)))
	}
	c.mu.Lock()
	hi.Fetches++
	c.mu.Unlock()

	a := c.answerOf(req, s)
	a.class, a.detail, a.redirect = c.classifyAnswer(req, u, s, a)
	cm := store.Commit{Fetch: a.fetchLog(req, s)}
	if origin := req.Origin(); origin != "" && a.class.Lost() {
		// The first URL of a redirect chain shares the chain's end.
		cm.Extra = append(cm.Extra, &store.FetchLog{URL: origin, Method: req.Method, Time: s.start, Class: a.class,
			Detail: "via redirect to " + req.URL + ": " + a.detail, Host: hostOf(origin)})
	}
	release, released := c.outcome(ctx, req, hi, rules, s, a, &cm)
	if ctx.Err() != nil {
		// Stopped while the answer was read (its extraction may have been cut
		// short): not acknowledged, fetched again next run.
		if !released {
			c.fr.Release(req.Host, time.Time{})
		}
		return nil
	}
	recordVisits(req, s, a, &cm)
	c.spendOn(hi, spentOn(req, &cm))
	cm.Host = c.hostSnapshot(hi)
	n, err := c.fr.Commit(cm)
	c.Stats.Queued.Add(int64(n))
	if !released {
		c.fr.Release(req.Host, release)
	}
	return err
}

// hostSnapshot is a copy of what the crawl knows of a host, for the commit.
func (c *Crawler) hostSnapshot(hi *store.HostInfo) *store.HostInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := *hi
	h.Updated = time.Now()
	return &h
}

// gate settles a request its host's state decides without a fetch: the host
// was given up this run, or its page budget is spent. It reports whether it
// did (and released the host).
func (c *Crawler) gate(req *store.QueuedRequest, hi *store.HostInfo) (bool, error) {
	now := time.Now()
	c.mu.Lock()
	class, detail, fetches := hi.Class, hi.Detail, hi.Fetches
	c.mu.Unlock()
	var cm store.Commit
	switch {
	case terminal(class):
		cm = store.Commit{Done: req, Fetch: &store.FetchLog{URL: req.URL, Method: req.Method, Time: now, Class: class, Detail: "host given up: " + detail, Host: req.Host}}
	case fetches >= c.cfg.MaxPagesPerHost:
		c.mu.Lock()
		hi.Class, hi.Detail = ClassBudget, fmt.Sprintf("%d requests this run", fetches)
		c.mu.Unlock()
		cm = store.Commit{Done: req, DropHost: req.Host, Host: c.hostSnapshot(hi),
			Fetch: &store.FetchLog{URL: req.URL, Method: req.Method, Time: now, Class: ClassBudget, Detail: hi.Detail, Host: req.Host}}
	default:
		return false, nil
	}
	_, err := c.fr.Commit(cm)
	c.fr.Release(req.Host, time.Time{})
	return true, err
}

// robotsFor is the host's robots.txt rules, fetched (within the host's
// politeness: the request waits its delay after it) when not known yet. A
// host's first contact of the run waits its place in the spread first (see
// spread). It is false when the crawl was stopped meanwhile (the host
// released).
func (c *Crawler) robotsFor(ctx context.Context, req *store.QueuedRequest, u *url.URL, hi *store.HostInfo) (*robotsRules, bool) {
	if rules := c.robots.cached(req.Host); rules != nil {
		return rules, true
	}
	if !c.robots.known(req.Host) && !c.pool.wait(ctx, spread(c.contacts.Add(1)-1, c.cfg.Delay)) {
		c.fr.Release(req.Host, time.Time{})
		return nil, false
	}
	client := c.plain
	if c.plainIns != nil && c.insecureHost(req.Host) {
		client = c.plainIns
	}
	rules := c.robots.fetch(ctx, client, u.Scheme, req.Host, c.cfg.UserAgent)
	c.mu.Lock()
	hi.Fetches++
	hi.Spent.Other++
	if rules.note != "" && hi.Class == "" {
		hi.Detail = rules.note // kept with the host, listed in the run report
	}
	c.mu.Unlock()
	c.Stats.Fetched.Add(1)
	if !c.pool.wait(ctx, c.delay(rules, hi)) {
		c.fr.Release(req.Host, time.Time{})
		return nil, false
	}
	return rules, true
}

// refuseDisallowed settles a request robots.txt does not allow: the site's
// wish, or (RFC 9309) a robots.txt that could not be read, which gives the
// host up with the reason as its class. It reports whether it did.
func (c *Crawler) refuseDisallowed(req *store.QueuedRequest, u *url.URL, hi *store.HostInfo, rules *robotsRules) (bool, error) {
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if rules.allowed(path, c.agent) {
		return false, nil
	}
	detail, logged := "disallowed by robots.txt", ClassRobotsDisallowed
	var drop string
	if rules.denyAll {
		class := unreadableRobots(rules)
		c.mu.Lock()
		hi.Class, hi.Detail = class, fmt.Sprintf("robots.txt: status %d %s", rules.status, rules.err)
		detail = hi.Detail
		c.mu.Unlock()
		drop, logged = req.Host, class
	}
	if logged == ClassRobotsDisallowed {
		c.Stats.Disallowed.Add(1) // the site's wish; an unreachable host is not counted so
	}
	_, err := c.fr.Commit(store.Commit{Done: req, DropHost: drop, Host: c.hostSnapshot(hi),
		Fetch: &store.FetchLog{URL: req.URL, Method: req.Method, Time: time.Now(), Class: logged, Detail: detail, Host: req.Host}})
	c.fr.Release(req.Host, time.Time{})
	return true, err
}

// unreadableRobots is the class of a host whose robots.txt denies everything
// because it could not be read: why it could not.
func unreadableRobots(rules *robotsRules) crawl.Class {
	switch {
	case rules.err != "":
		switch class, _ := classify(0, nil, "", errors.New(rules.err)); class {
		case ClassError:
			return ClassUnreachable
		case ClassGone, ClassOffsite:
			// Not reached (past the client's redirects, or off the
			// hosts): kept away from, as from a file that cannot be read.
			return ClassRobotsDisallowed
		default:
			return class
		}
	case rules.status == 502 || rules.status == 504:
		return ClassUnreachable
	}
	return ClassRobotsDisallowed
}

// answer is what a fetch brought back, and what it was judged to be.
type answer struct {
	body   []byte
	status int
	header http.Header
	final  string // the URL that answered, after redirects the client followed
	text   string // the body decoded, for an HTML or text answer
	// decoded is that decoding, for an HTML answer: its extraction reads it
	// instead of decoding the page again.
	decoded *decode.Decoded

	class    crawl.Class
	detail   string
	redirect string // where a redirect (or a page that only sends the browser on) points
}

// answerOf reads a fetch's response, decoded once: for classifying (soft
// 404s, maintenance pages) and for links.
func (c *Crawler) answerOf(req *store.QueuedRequest, s *slot) *answer {
	a := &answer{final: req.URL}
	if s.resp != nil {
		a.body, a.status = s.resp.Body, s.resp.StatusCode
		if s.resp.Headers != nil {
			a.header = s.resp.Headers.Clone()
			if s.contentType != "" {
				a.header.Set("Content-Type", s.contentType)
			}
		}
		if s.resp.Request != nil && s.resp.Request.URL != nil {
			a.final = s.resp.Request.URL.String()
		}
	}
	if f := extract.Sniff(a.body); f == "html" || f == "text" {
		d := c.dec.Bytes(a.body, s.contentType, true)
		a.text = d.Text
		if f == "html" {
			a.decoded = &d
		}
	}
	return a
}

// classifyAnswer is an answer's class, with its detail and, for a redirect,
// its target.
func (c *Crawler) classifyAnswer(req *store.QueuedRequest, u *url.URL, s *slot, a *answer) (class crawl.Class, detail, redirect string) {
	class, detail = classify(a.status, a.body, a.text, s.err)
	if int64(len(a.body)) > c.cfg.MaxBytes {
		class, detail = ClassTooLarge, fmt.Sprintf("body over %d bytes", c.cfg.MaxBytes)
	}
	if req.Revisit() && req.Kind() == KindAttachment && (a.status == http.StatusUnauthorized || a.status == http.StatusForbidden) {
		class, detail = ClassExpired, fmt.Sprintf("status %d on asking again: a signed link, looked at through its page from now on", a.status)
	}
	if class == ClassBlockedWAF && strings.Contains(u.Path, "/gkmlpt/") && a.status == 200 {
		class, detail = ClassOK, "" // gkmlpt pages are script shells by design
	}
	if class == ClassNotModified && !conditional(req) {
		// Nothing was asked to be compared: the answer holds no document
		// and there is no stored copy it could mean. A server fault,
		// tried again, then a failure.
		class, detail = ClassServerError, "304 Not Modified to a request that sent no validator"
	}
	switch {
	case a.status >= 300 && a.status < 400 && a.status != http.StatusNotModified && s.err == nil:
		loc := a.header.Get("Location")
		if loc == "" {
			loc = a.header.Get(unreadLocation) // one no repair could read (location.go)
		}
		class, detail, redirect = c.redirected(req, u, loc, len(a.header.Values("Set-Cookie")) > 0)
	case class == ClassOK && req.Kind() == KindReport && a.text != "":
		// A report's address answered by a page that only sends the browser
		// on (a meta refresh, location.replace): moved, as by a 301.
		if to, ok := discover.SentTo(a.text, u); ok {
			class, detail, redirect = c.redirected(req, u, to, false)
		}
	}
	if len(c.cfg.InsecureTLSHosts) > 0 && c.insecureHost(req.Host) {
		detail = strings.TrimSpace(detail + " (TLS verification off by configuration)")
	}
	return class, detail, redirect
}

// conditional reports whether a request asked to be answered only if
// changed (If-None-Match or If-Modified-Since, as a revisit does).
func conditional(req *store.QueuedRequest) bool {
	for k := range req.Headers {
		if strings.EqualFold(k, "If-None-Match") || strings.EqualFold(k, "If-Modified-Since") {
			return true
		}
	}
	return false
}

// fetchLog is the fetch log's line for an answer.
func (a *answer) fetchLog(req *store.QueuedRequest, s *slot) *store.FetchLog {
	fl := &store.FetchLog{URL: req.URL, FinalURL: a.final, Method: req.Method, Status: a.status, Header: keptHeader(a.header), Time: s.start,
		Duration: s.end.Sub(s.start), QueueWait: req.Waited, Size: len(a.body), Class: a.class, Detail: a.detail, Host: req.Host}
	if !s.headers.IsZero() {
		fl.FirstByte = s.headers.Sub(s.start)
	}
	if len(a.body) > 0 {
		fl.SHA256 = store.SHA256(a.body)
	}
	return fl
}

// outcome fills the commit with what follows from the answer's class and
// returns when the host may be asked again, and whether it has released the
// host already: a document's host is released once its answer is read, so
// its next request is not held back while the document is extracted (the
// request itself stays taken until its commit).
func (c *Crawler) outcome(ctx context.Context, req *store.QueuedRequest, hi *store.HostInfo, rules *robotsRules, s *slot, a *answer, cm *store.Commit) (release time.Time, released bool) {
	release = s.end.Add(c.delay(rules, hi))
	switch a.class {
	case ClassCookie:
		req.SetCookie()
		cm.Retry = req
	case ClassMoved:
		cm.Done = req
		cm.Add = append(cm.Add, redirectRequest(req, a.redirect))
	case ClassOK, ClassNotModified:
		c.mu.Lock()
		hi.Failures = 0
		c.mu.Unlock()
		cm.Done = req
		if a.class == ClassOK {
			c.fr.Release(req.Host, release)
			released = true
			read := c.harvest(ctx, req, a, s, cm)
			c.renderShell(ctx, req, a, read, cm) // a script shell: rendered (render.go)
		}
	case ClassRateLimited, ClassServerError, ClassUnreachable, ClassMaintenance, ClassError:
		release = c.retryLater(req, hi, rules, s, a, cm)
	case ClassBlockedWAF:
		c.mu.Lock()
		hi.Failures++
		if hi.Failures >= 2 {
			hi.Class, hi.Detail = ClassBlockedWAF, a.detail
		}
		failures, giveUp := hi.Failures, terminal(hi.Class)
		c.mu.Unlock()
		release = s.end.Add(max(c.backoff(failures, a.header), c.delay(rules, hi)))
		if giveUp {
			cm.Done, cm.DropHost = req, req.Host
		} else {
			cm.Retry = req
		}
	case ClassTLS:
		c.mu.Lock()
		hi.Class, hi.Detail = ClassTLS, a.detail
		c.mu.Unlock()
		cm.Done, cm.DropHost = req, req.Host
	case ClassTooLarge:
		cm.Done = req
		c.failed(req, a.class, a.detail) // a document dropped: a failure, not an outcome
	default: // gone, offsite
		cm.Done = req
	}
	return release, released
}

// redirectRequest is the request for where a redirect points, carrying the
// chain so far and its first URL.
func redirectRequest(req *store.QueuedRequest, to string) *store.QueuedRequest {
	next := newRequest(to, "GET", "", req.Kind(), req.Depth, req.Anchor())
	next.Later = store.RequestLater(req) // where the redirecting request was (best-first)
	next.SetWeak(req.Weak())
	if self, _ := Canonical(req.URL); keyOf(next) == self {
		// Another spelling of the page that redirected (m. to www.): its
		// key is taken already, and the address that answers is asked all
		// the same, de-duplicated by its exact spelling.
		next.Key = redirectKey + to
	}
	next.SetChain(append(req.Chain(), req.URL))
	origin := req.Origin()
	if origin == "" {
		origin = req.URL
	}
	next.SetOrigin(origin)
	return next
}

// retryLater handles an answer worth asking again after a back-off (429, 5xx,
// an outage, maintenance): retried up to the limit, then a failure; a host
// that keeps failing is given up. It returns when the host may be asked again.
func (c *Crawler) retryLater(req *store.QueuedRequest, hi *store.HostInfo, rules *robotsRules, s *slot, a *answer, cm *store.Commit) time.Time {
	if a.class == ClassRateLimited {
		c.slowDown(rules, hi)
	}
	attempts := req.Attempts()
	attempts++
	wait := max(c.backoff(attempts, a.header), c.delay(rules, hi))
	release := s.end.Add(wait)
	c.mu.Lock()
	c.hostFailed(req.Host, hi, a, wait)
	giveUp := terminal(hi.Class)
	c.mu.Unlock()
	switch {
	case giveUp:
		cm.Done, cm.DropHost = req, req.Host
	case attempts > c.cfg.MaxRetries:
		cm.Done = req
		c.failed(req, a.class, fmt.Sprintf("%s, after %d attempts", a.detail, attempts))
	default:
		req.SetAttempts(attempts)
		cm.Retry = req
	}
	return release
}

// hostFailed counts a failing answer against its host (under c.mu): a host is
// given up after MaxHostFailures outages in a row, after that many times
// MaxRetries+1 answers of 429 or 5xx in a row (an answer that succeeds
// starts the count again), or once its back-offs have cost the run
// MaxHostBackoff.
func (c *Crawler) hostFailed(host string, hi *store.HostInfo, a *answer, wait time.Duration) {
	hi.Failures++
	c.backoffs[host] += wait
	limit := c.cfg.MaxHostFailures
	if a.class != ClassUnreachable && a.class != ClassMaintenance {
		limit *= c.cfg.MaxRetries + 1
	}
	switch {
	case hi.Failures >= limit:
		hi.Class, hi.Detail = ClassUnreachable, fmt.Sprintf("%d failures in a row, last: %s %s", hi.Failures, a.class, a.detail)
	case c.backoffs[host] >= c.cfg.MaxHostBackoff:
		hi.Class, hi.Detail = ClassUnreachable, fmt.Sprintf("backed off for %s in this run (%d failures in a row), last: %s %s", c.backoffs[host].Round(time.Second), hi.Failures, a.class, a.detail)
	}
}

// recordVisits adds what the fetch tells of the URL (and of a redirect
// chain's first URL) to the commit, for the next run's schedule and the
// report's history.
func recordVisits(req *store.QueuedRequest, s *slot, a *answer, cm *store.Commit) {
	v := store.Visit{Req: req, Time: s.start, Class: a.class, Detail: a.detail, SHA256: cm.Fetch.SHA256, MovedTo: a.redirect}
	if a.header != nil {
		v.ETag, v.LastModified = a.header.Get("ETag"), a.header.Get("Last-Modified")
	}
	if cm.Entry != nil {
		v.Fingerprint = report.Fingerprint(cm.Entry.Record)
	}
	cm.Visits = append(cm.Visits, v)
	if origin := req.Origin(); origin != "" {
		cm.Origin = origin
		if a.class.Lost() {
			oq := &store.QueuedRequest{URL: origin, Method: req.Method, Host: hostOf(origin)}
			oq.SetKind(req.Kind())
			cm.Visits = append(cm.Visits, store.Visit{Req: oq, Time: s.start, Class: a.class, Detail: "via redirect to " + req.URL + ": " + a.detail})
		}
	}
}
