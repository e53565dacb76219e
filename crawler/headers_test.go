package crawler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A server that sends 200 KB of headers with every page (cookies, trackers)
// costs the store what the page is, not what its headers are: the fetch log
// and the capture keep the headers that say what the document is, bounded,
// and the cookie jar keeps at most store.MaxCookieBytes a host.
func TestHugeHeadersAreNotKept(t *testing.T) {
	junk := strings.Repeat("x", 4000)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		for i := range 50 { // 200 KB of header
			w.Header().Add("Set-Cookie", fmt.Sprintf("t%d=%s", i, junk))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2023 15:04:05 GMT")
		w.Header().Set("X-Tracker", junk)
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/nb/t1.html">某县2023年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/t1.html":
			fmt.Fprint(w, `<html><head><title>某县2023年政府信息公开工作年度报告</title></head><body><p>一、总体情况</p></body></html>`)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 1 << 20}
	crawlOnce(t, cfg, st, ex, srv.URL+"/")
	path := st.Path()
	st.Close()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Three fetches (robots.txt, the page, the report) came with 200 KB of
	// headers each.
	if n := storedBytes(t, db); n > 64<<10 {
		t.Errorf("the store holds %d KB after three fetches", n>>10)
	}
	h := keptHeader(http.Header{"Set-Cookie": {junk}, "X-Tracker": {junk}, "Content-Type": {"text/html"}, "Etag": {strings.Repeat("e", 5000)}})
	b, _ := json.Marshal(h)
	if h.Get("Set-Cookie") != "" || h.Get("X-Tracker") != "" || h.Get("Content-Type") != "text/html" || len(h.Get("Etag")) != maxHeaderValue || len(b) > 2<<10 {
		t.Errorf("kept %s", b)
	}
}

// storedBytes adds up the keys and values of every bucket, nested ones too.
func storedBytes(t *testing.T, db *bolt.DB) int {
	t.Helper()
	n := 0
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			n += len(k) + len(v)
			if v == nil {
				if nb := b.Bucket(k); nb != nil {
					walk(nb)
				}
			}
			return nil
		})
	}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { walk(b); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
