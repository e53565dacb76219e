package crawler

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// gzipBomb is n zero bytes gzipped (1 GB gives about 1 MB).
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for i := 0; i < n; i += len(zero) {
		zw.Write(zero)
	}
	zw.Close()
	return b.Bytes()
}

// Bodies the collector would inflate itself after its size limit (an x-gzip
// encoding, a gzip Content-Type with no encoding, a .xml.gz path), each
// 64 MB inflated from 64 KB on the wire: the crawl inflates none past
// max_bytes (the encoded one is too large, the gzip files are kept as sent)
// and allocates a few megabytes for all of them, not the 192 MB they hold.
func TestGzipBombsAreBounded(t *testing.T) {
	bomb := gzipBomb(t, 64<<20)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body>`+
				`<a href="/nb/t1.html">某县2023年政府信息公开工作年度报告</a>`+
				`<a href="/nb/t2.html">某县2022年政府信息公开工作年度报告</a>`+
				`<a href="/nb/2021.xml.gz">某县2021年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/t1.html":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "x-gzip")
			w.Write(bomb)
		case "/nb/t2.html":
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(bomb)
		case "/nb/2021.xml.gz":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(bomb)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 10 * time.Second, MaxBytes: 1 << 20}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("the crawl allocated %d MB for three 64 MB bombs", alloc>>20)
	}
	tooLarge := 0
	for _, f := range sum.Failures {
		if f.URL == srv.URL+"/nb/t1.html" && f.Class == ClassTooLarge {
			tooLarge++
		}
	}
	if tooLarge != 1 {
		t.Errorf("the x-gzip body inflating past max_bytes is not too_large: %+v", sum.Failures)
	}
}
