package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// An attachment fetched but not readable (a PDF cut short) is kept and is a
// failure of the run with its reason, not dropped without a word.
func TestUnreadableAttachmentIsAFailure(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/nb/t1.html">某县2023年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/t1.html":
			fmt.Fprint(w, `<html><head><title>某县2023年政府信息公开工作年度报告</title></head><body><p>某县2023年政府信息公开工作年度报告</p>`+
				`<p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>`+
				`<p>附件：<a href="/nb/t1.pdf">某县2023年政府信息公开工作年度报告.pdf</a></p></body></html>`)
		case "/nb/t1.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, "%PDF-1.7\n1 0 obj << /Type /Catalog")
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 1 << 20}
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	var found bool
	for _, f := range sum.Failures {
		if f.URL == srv.URL+"/nb/t1.pdf" && strings.Contains(f.Detail, "not read") {
			found = true
		}
	}
	if !found {
		t.Fatalf("failures %+v: the unreadable attachment is not among them", sum.Failures)
	}
}
