package crawler

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/simweb"
)

// hostileHosts are servers that misbehave the ways issue 35 lists, served
// behind the simulated web's proxy beside its ordinary portals.
type hostileHosts struct {
	bomb []byte // 32 MB of zeros gzipped
	next atomic.Int64
}

// hostileSeeds are the hostile servers' home pages.
var hostileSeeds = []string{"http://bomb.hostile-a.gov.cn/", "http://retry.hostile-b.gov.cn/", "http://www.hostile-c.gov.cn/",
	"http://headers.hostile-d.gov.cn/", "http://robots.hostile-e.gov.cn/", "http://links.hostile-f.gov.cn/", "http://big.hostile-g.gov.cn/"}

func (hh *hostileHosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	page := func(links ...string) {
		var b strings.Builder
		b.WriteString(`<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body>`)
		for _, l := range links {
			b.WriteString(l)
		}
		b.WriteString(`</body></html>`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	}
	reports := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf(`<a href="/nb/t%d.html">某县%d年政府信息公开工作年度报告</a>`, i, 1980+i))
		}
		return out
	}
	if r.URL.Path == "/robots.txt" {
		if strings.HasPrefix(host, "robots.") {
			var b strings.Builder
			b.WriteString("User-agent: *\n")
			for i := range 12_000 {
				fmt.Fprintf(&b, "Disallow: /*%d*/*.html$\n", i)
			}
			w.Write([]byte(b.String()))
			return
		}
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasPrefix(host, "bomb."):
		if r.URL.Path == "/" {
			page(reports(3)...)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "x-gzip")
		w.Write(hh.bomb)
	case strings.HasPrefix(host, "retry."):
		if r.URL.Path == "/" {
			page(reports(40)...)
			return
		}
		w.Header().Set("Retry-After", "999999999")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	case strings.HasSuffix(host, "hostile-c.gov.cn"):
		var links []string
		for range 30 {
			links = append(links, fmt.Sprintf(`<a href="http://h%d.hostile-c.gov.cn/">部门</a>`, hh.next.Add(1)))
		}
		page(links...)
	case strings.HasPrefix(host, "headers."):
		junk := strings.Repeat("x", 4000)
		for i := range 50 {
			w.Header().Add("Set-Cookie", fmt.Sprintf("t%d=%s", i, junk))
		}
		page(reports(5)...)
	case strings.HasPrefix(host, "robots."):
		page(reports(5)...)
	case strings.HasPrefix(host, "links."):
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		var links []string
		for i := range 20_000 {
			links = append(links, fmt.Sprintf(`<a href="/x/%d.html">%d</a>`, i, i))
		}
		page(links...)
	case strings.HasPrefix(host, "big."):
		if r.URL.Path == "/" {
			page(reports(6)...)
			return
		}
		page("<p>" + strings.Repeat("某县政务公开", 3<<20/18) + "</p>")
	default:
		http.NotFound(w, r)
	}
}

// soakMemoryLimit is the memory the soak test's process may use: the
// crawl's budget for bodies in flight and its caches, and the simulated web
// serving the same process (measured: 180 MB peak RSS, the Go heap 109 MB),
// or four times that with the race detector's shadow memory (measured: 624
// MB).
func soakMemoryLimit() int64 {
	if raceDetector {
		return 1 << 30
	}
	return 320 << 20
}

// TestSoakHostileAmongOrdinary crawls ordinary portals beside servers that
// misbehave each way issue 35 lists (a gzip bomb, a host that answers 503
// with an absurd Retry-After forever, a wildcard domain, huge headers, a
// robots.txt of 12,000 wildcard rules, a page of 20,000 links, large
// bodies): every ordinary report is harvested, every hostile host is given
// up or bounded with its reason, the Go heap stays under 512 MB, the run
// ends by itself, and a second night on the same store starts cleanly.
//
// It runs in a child process under a memory limit (a memory cgroup where the
// machine lets the test make one, else GOMEMLIMIT), which the child's peak
// RSS must stay under.
func TestSoakHostileAmongOrdinary(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a simulated world with hostile hosts")
	}
	t.Parallel()
	if peak, how := underMemoryLimit(t, t.Name(), soakMemoryLimit()); how != "" {
		if peak > soakMemoryLimit() {
			t.Errorf("peak RSS %d MB over the limit of %d MB (%s)", peak>>20, soakMemoryLimit()>>20, how)
		}
		return
	}
	defer reportPeak()
	hh := &hostileHosts{bomb: gzipBomb(t, 32<<20)}
	h := newHarnessOpts(t, 12, 0, false, simweb.Options{Extra: hh}, func(c *simweb.Config) { c.LastYear = 2020 })
	h.seeds = append(h.seeds, hostileSeeds...)
	h.cfg.MaxBytes, h.cfg.MemoryBudget = 4<<20, 8<<20
	h.cfg.PerDomain, h.cfg.MaxHostsPerDomain = 2, 20
	h.cfg.BackoffBase, h.cfg.MaxBackoff, h.cfg.MaxHostBackoff = 10*time.Millisecond, 100*time.Millisecond, 2*time.Second

	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	sum := h.crawlFor(t, 3*time.Minute)
	close(stop)
	wg.Wait()
	if sum.Stopped {
		t.Fatalf("the run did not end by itself: %d requests pending", sum.Pending)
	}
	t.Logf("fetched %d, reports %d, errors %d, links dropped %d, hosts refused %d, heap peak %d MB",
		sum.Fetched, sum.Reports, sum.Errors, sum.LinksDropped, sum.HostsRefused, peak.Load()>>20)

	records := readCrawled(t, h).records
	f := records.Found(h.w.Manifest(true), Canonical)
	if f.Recall() < 1 {
		t.Errorf("ordinary portals: recall %d/%d", f.Stored, f.Total)
	}
	givenUp := map[string]string{}
	for _, g := range sum.GivenUp {
		givenUp[g.Host] = string(g.Class) + ": " + g.Detail
	}
	if d := givenUp["retry.hostile-b.gov.cn"]; !strings.Contains(d, "in a row") && !strings.Contains(d, "backed off") {
		t.Errorf("the host that answers 503 forever: %q", d)
	}
	if d := givenUp["robots.hostile-e.gov.cn"]; d == "" {
		var robotsRefused bool
		for _, fl := range sum.Failures {
			robotsRefused = robotsRefused || strings.Contains(fl.URL, "robots.hostile-e")
		}
		if sum.Disallowed == 0 && !robotsRefused {
			t.Errorf("the host with 12,000 robots rules was asked as if it had none")
		}
	}
	tooLarge := false
	for _, fl := range sum.Failures {
		tooLarge = tooLarge || strings.Contains(fl.URL, "bomb.hostile-a") && fl.Class == ClassTooLarge
	}
	if !tooLarge {
		t.Errorf("the gzip bomb is not a too-large failure: %+v", sum.Failures)
	}
	if sum.HostsRefused == 0 || sum.LinksDropped == 0 {
		t.Errorf("wildcard names refused %d, links dropped %d: both bounds should have been met", sum.HostsRefused, sum.LinksDropped)
	}
	if p := peak.Load(); p > 512<<20 {
		t.Errorf("heap peaked at %d MB", p>>20)
	}
	// The second night starts cleanly on the same store.
	if _, err := h.crawlWith(testExtractor(t), time.Minute); err != nil {
		t.Fatalf("second night: %v", err)
	}
}
