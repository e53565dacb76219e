package crawler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// A portal that answers only on its m. host (no www. host exists) is fetched
// where it is: its key is the www. spelling, but nothing is asked of an
// address the crawler guessed. Its _wap.html copy, another spelling of the
// same page, is never asked.
func TestMobileOnlyHostIsFetchedWhereFound(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", "000_594cca86a0db9b9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	report := samples.WordPasted(string(text))
	var mu sync.Mutex
	asked := map[string]int{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.URL.Host+r.URL.Path]++
		mu.Unlock()
		if r.URL.Host != "m.nbtest.gov.cn" {
			http.Error(w, "no such host", http.StatusBadGateway)
			return
		}
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/nb/t0.html">某县2022年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/t0.html":
			fmt.Fprint(w, report[:len(report)-len("</div></body></html>")]+`<a href="/nb/t0_wap.html">手机版</a></div></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer proxy.Close()
	st, ex := testStore(t)
	cfg := Config{Proxy: proxy.URL, Resolve: noDNS, Delay: 10 * time.Millisecond, Timeout: 3 * time.Second, BackoffBase: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	crawlOnce(t, cfg, st, ex, "http://m.nbtest.gov.cn/")
	var urls []string
	st.Entries(func(e *store.Entry) error {
		urls = append(urls, string(e.Record.Source.URL))
		return nil
	})
	if len(urls) != 1 || urls[0] != "http://m.nbtest.gov.cn/nb/t0.html" {
		t.Errorf("records %v, want the one report at the address that answered", urls)
	}
	mu.Lock()
	defer mu.Unlock()
	for u, n := range asked {
		switch u {
		case "m.nbtest.gov.cn/robots.txt", "m.nbtest.gov.cn/", "m.nbtest.gov.cn/nb/t0.html":
			if n != 1 {
				t.Errorf("%s asked %d times", u, n)
			}
		default:
			t.Errorf("asked %s (%d times): an address nobody linked, or a second spelling of a page", u, n)
		}
	}
}

// noDNS is the resolver of tests whose names live behind a test proxy: no
// lookup leaves the machine.
func noDNS(_ context.Context, host string) ([]net.IP, error) {
	return nil, &net.DNSError{Err: "a test host", Name: host, IsNotFound: true}
}
