package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// TestListPageIsNoRecord: a column page whose title names a report (as real
// year columns do) and that lists three reports is a list: the three reports
// are stored, the list is not. The same server sets a cookie by redirecting a
// report to itself, as some hosts do, and the report then answers.
func TestListPageIsNoRecord(t *testing.T) {
	var pages []string
	for _, name := range []string{"000_594cca86a0db9b9c", "001_5ddfc993aefd2777", "003_c00c0f458b041d9c"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, samples.WordPasted(string(b)))
	}
	var mu sync.Mutex
	cookieAsked := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			fmt.Fprint(w, `<html><head><title>某市人民政府</title></head><body><a href="/nb/">政府信息公开年报</a></body></html>`)
		case r.URL.Path == "/nb/":
			var b strings.Builder
			b.WriteString(`<html><head><title>2022年政府信息公开工作年度报告</title></head><body><ul>`)
			for i := range pages {
				fmt.Fprintf(&b, `<li><a href="/nb/t%d.html">某单位2022年政府信息公开工作年度报告（%d）</a></li>`, i, i)
			}
			b.WriteString(`</ul></body></html>`)
			fmt.Fprint(w, b.String())
		case strings.HasPrefix(r.URL.Path, "/nb/t"):
			var i int
			fmt.Sscanf(r.URL.Path, "/nb/t%d.html", &i)
			if i < 0 || i >= len(pages) {
				http.NotFound(w, r)
				return
			}
			if i == 2 {
				if c, err := r.Cookie("visited"); err != nil || c.Value != "1" {
					mu.Lock()
					cookieAsked++
					mu.Unlock()
					http.SetCookie(w, &http.Cookie{Name: "visited", Value: "1", Path: "/"})
					http.Redirect(w, r, r.URL.Path, http.StatusFound)
					return
				}
			}
			fmt.Fprint(w, pages[i])
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: 10 * time.Millisecond, Timeout: 3 * time.Second, BackoffBase: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	crawlOnce(t, cfg, st, ex, srv.URL+"/")
	var urls []string
	st.Entries(func(e *store.Entry) error {
		urls = append(urls, string(e.Record.Source.URL))
		return nil
	})
	for _, u := range urls {
		if strings.HasSuffix(u, "/nb/") {
			t.Errorf("the list page was stored as a record: %v", urls)
		}
	}
	if len(urls) != 3 {
		t.Errorf("%d records, want the 3 reports: %v", len(urls), urls)
	}
	if cookieAsked != 1 {
		t.Errorf("the cookie redirect was answered %d times, want once (the cookie kept)", cookieAsked)
	}
}
