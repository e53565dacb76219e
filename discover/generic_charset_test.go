package discover_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/discover"
)

// A legacy GBK site (PORTALS.md: GBK, the charset in <meta> only or
// nowhere) whose search and list programs read their query as GBK bytes,
// the spelling a browser sends from a GBK page (the URL standard encodes a
// query in the document's encoding: web-platform-tests' gb18030 encoder tests
// check it through <a href>; "StreamSpider爬虫之中文URL",
// https://blog.newnius.com/stream-spider-handle-url-with-chinese-characters.html,
// finds a GBK page's query in GBK and its path in UTF-8). The page is fetched
// from a loopback server, decoded by the project's decoder, read by Find, and
// each link asked as the crawler asks it (FetchForm); the server answers only
// the spelling it understands. A UTF-8 page's links stay UTF-8.
func TestQueryInThePageEncodingOnLoopback(t *testing.T) {
	const gbkPage = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>信息公开</title></head><body>
<a href="/gbk/search.jsp?key=年报&amp;type=1">政府信息公开年报</a>
<a href="/gbk/list.jsp?col=%C4%EA%B1%A8">信息公开目录</a>
<a href="javascript:;" onclick="window.open('/gbk/search.jsp?key=年报&type=2')">政府信息公开工作年度报告</a>
</body></html>`
	const utf8Page = `<html><head><meta charset="utf-8"><title>信息公开</title></head><body>
<a href="/utf8/search.jsp?key=年报&amp;type=1">政府信息公开年报</a>
</body></html>`
	gbk := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	nianbaoGBK, nianbaoUTF8 := url.QueryEscape(gbk("年报")), url.QueryEscape("年报")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gbk.html":
			w.Header().Set("Content-Type", "text/html") // no charset: the meta says it
			io.WriteString(w, gbk(gbkPage))
		case "/utf8.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, utf8Page)
		case "/gbk/search.jsp", "/gbk/list.jsp":
			if !strings.Contains(r.URL.RawQuery, nianbaoGBK) {
				http.NotFound(w, r) // the program reads GBK bytes: anything else finds nothing
			}
		case "/utf8/search.jsp":
			if !strings.Contains(r.URL.RawQuery, nianbaoUTF8) {
				http.NotFound(w, r)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dec, err := decode.New()
	if err != nil {
		t.Fatal(err)
	}
	for page, want := range map[string]int{"/gbk.html": 3, "/utf8.html": 1} {
		links := fetchLinks(t, dec, srv.URL+page)
		if len(links) != want {
			t.Fatalf("%s: %d links, want %d: %v", page, len(links), want, links)
		}
		for _, l := range links {
			u, ok := crawler.FetchForm(l.URL)
			if !ok {
				t.Fatalf("%s: no fetch form", l.URL)
			}
			if c1, _ := crawler.Canonical(u); c1 != mustCanonical(t, l.URL) || !strings.Contains(c1, "%") {
				t.Errorf("%s: canonical %s changes the query's bytes", l.URL, c1)
			}
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s (from %s) answered %d: not the spelling the server reads", u, page, resp.StatusCode)
			}
		}
	}
}

// fetchLinks fetches a page and reads its links as the crawler does: the body
// decoded by the project's decoder, the Doc told the encoding.
func fetchLinks(t *testing.T, dec *decode.Decoder, at string) []discover.Link {
	t.Helper()
	resp, err := http.Get(at)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	d := dec.Bytes(body, resp.Header.Get("Content-Type"), true)
	base, _ := url.Parse(at)
	return discover.Find(&discover.Doc{URL: base, Text: d.Text, Kind: discover.Page, Charset: d.Encoding}, discover.Default())
}

func mustCanonical(t *testing.T, raw string) string {
	t.Helper()
	c, ok := crawler.Canonical(raw)
	if !ok {
		t.Fatalf("%s: no canonical form", raw)
	}
	return c
}
