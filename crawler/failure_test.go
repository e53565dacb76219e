package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A document dropped at the size limit (an endless body) is a failure the
// run counts and lists with its class, not a silent "errors 0".
func TestDroppedBodyIsAFailure(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/nb/t1.html">某县2023年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/t1.html":
			w.Header().Set("Content-Type", "text/html")
			chunk := []byte(strings.Repeat("<p>某县</p>", 1000))
			for range 1000 { // 10 MB, past the limit below
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 1 << 20}
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	if sum.Errors != 1 || len(sum.Failures) != 1 || sum.Failures[0].URL != srv.URL+"/nb/t1.html" || sum.Failures[0].Class != ClassTooLarge {
		t.Fatalf("errors %d, failures %+v; want the dropped page as too_large", sum.Errors, sum.Failures)
	}
}
