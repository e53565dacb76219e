package render

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// session is one render in progress: the requests the page has made, what
// they were answered, and when it last asked for anything.
type session struct {
	opts    Options
	pageURL string
	doc     *Response
	fetch   Fetcher
	rctx    context.Context // the page's requests: ended with the render
	tctx    context.Context // the tab

	wg       sync.WaitGroup // the requests being answered
	mu       sync.Mutex
	res      Result
	asked    int   // requests admitted (answered or not yet)
	reserved int64 // bytes answered so far
	inflight int
	served   bool        // the page's document was given to the browser
	main     cdp.FrameID // the page's frame
	last     time.Time
}

// allowed are the requests a page's scripts need to show their lists: the
// document (and its frames), scripts, XHR and fetch(). Images, fonts,
// media, stylesheets, pings, prefetches, event streams and CORS preflights
// are refused.
var allowed = map[network.ResourceType]bool{
	network.ResourceTypeDocument: true, network.ResourceTypeScript: true,
	network.ResourceTypeXHR: true, network.ResourceTypeFetch: true,
}

// render runs one render in a new tab of the browser at bctx.
func (b *Browser) render(ctx, bctx context.Context, pageURL string, doc *Response, fetcher Fetcher) (*Result, error) {
	rctx, endRequests := context.WithCancel(ctx)
	tctx, closeTab := chromedp.NewContext(bctx)
	stopWatch := context.AfterFunc(ctx, closeTab) // the crawl stopped: the tab goes at once
	s := &session{opts: b.opts, pageURL: pageURL, doc: doc, fetch: fetcher, rctx: rctx, tctx: tctx, last: time.Now()}
	loops := s.listen()
	defer func() {
		endRequests()
		closeTab()
		stopWatch()
		for _, done := range loops {
			<-done
		}
		s.wg.Wait() // no request of the page outlives its render
	}()
	cctx, cancel := context.WithTimeout(tctx, s.opts.Timeout) // the tab is open (listen): this bounds the calls only
	defer cancel()
	if _, err := chromedp.Call(cctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return nil, fmt.Errorf("intercepting the page's requests: %w", err)
	}
	nav, err := chromedp.Call(cctx, page.Navigate, page.NavigateParams{URL: pageURL})
	if err != nil {
		return nil, fmt.Errorf("opening the page: %w", err)
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("opening the page: %s", nav.ErrorText)
	}
	idle := s.settle(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(tctx, 10*time.Second)
	defer cancel()
	dom, err := chromedp.Run(dctx, chromedp.Evaluate[string](`document.documentElement ? document.documentElement.outerHTML : ""`))
	if err != nil {
		return nil, fmt.Errorf("reading the rendered DOM: %w", err)
	}
	if int64(len(dom)) > s.opts.MaxBytes {
		dom = dom[:s.opts.MaxBytes]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.res
	res.DOM, res.Idle = dom, idle
	return &res, nil
}

// listen starts the tab's event loops (the paused requests, dialogs) and
// returns a channel each closes when it ends, with the tab.
func (s *session) listen() []chan struct{} {
	paused, dialogs := make(chan struct{}), make(chan struct{})
	requests := chromedp.Events(s.tctx, fetch.RequestPaused)
	opened := chromedp.Events(s.tctx, page.JavascriptDialogOpening)
	go func() {
		defer close(paused)
		for ev, err := range requests {
			if err != nil {
				return
			}
			s.paused(&ev)
		}
	}()
	go func() { // an alert would hold the page's scripts: dismissed
		defer close(dialogs)
		for _, err := range opened {
			if err != nil {
				return
			}
			s.wg.Go(func() {
				chromedp.Call(s.tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
			})
		}
	}()
	return []chan struct{}{paused, dialogs}
}

// settle waits until the page is idle (loaded, nothing asked or in flight
// for Idle) or the time limit; it reports whether it went idle.
func (s *session) settle(ctx context.Context) bool {
	limit := time.NewTimer(s.opts.Timeout)
	defer limit.Stop()
	tick := time.NewTicker(s.opts.Idle / 5)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-limit.C:
			return false
		case <-tick.C:
		}
		if s.quiet() && s.loaded() {
			return true
		}
	}
}

// quiet: the document served, no request in flight, none for Idle.
func (s *session) quiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served && s.inflight == 0 && time.Since(s.last) >= s.opts.Idle
}

