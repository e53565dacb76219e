package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

// failures lists by URL the documents a crawl lost, with the class and the
// reason: the page cut at the size limit, the one whose server kept failing;
// not the ones fetched.
func TestFailuresListsLostDocuments(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/nb/big.html">某县2023年政府信息公开工作年度报告</a> <a href="/nb/err.html">某县2022年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/big.html":
			fmt.Fprint(w, strings.Repeat("<p>某县</p>", 200_000))
		case "/nb/err.html":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "n.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	c, err := crawler.New(crawler.Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 5 * time.Second, MaxBytes: 1 << 20,
		MaxRetries: 1, BackoffBase: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}, st, ex, []string{srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _, err := run(t, "", "--db", db, "failures")
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, out)
	got := map[string]string{}
	for _, r := range rows {
		got[r["url"]] = r["class"]
	}
	if len(rows) != 2 || got[srv.URL+"/nb/big.html"] != string(crawler.ClassTooLarge) || got[srv.URL+"/nb/err.html"] != string(crawler.ClassServerError) {
		t.Fatalf("failures listed %v, want the two lost pages", got)
	}
}

// A crawl that reaches nothing (no network, a wrong proxy) fails with that
// reason instead of reporting its hosts "ok" and robots-disallowed.
func TestCrawlReachingNothingFails(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	seeds := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seeds, []byte("http://"+addr+"/\n"), 0o644)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "fetch:\n  allow_private: true\n  timeout: 2s\ncrawl:\n  seeds: %s\n  delay: 100ms\n", seeds), 0o644)
	reportPath := filepath.Join(dir, "run.json")
	out, _, err := run(t, "", "--config", cfg, "--db", filepath.Join(dir, "n.db"), "crawl", "--report", reportPath)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != exitFailed || !strings.Contains(err.Error(), "no host could be reached") {
		t.Fatalf("crawl of an unreachable seed: %v\n%s", err, out)
	}
	var rep runReport
	if b, err := os.ReadFile(reportPath); err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("run report: %v", err)
	}
	if rep.Disallowed != 0 || rep.Hosts["ok"] != 0 || rep.Hosts[crawler.ClassUnreachable] != 1 {
		t.Errorf("run report: robots-disallowed %d, hosts %v; want the host unreachable", rep.Disallowed, rep.Hosts)
	}
}

// rebuild says why each document did not come back: the class and detail of
// its last fetch, not a bare count.
func TestRebuildSaysWhyMissing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	defer srv.Close()
	dir := t.TempDir()
	manifest := filepath.Join(dir, "manifest.jsonl")
	line, _ := json.Marshal(map[string]any{"sha256": strings.Repeat("a", 64), "size": 10, "url": srv.URL + "/nb/t1.html",
		"content_type": "text/html", "status": 200, "fetched_at": time.Now(), "origin": "fetch", "capture_id": 1, "report_id": "r1", "record": true})
	os.WriteFile(manifest, append(line, '\n'), 0o644)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("fetch:\n  allow_private: true\n  timeout: 2s\ncrawl:\n  delay: 100ms\n"), 0o644)
	out, _, err := run(t, "", "--config", cfg, "--db", filepath.Join(dir, "new.db"), "rebuild", "--manifest", manifest)
	if err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	if !strings.Contains(out, "MISSING "+srv.URL+"/nb/t1.html: gone") || !strings.Contains(out, "status 404") {
		t.Fatalf("rebuild does not say why the document is missing:\n%s", out)
	}
}

// A run that spent every host's page budget before it found a report says
// so, with the partial status: the hosts answered, they were not unreachable.
func TestSpentBudgetIsNamed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/xxgk/">政府信息公开</a><a href="/nb/">年报</a></body></html>`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	seeds := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seeds, []byte(srv.URL+"/\n"), 0o644)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "fetch:\n  allow_private: true\n  timeout: 2s\ncrawl:\n  seeds: %s\n  delay: 100ms\n  max_pages_per_host: 1\n  render: \"off\"\n", seeds), 0o644)
	out, _, err := run(t, "", "--config", cfg, "--db", filepath.Join(dir, "n.db"), "crawl")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != exitPartial || !strings.Contains(err.Error(), "page budget") {
		t.Fatalf("a crawl that spent its budget: %v\n%s", err, out)
	}
}
