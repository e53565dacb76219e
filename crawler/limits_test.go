package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A report page past a per-document limit of the extractor (here more
// paragraphs than a document may lay out as lines) is a failure of the run
// with the extractor's reason, not dropped as "not a report".
func TestReportPastALimitIsAFailure(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/nb/t1.html">某县2023年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/t1.html":
			fmt.Fprint(w, `<html><head><title>某县2023年政府信息公开工作年度报告</title></head><body><p>某县2023年政府信息公开工作年度报告</p>`+
				`<p>一、总体情况</p>`+strings.Repeat("<p>政</p>", 60_000)+`</body></html>`)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 4 << 20}
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	var found bool
	for _, f := range sum.Failures {
		if f.URL == srv.URL+"/nb/t1.html" && strings.Contains(f.Detail, "more than 50000 lines (the per-document limit)") {
			found = true
		}
	}
	if !found {
		t.Fatalf("failures %+v: the report page past the limit is not among them", sum.Failures)
	}
}
