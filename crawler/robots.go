package crawler

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsRules is one host's robots.txt as RFC 9309 reads it: a 2xx file is
// parsed (a page that is not robots.txt syntax has no rules); 4xx means no
// restrictions; 5xx or no answer means complete disallow until the entry expires.
type robotsRules struct {
	data     *robotstxt.RobotsData
	allowAll bool
	denyAll  bool
	delay    time.Duration // Crawl-delay
	expires  time.Time
	status   int
	err      string
	// note says what the crawl did otherwise than the file asks (a
	// Crawl-delay past the cap); kept with the host.
	note string
}

// maxCrawlDelay caps a Crawl-delay: a day between two requests would keep
// one report a night from a site that has hundreds.
const maxCrawlDelay = time.Minute

func (r *robotsRules) allowed(path, agent string) bool {
	switch {
	case r.denyAll:
		return false
	case r.allowAll || r.data == nil:
		return true
	}
	return r.data.TestAgent(path, agent)
}

// maxRobotsRules bounds the Allow and Disallow lines of a robots.txt that
// are tested against each URL: a gov.cn site has a handful; 512 KB of
// wildcard rules had cost 0.7 s of CPU per URL. A file with more is read as
// disallowing everything, which is polite and costs nothing.
const maxRobotsRules = 2000

// ruleLines counts a robots.txt's Allow and Disallow lines.
func ruleLines(body []byte) int {
	n := 0
	for line := range bytes.Lines(body) {
		line = bytes.TrimLeft(line, " \t")
		if len(line) >= 5 && (bytes.EqualFold(line[:5], []byte("allow")) || len(line) >= 8 && bytes.EqualFold(line[:8], []byte("disallow"))) {
			n++
		}
	}
	return n
}

// robotsCache fetches robots.txt once per host and expiry, through the crawler's
// own client and within the host's politeness (the host is reserved meanwhile).
type robotsCache struct {
	mu      sync.Mutex
	rules   map[string]*robotsRules
	ttl     time.Duration // for files that were read
	failTTL time.Duration // for 5xx and unreachable: retry sooner
	agent   string
	now     func() time.Time
}

func newRobotsCache(agent string, ttl, failTTL time.Duration) *robotsCache {
	return &robotsCache{rules: map[string]*robotsRules{}, ttl: ttl, failTTL: failTTL, agent: agent, now: time.Now}
}

// cached returns the rules for a host if they have not expired.
func (c *robotsCache) cached(host string) *robotsRules {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rules[host]
	if r == nil || c.now().After(r.expires) {
		return nil
	}
	return r
}

// known says whether the host's robots.txt was ever asked for in this run
// (its rules may have expired since).
func (c *robotsCache) known(host string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rules[host] != nil
}

// fetch reads and caches a host's robots.txt.
func (c *robotsCache) fetch(ctx context.Context, client *http.Client, scheme, host, ua string) *robotsRules {
	r := &robotsRules{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+host+"/robots.txt", nil)
	if err == nil {
		req.Header.Set("User-Agent", ua)
		var resp *http.Response
		resp, err = client.Do(req)
		if err == nil {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 512<<10))
			resp.Body.Close()
			r.status = resp.StatusCode
			switch {
			case rerr != nil:
				err = rerr
			case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
				// Not available now (429 read as 5xx, as Google does): no
				// request to the host until it answers.
				r.denyAll = true
			case resp.StatusCode >= 400:
				r.allowAll = true
			case resp.StatusCode >= 200 && resp.StatusCode < 300 && ruleLines(body) > maxRobotsRules:
				r.denyAll = true
				r.err = fmt.Sprintf("robots.txt has %d rules, over %d: read as disallowing everything (testing each URL against them would cost seconds)", ruleLines(body), maxRobotsRules)
			case resp.StatusCode >= 200 && resp.StatusCode < 300:
				if data, perr := robotstxt.FromBytes(body); perr == nil {
					r.data = data
					if g := data.FindGroup(c.agent); g != nil && g.CrawlDelay > 0 {
						r.delay = min(g.CrawlDelay, maxCrawlDelay)
						if g.CrawlDelay > maxCrawlDelay {
							r.note = fmt.Sprintf("robots.txt asks a Crawl-delay of %s; capped at %s", g.CrawlDelay, maxCrawlDelay)
						}
					}
				} else {
					r.allowAll = true // unparseable: no rules
				}
			default:
				r.allowAll = true
			}
		}
	}
	ttl := c.ttl
	if err != nil && r.err == "" {
		r.denyAll = true
		r.err = err.Error()
	}
	if r.denyAll {
		ttl = c.failTTL
	}
	r.expires = c.now().Add(ttl)
	c.mu.Lock()
	c.rules[host] = r
	c.mu.Unlock()
	return r
}
