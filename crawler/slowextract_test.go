package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// slowFor is an extractor that holds one document until wait is closed (or
// five seconds pass): a scan being read by OCR, a large PDF.
type slowFor struct {
	ex       Extractor
	suffix   string
	wait     chan struct{}
	mu       sync.Mutex
	held     bool // the document was extracted at all
	timedOut bool
}

func (s *slowFor) Extract(ctx context.Context, doc extract.Document) (*report.Record, error) {
	if strings.HasSuffix(doc.URL, s.suffix) {
		s.mu.Lock()
		s.held = true
		s.mu.Unlock()
		select {
		case <-s.wait:
		case <-time.After(5 * time.Second):
			s.mu.Lock()
			s.timedOut = true
			s.mu.Unlock()
		}
	}
	return s.ex.Extract(ctx, doc)
}

// TestHostFreeWhileItsDocumentIsRead: a report whose extraction is slow does
// not hold its host: the host's next page is asked while it is read, and the
// report is still stored.
func TestHostFreeWhileItsDocumentIsRead(t *testing.T) {
	t.Parallel()
	page := func(n int) string {
		return fmt.Sprintf(`<html><head><meta charset="utf-8"><title>某县%d年政府信息公开工作年度报告</title></head><body>`+
			`<h1>某县%d年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>本年度，某县扎实推进政府信息公开工作。</p></body></html>`, n, n)
	}
	next := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var order []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><body><a href="/xxgk/nb/a.html">某县2022年政府信息公开工作年度报告</a> <a href="/xxgk/nb/b.html">某县2021年政府信息公开工作年度报告</a></body></html>`)
		case "/xxgk/nb/a.html":
			fmt.Fprint(w, page(2022))
		case "/xxgk/nb/b.html":
			once.Do(func() { close(next) })
			fmt.Fprint(w, page(2021))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	slow := &slowFor{ex: ex, suffix: "/xxgk/nb/a.html", wait: next}
	c, err := New(Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 10 * time.Second}, st, slow, []string{srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	a, b := slices.Index(order, "/xxgk/nb/a.html"), slices.Index(order, "/xxgk/nb/b.html")
	mu.Unlock()
	if a < 0 || b < a || !slow.held {
		t.Fatalf("requests %v (the slow report extracted: %v): want a.html, then b.html", order, slow.held)
	}
	if slow.timedOut {
		t.Errorf("b.html was not asked while a.html's report was being read: the host was held")
	}
	stats, err := st.Stats()
	if err != nil || stats.Records != 2 {
		t.Errorf("%d records (%v), want both reports", stats.Records, err)
	}
}
