package simweb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/liuzl/gocc"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Options tune a server.
type Options struct {
	// BurstLimit requests to one host within BurstWindow trip its burst detector
	// (hosts with the burst fault), which then serves a substitute index page for
	// BurstPenalty. Defaults: 10 in 1s, for 5s.
	BurstLimit   int
	BurstWindow  time.Duration
	BurstPenalty time.Duration
	// RateInterval: a host with the 429 fault answers 429 to requests closer together
	// than this (default 300ms), with Retry-After: 1.
	RateInterval time.Duration
	// AttachmentTTL is how long an expiring attachment link stays valid (default 10m).
	AttachmentTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// CrawlDelay is what the crawl_delay robots.txt case asks for (default 1s;
	// the demo compresses time and asks for less).
	CrawlDelay time.Duration
	// Extra, when set, answers for the host names the world does not know
	// (a test's own hosts behind the same proxy: hostile servers beside the
	// ordinary portals).
	Extra http.Handler
	// Latency is how long every request waits before it is answered, as a
	// far server's do (default none).
	Latency time.Duration
	// Bulk, when above 0, serves the bulk world instead of the world's pages:
	// every host a home page listing Bulk report pages, every other page one
	// of them (bulk.go). Its robots.txt, faults and latency stay the world's.
	Bulk int
}

// Server serves a world.
type Server struct {
	w     atomic.Pointer[World]
	opt   Options
	log   *RequestLog
	ca    *certAuthority
	mu    sync.Mutex
	state map[string]*hostState
	index map[string]map[string]target // host → path → what is there
	ln    net.Listener
	srv   *http.Server
	quiet *log.Logger // drops the servers' own error lines: failed handshakes are the point of the broken-TLS hosts
}

type hostState struct {
	last     time.Time
	recent   []time.Time
	penalty  time.Time
	requests int
}

// target is what a path on a host leads to.
type target struct {
	kind       string // report, moved, wap, dup, attach, distractor
	report     *Report
	distractor *Distractor
}

// NewServer prepares a server for a world; Listen starts it.
func NewServer(w *World, opt Options) (*Server, error) {
	if opt.BurstLimit == 0 {
		opt.BurstLimit = 10
	}
	if opt.BurstWindow == 0 {
		opt.BurstWindow = time.Second
	}
	if opt.BurstPenalty == 0 {
		opt.BurstPenalty = 5 * time.Second
	}
	if opt.RateInterval == 0 {
		opt.RateInterval = 300 * time.Millisecond
	}
	if opt.AttachmentTTL == 0 {
		opt.AttachmentTTL = 10 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.CrawlDelay <= 0 {
		opt.CrawlDelay = time.Second
	}
	ca, err := newCertAuthority()
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, log: &RequestLog{}, ca: ca, state: map[string]*hostState{}, index: map[string]map[string]target{},
		quiet: log.New(io.Discard, "", 0)}
	s.w.Store(w)
	return s, nil
}

// simplifiedToTraditional is OpenCC's s2t, for the Big5 gateway and the
// clone. Its dictionaries take half a second to load (several under the race
// detector), and most servers never serve either: it is loaded at the first
// use and then shared, read-only, by every server of the process.
var simplifiedToTraditional = sync.OnceValues(func() (*gocc.OpenCC, error) { return gocc.New("s2t") })

// traditional converts a page to traditional script (the page as it is if the
// dictionaries cannot be loaded: the copy is then not a traditional one).
func traditional(page string) string {
	cc, err := simplifiedToTraditional()
	if err != nil {
		return page
	}
	trad, err := cc.Convert(page)
	if err != nil {
		return page
	}
	return trad
}

// World returns the served world.
func (s *Server) World() *World { return s.world() }

func (s *Server) world() *World { return s.w.Load() }

// SetWorld serves another world from now on, typically the same one a night
// later (Config.Epoch 1): the same addresses, CA and request log.
func (s *Server) SetWorld(w *World) {
	s.mu.Lock()
	s.index = map[string]map[string]target{}
	s.mu.Unlock()
	s.w.Store(w)
}

// Log returns the request log.
func (s *Server) Log() *RequestLog { return s.log }

// CACertPEM returns the test CA that signs the HTTPS hosts' certificates.
func (s *Server) CACertPEM() []byte { return s.ca.pem }

// Listen starts the proxy on a loopback port and returns its address.
func (s *Server) Listen() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("simweb: listening: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: http.HandlerFunc(s.proxy), ReadHeaderTimeout: 10 * time.Second, ErrorLog: s.quiet}
	go s.srv.Serve(ln)
	return ln.Addr().String(), nil
}

