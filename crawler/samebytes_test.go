package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/store"
)

// One report file served at several addresses — on two hosts, and behind a
// download link signed afresh on every visit — is one report with every
// address as a source, not a row per address.
func TestSameBytesAtSeveralAddressesAreOneReport(t *testing.T) {
	t.Parallel()
	pdf, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "real", "002.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	var visits atomic.Int64
	shell := func(title, href string) string {
		return `<html><head><meta charset="utf-8"><title>` + title + `</title></head><body><h1>` + title +
			`</h1><p>详见附件。</p><p>附件：<a href="` + href + `">` + title + `.pdf</a></p></body></html>`
	}
	// The pages say no year (the file does): no page is a report of its own.
	const title = "政府信息公开工作年度报告"
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := func(s string) { w.Header().Set("Content-Type", "text/html; charset=utf-8"); fmt.Fprint(w, s) }
		file := func() { w.Header().Set("Content-Type", "application/pdf"); w.Write(pdf) }
		switch r.URL.Host + r.URL.Path {
		case "www.sbtest.gov.cn/":
			page(`<html><body><a href="/xxgk/nb/t1.html">` + title + `</a> <a href="/xxgk/gb/t2.html">` + title + `（公报栏目）</a></body></html>`)
		case "www.sbtest.gov.cn/xxgk/nb/t1.html":
			page(shell(title, "/xxgk/nb/P020230131.pdf"))
		case "www.sbtest.gov.cn/xxgk/gb/t2.html":
			page(shell(title, fmt.Sprintf("/module/download/down.jsp?id=7&t=%d&sig=%x", time.Now().UnixNano(), visits.Add(1))))
		case "xq.sbtest.gov.cn/": // the file linked from the list itself
			page(`<html><body><ul><li><a href="/attach/0/a93f.pdf">洪泽区2023年政府信息公开工作年度报告</a></li></ul></body></html>`)
		case "www.sbtest.gov.cn/xxgk/nb/P020230131.pdf", "www.sbtest.gov.cn/module/download/down.jsp", "xq.sbtest.gov.cn/attach/0/a93f.pdf":
			file()
		default:
			http.NotFound(w, r)
		}
	}))
	defer proxy.Close()
	st, ex := testStore(t)
	cfg := Config{Proxy: proxy.URL, Resolve: noDNS, Delay: 10 * time.Millisecond, Timeout: 5 * time.Second, BackoffBase: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	crawlOnce(t, cfg, st, ex, "http://www.sbtest.gov.cn/", "http://xq.sbtest.gov.cn/")
	crawlOnce(t, cfg, st, ex, "http://www.sbtest.gov.cn/", "http://xq.sbtest.gov.cn/") // the signed link signed afresh

	var rows []*store.Entry
	st.Entries(func(e *store.Entry) error {
		rows = append(rows, e)
		return nil
	})
	if len(rows) != 1 {
		for _, e := range rows {
			t.Logf("record %s from %s", e.ReportID, e.Record.Source.URL)
		}
		t.Fatalf("%d records of one file, want 1", len(rows))
	}
	var addrs []string
	for _, s := range rows[0].Sources {
		addrs = append(addrs, s.URL)
	}
	for _, want := range []string{"http://www.sbtest.gov.cn/xxgk/nb/P020230131.pdf", "http://xq.sbtest.gov.cn/attach/0/a93f.pdf"} {
		if !slices.Contains(addrs, want) {
			t.Errorf("sources %v lack %s", addrs, want)
		}
	}
	if !slices.ContainsFunc(addrs, func(a string) bool { return strings.Contains(a, "/down.jsp?") }) {
		t.Errorf("sources %v lack the signed download link", addrs)
	}
	if rows[0].Record.Year == nil || rows[0].Record.Template == "" {
		t.Errorf("the record read from the file has no year or template: %+v", rows[0].Record.Source)
	}
}
