package render

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// browserPath finds Chromium; without it the tests skip, unless
// NIANBAO_REQUIRE_TOOLS says the machine must have it (CI installs it).
func browserPath(t testing.TB) string {
	p, err := Find()
	if err == nil {
		return p
	}
	if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
		t.Fatal(err)
	}
	t.Skip(err)
	return ""
}

// shell is a page whose list only its script shows: the list's address is
// computed when it runs, and it asks for an image and a stylesheet besides.
const shell = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息公开</title>
<link rel="stylesheet" href="/style.css"></head><body><div id="list"></div><img src="/logo.png">
<script>
var t = String(Date.now());
fetch('/api/list?t=' + t + '&sign=' + t.split('').reverse().join('')).then(function (r) { return r.json(); }).then(function (j) {
  document.getElementById('list').innerHTML = j.items.map(function (x) { return '<a href="' + x.u + '">' + x.t + '</a>'; }).join('');
});
</script></body></html>`

// origin is a server that logs every request and whether it came through
// the test's Fetcher (which marks its requests).
type origin struct {
	mu  sync.Mutex
	log []string // "via|path" of each request
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.log = append(o.log, r.Header.Get("X-Via")+"|"+r.URL.Path)
	o.mu.Unlock()
	switch r.URL.Path {
	case "/api/list":
		q := r.URL.Query()
		t := []rune(q.Get("t"))
		for i, j := 0, len(t)-1; i < j; i, j = i+1, j-1 {
			t[i], t[j] = t[j], t[i]
		}
		if len(t) == 0 || string(t) != q.Get("sign") {
			http.Error(w, "bad sign", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[{"u":"/art/2024/1/15/art_1_1.html","t":"2023年政府信息公开工作年度报告"}]}`)
	default:
		w.Header().Set("Content-Type", "text/css")
		io.WriteString(w, "body{}")
	}
}

func (o *origin) requests() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.log...)
}

// through is a Fetcher that asks the origin, marking its requests, and
// keeps the types it was asked for.
func through(t *testing.T, types *[]string, mu *sync.Mutex) Fetcher {
	return func(ctx context.Context, r *Request) (*Response, error) {
		mu.Lock()
		*types = append(*types, r.Type+" "+r.URL)
		mu.Unlock()
		req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Via", "fetcher")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, err
	}
}

func TestRenderAnswersEveryRequestItself(t *testing.T) {
	b := New(Options{ExecPath: browserPath(t), Timeout: 30 * time.Second})
	defer b.Close()
	o := &origin{}
	srv := httptest.NewServer(o)
	defer srv.Close()
	var types []string
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	doc := &Response{Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: []byte(shell)}
	res, err := b.Render(ctx, srv.URL+"/", doc, through(t, &types, &mu))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.DOM, `href="/art/2024/1/15/art_1_1.html"`) {
		t.Errorf("the list is not in the rendered DOM:\n%s", res.DOM)
	}
	if len(res.Answers) != 1 || !strings.Contains(string(res.Answers[0].Body), "art_1_1") || !strings.HasPrefix(res.Answers[0].ContentType, "application/json") {
		t.Errorf("answers: %+v", res.Answers)
	}
	// Refused: the image, the stylesheet (and the favicon the browser asks for).
	if !res.Idle || res.Requests != 1 || res.Refused < 2 {
		t.Errorf("idle %v, %d requests answered, %d refused; want idle, 1 and at least 2", res.Idle, res.Requests, res.Refused)
	}
	log := o.requests()
	if len(log) != 1 || log[0] != "fetcher|/api/list" {
		t.Errorf("the origin saw %q, want only the list, asked by the fetcher (the page served from the copy, the image and the stylesheet refused)", log)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(types) != 1 || !strings.Contains(types[0], "/api/list?t=") {
		t.Errorf("the fetcher was asked for %q", types)
	}
}