// ProxyURL is the proxy's URL, for a crawler's proxy setting.
// Resolve is the resolver a crawler of the simulated web uses: its names
// exist only behind its proxy, so no name is looked up on the network.
func (s *Server) Resolve(_ context.Context, host string) ([]net.IP, error) {
	return nil, &net.DNSError{Err: "a simulated host, resolved by the simulated web's proxy", Name: host, IsNotFound: true}
}

func (s *Server) ProxyURL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops the server.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// proxy handles CONNECT (HTTPS) and absolute-URI requests (HTTP) like an ordinary
// forward proxy whose upstreams are the world's hosts.
func (s *Server) proxy(rw http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		s.connect(rw, r)
		return
	}
	if r.URL.Host != "" {
		r.Host = r.URL.Host
	}
	s.ServeHTTP(rw, r)
}

// ServeHTTP serves one request for the host it names.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := s.opt.Now()
	rec := &recorder{ResponseWriter: rw, status: 200}
	if s.opt.Latency > 0 {
		t := time.NewTimer(s.opt.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	defer func() {
		s.log.add(LogEntry{Host: strings.ToLower(r.Host), Method: r.Method, Path: r.URL.RequestURI(), Scheme: scheme(r),
			Start: start, End: s.opt.Now(), Status: rec.status, UserAgent: r.UserAgent(), Bytes: rec.n})
	}()
	s.serve(rec, r)
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

type recorder struct {
	http.ResponseWriter
	status int
	n      int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status = code
		r.wrote = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.n += n
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) hostState(name string) *hostState {
	st := s.state[name]
	if st == nil {
		st = &hostState{}
		s.state[name] = st
	}
	return st
}

func (s *Server) serve(rw *recorder, r *http.Request) {
	name := strings.ToLower(r.Host)
	if name == s.world().Clone {
		s.clone(rw, r)
		return
	}
	h := s.world().Host(name)
	if old := strings.TrimPrefix(name, "new."); h == nil && old != name && (s.world().Host(old) != nil || s.world().Host("www."+old) != nil) {
		s.notFound(rw, r, nil) // the new host that the old one redirects to, where nothing is
		return
	}
	if h == nil {
		if strings.HasPrefix(name, "m.") {
			h = s.world().Host("www." + strings.TrimPrefix(name, "m."))
		}
		if h == nil && s.opt.Extra != nil {
			s.opt.Extra.ServeHTTP(rw, r)
			return
		}
		if h == nil {
			if strings.HasSuffix(strings.Split(name, ":")[0], ".gov.cn") {
				http.Error(rw, "502 Bad Gateway: could not resolve "+name, http.StatusBadGateway)
				return
			}
			fmt.Fprintf(rw, "<html><body><h1>%s</h1><p>off-site page</p></body></html>", esc(name))
			return
		}
	}
	now := s.opt.Now()
	s.mu.Lock()
	st := s.hostState(h.Name)
	st.requests++
	count := st.requests
	gap := now.Sub(st.last)
	first := st.last.IsZero()
	st.last = now
	st.recent = append(st.recent, now)
	for len(st.recent) > 0 && now.Sub(st.recent[0]) > s.opt.BurstWindow {
		st.recent = st.recent[1:]
	}
	burst := false
	if h.Fault == FaultBurst {
		if len(st.recent) > s.opt.BurstLimit {
			st.penalty = now.Add(s.opt.BurstPenalty)
		}
		burst = now.Before(st.penalty)
	}
	s.mu.Unlock()

	path := r.URL.Path
	if i := strings.Index(path, ";jsessionid="); i >= 0 {
		path = path[:i]
	}

	// Network-level faults come first: nothing else is reachable.
	switch h.Fault {
	case FaultUnreachable:
		time.Sleep(50 * time.Millisecond)
		http.Error(rw, "504 Gateway Timeout: connection to "+h.Name+" timed out", http.StatusGatewayTimeout)
		return
	case FaultTarpit:
		s.tarpit(rw, r)
		return
	case FaultUAReset:
		if !strings.Contains(r.UserAgent(), "Mozilla") {
			s.reset(rw)
			return
		}
	}
	if h.Scheme == "https" && r.TLS == nil && path != "/robots.txt" {
		http.Redirect(rw, r, "https://"+h.Name+r.URL.RequestURI(), http.StatusMovedPermanently)
		return
	}
	if path == "/robots.txt" {
		s.robots(rw, h)
		return
	}
	switch h.Fault {
	case FaultWAF412, FaultWAF521, FaultWAF512, FaultWAF418, FaultWAF202, FaultShell:
		code := map[Fault]int{FaultWAF412: 412, FaultWAF521: 521, FaultWAF512: 512, FaultWAF418: 418, FaultWAF202: 202, FaultShell: 200}[h.Fault]
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		if h.Fault == FaultWAF521 || h.Fault == FaultWAF512 {
			rw.Header().Set("Set-Cookie", "__jsluid_h="+strconv.Itoa(count)+"; path=/")
		}
		rw.WriteHeader(code)
		rw.Write([]byte(wafBody(h.Fault, rand.New(rand.NewPCG(uint64(count), 3)))))
		return
	case FaultSection403:
		if path != "/" && path != "/index.html" {
			http.Error(rw, "403 Forbidden", http.StatusForbidden)
			return
		}
	case FaultFlaky:
		if count%3 == 0 {
			http.Error(rw, "503 Service Unavailable", http.StatusServiceUnavailable)
			return
		}
	case FaultMaintenance:
		s.html(rw, r, h, h.pageShell("系统维护", `<div class="notice"><h2>临时维护</h2><p>网站系统升级维护中，请稍后访问。</p></div>`))
		return
	case FaultTruncated:
		if count%2 == 0 && path != "/" {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Header().Set("Content-Length", "40000")
			rw.WriteHeader(200)
			rw.Write([]byte("<html><body><p>正文加载中"))
			return // the server closes the connection short of the promised length
		}
	case FaultRate429:
		if !first && gap < s.opt.RateInterval {
			rw.Header().Set("Retry-After", "1")
			http.Error(rw, "429 Too Many Requests", http.StatusTooManyRequests)
			return
		}
	}
	if burst {
		s.html(rw, r, h, s.world().homePage(h)) // the substitute index page
		return
	}
	if s.opt.Bulk > 0 {
		s.bulk(rw, r, h, path)
		return
	}
	if strings.HasPrefix(path, "/gate/big5/") && h.Big5Gate {
		s.gateway(rw, r, h, path)
		return
	}
	s.route(rw, r, h, path)
}

// reset closes the connection without a response (RST where it can).
func (s *Server) reset(rw http.ResponseWriter) {
	hj, ok := rw.(*recorder).ResponseWriter.(http.Hijacker)
	if !ok {
		http.Error(rw, "reset", http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// tarpit answers a byte at a time until the client gives up (at most a minute).
func (s *Server) tarpit(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/html")
	rw.Header().Set("Content-Length", "100000")
	rw.WriteHeader(200)
	f, _ := rw.(http.Flusher)
	for i := 0; i < 120; i++ {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
		if _, err := rw.Write([]byte(" ")); err != nil {
			return
		}
		if f != nil {
			f.Flush()
		}
	}
}

func (s *Server) robots(rw http.ResponseWriter, h *Host) {
	switch h.Robots {
	case Robots404:
		http.NotFound(rw, nil)
	case RobotsAllow:
		fmt.Fprintf(rw, "User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n", h.base())
	case RobotsDisallow:
		fmt.Fprint(rw, "User-agent: *\nDisallow: /\n")
	case RobotsPath:
		dept := h.ColumnID + 999 // the Hanweb column of the departments, if the host has one
		for i, k := range h.kinds() {
			if k == KindDepartment {
				dept = h.ColumnID + i
			}
		}
		fmt.Fprintf(rw, "User-agent: *\nDisallow: /xxgk/bmxxgknb/\nDisallow: /col/col%d/\nDisallow: /search.jsp\n", dept)
	case RobotsCrawlDelay:
		fmt.Fprintf(rw, "User-agent: *\nCrawl-delay: %s\nDisallow: /search.jsp\n", strconv.FormatFloat(s.opt.CrawlDelay.Seconds(), 'f', -1, 64))
	case RobotsHTML:
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(rw, "<html><body><h1>欢迎访问</h1></body></html>")
	case Robots5xx:
		http.Error(rw, "503 Service Unavailable", http.StatusServiceUnavailable)
	}
}

// html writes a page in the host's encoding with its way of declaring it, and
// answers conditional requests.
func (s *Server) html(rw http.ResponseWriter, r *http.Request, h *Host, page string) {
	body, ct := encodePage(h, page)
	s.write(rw, r, ct, body, time.Time{})
}

// encodePage encodes a page for its host and gives its Content-Type: the charset
// in the header, or not, as the host declares it.
func encodePage(h *Host, page string) ([]byte, string) {
	body := []byte(page)
	if h.Encoding == "gbk" {
		enc := encoding.ReplaceUnsupported(simplifiedchinese.GBK.NewEncoder())
		if b, err := enc.Bytes(body); err == nil {
			body = b
		}
	}
	ct := "text/html"
	if h.Charset == "header" {
		ct += "; charset=" + h.Encoding
	}
	return body, ct
}

// write sends a body with an ETag (and Last-Modified when known), answering
// If-None-Match and If-Modified-Since with 304.
func (s *Server) write(rw http.ResponseWriter, r *http.Request, ct string, body []byte, modified time.Time) {
	s.writeTagged(rw, r, ct, body, modified, "")
}

// writeTagged is write with a given ETag (empty: the body's hash).
func (s *Server) writeTagged(rw http.ResponseWriter, r *http.Request, ct string, body []byte, modified time.Time, etag string) {
	if etag == "" {
		etag = strongETag(body)
	}
	rw.Header().Set("Content-Type", ct)
	rw.Header().Set("ETag", etag)
	if !modified.IsZero() {
		rw.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() && r.Header.Get("If-None-Match") == "" {
		if t, err := http.ParseTime(ims); err == nil && !modified.After(t) {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
	}
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	rw.Write(body)
}

// pathIndex maps a host's detail and attachment paths to what they hold.
func (s *Server) pathIndex(h *Host) map[string]target {
	s.mu.Lock()
	defer s.mu.Unlock()
	if idx, ok := s.index[h.Name]; ok {
		return idx
	}
	idx := map[string]target{}
	for _, u := range h.Units {
		for _, rp := range u.Reports {
			if !rp.Published {
				continue
			}
			idx[rp.Path] = target{kind: "report", report: rp}
			if rp.MovedPath != "" {
				idx[rp.MovedPath] = target{kind: "moved", report: rp} // served as the report
			}
			if rp.Duplicate != "" {
				idx[rp.Duplicate] = target{kind: "dup", report: rp}
			}
			if wap := strings.Replace(rp.Path, ".html", "_wap.html", 1); h.WAP && wap != rp.Path {
				idx[wap] = target{kind: "wap", report: rp}
			}
			if rp.Attach != "" {
				p := rp.Attach
				if i := strings.Index(p, "filename="); i >= 0 {
					p = "/attach/0/" + p[i+len("filename="):]
				}
				idx[p] = target{kind: "attach", report: rp}
			}
		}
	}
	for _, k := range h.kinds() {
		for _, d := range s.world().distractors(h, kindColumn[k]) {
			d := d
			idx[d.Path] = target{kind: "distractor", distractor: &d}
		}
	}
	s.index[h.Name] = idx
	return idx
}

func (s *Server) sign(path string, t int64) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%d|%d", path, t, s.world().cfg.Seed)))
	return hex.EncodeToString(sum[:6])
}

func (s *Server) route(rw *recorder, r *http.Request, h *Host, path string) {
	w := s.world()
	switch {
	case path == "/" && h.scriptEntry() != 0:
		s.html(rw, r, h, h.scriptEntryPage()) // the real home page is where the script sends the browser
		return
	case path == "/" || path == "/index.html" || path == "/index.htm" || path == "/index.shtml":
		s.html(rw, r, h, w.homePage(h))
		return
	case path == "/xxgk/" || path == "/xxgk/index.html":
		s.html(rw, r, h, w.disclosurePage(h))
		return
	case path == "/xxgk/tzgg/":
		var items []item
		for _, u := range h.Units {
			for _, rp := range u.Reports {
				if rp.Published && rp.Duplicate != "" && rp.Drift == "" {
					items = append(items, item{Title: rp.Title, Path: rp.Duplicate, Date: rp.Date, Report: rp})
				}
			}
		}
		s.html(rw, r, h, h.pageShell("通知公告", listHTML(items)))
		return
	case path == "/xwzx/" || path == "/hdjl/" || path == "/xxgk/zcwj/" || path == "/xxgk/tjxx/" || path == "/xxgk/zfgzbg/" || path == "/sitemap.html":
		s.html(rw, r, h, h.pageShell("栏目", `<p>栏目内容</p><a href="/">返回首页</a>`))
		return
	case h.Traps && path == "/search.jsp":
		n, _ := strconv.Atoi(r.URL.Query().Get("currpage"))
		s.html(rw, r, h, h.pageShell("搜索结果", fmt.Sprintf(`<p>共找到相关结果</p><a href="/search.jsp?currpage=%d">下一页</a> <a href="/search.jsp?currpage=%d&amp;sort=date">按日期</a>`, n+1, n+1)))
		return
	case h.Traps && path == "/calendar/":
		d, err := time.Parse("2006-01-02", r.URL.Query().Get("d"))
		if err != nil {
			d = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		s.html(rw, r, h, h.pageShell("活动日历", fmt.Sprintf(`<a href="/calendar/?d=%s">前一天</a> <a href="/calendar/?d=%s">后一天</a>`, d.AddDate(0, 0, -1).Format("2006-01-02"), d.AddDate(0, 0, 1).Format("2006-01-02"))))
		return
	case strings.HasPrefix(path, "/pdfjs/"):
		s.html(rw, r, h, `<html><body><div id="viewerContainer"></div><script src="viewer.js"></script></body></html>`)
		return
	case path == "/module/download/downfile.jsp":
		fn := r.URL.Query().Get("filename")
		if fn == "" {
			http.NotFound(rw, r)
			return
		}
		http.Redirect(rw, r, "/attach/0/"+fn, http.StatusFound)
		return
	}
	if s.dialectRoute(rw, r, h, path) {
		return
	}
	t, ok := s.pathIndex(h)[path]
	if !ok {
		s.notFound(rw, r, h)
		return
	}
	if t.kind == "report" && h.CookieRedirect() {
		if c, err := r.Cookie("nb_visit"); err != nil || c.Value != "1" {
			http.SetCookie(rw, &http.Cookie{Name: "nb_visit", Value: "1", Path: "/"})
			http.Redirect(rw, r, r.URL.RequestURI(), http.StatusFound) // the same address, now with the cookie
			return
		}
	}
	switch t.kind {
	case "distractor":
		s.html(rw, r, h, h.pageShell(t.distractor.Title, distractorBody(*t.distractor)))
		return
	case "attach":
		s.attachment(rw, r, h, t.report)
		return
	}
	rp := t.report
	if t.kind == "report" {
		switch rp.Drift {
		case "gone_404":
			s.notFound(rw, r, h)
			return
		case "soft_404":
			s.html(rw, r, h, h.pageShell("页面不存在", `<div class="error"><h2>对不起，您访问的页面不存在或已删除！</h2><a href="/">返回首页</a></div>`))
			return
		case "moved":
			http.Redirect(rw, r, rp.MovedPath, http.StatusMovedPermanently)
			return
		case "loop":
			if r.URL.Query().Get("r") == "" {
				http.Redirect(rw, r, path+"?r=1", http.StatusFound)
			} else {
				http.Redirect(rw, r, path, http.StatusFound)
			}
			return
		case "offsite":
			http.Redirect(rw, r, "http://www.example.com/archive"+path, http.StatusFound)
			return
		case "migrated":
			s.notFound(rw, r, h) // old ids are gone; the lists point at the new ones
			return
		case "moved_host_404":
			http.Redirect(rw, r, "http://new."+strings.TrimPrefix(h.Name, "www.")+path, http.StatusMovedPermanently)
			return
		}
	}
	body := w.reportBody(rp)
	page := h.pageShell(rp.Title, body)
	// The validator is the stored article's, as a CMS computes it: the same
	// before and after the attachment link is signed for this visit (weak).
	etag := "W/" + strongETag([]byte(page))
	if h.ExpiringLinks() && rp.Attach != "" {
		t := s.opt.Now().Unix()
		body = strings.ReplaceAll(body, `href="`+rp.Attach+`"`, fmt.Sprintf(`href="%s?t=%d&amp;sig=%s"`, rp.Attach, t, s.sign(rp.Attach, t)))
		page = h.pageShell(rp.Title, body)
	} else {
		etag = ""
	}
	enc, ct := encodePage(h, page)
	mod, _ := time.Parse("2006-01-02", rp.Date)
	if rp.Version > 0 {
		mod = mod.AddDate(0, 6, 0)
	}
	s.writeTagged(rw, r, ct, enc, mod, etag)
}

func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (s *Server) notFound(rw http.ResponseWriter, r *http.Request, h *Host) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(http.StatusNotFound)
	fmt.Fprint(rw, `<html><head><title>404</title></head><body><h1>404 Not Found</h1><p>您访问的页面不存在</p></body></html>`)
}

func (s *Server) attachment(rw http.ResponseWriter, r *http.Request, h *Host, rp *Report) {
	if h.ExpiringLinks() {
		t, _ := strconv.ParseInt(r.URL.Query().Get("t"), 10, 64)
		if t == 0 || s.opt.Now().Sub(time.Unix(t, 0)) > s.opt.AttachmentTTL || r.URL.Query().Get("sig") != s.sign(rp.Attach, t) {
			http.Error(rw, "403 链接已失效", http.StatusForbidden)
			return
		}
	}
	body, ct := s.world().attachmentBytes(rp)
	mod, _ := time.Parse("2006-01-02", rp.Date)
	s.write(rw, r, ct, body, mod)
}

// gateway serves /gate/big5/<host>/<path>: the page in Big5, links rewritten into
// the gateway (which therefore nests without end).
func (s *Server) gateway(rw *recorder, r *http.Request, h *Host, path string) {
	rest := strings.TrimPrefix(path, "/gate/big5/")
	i := strings.Index(rest, "/")
	inner := "/"
	if i >= 0 {
		inner = rest[i:]
	}
	var page string
	if t, ok := s.pathIndex(h)[inner]; ok && t.report != nil && t.kind == "report" && t.report.Drift == "" {
		page = h.pageShell(t.report.Title, s.world().reportBody(t.report))
	} else {
		page = s.world().homePage(h)
	}
	page = strings.ReplaceAll(page, `href="/`, `href="/gate/big5/`+h.Name+`/`)
	trad := traditional(page)
	b, err := encoding.ReplaceUnsupported(traditionalchinese.Big5.NewEncoder()).Bytes([]byte(trad))
	if err != nil {
		b = []byte(trad)
	}
	s.write(rw, r, "text/html; charset=big5", b, time.Time{})
}

// clone serves the copy site: another domain, traditional script with pinyin after
// some characters. It must never enter the corpus.
func (s *Server) clone(rw *recorder, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	h := s.world().Host(parts[0])
	if h == nil {
		http.NotFound(rw, r)
		return
	}
	inner := "/"
	if len(parts) == 2 {
		inner += parts[1]
	}
	page := s.world().homePage(h)
	if t, ok := s.pathIndex(h)[inner]; ok && t.kind == "report" {
		page = h.pageShell(t.report.Title, s.world().reportBody(t.report))
	}
	trad := traditional(page)
	for _, p := range [][2]string{{"區", "區(qū)"}, {"務", "務(wù)"}, {"關", "關(guān)"}, {"開", "開(kāi)"}, {"報", "報(bào)"}, {"發", "發(fā)"}, {"請", "請(qǐng)"}} {
		trad = strings.ReplaceAll(trad, p[0], p[1])
	}
	trad = strings.ReplaceAll(trad, `href="/`, `href="/`+h.Name+`/`)
	s.write(rw, r, "text/html; charset=utf-8", []byte(trad), time.Time{})
}

// RequestLog records every request served.
type RequestLog struct {
	mu      sync.Mutex
	entries []LogEntry
}

// LogEntry is one served request.
type LogEntry struct {
	Host      string    `json:"host"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Scheme    string    `json:"scheme"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Status    int       `json:"status"`
	UserAgent string    `json:"user_agent"`
	Bytes     int       `json:"bytes"`
}

func (l *RequestLog) add(e LogEntry) {
	l.mu.Lock()
	l.entries = append(l.entries, e)
	l.mu.Unlock()
}

// Len counts the requests served so far.
func (l *RequestLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// Entries returns a copy of the log in order of completion.
func (l *RequestLog) Entries() []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LogEntry(nil), l.entries...)
}

// ByHost groups the log by host, each in order of start.
func (l *RequestLog) ByHost() map[string][]LogEntry {
	out := map[string][]LogEntry{}
	for _, e := range l.Entries() {
		out[e.Host] = append(out[e.Host], e)
	}
	for _, es := range out {
		sort.Slice(es, func(i, j int) bool { return es[i].Start.Before(es[j].Start) })
	}
	return out
}

// WriteJSONLTo writes the log, one entry per line.
func (l *RequestLog) WriteJSONLTo(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, e := range l.Entries() {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// absolute turns a path into a URL on a host.
func absolute(h *Host, p string) string {
	u, err := url.Parse(p)
	if err != nil || u.IsAbs() {
		return p
	}
	return h.base() + p
}