// loaded: the document and its subresources are loaded (its load event).
func (s *session) loaded() bool {
	ctx, cancel := context.WithTimeout(s.tctx, 2*time.Second)
	defer cancel()
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState`))
	return err == nil && state == "complete"
}

// paused admits or refuses a request the page makes, and answers it on a
// goroutine of its own (the Fetcher may wait its host's turn).
func (s *session) paused(ev *fetch.EventRequestPaused) {
	req := request(ev)
	s.mu.Lock()
	first := !s.served && ev.ResourceType == network.ResourceTypeDocument && sameDocument(req.URL, s.pageURL)
	refused := false
	switch {
	case first:
		s.served, s.main = true, ev.FrameID
	case !allowed[ev.ResourceType] || s.asked >= s.opts.MaxRequests || s.reserved >= s.opts.MaxBytes,
		ev.ResourceType == network.ResourceTypeDocument && ev.FrameID == s.main:
		// The page leaving itself (a reload, another address): what a
		// challenge does once it has set its cookie. A render reads the one
		// page; where a page sends the browser is read statically.
		refused = true
		s.res.Refused++
	default:
		s.asked++
	}
	if !refused { // a refusal is no activity: a page that keeps asking after its cap still goes quiet
		s.inflight++
		s.last = time.Now()
	}
	s.mu.Unlock()
	s.wg.Go(func() {
		switch {
		case refused:
			s.fail(ev.RequestID)
		case first:
			s.fulfill(ev.RequestID, s.doc)
			s.done()
		default:
			s.answer(ev, req)
		}
	})
}

// answer hands a request to the Fetcher and gives the browser its answer.
func (s *session) answer(ev *fetch.EventRequestPaused, req *Request) {
	defer s.done()
	resp, err := s.fetch(s.rctx, req)
	s.mu.Lock()
	if err != nil || resp == nil || s.reserved+int64(len(resp.Body)) > s.opts.MaxBytes {
		s.res.Refused++
		s.mu.Unlock()
		s.fail(ev.RequestID)
		return
	}
	s.reserved += int64(len(resp.Body))
	s.res.Requests++
	s.res.Bytes += int64(len(resp.Body))
	if (ev.ResourceType == network.ResourceTypeXHR || ev.ResourceType == network.ResourceTypeFetch) && resp.Status/100 == 2 && len(resp.Body) > 0 {
		s.res.Answers = append(s.res.Answers, Answer{URL: req.URL, ContentType: resp.Header.Get("Content-Type"), Body: resp.Body})
	}
	s.mu.Unlock()
	s.fulfill(ev.RequestID, resp)
}

// done marks a request answered: the page is quiet again from now on when
// nothing else is in flight.
func (s *session) done() {
	s.mu.Lock()
	s.inflight--
	s.last = time.Now()
	s.mu.Unlock()
}

func (s *session) fail(id fetch.RequestID) {
	chromedp.Call(s.tctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonBlockedByClient})
}

// fulfill gives the browser an answer (its body as read: no transfer or
// content encoding left to undo).
func (s *session) fulfill(id fetch.RequestID, r *Response) {
	var hdr []*fetch.HeaderEntry
	for k, vs := range r.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Content-Encoding", "Transfer-Encoding", "Connection", "Keep-Alive":
			continue
		}
		for _, v := range vs {
			hdr = append(hdr, &fetch.HeaderEntry{Name: k, Value: v})
		}
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	chromedp.Call(s.tctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(status), ResponseHeaders: hdr, Body: r.Body})
}

// request is the paused request as the Fetcher sees it.
func request(ev *fetch.EventRequestPaused) *Request {
	r := &Request{URL: ev.Request.URL, Method: ev.Request.Method, Header: http.Header{}, Type: string(ev.ResourceType)}
	for k, v := range ev.Request.Headers {
		r.Header.Set(k, fmt.Sprint(v))
	}
	for _, e := range ev.Request.PostDataEntries {
		r.Body = append(r.Body, e.Bytes...)
	}
	return r
}

// sameDocument: two URLs name one document (their fragments aside).
func sameDocument(a, b string) bool {
	a, _, _ = strings.Cut(a, "#")
	b, _, _ = strings.Cut(b, "#")
	return a == b
}
