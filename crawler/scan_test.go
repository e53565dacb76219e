package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

// A link that names a report and leads straight to a scanned PDF, read by a
// crawl that does no OCR (crawl --nats leaves scans to the workers), keeps
// the document and a record that says the scan is unread, for the workers
// or a later reextract: it had been dropped as "not a report after all".
func TestUnreadScanBehindAReportLinkIsKept(t *testing.T) {
	t.Parallel()
	scan, err := os.ReadFile("../extract/testdata/attachments/003_scan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><body><a href="/nb/2020.pdf">某县2020年政府信息公开工作年度报告</a></body></html>`)
		default:
			w.Header().Set("Content-Type", "application/pdf")
			w.Write(scan)
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	sum := crawlOnce(t, hostileConfig(), st, ex, srv.URL+"/")
	var kept []*store.Entry
	if err := st.Entries(func(e *store.Entry) error { kept = append(kept, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 || !extract.UnreadScan(kept[0].Record) {
		t.Fatalf("%d records kept (documents %d); want the scan's, saying it is unread", len(kept), sum.Documents)
	}
}
