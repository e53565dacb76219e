package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// TestBestFirst: a portal whose report column is named in words no rule
// knows (数据发布) and whose departments are reached through a directory
// (机构设置) among forty empty topic columns: both reports are found; the
// directory's departments and their reports are asked before any topic
// column; no trap is asked (a site search, a calendar, a list of many
// parameters, an image, the news column's items); and the run report says
// how the host's budget went.
func TestBestFirst(t *testing.T) {
	t.Parallel()
	read := func(elem ...string) string {
		b, err := os.ReadFile(filepath.Join(elem...))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	home := read("testdata", "bestfirst", "home.html")
	news := read("testdata", "bestfirst", "news.html")
	report := samples.WordPasted(read("..", "..", "shared", "fixtures", "seeds", "003_c00c0f458b041d9c.txt"))
	other := samples.WordPasted(read("..", "..", "shared", "fixtures", "seeds", "000_594cca86a0db9b9c.txt"))
	page := func(title, body string) string {
		return `<html><head><meta charset="utf-8"><title>` + title + `</title></head><body>` + body + `</body></html>`
	}
	pages := map[string]string{
		"/":      home,
		"/xwzx/": news,
		// The directory of departments, each a sub-site of the portal.
		"/jgsz/":                      page("机构设置", `<ul><li><a href="/bm/fgj/">发展和改革局</a></li><li><a href="/bm/jyj/">教育局</a></li></ul>`),
		"/bm/fgj/":                    page("某区发展和改革局", `<a href="/bm/fgj/nb/">信息公开年报</a>`),
		"/bm/jyj/":                    page("某区教育局", `<p>机构职能</p>`),
		"/bm/fgj/nb/":                 page("信息公开年报", `<ul><li><a href="/bm/fgj/nb/t20230110_1.html">某区发展和改革局2022年政府信息公开工作年度报告</a></li></ul>`),
		"/bm/fgj/nb/t20230110_1.html": report,
		"/sjfb/":                      page("数据发布", `<ul><li><a href="/sjfb/t20230301_2.html">某区人民政府2022年政府信息公开工作年度报告</a></li></ul>`),
		"/sjfb/t20230301_2.html":      other,
	}
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.RequestURI())
		mu.Unlock()
		if body, ok := pages[r.URL.Path]; ok {
			fmt.Fprint(w, body)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/zt/") {
			fmt.Fprint(w, page("专题", `<p>专题内容</p>`))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: 20 * time.Millisecond, Timeout: 10 * time.Second, BackoffBase: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")

	var records []string
	st.Entries(func(e *store.Entry) error {
		records = append(records, strings.TrimPrefix(string(e.Record.Source.URL), srv.URL))
		return nil
	})
	slices.Sort(records)
	if want := []string{"/bm/fgj/nb/t20230110_1.html", "/sjfb/t20230301_2.html"}; !slices.Equal(records, want) {
		t.Errorf("records %v, want %v", records, want)
	}
	// The host is free again while a page is read, so a page's links may
	// come one or two requests after it: the directory's way is asked
	// before the topic columns run out, never after them all (as it is in
	// page order, forty topics first).
	lastTopic := -1
	for i, p := range asked {
		if strings.HasPrefix(p, "/zt/") {
			lastTopic = i
		}
	}
	for _, p := range []string{"/jgsz/", "/bm/fgj/", "/bm/fgj/nb/", "/bm/fgj/nb/t20230110_1.html"} {
		if i := slices.Index(asked, p); i < 0 || i > lastTopic {
			t.Errorf("%s asked at %d, the last topic column at %d: the directory's way was not asked first", p, i, lastTopic)
		}
	}
	for _, p := range asked {
		if strings.HasPrefix(p, "/search/") || strings.HasPrefix(p, "/rili/") || strings.HasPrefix(p, "/list.jsp") ||
			strings.HasPrefix(p, "/images/") || strings.HasPrefix(p, "/xwzx/t") {
			t.Errorf("a trap was asked: %s", p)
		}
	}
	if len(sum.Budget) != 1 {
		t.Fatalf("budget of %d hosts, want 1: %+v", len(sum.Budget), sum.Budget)
	}
	b := sum.Budget[0]
	if b.Reports != 2 || b.Lists < 4 || b.Other < 40 || b.Reports+b.Lists+b.Other != b.Fetches {
		t.Errorf("the host's budget %+v: want 2 reports, at least 4 lists (home, directory, department, columns) and 40 others, summing to its fetches", b)
	}
}

// TestTrapsByStructure: what keeps an unnamed link out is its structure,
// and another site; a plain page of the same site, on any of its hosts, is
// followed.
func TestTrapsByStructure(t *testing.T) {
	for u, want := range map[string]bool{
		"http://www.x.gov.cn/jgsz/":                          false,
		"http://www.x.gov.cn/bmzz/index.html?id=12":          false,
		"http://www.x.gov.cn/images/top.PNG":                 true,
		"http://www.x.gov.cn/search/index.jsp?w=1":           true,
		"http://www.x.gov.cn/s?wd=%E5%B9%B4%E6%8A%A5":        true,
		"http://www.x.gov.cn/col/index.html?date=2023-01-05": true,
		"http://www.x.gov.cn/hd/list.html?d=20230105":        true,
		"http://www.x.gov.cn/list.jsp?a=1&b=2&c=3":           true,
		"http://www.x.gov.cn/rili/2023.html":                 true,
		"http://www.x.gov.cn/page.jsp;jsessionid=ABC":        true,
	} {
		if got := trap(u); got != want {
			t.Errorf("trap(%s) = %v, want %v", u, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"www.km.gov.cn", "rsj.km.gov.cn", true},
		{"www.km.gov.cn", "km.gov.cn", true},
		{"www.km.gov.cn", "www.yn.gov.cn", false},
		{"www.km.gov.cn", "www.gov.cn", false},
		{"127.0.0.1:8080", "127.0.0.1:9090", true},
		{"122.137.242.24:8080", "www.km.gov.cn", false},
	} {
		if got := sameSite(c.a, c.b); got != c.same {
			t.Errorf("sameSite(%s, %s) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