// A Fetcher's refusal is the page's failed request; the browser does not
// go and ask for itself.
func TestRenderRefusedRequestIsNotAsked(t *testing.T) {
	b := New(Options{ExecPath: browserPath(t), Timeout: 30 * time.Second})
	defer b.Close()
	o := &origin{}
	srv := httptest.NewServer(o)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refuse := func(ctx context.Context, r *Request) (*Response, error) { return nil, context.Canceled }
	doc := &Response{Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: []byte(shell)}
	res, err := b.Render(ctx, srv.URL+"/", doc, refuse)
	if err != nil {
		t.Fatal(err)
	}
	if log := o.requests(); len(log) != 0 {
		t.Errorf("the origin was asked %q", log)
	}
	if res.Requests != 0 || res.Refused < 3 || strings.Contains(res.DOM, "art_1_1") {
		t.Errorf("%d answered, %d refused; DOM:\n%s", res.Requests, res.Refused, res.DOM)
	}
	// The same browser renders again.
	var types []string
	var mu sync.Mutex
	if res, err = b.Render(ctx, srv.URL+"/", doc, through(t, &types, &mu)); err != nil || !strings.Contains(res.DOM, "art_1_1") {
		t.Errorf("second render: %v", err)
	}
}

// A page that sends the browser elsewhere (a reload once a cookie is set,
// another address) is not followed: the render reads the one page.
func TestRenderStaysOnThePage(t *testing.T) {
	b := New(Options{ExecPath: browserPath(t), Timeout: 30 * time.Second})
	defer b.Close()
	var asked []string
	var mu sync.Mutex
	fetcher := func(ctx context.Context, r *Request) (*Response, error) {
		mu.Lock()
		asked = append(asked, r.Type+" "+r.URL)
		mu.Unlock()
		return &Response{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html><body>elsewhere</body></html>")}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, script := range []string{
		`document.cookie = "clearance=1; path=/"; location.reload();`,
		`setTimeout(function () { location.href = "/next.html"; }, 10);`,
	} {
		doc := &Response{Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			Body: []byte(`<html><body><div id="app"></div><script>` + script + `</script></body></html>`)}
		res, err := b.Render(ctx, "http://127.0.0.1:1/", doc, fetcher)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(asked) != 0 || res.Refused < 1 || strings.Contains(res.DOM, "elsewhere") {
			t.Errorf("%s: the fetcher was asked %q, %d refused; DOM %s", script, asked, res.Refused, res.DOM)
		}
		asked = nil
		mu.Unlock()
	}
}

// A browser that died (killed, out of memory) fails the render it was in,
// and the next render starts another.
func TestRenderAfterTheBrowserDied(t *testing.T) {
	b := New(Options{ExecPath: browserPath(t), Timeout: 30 * time.Second})
	defer b.Close()
	o := &origin{}
	srv := httptest.NewServer(o)
	defer srv.Close()
	var types []string
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	doc := &Response{Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: []byte(shell)}
	if _, err := b.Render(ctx, srv.URL+"/", doc, through(t, &types, &mu)); err != nil {
		t.Fatal(err)
	}
	pid := b.PID()
	p, err := os.FindProcess(pid)
	if pid == 0 || err != nil {
		t.Fatalf("no browser process: %d %v", pid, err)
	}
	p.Kill()                 // the browser this test started (chromedp waits for it)
	for i := 0; i < 2; i++ { // the first may still see the dead one
		res, err := b.Render(ctx, srv.URL+"/", doc, through(t, &types, &mu))
		if err == nil && strings.Contains(res.DOM, "art_1_1") {
			if b.PID() == pid {
				t.Errorf("rendered by the killed process %d", pid)
			}
			return
		}
		t.Logf("render %d after the kill: %v", i+1, err)
	}
	t.Error("no render after the browser died")
}

// A page that keeps asking (a poll) is answered up to the cap, then goes
// quiet: its render ends idle, not at the time limit.
func TestRenderPollingPageEndsAtItsCap(t *testing.T) {
	b := New(Options{ExecPath: browserPath(t), Timeout: 20 * time.Second, MaxRequests: 3})
	defer b.Close()
	answer := func(ctx context.Context, r *Request) (*Response, error) {
		return &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}, nil
	}
	doc := &Response{Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body: []byte(`<html><body><div id="app"></div><script>setInterval(function () { fetch('/poll?t=' + Date.now()); }, 50);</script></body></html>`)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := b.Render(ctx, "http://127.0.0.1:1/", doc, answer)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Idle || res.Requests != 3 || res.Refused < 1 {
		t.Errorf("idle %v, %d answered, %d refused, in %v; want idle after the 3 the cap allows", res.Idle, res.Requests, res.Refused, res.Elapsed)
	}
}
