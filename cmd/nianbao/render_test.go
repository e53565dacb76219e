package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/render"
	"github.com/nianbao/nianbao/samples"
)

// spaShell is a column whose list its script asks for with a value
// computed when it runs (see crawler/testdata/render for the evidence).
const spaShell = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息公开_某县人民政府</title></head>
<body><div class="top"><a href="/">首页</a></div><div id="app"></div>
<script>fetch('/api/list?t=' + Date.now()).then(function (r) { return r.json(); }).then(function (j) {
  document.getElementById('app').innerHTML = j.rows.map(function (x) { return '<a href="' + x.url + '">' + x.title + '</a>'; }).join('');
});</script></body></html>`

// TestCrawlRenders: with crawl.render on, the crawl renders the shell and
// stores the report its list links, and the run report counts the render;
// with it off, the report says so and nothing is found.
func TestCrawlRenders(t *testing.T) {
	if _, err := render.Find(); err != nil {
		if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	seed, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "seeds", "000_594cca86a0db9b9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			io.WriteString(w, spaShell)
		case r.URL.Path == "/api/list" && len(r.URL.Query().Get("t")) >= 13:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"rows":[{"url":"/xxgk/nb/2023.html","title":"某县2023年政府信息公开工作年度报告"}]}`)
		case r.URL.Path == "/xxgk/nb/2023.html":
			io.WriteString(w, samples.WordPasted(string(seed)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, mode := range []string{"on", "off"} {
		dir := t.TempDir()
		seeds := filepath.Join(dir, "seeds.txt")
		os.WriteFile(seeds, []byte(srv.URL+"/\n"), 0o644)
		cfg := filepath.Join(dir, "c.yaml")
		os.WriteFile(cfg, fmt.Appendf(nil, "fetch:\n  allow_private: true\n  timeout: 5s\ncrawl:\n  seeds: %s\n  delay: 100ms\n  render: %s\n", seeds, mode), 0o644)
		reportPath := filepath.Join(dir, "run.json")
		out, _, err := run(t, "", "--config", cfg, "--db", filepath.Join(dir, "n.db"), "crawl", "--report", reportPath)
		if err != nil {
			t.Fatalf("render %s: %v\n%s", mode, err, out)
		}
		var rep runReport
		if b, err := os.ReadFile(reportPath); err != nil || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("run report: %v", err)
		}
		r := rep.Rendering
		switch mode {
		case "on":
			if r.Pages != 1 || r.Requests != 1 || r.SecondsPerPage <= 0 || rep.Reports != 1 || !strings.Contains(out, "rendering: script shells rendered 1 ") {
				t.Errorf("render on: %+v, %d reports\n%s", r, rep.Reports, out)
			}
		case "off":
			if r.Off == "" || r.Pages != 0 || rep.Reports != 0 || !strings.Contains(out, "rendering: off (crawl.render is off)") {
				t.Errorf("render off: %+v, %d reports\n%s", r, rep.Reports, out)
			}
		}
	}
}
