package serve

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

// browserPath finds Chromium; without it the browser test skips, unless
// NIANBAO_REQUIRE_TOOLS says the machine must have it (CI installs it).
func browserPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
		t.Fatal("no Chromium on this machine (Debian: apt-get install chromium)")
	}
	t.Skip("no Chromium on this machine")
	return ""
}

// screenshots is where the browser test writes what it saw:
// NIANBAO_SCREENSHOTS, or a folder of the test's own.
func screenshots(t *testing.T) string {
	dir := os.Getenv("NIANBAO_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is a headless Chromium that records what it is asked to load and
// every dialog a script opens.
type browser struct {
	ctx     context.Context
	mu      sync.Mutex
	loads   []string
	dialogs []string
}

func newBrowser(t *testing.T) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browserPath(t)), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 1000), chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "zh-CN"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	b := &browser{ctx: ctx}
	dialogs := make(chan struct{}, 16)
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.loads = append(b.loads, ev.Request.URL)
		case *page.EventJavascriptDialogOpening:
			b.dialogs = append(b.dialogs, ev.Message)
			select {
			case dialogs <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() { // a dialog would stop the page: dismiss it (and fail the test)
		for range dialogs {
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()
	t.Cleanup(func() { close(dialogs) })
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval runs an expression in the page.
func eval[T any](t *testing.T, b *browser, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// loaded says whether the browser asked for u.
func (b *browser) loaded(u string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Contains(b.loads, u)
}

// shot writes a full-page screenshot.
func (b *browser) shot(t *testing.T, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func TestInABrowser(t *testing.T) {
	s, w := newServer(t, Options{PageSize: 10})
	ts := httptest.NewServer(s)
	defer ts.Close()
	v := visit{b: newBrowser(t), base: ts.URL, dir: screenshots(t), w: w}
	v.list(t)
	v.download(t)
	v.reports(t)
	v.coverage(t)
	v.inert(t)
}

// visit is one browser's tour of a server.
type visit struct {
	b    *browser
	base string
	dir  string
	w    *world
}

// list: the reports, filtered through the form, then the next page.
func (v visit) list(t *testing.T) {
	b := v.b
	b.run(t, "the list", chromedp.Navigate(v.base+"/"), chromedp.WaitVisible("#reports"))
	b.shot(t, v.dir, "list.png")
	b.run(t, "filter by year", chromedp.SetValue(`input[name="year"]`, "2021"), chromedp.Click("#apply"),
		chromedp.WaitVisible(`input[name="year"][value="2021"]`), chromedp.WaitVisible(`#pages`))
	rows := eval[int](t, b, `document.querySelectorAll("#reports tbody tr").length`)
	years := eval[[]string](t, b, `[...document.querySelectorAll("#reports tbody tr td:nth-child(4)")].map(td => td.textContent)`)
	if rows != 10 || len(years) != 10 {
		t.Errorf("filtered list shows %d rows, want a full page of 10", rows)
	}
	for _, y := range years {
		if y != "2021" {
			t.Errorf("year filter shows a report of %q", y)
		}
	}
	b.shot(t, v.dir, "list-2021.png")
	b.run(t, "next page", chromedp.Click(`a[rel="next"]`), chromedp.WaitVisible(`a[rel="prev"]`))
	if pages := eval[string](t, b, `document.querySelector("#pages").textContent`); !strings.Contains(pages, "page 2 of") {
		t.Errorf("after next: %q", pages)
	}
}

// download: the CSV the filtered page links to, fetched by the browser, is
// export's, byte for byte.
func (v visit) download(t *testing.T) {
	href := eval[string](t, v.b, `document.querySelector("#csv").href`)
	raw := eval[[]int](t, v.b, `fetch(document.querySelector("#csv").href).then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b)))`, chromedp.EvalAwaitPromise)
	got := make([]byte, len(raw))
	for i, x := range raw {
		got[i] = byte(x)
	}
	if want := exportCSV(t, v.w, "year=2021"); string(got) != want || !strings.Contains(href, "year=2021") {
		t.Errorf("the browser's CSV (%d bytes, from %s) is not export's (%d bytes)", len(got), href, len(want))
	}
}

// reports: one with a broken identity, its source beside its tables and the
// cells outlined; then a PDF in the browser's viewer.
func (v visit) reports(t *testing.T) {
	b := v.b
	e := failedIdentity(t, v.w)
	b.run(t, "a failing report", chromedp.Navigate(v.base+"/report/"+e.ReportID), chromedp.WaitVisible("td.failed"), chromedp.WaitVisible("iframe.doc"))
	outline := eval[string](t, b, `getComputedStyle(document.querySelector("td.failed")).outlineStyle`)
	if n := eval[int](t, b, `document.querySelectorAll("td.failed").length`); outline == "none" || n == 0 {
		t.Errorf("broken identity not highlighted: %d cells, outline %q", n, outline)
	}
	if frame := eval[string](t, b, `document.querySelector("iframe.doc").src`); !b.loaded(frame) {
		t.Errorf("the source pane did not load %s", frame)
	}
	b.shot(t, v.dir, "report.png")
	b.run(t, "its history", chromedp.Click(`a[href$="/history"]`), chromedp.WaitVisible("#versions"))
	b.run(t, "a harvested report's history", chromedp.Navigate(v.base+"/report/"+harvestedReport(t, v.w)+"/history"), chromedp.WaitVisible("#changes"))
	b.shot(t, v.dir, "history.png")
	b.run(t, "a PDF report", chromedp.Navigate(v.base+"/?format=pdf"), chromedp.Click(`#reports tbody a`), chromedp.WaitVisible("iframe.doc"), chromedp.Sleep(time.Second))
	b.shot(t, v.dir, "report-pdf.png")
	org := orgWithYears(t, v.w)
	b.run(t, "compare", chromedp.Navigate(v.base+"/compare?org="+url.QueryEscape(org)), chromedp.WaitVisible("#compare svg.spark"))
	b.shot(t, v.dir, "compare.png")
}

// coverage: the provinces × years grid, its chart, one province's breakdown.
func (v visit) coverage(t *testing.T) {
	v.b.run(t, "coverage", chromedp.Navigate(v.base+"/coverage"), chromedp.WaitVisible("#coverage"), chromedp.WaitVisible("svg.chart"))
	v.b.shot(t, v.dir, "coverage.png")
	covered := `[...document.querySelectorAll("#coverage tr")].find(tr => tr.querySelector("td.c1, td.c2, td.c3, td.c4") && tr.querySelector("th a"))`
	if !eval[bool](t, v.b, covered+` !== undefined`) {
		t.Fatal("no province of the grid has a report")
	}
	v.b.run(t, "drill down", chromedp.Evaluate[chromedp.Void](covered+`.querySelector("th a").click()`),
		chromedp.WaitVisible(`.trail a + a`), chromedp.WaitVisible(`#coverage td.c1, #coverage td.c2, #coverage td.c3, #coverage td.c4`))
	v.b.shot(t, v.dir, "coverage-province.png")
}

// inert: the hostile record shown, nothing ran in the whole visit and
// nothing was loaded from elsewhere.
func (v visit) inert(t *testing.T) {
	b := v.b
	b.run(t, "the hostile report", chromedp.Navigate(v.base+"/report/"+v.w.hostile), chromedp.WaitVisible("iframe.doc"), chromedp.Sleep(500*time.Millisecond))
	b.shot(t, v.dir, "hostile.png")
	b.run(t, "the list with it", chromedp.Navigate(v.base+"/?q="+url.QueryEscape("alert")), chromedp.WaitVisible("#reports"))
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		t.Errorf("scripts ran: dialogs %q", b.dialogs)
	}
	for _, u := range b.loads {
		// This server, and the browser's own PDF viewer.
		if !strings.HasPrefix(u, v.base+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "chrome-extension://") {
			t.Errorf("the browser was made to load %s", u)
		}
	}
	if len(b.loads) < 10 {
		t.Errorf("only %d loads recorded: the check of loads sees nothing", len(b.loads))
	}
}

// harvestedReport is a report the crawl fetched (its history has addresses
// and changes).
func harvestedReport(t *testing.T, w *world) string {
	for _, e := range entries(t, w) {
		if len(e.Sources) > 0 && strings.HasPrefix(e.Sources[0].URL, "http") && e.ReportID != w.hostile && len(e.Components) > 1 {
			return e.ReportID
		}
	}
	t.Fatal("no harvested report with an attachment")
	return ""
}

// exportCSV is what `nianbao export` writes for a list query.
func exportCSV(t *testing.T, w *world, q string) string {
	t.Helper()
	v, _ := url.ParseQuery(q)
	pq, err := parseQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(w.path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var buf bytes.Buffer
	if _, err := export.WriteReports(&buf, st, export.Request{Filter: pq.Filter, Attrib: attrib.New(w.portals)}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// orgWithYears is an organisation with reports of three years.
func orgWithYears(t *testing.T, w *world) string {
	years := map[string]map[int]bool{}
	for _, e := range entries(t, w) {
		o := string(e.Record.Organisation)
		if e.Record.Year == nil || o == "" {
			continue
		}
		if years[o] == nil {
			years[o] = map[int]bool{}
		}
		if years[o][*e.Record.Year] = true; len(years[o]) >= 3 {
			return o
		}
	}
	t.Fatal("no organisation has reports of three years")
	return ""
}
