package serve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

const (
	portalsPath = "../../shared/data/portals.csv"
	realPath    = "../../shared/fixtures/real/"
)

// world is a store harvested from a small simulated web, with one hostile
// report put beside the harvest; the tests of the package share it.
type world struct {
	path    string
	portals *seeds.List
	hostile string // the hostile report's id
}

// harvested harvests the shared store once, into the folder TestMain makes.
var harvested func() (*world, error)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nianbao-serve-test-")
	if err != nil {
		panic(err)
	}
	harvested = sync.OnceValues(func() (*world, error) { return harvest(dir) })
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testWorld returns the shared store, harvesting it the first time.
func testWorld(t *testing.T) *world {
	t.Helper()
	w, err := harvested()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func harvest(dir string) (*world, error) {
	list, err := seeds.ReadFile(portalsPath)
	if err != nil {
		return nil, err
	}
	web, err := simweb.Generate(simweb.Config{Seed: 5, Hosts: 6, Portals: list, FirstYear: 2019, LastYear: 2021})
	if err != nil {
		return nil, err
	}
	srv, err := simweb.NewServer(web, simweb.Options{CrawlDelay: 50 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	if _, err := srv.Listen(); err != nil {
		return nil, err
	}
	defer srv.Close()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, srv.CACertPEM(), 0o644); err != nil {
		return nil, err
	}
	w := &world{path: filepath.Join(dir, "nianbao.db"), portals: list}
	st, err := store.Open(w.path, store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ex, err := extract.New()
	if err != nil {
		return nil, err
	}
	defer ex.Close()
	cfg := crawler.Config{Proxy: srv.ProxyURL(), Resolve: srv.Resolve, CAFile: ca, Delay: 20 * time.Millisecond, Timeout: 5 * time.Second,
		Workers: 16, MaxPagesPerHost: 300, BackoffBase: 50 * time.Millisecond, MaxBackoff: time.Second, RobotsFailTTL: time.Hour}
	c, err := crawler.New(cfg, st, ex, web.SeedURLs())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := c.Run(ctx); err != nil {
		return nil, err
	}
	// Real reports a researcher brings, beside the harvest: they break
	// identities, as real reports do (the simulated web's never do), and one
	// is a PDF.
	res, err := corpus.Import(ctx, st, ex, []string{realPath + "002.pdf", realPath + "010.txt", realPath + "005.md"}, nil)
	if err != nil || len(res.Errors) > 0 || res.Records != 3 {
		return nil, fmt.Errorf("importing real reports: %v %v (%d records)", err, res.Errors, res.Records)
	}
	w.hostile, err = putHostile(st)
	return w, err
}

// hostilePage is a report page written to attack whoever looks at it.
const hostilePage = `<!DOCTYPE html><html><head><meta charset="utf-8">
<title><script>alert(1)</script>2021年政府信息公开工作年度报告</title>
<script src="http://evil.example/x.js"></script>
<link rel="stylesheet" href="http://evil.example/x.css">
<meta http-equiv="refresh" content="0;url=http://evil.example/">
<base href="http://evil.example/">
<style>body{background:url(http://evil.example/bg.png)}</style>
</head><body onload="alert('onload')">
<h1>某某局2021年政府信息公开工作年度报告</h1>
<img src="http://evil.example/track.gif" alt="印章" onerror="alert('img')">
<iframe src="http://evil.example/frame"></iframe>
<a href="javascript:alert('link')">点此</a>
<svg><script>alert('svg')</script></svg>
<object data="http://evil.example/x.swf"></object>
<p style="background-image:url('http://evil.example/p.png')">一、总体情况</p>
</body></html>`

// hostileOrg is an organisation name that is markup.
const hostileOrg = `<script>alert("org")</script><img src=x onerror=alert(2)>局`

// putHostile stores the hostile page as a report whose organisation is markup.
func putHostile(st *store.Store) (string, error) {
	body := []byte(hostilePage)
	sha := store.SHA256(body)
	u := "https://evil.gov.cn/nb/2021.html"
	r := report.New()
	r.Organisation = hostileOrg
	r.Title = `<script>alert("title")</script>`
	y := 2021
	r.Year = &y
	r.Template = report.Template2021
	r.Source = report.Source{URL: report.Text(u), Format: "html", Encoding: "utf-8", SHA256: sha}
	r.Warnings = []string{`<script>alert("warning")</script>`}
	r.Checks = []report.Check{{Rule: `<b>rule</b>`, OK: false, Detail: `<script>alert("detail")</script>`}}
	id := store.ReportID(u, sha)
	c := &store.Capture{ReportID: id, URL: u, Status: 200, ContentType: "text/html; charset=utf-8", FetchedAt: time.Now(), Size: len(body), SHA256: sha, Origin: "fetch"}
	e := &store.Entry{ReportID: id, Record: r, Extractor: "test"}
	return id, st.Put(c, body, e)
}

// newServer serves the shared store.
func newServer(t *testing.T, opt Options) (*Server, *world) {
	t.Helper()
	w := testWorld(t)
	opt.Store, opt.Portals = w.path, w.portals
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return s, w
}

// entries reads every record of the shared store.
func entries(t *testing.T, w *world) []*store.Entry {
	t.Helper()
	st, err := store.Open(w.path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []*store.Entry
	if err := st.Entries(func(e *store.Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}
