package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/store"
)

// Findings of the third hostile sweep (issue 35): each test reproduces a case
// the crawl does not handle yet and is skipped until it is fixed
// (../briefs/redteam-findings.md names the code and a fix).

// hostileConfig is a quick crawl of one loopback server.
func hostileConfig() Config {
	return Config{AllowPrivate: true, Delay: time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 1 << 20,
		BackoffBase: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, MaxHostBackoff: 2 * time.Second}
}

// hostileReport is a page that reads as one report of the given year.
func hostileReport(year int) string {
	return fmt.Sprintf(`<html><head><meta charset="utf-8"><title>某县%d年政府信息公开工作年度报告</title></head><body>`+
		`<p>某县%d年政府信息公开工作年度报告</p><p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p></body></html>`, year, year)
}

// hostileHome links n reports, /nb/t0.html … /nb/t{n-1}.html.
func hostileHome(n int) string {
	var b strings.Builder
	b.WriteString(`<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body>`)
	for i := range n {
		fmt.Fprintf(&b, `<a href="/nb/t%d.html">某县%d年政府信息公开工作年度报告</a>`, i, 2010+i)
	}
	b.WriteString(`</body></html>`)
	return b.String()
}

// fetchesOf is the store's fetch log.
func fetchesOf(t *testing.T, st *store.Store) []*store.FetchLog {
	t.Helper()
	var out []*store.FetchLog
	if err := st.Fetches(func(f *store.FetchLog) error { out = append(out, f); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// A redirect whose Location Go cannot parse (a raw "%" in a Chinese file
// name, as real gov.cn servers send) is one page's fault: the host's other
// reports are still fetched. The client's parse error had been read as a
// network outage ("unreachable"): three such pages in a row gave the whole
// host up, and its good reports were lost.
func TestHostileUnparseableLocationGivesHostUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, hostileHome(5))
		case "/nb/t3.html", "/nb/t4.html":
			fmt.Fprint(w, hostileReport(2020+len(r.URL.Path)%7))
		default:
			w.Header().Set("Location", "/nb/完成率100%.html")
			w.WriteHeader(http.StatusFound)
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	cfg := hostileConfig()
	cfg.Workers = 1
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	for _, g := range sum.GivenUp {
		t.Errorf("host given up: %s %s", g.Class, g.Detail)
	}
	got := map[string]string{}
	for _, f := range fetchesOf(t, st) {
		got[strings.TrimPrefix(f.URL, srv.URL)] = string(f.Class) + " " + f.Detail
	}
	for _, p := range []string{"/nb/t3.html", "/nb/t4.html"} {
		if !strings.HasPrefix(got[p], "ok") {
			t.Errorf("%s: %q, want the report fetched", p, got[p])
		}
	}
	if d := got["/nb/t0.html"]; strings.HasPrefix(d, "unreachable") {
		t.Errorf("/nb/t0.html: %q: the server answered; the address it gave is bad", d)
	}
}

// A 304 Not Modified to a request that sent no validator has no document:
// the report is lost and must be said (a failure, tried again), not logged
// as "not_modified" with nothing stored and nothing said.
func TestHostileNotModifiedToUnconditionalRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, hostileHome(1))
		default:
			if r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Modified-Since") == "" {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			fmt.Fprint(w, hostileReport(2010))
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	sum := crawlOnce(t, hostileConfig(), st, ex, srv.URL+"/")
	for _, f := range sum.Failures {
		if f.URL == srv.URL+"/nb/t0.html" {
			return
		}
	}
	t.Errorf("the report answered by an unasked-for 304 is not among the failures (%d errors, %+v)", sum.Errors, sum.Failures)
}

// A robots.txt answered 429 with Retry-After: 3600 asks the crawler to wait
// an hour. RFC 9309 leaves 429 to the crawler; Google reads it as 5xx. Today
// it is read as 4xx ("no rules") and the host is crawled at once.
func TestHostileRobotsTooManyRequests(t *testing.T) {
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/":
			pages.Add(1)
			fmt.Fprint(w, hostileHome(2))
		default:
			pages.Add(1)
			fmt.Fprint(w, hostileReport(2010))
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	sum := crawlOnce(t, hostileConfig(), st, ex, srv.URL+"/")
	if n := pages.Load(); n > 0 {
		t.Errorf("%d pages asked of a host whose robots.txt said 429, Retry-After 3600", n)
	}
	if len(sum.GivenUp) == 0 {
		t.Errorf("the host is not among those given up (or backed off): the run says nothing")
	}
}

