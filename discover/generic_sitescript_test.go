package discover_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/discover"
)

// A list whose rows call a function the page does not define
// (href="javascript:void(0)" onclick="openDetail('…')", as list rows do in
// public code: stored code index ids 59267510934, 18525506015, 40281670190),
// its body in the site's own script beside the libraries (a site script
// defining the list's navigation, as Minlyzhong/zhucheng js/index.js's
// goDetailIndex does). Served on loopback: the page is read, the request it
// asks of its own script is made as the crawler makes it, and the script's
// answer gives the rows' addresses, resolved against the page. Libraries and
// other hosts' scripts are never asked; a second list page asks again, with
// its own rows; a page whose rows are read inline asks nothing.
func TestHandlersReadThroughTheSiteScript(t *testing.T) {
	const script = `var ctx = '/zwgk';
function openDetail(id) { window.open(ctx + '/xxgk/detail.html?id=' + id, '_blank'); }
function openYear(y) { location.href = 'nb' + y + '/index.html'; }`
	row := func(id, title string) string {
		return `<li><a href="javascript:void(0)" onclick="openDetail('` + id + `')">` + title + `</a></li>`
	}
	page := func(rows ...string) string {
		return `<html><head><script src="/js/jquery-1.11.3.min.js"></script><script src="/js/common.js?v=3"></script>
<script src="http://cdn.example.com/stat.js"></script></head><body><ul>` + strings.Join(rows, "") + `</ul>
<a href="javascript:;" onclick="openYear(2022)">2022年年报</a><a onclick="showHelp('x')">帮助</a></body></html>`
	}
	pages := map[string]string{
		"/zwgk/xxgk/gknb/index.html":   page(row("8871", "某区2023年政府信息公开工作年度报告"), row("8866", "某区2023年法治政府建设年度报告")),
		"/zwgk/xxgk/gknb/index_1.html": page(row("7001", "某区2021年政府信息公开工作年度报告")),
		"/zwgk/xxgk/gknb/inline.html":  `<script src="/js/common.js"></script><script>function openDetail(id) { location.href = '/d?id=' + id }</script>` + row("5", "某区2019年政府信息公开工作年度报告"),
	}
	var mu sync.Mutex
	asked := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.URL.Path]++
		mu.Unlock()
		if r.URL.Path == "/js/common.js" {
			w.Header().Set("Content-Type", "application/javascript")
			io.WriteString(w, script) // a static file: its query changes nothing
			return
		}
		if p, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, p)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	want := map[string][]string{
		"/zwgk/xxgk/gknb/index.html": {
			"page GET " + srv.URL + "/zwgk/xxgk/detail.html?id=8866 weak", // the distractor: named by nothing
			"page GET " + srv.URL + "/zwgk/xxgk/gknb/nb2022/index.html",
			"report GET " + srv.URL + "/zwgk/xxgk/detail.html?id=8871",
		},
		"/zwgk/xxgk/gknb/index_1.html": {
			"page GET " + srv.URL + "/zwgk/xxgk/gknb/nb2022/index.html",
			"report GET " + srv.URL + "/zwgk/xxgk/detail.html?id=7001",
		},
	}
	scripts := map[string]bool{}
	for p, rows := range want {
		got, asks := readThroughScripts(t, srv.URL+p)
		if !slices.Equal(got, rows) {
			t.Errorf("%s: links through its script:\n%s\nwant:\n%s", p, strings.Join(got, "\n"), strings.Join(rows, "\n"))
		}
		for _, a := range asks {
			c, _ := crawler.Canonical(a)
			scripts[c] = true
		}
	}
	if len(scripts) != 2 {
		t.Errorf("the two list pages asked %d distinct requests of their script, want 2: %v", len(scripts), scripts)
	}
	if _, asks := readThroughScripts(t, srv.URL+"/zwgk/xxgk/gknb/inline.html"); len(asks) != 0 {
		t.Errorf("a page whose rows are read inline asked %v", asks)
	}
	// A later night's revisit of the script comes without its hint: it reads
	// nothing (not the script's strings as pages).
	for a := range scripts {
		su, _ := url.Parse(a)
		if links := discover.AnswerTo(get(t, a), su, ""); len(links) != 0 {
			t.Errorf("%s revisited without its hint gave %v", a, links)
		}
	}
	if asked["/js/jquery-1.11.3.min.js"] != 0 || asked["/js/common.js"] != 4 {
		t.Errorf("scripts asked: %v; want common.js twice per list page (once, and once revisited) and no library", asked)
	}
}

// readThroughScripts reads a page's links, makes the requests it asks of its
// site-wide scripts and reads their answers; it returns the links the answers
// give and the requests made.
func readThroughScripts(t *testing.T, at string) (links, asks []string) {
	t.Helper()
	base, _ := url.Parse(at)
	for _, l := range discover.Find(&discover.Doc{URL: base, Text: get(t, at), Kind: discover.Page}, discover.Default()) {
		if l.Kind != discover.API {
			continue
		}
		u, ok := crawler.FetchForm(l.URL)
		if !ok {
			t.Fatalf("%s: no fetch form", l.URL)
		}
		asks = append(asks, u)
		su, _ := url.Parse(u)
		for _, x := range discover.AnswerTo(get(t, u), su, l.Hint) {
			if x.Weak {
				links = append(links, x.String()+" weak")
				continue
			}
			links = append(links, x.String())
		}
	}
	slices.Sort(links)
	return links, asks
}

func get(t *testing.T, at string) string {
	t.Helper()
	resp, err := http.Get(at)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", at, resp.StatusCode)
	}
	return string(b)
}
