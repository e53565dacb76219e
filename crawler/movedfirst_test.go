package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// TestMoveInEitherOrder: on the second night a report's list links its new
// address while the old address (on the department's own host) sends the
// browser there. Whichever end is read first, the change log says moved, old
// → new, and nothing else; the one record names the new address; the old one
// is its history. The orders are made by the servers, which hold an answer
// until the store shows the other end committed (never by timing):
//
//   - redirect first: the list is answered once the redirect is committed;
//   - new first: the redirect is answered once the new address's record is;
//   - new while read: the new address is fetched first but its record is
//     committed after the redirect (its extraction held until then);
//   - found as a page: as redirect first, but the list's entries are cut
//     short (no words name a report), so the report is first fetched as a
//     page and read as a report by its content.
func TestMoveInEitherOrder(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", "003_c00c0f458b041d9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	page := samples.WordPasted(string(text))
	for _, order := range []string{"redirect first", "new first", "new while read", "found as a page"} {
		for _, kind := range []string{"301", "meta refresh", "location.replace"} {
			t.Run(order+"/"+kind, func(t *testing.T) {
				t.Parallel()
				m := &moveWorld{order: order, kind: kind, page: page}
				m.run(t)
			})
		}
	}
}

// moveWorld is a department's host (old: the report's old address) and the
// portal's (site: its list, and the report's new address).
type moveWorld struct {
	order, kind, page string
	night             atomic.Int32
	newServed         atomic.Bool
	waitedOut         atomic.Bool // an awaited commit never came
	st                *store.Store
	old, site         *httptest.Server
}

const moveOldPath, moveNewPath = "/art/2023/1/15/art_1_1.html", "/xxgk/zfxxgknb/2023/t20230115_1.html"

func (m *moveWorld) run(t *testing.T) {
	st, ex := testStore(t)
	m.st = st
	m.old = httptest.NewServer(http.HandlerFunc(m.serveOld))
	defer m.old.Close()
	m.site = httptest.NewServer(http.HandlerFunc(m.serveSite))
	defer m.site.Close()
	oldURL, newURL := m.old.URL+moveOldPath, m.site.URL+moveNewPath

	var held Extractor = ex
	if m.order == "new while read" {
		held = &heldUntil{ex: ex, suffix: moveNewPath, until: func() bool { return m.docState(oldURL) == store.DocMoved }, m: m}
	}
	cfg := Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 30 * time.Second, BackoffBase: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	crawl := func() {
		c, err := New(cfg, st, held, []string{m.site.URL + "/", m.old.URL + "/"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	m.night.Store(1)
	crawl()
	m.night.Store(2)
	cfg.Clock = func() time.Time { return time.Now().Add(40 * 24 * time.Hour) } // every page due again
	crawl()
	if m.waitedOut.Load() {
		t.Fatalf("the order %q was not made: an awaited commit never came", m.order)
	}
	checkMoved(t, st, oldURL, newURL)
}

// docState is the state of a URL in the store, "" when unknown; "read" when
// it leads to a report.
func (m *moveWorld) docState(u string) string {
	d, err := m.st.Doc("GET", u, nil)
	switch {
	case err != nil || d == nil:
		return ""
	case d.State == store.DocOK && d.ReportID != "":
		return "read"
	}
	return d.State
}

// await holds an answer until cond holds (polled, with a generous bound that
// only a broken crawl reaches; then the test fails).
func (m *moveWorld) await(cond func() bool) {
	for i := 0; i < 2000 && !cond(); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if !cond() {
		m.waitedOut.Store(true)
	}
}

func (m *moveWorld) serveOld(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		fmt.Fprint(w, `<html><head><title>某区发展和改革委员会</title></head><body><p>欢迎</p></body></html>`)
	case moveOldPath:
		if m.night.Load() == 1 {
			fmt.Fprint(w, m.page)
			return
		}
		newURL := m.site.URL + moveNewPath
		switch m.order {
		case "new first":
			m.await(func() bool { return m.docState(newURL) == "read" })
		case "new while read":
			m.await(m.newServed.Load)
		}
		switch m.kind {
		case "meta refresh":
			fmt.Fprintf(w, `<html><head><meta http-equiv="refresh" content="0;URL=%s"></head><body></body></html>`, newURL)
		case "location.replace":
			fmt.Fprintf(w, `<html><head><script>window.location.replace("%s");</script></head><body></body></html>`, newURL)
		default:
			http.Redirect(w, r, newURL, http.StatusMovedPermanently)
		}
	default:
		http.NotFound(w, r)
	}
}

func (m *moveWorld) serveSite(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		fmt.Fprint(w, `<html><head><title>某区人民政府</title></head><body><a href="/xxgk/zfxxgknb/">政府信息公开年报</a></body></html>`)
	case "/xxgk/zfxxgknb/":
		target := m.old.URL + moveOldPath
		if m.night.Load() == 2 {
			if m.order == "redirect first" || m.order == "found as a page" {
				m.await(func() bool { return m.docState(m.old.URL+moveOldPath) == store.DocMoved })
			}
			target = moveNewPath
		}
		entry := "某区发展和改革委员会2022年政府信息公开工作年度报告"
		if m.order == "found as a page" {
			entry = "某区发展和改革委员会2022年政府信息公开工..."
		}
		fmt.Fprintf(w, `<html><head><title>政府信息公开年报</title></head><body><ul><li><a href="%s">%s</a></li></ul></body></html>`, target, entry)
	case moveNewPath:
		if m.night.Load() == 1 {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, m.page)
		m.newServed.Store(true)
	default:
		http.NotFound(w, r)
	}
}

// heldUntil is an extractor that holds the document whose URL ends in
// suffix until the condition holds.
type heldUntil struct {
	ex     Extractor
	suffix string
	until  func() bool
	m      *moveWorld
}

func (h *heldUntil) Extract(ctx context.Context, doc extract.Document) (*report.Record, error) {
	if strings.HasSuffix(doc.URL, h.suffix) && h.m.night.Load() == 2 {
		h.m.await(h.until)
	}
	return h.ex.Extract(ctx, doc)
}