// A robots.txt behind more redirects than the client follows (10): RFC 9309
// lets the crawler read it as unavailable (no rules) or the crawler may keep
// away, but either way the host is not a "gone" page dropped in silence.
// Today the seed is logged "gone: redirect loop", the host's queue is
// dropped, and neither the given-up hosts nor the failures name it.
func TestHostileRobotsRedirectChain(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		switch {
		case r.URL.Path == "/robots.txt" || strings.HasPrefix(r.URL.Path, "/robots/"):
			fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/robots/"), "%d", &n)
			if n >= 12 {
				fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/robots/%d", n+1), http.StatusMovedPermanently)
		case r.URL.Path == "/":
			fmt.Fprint(w, hostileHome(1))
		default:
			fmt.Fprint(w, hostileReport(2010))
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	sum := crawlOnce(t, hostileConfig(), st, ex, srv.URL+"/")
	for _, f := range fetchesOf(t, st) {
		if f.URL == srv.URL+"/" && f.Class == ClassGone {
			t.Errorf("the seed is logged gone: %s", f.Detail)
		}
	}
	if sum.Reports == 0 && len(sum.GivenUp) == 0 {
		t.Errorf("no report fetched and no host given up: the host was dropped without a word")
	}
}

// A report behind a chain of 8 redirects (browsers follow 20, Go's client
// 10) is reached, or, if the crawl keeps a shorter limit, lost with a
// failure that says "too many redirects". Today the sixth hop is called a
// "redirect loop", classed gone (not a failure), and the report is lost
// without a word.
func TestHostileLongRedirectChain(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, hostileHome(1))
		default:
			var n int
			fmt.Sscanf(r.URL.Query().Get("n"), "%d", &n)
			if n >= 8 {
				fmt.Fprint(w, hostileReport(2010))
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/nb/t0.html?n=%d", n+1), http.StatusFound)
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	sum := crawlOnce(t, hostileConfig(), st, ex, srv.URL+"/")
	for _, f := range fetchesOf(t, st) {
		if strings.Contains(f.Detail, "loop") {
			t.Errorf("%s: %q: a chain of distinct addresses is no loop", f.URL, f.Detail)
		}
	}
	if sum.Reports == 0 && sum.Errors == 0 {
		t.Errorf("the report behind 8 redirects is neither stored nor a failure")
	}
}

// Two report links that redirect to each other (A → B → A) hold no report;
// the loop is said (a failure or a "loop" in the fetch log). Today both are
// logged "moved", each to the other, and nothing says a report was lost.
func TestHostileRedirectLoopBothLinked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, hostileHome(2))
		case "/nb/t0.html":
			http.Redirect(w, r, "/nb/t1.html", http.StatusFound)
		default:
			http.Redirect(w, r, "/nb/t0.html", http.StatusFound)
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	sum := crawlOnce(t, hostileConfig(), st, ex, srv.URL+"/")
	if sum.Errors > 0 {
		return
	}
	for _, f := range fetchesOf(t, st) {
		if strings.Contains(f.Detail, "loop") {
			return
		}
	}
	t.Errorf("a redirect loop between two report links is said nowhere")
}

// A Crawl-delay of a day is capped (at a minute); the cap is the crawl's
// choice against the site's wish, so it is said: a note kept with the host
// and listed in the run report (it was applied in silence).
func TestHostileCrawlDelayCapSaid(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "\ufeffUser-agent: *\r\nCrawl-delay: 86400\r\nDisallow: /private/\r\n")
	}))
	defer srv.Close()
	rc := newRobotsCache("nianbao", time.Hour, time.Minute)
	r := rc.fetch(t.Context(), srv.Client(), "http", strings.TrimPrefix(srv.URL, "http://"), "nianbao/0.1")
	if r.delay != time.Minute {
		t.Fatalf("delay %s, want the 1 min cap", r.delay)
	}
	if !strings.Contains(r.note, "Crawl-delay") {
		t.Errorf("the cap of a Crawl-delay of 86400 s is not noted (note %q)", r.note)
	}
}

// A redirect to a 200 KB address (out of scope: over 4,096 bytes) is logged
// with a bounded detail. Today the whole Location goes into the fetch log's
// detail: 200 such answers grew the store to 99 MB, so one host's budget
// of 2,000 could add about a gigabyte a night, kept for good.
func TestHostileLongLocationBloatsStore(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, hostileHome(50))
		default:
			w.Header().Set("Location", "/nb/"+strings.Repeat("a", 200<<10)+r.URL.Path)
			w.WriteHeader(http.StatusFound)
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	crawlOnce(t, hostileConfig(), st, ex, srv.URL+"/")
	var total int
	for _, f := range fetchesOf(t, st) {
		total += len(f.Detail)
		if len(f.Detail) > 8<<10 {
			t.Errorf("%s: a detail of %d bytes", f.URL, len(f.Detail))
			break
		}
	}
	if total > 1<<20 {
		t.Errorf("the fetch log holds %d MB of details for 50 redirects", total>>20)
	}
}

// A page past 8 MiB is read for links in its first 8 MiB (its tree would
// cost ten times its size): a link before the cut is followed, one after it
// is not, and the run counts the page.
func TestHugePageReadForLinksInPart(t *testing.T) {
	t.Parallel()
	var asked sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.URL.Path, true)
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><body><a href="/nb/before.html">某县2019年政府信息公开工作年度报告</a><p>`)
			fmt.Fprint(w, strings.Repeat("政务公开 ", 9<<20/13))
			fmt.Fprint(w, `</p><a href="/nb/after.html">某县2020年政府信息公开工作年度报告</a></body></html>`)
		default:
			fmt.Fprint(w, hostileReport(2019))
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	cfg := hostileConfig()
	cfg.MaxBytes = 16 << 20
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	if _, ok := asked.Load("/nb/before.html"); !ok {
		t.Errorf("the link in the first 8 MiB was not followed")
	}
	if _, ok := asked.Load("/nb/after.html"); ok {
		t.Errorf("a link past 8 MiB was followed: the whole page was read")
	}
	if sum.PagesCut != 1 {
		t.Errorf("pages cut: %d, want 1", sum.PagesCut)
	}
}
