package crawler

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/render"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// renderBrowser is a browser for the crawl tests; without Chromium they
// skip, unless NIANBAO_REQUIRE_TOOLS says the machine must have it.
func renderBrowser(t *testing.T, ua string) *render.Browser {
	t.Helper()
	path, err := render.Find()
	if err != nil {
		if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	b := render.New(render.Options{ExecPath: path, UserAgent: ua, Timeout: 30 * time.Second})
	t.Cleanup(func() { b.Close() })
	return b
}

// hit is one request a test server answered.
type hit struct {
	host, method, path string
	start, end         time.Time
}

// hitLog is a test server's request log.
type hitLog struct {
	mu   sync.Mutex
	hits []hit
}

// wrap logs every request h answers, from its arrival to its answer.
func (l *hitLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		l.mu.Lock()
		l.hits = append(l.hits, hit{host: r.Host, method: r.Method, path: r.URL.RequestURI(), start: start, end: time.Now()})
		l.mu.Unlock()
	})
}

func (l *hitLog) all() []hit {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]hit(nil), l.hits...)
	sort.Slice(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

// signature is the checksum testdata/render/app.js signs its list request with.
func signature(s string) string {
	h := uint32(5381)
	for i := 0; i < len(s); i++ {
		h = h*33 ^ uint32(s[i])
	}
	return strconv.FormatUint(uint64(h), 16)
}

// spaSite serves testdata/render: the shell, its bundle, the signed list
// (only to a request signed as the bundle signs it, from the same
// timestamp), the report it lists, and robots.txt disallowing /private/.
func spaSite(t *testing.T) http.Handler {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "render", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	shell, app := read("shell.html"), read("app.js")
	seed, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", "000_594cca86a0db9b9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	report := samples.WordPasted(string(seed))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(shell)
		case "/static/js/app.5c8d31.js":
			w.Header().Set("Content-Type", "application/javascript")
			w.Write(app)
		case "/static/js/chunk-vendors.7a2e9d.js":
			w.Header().Set("Content-Type", "application/javascript")
			io.WriteString(w, "window.vendors = true;")
		case "/gate/api/column/list":
			signedList(w, r)
		case "/art/2024/1/15/art_1_1.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, report)
		default:
			http.NotFound(w, r)
		}
	})
}

// signedList answers the bundle's list request, checked as its server would.
func signedList(w http.ResponseWriter, r *http.Request) {
	ts, nonce := r.Header.Get("X-Tif-Timestamp"), r.Header.Get("X-Tif-Nonce")
	var body struct {
		ColumnCode string `json:"columnCode"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	if r.Method != http.MethodPost || ts == "" || r.URL.Query().Get("ts") != ts || body.ColumnCode != "ndbg" ||
		r.Header.Get("X-Tif-Signature") != signature(ts+"ndbg"+nonce+ts) {
		http.Error(w, `{"code":401,"msg":"签名校验失败"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	io.WriteString(w, `{"code":200,"msg":"操作成功","data":{"total":1,"list":[`+
		`{"id":"1","title":"某市2023年政府信息公开工作年度报告","linkUrl":"/art/2024/1/15/art_1_1.html","publishDate":"2024-01-15"}]}}`)
}

// challengeSite answers its home page with a challenge: 521 with a cookie
// script (classified blocked_waf), or testdata/render/challenge.html with
// 200 (a cookie challenge the renderer recognises).
func challengeSite(t *testing.T, status int) http.Handler {
	page, err := os.ReadFile(filepath.Join("testdata", "render", "challenge.html"))
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		page = []byte(`<html><script>document.cookie="__jsl_clearance=1;path=/";fetch("/solve");location.href=location.pathname</script></html>`)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		w.Write(page)
	})
}

