// Package render renders a page in headless Chromium (through chromedp) for
// what only its scripts show: the DOM they build and the JSON or XML answers
// they fetch. The browser never reaches the network: every request the page
// makes is paused (the DevTools Fetch domain, all URLs) and answered by the
// caller's Fetcher, or refused; the page's own document is the copy the
// caller fetched already; the page leaving itself (a reload, another
// address, as a challenge does once it has set its cookie) is refused, so a
// render reads the one page and solves nothing. The browser is also pointed at a proxy that does
// not exist, so a request that escaped the interception (a pop-up, a worker)
// fails instead of leaving. A render is bounded in time, in requests and in
// bytes, one at a time in one browser process, started at the first render and
// ended by Close. Nothing here decides what may be fetched: that is the
// Fetcher's (the crawler's gate: robots.txt, scope, politeness, budget).
package render

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// Options bound a Browser's renders.
type Options struct {
	// ExecPath is the browser's binary; empty: Find's.
	ExecPath  string
	UserAgent string
	// Timeout bounds one render, from its start to its DOM (default 20s).
	Timeout time.Duration
	// Idle is how long the page must ask for nothing, once loaded, for its
	// DOM to be read (default 500ms).
	Idle time.Duration
	// MaxRequests caps the requests of one render handed to the Fetcher
	// (default 40); MaxBytes the bytes of their answers (default 8 MiB).
	MaxRequests int
	MaxBytes    int64
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.Idle <= 0 {
		o.Idle = 500 * time.Millisecond
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = 40
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 8 << 20
	}
}

// ErrNoBrowser is Find's error when no Chromium is installed.
var ErrNoBrowser = errors.New("no Chromium on this machine (Debian: apt-get install chromium)")

// Find is the path of the machine's Chromium.
func Find() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// Request is one request a page makes.
type Request struct {
	URL    string
	Method string
	Header http.Header
	Body   []byte
	// Type is what the browser asks it for (the DevTools resource type:
	// Document, Script, XHR, Fetch …).
	Type string
}

// Response answers a Request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Fetcher answers the page's requests, in the page's context: an error
// refuses the request (the page sees it fail). It may be called from several
// goroutines at once.
type Fetcher func(ctx context.Context, r *Request) (*Response, error)

// Answer is a JSON or XML answer the page fetched.
type Answer struct {
	URL         string
	ContentType string
	Body        []byte
}

// Result is what a render saw, and what it cost.
type Result struct {
	DOM     string   // the document's outerHTML once the page was idle, or at the time limit
	Answers []Answer // the JSON and XML answers of the page's requests
	// Requests were handed to the Fetcher and answered; Refused were not
	// (their type, a cap, or the Fetcher's refusal).
	Requests, Refused int
	Bytes             int64 // of the answers
	Elapsed           time.Duration
	Idle              bool // the page went idle before the time limit
}

// Browser is one headless Chromium, started at its first render; renders
// take turns.
type Browser struct {
	opts Options
	turn chan struct{} // one render at a time
	mu   sync.Mutex    // the process, below
	ctx  context.Context
	stop []context.CancelFunc
	dir  string // its fresh profile
	done bool
}

// New prepares a browser; no process starts before the first render.
func New(opts Options) *Browser {
	opts.defaults()
	return &Browser{opts: opts, turn: make(chan struct{}, 1)}
}

// Close ends the browser's process and removes its profile.
func (b *Browser) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	return b.end()
}

// end ends the process and removes its profile (the lock is held); the
// next render starts another unless the browser is closed.
func (b *Browser) end() error {
	for i := len(b.stop) - 1; i >= 0; i-- {
		b.stop[i]()
	}
	b.stop, b.ctx = nil, nil
	if b.dir != "" {
		if err := os.RemoveAll(b.dir); err != nil {
			return fmt.Errorf("removing the browser's profile %s: %w", b.dir, err)
		}
		b.dir = ""
	}
	return nil
}

// PID is the browser's process id, 0 before the first render or after Close.
func (b *Browser) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil {
		return 0
	}
	if c := chromedp.FromContext(b.ctx); c != nil && c.Browser != nil {
		if p := c.Browser.Process(); p != nil {
			return p.Pid
		}
	}
	return 0
}

// started is the browser's context, starting its process if needed.
func (b *Browser) started() (context.Context, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.done:
		return nil, errors.New("the browser is closed")
	case b.ctx != nil:
		return b.ctx, nil
	}
	path := b.opts.ExecPath
	if path == "" {
		var err error
		if path, err = Find(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "nianbao-render-")
	if err != nil {
		return nil, fmt.Errorf("making the browser's profile: %w", err)
	}
	b.dir = dir
	// The process outlives any one render: it is ended by Close.
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), b.flags(path, dir)...)
	ctx, cancelB := chromedp.NewContext(actx)
	b.stop = []context.CancelFunc{cancelA, cancelB}
	if err := chromedp.Do(ctx); err != nil { // starts it, with its first (idle) tab
		b.end()
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	b.ctx = ctx
	return ctx, nil
}

// flags are the browser's command line: headless, a fresh profile, nothing
// of its own on the network (no background services, no QUIC), pop-ups
// blocked, and every request that escapes interception sent to a proxy that
// is not there (loopback included).
func (b *Browser) flags(path, dir string) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.UserDataDir(dir),
		chromedp.NoSandbox, chromedp.Headless, chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("dns-prefetch-disable", true),
		chromedp.Flag("disable-popup-blocking", false),
		chromedp.Flag("renderer-process-limit", "1"),
		chromedp.Flag("js-flags", "--max-old-space-size=256"),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
	)
	if b.opts.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(b.opts.UserAgent))
	}
	return opts
}

// Render loads pageURL, answered by doc, with every other request the page
// makes answered by fetch, and returns the page's DOM and the JSON and XML
// answers it fetched. It waits its turn behind a render in progress.
func (b *Browser) Render(ctx context.Context, pageURL string, doc *Response, fetch Fetcher) (*Result, error) {
	select {
	case b.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("rendering %s: %w", pageURL, ctx.Err())
	}
	defer func() { <-b.turn }()
	bctx, err := b.started()
	if err != nil {
		return nil, fmt.Errorf("rendering %s: %w", pageURL, err)
	}
	start := time.Now()
	res, err := b.render(ctx, bctx, pageURL, doc, fetch)
	if res != nil {
		res.Elapsed = time.Since(start)
	}
	if err != nil {
		if ctx.Err() == nil && !b.alive(bctx) {
			b.mu.Lock()
			b.end() // crashed or killed: started again for the next render
			b.mu.Unlock()
		}
		return res, fmt.Errorf("rendering %s: %w", pageURL, err)
	}
	return res, nil
}

// alive says whether the browser still answers.
func (b *Browser) alive(bctx context.Context) bool {
	ctx, cancel := context.WithTimeout(bctx, 5*time.Second)
	defer cancel()
	_, err := chromedp.Targets(ctx)
	return err == nil
}