// TestRenderedShellPolitely: a portal column that is a script shell, whose
// list comes from a request signed in the page at run time, is rendered and
// its report stored; every request of the render went through the crawl's
// gate (one at a time per host, the delay between two, robots.txt, scope);
// the two challenge pages are never rendered.
func TestRenderedShellPolitely(t *testing.T) {
	var log hitLog
	spa := httptest.NewServer(log.wrap(spaSite(t)))
	defer spa.Close()
	waf := httptest.NewServer(log.wrap(challengeSite(t, 521)))
	defer waf.Close()
	cookie := httptest.NewServer(log.wrap(challengeSite(t, http.StatusOK)))
	defer cookie.Close()
	st, ex := testStore(t)
	const delay = 200 * time.Millisecond
	cfg := Config{AllowPrivate: true, Delay: delay, Timeout: 5 * time.Second, BackoffBase: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	cfg.Defaults()
	cfg.Render = renderBrowser(t, cfg.UserAgent)
	sum := crawlOnce(t, cfg, st, ex, spa.URL+"/", waf.URL+"/", cookie.URL+"/")

	var stored []string
	st.Entries(func(e *store.Entry) error {
		stored = append(stored, string(e.Record.Source.URL))
		return nil
	})
	if len(stored) != 1 || !strings.HasSuffix(stored[0], "/art/2024/1/15/art_1_1.html") {
		t.Errorf("stored %q, want the report the rendered list links", stored)
	}
	if r := sum.Render; r.Pages != 1 || r.Requests < 2 || r.Refused < 3 {
		t.Errorf("renders: %+v; want 1 page, its bundle and list asked, the statistics, the other host and the image refused", r)
	}
	t.Logf("rendered %d page in %v: %d requests through the gate, %d refused, %d links", sum.Render.Pages, sum.Render.Wall, sum.Render.Requests, sum.Render.Refused, sum.Render.Links)
	hits := log.all()
	politeOneAtATime(t, hits, delay)
	spaHost := strings.TrimPrefix(spa.URL, "http://")
	homes := 0
	for _, h := range hits {
		switch {
		case strings.HasPrefix(h.path, "/private/"):
			t.Errorf("robots.txt disallows %s, asked all the same", h.path)
		case !strings.HasPrefix(h.host, "127.0.0.1:"):
			t.Errorf("a host out of scope was asked: %s %s", h.host, h.path)
		case strings.HasPrefix(h.path, "/solve"):
			t.Errorf("a challenge was rendered: %s%s asked", h.host, h.path)
		case strings.HasSuffix(h.path, ".jpg") || strings.HasSuffix(h.path, ".png") || strings.HasSuffix(h.path, ".css"):
			t.Errorf("an image or a stylesheet was asked: %s", h.path)
		case h.host == spaHost && h.path == "/":
			homes++
		}
	}
	if homes != 1 {
		t.Errorf("the shell was asked %d times, want once (rendered from the crawl's copy)", homes)
	}
}

// politeOneAtATime: no two requests to one host overlap, and each starts at
// least delay after the one before it ended.
func politeOneAtATime(t *testing.T, hits []hit, delay time.Duration) {
	t.Helper()
	last := map[string]hit{}
	for _, h := range hits {
		if p, ok := last[h.host]; ok {
			if gap := h.start.Sub(p.end); gap < delay {
				t.Errorf("%s: %s began %v after %s ended, want at least %v", h.host, h.path, gap, p.path, delay)
			}
		}
		last[h.host] = h
	}
	if len(hits) < 6 {
		t.Errorf("only %d requests logged: %v", len(hits), hits)
	}
}

// TestScriptShell: which pages are script shells, by their content alone.
func TestScriptShell(t *testing.T) {
	shell, err := os.ReadFile(filepath.Join("testdata", "render", "shell.html"))
	if err != nil {
		t.Fatal(err)
	}
	challenge, err := os.ReadFile(filepath.Join("testdata", "render", "challenge.html"))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("本机关依法公开政府信息。", 40)
	cases := []struct {
		name, page string
		want       bool
	}{
		{"the SPA shell", string(shell), true},
		{"a cookie challenge", string(challenge), false},
		{"no script", `<html><body><div id="app"></div></body></html>`, false},
		{"much text", `<html><body><p>` + long + `</p><script src="/a.js"></script></body></html>`, false},
		{"a report link", `<html><body><a href="/nb/2023.html">2023年政府信息公开工作年度报告</a><script src="/a.js"></script></body></html>`, false},
		{"text in scripts only", `<html><body><div id="app"></div><script>var t = "` + long + `";</script></body></html>`, true},
	}
	st, ex := testStore(t)
	c, err := New(Config{AllowPrivate: true}, st, ex, []string{"http://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		req := newRequest("http://127.0.0.1:1/", "GET", "", KindPage, 0, "")
		a := &answer{final: req.URL, status: 200, body: []byte(tc.page), header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}}
		d := c.dec.Bytes(a.body, "text/html; charset=utf-8", true)
		a.text, a.decoded, a.class = d.Text, &d, ClassOK
		base, _ := url.Parse(a.final)
		_, read := c.linksIn(a.text, "", base, KindPage, "")
		if got := c.scriptShell(req, a, read); got != tc.want {
			t.Errorf("%s: script shell %v, want %v", tc.name, got, tc.want)
		}
	}
}
