package discover

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// linksOf runs some extractors over a page and lists its links as strings.
func linksOf(t *testing.T, page, at string, kind Kind, xs ...Extractor) []string {
	t.Helper()
	base, err := url.Parse(at)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range Find(&Doc{URL: base, Text: page, Kind: kind}, xs) {
		out = append(out, withWeak(l))
	}
	slices.Sort(out)
	return out
}

// withWeak describes a link, marking a weak candidate.
func withWeak(l Link) string {
	if l.Weak {
		return l.String() + " weak"
	}
	return l.String()
}

// A service named in markup on a platform no dialect knows: asked with its
// parameters as its query, as a list answer, with its page as Referer; one
// whose parameters the page computes is not asked.
func TestAttrsServiceOfAnUnknownPlatform(t *testing.T) {
	const at = "http://www.a.gov.cn/xxgk/nb/index.html"
	page := `<div class="list" url="/front/content/list.do?siteId=7" data-params="{channelId: 1203, pageSize: 20, type: 'nb', filter: {year: 2023}}"></div>
<div class="list" url="/front/content/other.do" data-params="{channelId: getChannel()}"></div>
<div class="more" url="/xxgk/nb/more.html">信息公开年报</div>`
	got := linksOf(t, page, at, Page, Attrs{})
	want := []string{
		"api GET http://www.a.gov.cn/front/content/list.do?siteId=7&channelId=1203&filter=%7B%22year%22%3A2023%7D&pageSize=20&type=nb referer=" + at,
		"page GET http://www.a.gov.cn/xxgk/nb/more.html",
	}
	if !slices.Equal(got, want) {
		t.Errorf("links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A dialect that judges an element's service keeps the generic reader off it.
func TestAttrsLeaveAJudgedServiceToItsDialect(t *testing.T) {
	base, _ := url.Parse("http://www.a.gov.cn/col/index.html")
	d := &Doc{URL: base, Kind: Page, Text: `<script url="/unit/build" queryData="{'webId':'1','pageId':'2'}"></script>`}
	d.judge("/unit/build")
	if links := Find(d, []Extractor{Attrs{}}); len(links) != 0 {
		t.Errorf("a judged service asked again: %v", links)
	}
}

// Handlers: what a click does, read by partial evaluation of the page's
// functions (declared, assigned, arrow; chains of them; locals, globals,
// encodeURIComponent), never what the page computes at run time.
func TestHandlersPartialEvaluation(t *testing.T) {
	const at = "http://www.a.gov.cn/xxgk/nb/index.html"
	for _, c := range []struct {
		name, page string
		kind       Kind
		want       []string
	}{
		{"arrow function", `<script>const show = (id) => { location.href = '/xxgk/nb/' + id + '.html' }</script>
<a href="#" onclick="show('t1'); return false">某县2023年政府信息公开工作年度报告</a>`, Page,
			[]string{"report GET http://www.a.gov.cn/xxgk/nb/t1.html"}},
		{"function assigned to a name", `<script>var openNb = function (y) { window.open('/xxgk/nb' + y + '/index.html', '_blank') }</script>
<a href="javascript:openNb(2023)">2023年</a>`, Page,
			[]string{"page GET http://www.a.gov.cn/xxgk/nb2023/index.html"}},
		{"chain of page functions", `<script>
function detail(col, id) { go(prefix(col) + id + '.html'); }
function prefix(c) { return '/never/'; }
function go(u) { top.location.replace(u); }
</script><a onclick="detail('nb', 't2')">某县2022年政府信息公开工作年度报告</a>`, Page,
			nil}, // prefix() returns, and returns are not read: nothing is guessed
		{"chain with a local and a global", `<script>
var root = '/xxgk';
function detail(col, id) { var u = root + '/' + col + '/' + id + '.html'; go(u); }
function go(u) { top.location.replace(u); }
</script><span onclick="detail('nb', 't2')">某县2022年政府信息公开工作年度报告</span>`, Page,
			[]string{"report GET http://www.a.gov.cn/xxgk/nb/t2.html"}},
		{"viewer opened on a report page", `<button onclick="window.open('/pdfjs/web/viewer.html?file=' + encodeURIComponent('/upload/nb 2023.pdf'))">预览</button>`, Report,
			[]string{"attachment GET http://www.a.gov.cn/upload/nb%202023.pdf"}},
		{"a value of the click is not read", `<a onclick="location.href='/xxgk/nb/d.html?id=' + this.id">某县2021年政府信息公开工作年度报告</a>
<script>var cur; function pick(r) { cur = r.id } function open2() { location.href = '/xxgk/nb/d.html?id=' + cur }</script>
<a onclick="open2()">某县2020年政府信息公开工作年度报告</a><a onclick="show()">某县2019年政府信息公开工作年度报告</a>
<script>function show(id) { location.href = '/xxgk/nb/' + id + '.html' }</script>`, Page,
			nil},
		{"recursion is bounded", `<script>function a(x) { a(x); location.href = '/xxgk/' + x + '/'; }</script>
<a onclick="a('nb')">信息公开年报</a>`, Page,
			[]string{"page GET http://www.a.gov.cn/xxgk/nb/"}},
		{"a call in a script with literals", `<script>function nb(id) { location.href = '/xxgk/nb/' + id + '.html' } nb('t2023');</script>`, Page,
			[]string{"page GET http://www.a.gov.cn/xxgk/nb/t2023.html"}},
		{"template literal", "<script>var dir = 'nb'; function view(id) { window.open(`/xxgk/${dir}/t${id}.html`, '_blank') }</script>" +
			`<a onclick="view(2023)">某县2023年政府信息公开工作年度报告</a>`, Page,
			[]string{"report GET http://www.a.gov.cn/xxgk/nb/t2023.html"}},
		{"a popup's object argument", `<a href="javascript:;" onclick="layer.open({type: 2, title: '年报', content: '/xxgk/nb/t2022.html'})">某县2022年政府信息公开工作年度报告</a>`, Page,
			[]string{"report GET http://www.a.gov.cn/xxgk/nb/t2022.html"}},
		{"navigate", `<script>function go(y) { window.navigate('/xxgk/nb/t' + y + '.html') }</script><a onclick="go(2021)">某县2021年政府信息公开工作年度报告</a>`, Page,
			[]string{"report GET http://www.a.gov.cn/xxgk/nb/t2021.html"}},
		{"the clicked element's attributes", `<script>function openDetail(id) { location.href = '/xxgk/nb/d.html?id=' + id }</script>
<li data-id="8871" onclick="openDetail($(this).attr('data-id'))">某县2023年政府信息公开工作年度报告</li>
<li data-doc-id="8870" onclick="window.open('/xxgk/nb/d.html?id=' + this.dataset.docId)">某县2022年政府信息公开工作年度报告</li>
<li id="8869" onclick="location.href = '/xxgk/nb/d.html?id=' + this.id">某县2021年政府信息公开工作年度报告</li>
<li onclick="openDetail(this.getAttribute('data-id'))">某县2020年政府信息公开工作年度报告</li>`, Page,
			[]string{
				"report GET http://www.a.gov.cn/xxgk/nb/d.html?id=8869",
				"report GET http://www.a.gov.cn/xxgk/nb/d.html?id=8870",
				"report GET http://www.a.gov.cn/xxgk/nb/d.html?id=8871",
			}}, // the last row has no data-id: no address
		{"handlers a script binds", `<ul class="list"><li data-id="8871"><span>某县2023年政府信息公开工作年度报告</span></li>
<li data-id="8870" title="某县2022年政府信息公开工作年度报告">某县2022年政府信息…</li><li class="more" id="m1">更多</li></ul>
<script>$(function () {
  $('.list li').click(function () { window.open('/xxgk/nb/detail.html?id=' + $(this).data('id'), '_blank'); });
  $('.more').on('click', function () { location.href = '/xxgk/nb/more.html?from=' + this.id; });
  document.querySelector('.list').addEventListener('click', function (e) { location.href = '/x?y=' + e.target.id; });
});</script>`, Page,
			[]string{
				"report GET http://www.a.gov.cn/xxgk/nb/detail.html?id=8870",
				"report GET http://www.a.gov.cn/xxgk/nb/detail.html?id=8871",
			}}, // an id (on every element that has one) or the event's target names no link
		{"a distractor is only a weak candidate", `<a href="javascript:void(0)" onclick="window.open('/xxgk/fz/t9.html')">某县2023年法治政府建设年度报告</a>`, Page,
			[]string{"page GET http://www.a.gov.cn/xxgk/fz/t9.html weak"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := linksOf(t, c.page, at, c.kind, Handlers{})
			if !slices.Equal(got, c.want) {
				t.Errorf("links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// A page with many handlers and functions that call each other stays within
// its budget of followed calls.
func TestHandlersBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("<script>")
	for i := range 8 {
		b.WriteString("function f" + string(rune('a'+i)) + "(x) {")
		for j := range 8 {
			b.WriteString(" f" + string(rune('a'+j)) + "(x);")
		}
		b.WriteString(" location.href = '/xxgk/' + x + '/'; }\n")
	}
	b.WriteString("</script>")
	for range 50 {
		b.WriteString(`<a onclick="fa('nb')">信息公开</a>`)
	}
	base, _ := url.Parse("http://www.a.gov.cn/")
	p := newProgram((&Doc{URL: base, Text: b.String()}).Scripts())
	for range 50 {
		p.clicks("fa('nb')")
	}
	if p.calls > maxCalls {
		t.Errorf("%d calls followed, over the budget of %d", p.calls, maxCalls)
	}
	if got := linksOf(t, b.String(), "http://www.a.gov.cn/", Page, Handlers{}); !slices.Equal(got, []string{"page GET http://www.a.gov.cn/xxgk/nb/"}) {
		t.Errorf("links: %v", got)
	}
}

// The query of a link is written in the page's encoding, as a browser does;
// its path in UTF-8; what is escaped already, as it is.
func TestEncodeQuery(t *testing.T) {
	for _, c := range []struct{ q, charset, want string }{
		{"key=年报&type=1", "gb18030", "key=%C4%EA%B1%A8&type=1"},
		{"key=年报", "GBK", "key=%C4%EA%B1%A8"},
		{"key=年报", "gb2312", "key=%C4%EA%B1%A8"},
		{"key=年報", "big5", "key=%A6%7E%B3%F8"},
		{"key=年报", "utf-8", "key=年报"},
		{"key=年报", "", "key=年报"},
		{"key=年报", "utf-16le", "key=年报"}, // a UTF-16 page sends UTF-8
		{"key=%C4%EA", "gb18030", "key=%C4%EA"},
		{"key=\uFFFD", "gbk", "key=%26%2365533%3B"}, // bytes the decoding could not read: sent as a browser sends them
		{"key=😀", "big5", "key=%26%23128512%3B"},    // not in Big5: its numeric reference
	} {
		if got := encodeQuery(c.q, c.charset); got != c.want {
			t.Errorf("encodeQuery(%q, %q) = %q, want %q", c.q, c.charset, got, c.want)
		}
	}
	base, _ := url.Parse("http://www.a.gov.cn/xxgk/")
	d := &Doc{URL: base, Charset: "gb18030", Kind: Page, Text: `<a href="/年报/search.jsp?key=年报">政府信息公开年报</a>`}
	links := Find(d, []Extractor{Markup{}})
	if len(links) != 1 || links[0].URL != "http://www.a.gov.cn/%E5%B9%B4%E6%8A%A5/search.jsp?key=%C4%EA%B1%A8" {
		t.Errorf("links %v: the path in UTF-8 and the query in GBK wanted", links)
	}
}

// looksLikeURL tells links from the other values attributes hold.
func TestLooksLikeURL(t *testing.T) {
	for v, want := range map[string]bool{
		"/":                   false, // a calculator's key
		"7":                   false,
		"./":                  false,
		"请输入关键字":              false,
		"#top":                false,
		"/xxgk/nb/":           true,
		"http://fgj.a.gov.cn": true,
		"P020240101.pdf":      true,
		"2024/t1.html":        true,
		"photo.jpg":           false,
		"/upload/a.png":       false,
		"{'a':1}":             false,
		"javascript:;":        false,
	} {
		if got := looksLikeURL(v); got != want {
			t.Errorf("looksLikeURL(%q) = %v, want %v", v, got, want)
		}
	}
}

// BenchmarkGenericReaders reads large report pages (Word-exported markup, 400
// table rows, scripts), one whose rows carry inline handlers and one whose
// rows carry none, with the registry and with the registry less the attribute
// and handler readers, side by side.
func BenchmarkGenericReaders(b *testing.B) {
	base, _ := url.Parse("http://www.a.gov.cn/xxgk/nb/t1.html")
	without := slices.DeleteFunc(Default(), func(x Extractor) bool { return x.Name() == "attrs" || x.Name() == "handlers" })
	for _, rows := range []string{"handlers", "plain"} {
		var page strings.Builder
		page.WriteString(`<html><head><title>某县2023年政府信息公开工作年度报告</title><script>var root = '/xxgk'; function openDetail(id) { location.href = root + '/d.html?id=' + id }</script></head><body><table>`)
		for i := range 400 {
			handler := ""
			if rows == "handlers" {
				handler = fmt.Sprintf(` onclick="openDetail('%d')"`, i)
			}
			fmt.Fprintf(&page, `<tr style="height:20px" data-id="%d"%s><td style="border:solid windowtext 1.0pt"><p class="MsoNormal"><span style="font-family:仿宋">第%d行</span></p></td><td>%d</td></tr>`, i, handler, i, i)
		}
		page.WriteString(`</table><a href="/upload/nb.pdf">附件</a></body></html>`)
		for _, c := range []struct {
			name string
			xs   []Extractor
		}{{"registry", Default()}, {"without-generic", without}} {
			b.Run(rows+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Find(&Doc{URL: base, Text: page.String(), Kind: Report}, c.xs)
				}
			})
		}
	}
}

// FuzzGenericReaders feeds the attribute and handler readers and the answer
// reader arbitrary markup and scripts: they must not panic, and every link
// they give is an http(s) URL.
func FuzzGenericReaders(f *testing.F) {
	for _, name := range []string{"generic_handlers.html", "generic_service.html", "generic_report.html", "generic_base.html", "generic_nested_answer.js"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("<a onclick=\"f(`${a}${`x${b}`}`)\">年报</a><script>function f(x){location.href=`/${x}`}</script>")
	f.Add(`<div url="/x.do" queryData="{a:{b:[1,{c:2}]}}"></div><base href="javascript:x">`)
	base, _ := url.Parse("http://www.a.gov.cn/xxgk/nb/index.html")
	f.Fuzz(func(t *testing.T, page string) {
		for _, kind := range []Kind{Page, Report} {
			for _, l := range Find(&Doc{URL: base, Text: page, Kind: kind, Charset: "gb18030"}, []Extractor{Attrs{}, Handlers{}}) {
				if !strings.HasPrefix(l.URL, "http://") && !strings.HasPrefix(l.URL, "https://") {
					t.Errorf("link %q", l.URL)
				}
			}
		}
		for _, l := range AnswerTo(page, base, callsHint+`{"page":"http://www.a.gov.cn/","calls":[{"fn":"f","args":["1",2]}]}`) {
			if !strings.HasPrefix(l.URL, "http") {
				t.Errorf("link %q", l.URL)
			}
		}
		AnswerTo(page, base, "")
	})
}

// A name defined by itself is computed by the page (html = html + '<li>…'),
// and one evaluation's work is bounded: names that double at each step
// (a1 = a0 + a0, a2 = a1 + a1, …) are not unfolded 2^n times.
func TestEvalBounds(t *testing.T) {
	s := parseScript(`var html = ''; html = html + '<li>' + html + '</li>'; var a = a + a;`)
	for _, name := range []string{"html", "a"} {
		if v := s.Eval(s.Vars[name]); v != (unknown{}) {
			t.Errorf("%s = %v, want unknown", name, v)
		}
		if s.steps > 50 {
			t.Errorf("%s: %d steps to find a name defined by itself", name, s.steps)
		}
	}
	var b strings.Builder
	b.WriteString("var a0 = 'x';\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "var a%d = a%d + a%d + a%d + a%d;\n", i, i-1, i-1, i-1, i-1)
	}
	s = parseScript(b.String())
	s.Eval(s.Vars["a40"])
	if s.steps > 2*maxEvalSteps {
		t.Errorf("%d steps for one evaluation, over the bound of %d", s.steps, maxEvalSteps)
	}
	if v := s.Eval(s.Vars["a2"]); v != strings.Repeat("x", 16) {
		t.Errorf("a2 = %v, want 16 x", v)
	}
}

// pagedDialect stands for a platform's reader that asks a list endpoint in
// its own way (with its paging).
type pagedDialect struct{}

func (pagedDialect) Name() string { return "paged" }
func (pagedDialect) Links(d *Doc, emit func(Link)) {
	emit(Link{URL: "/front/list.do?channelId=1203&pageNo=1&pageSize=20", Kind: API})
}

// A generic reader does not ask an endpoint an earlier reader asks already,
// in another spelling; another endpoint it asks.
func TestGenericReadersLeaveAnAskedEndpoint(t *testing.T) {
	page := `<div url="/front/list.do" data-params="{channelId: 1203}"></div><div url="/front/other.do" data-params="{channelId: 1203}"></div>
<script>$.get('/front/list.do', {channelId: 1203}); $.get('/front/more.do', {channelId: 1203});</script>`
	got := linksOf(t, page, "http://www.a.gov.cn/xxgk/", Page, pagedDialect{}, Attrs{}, Requests{})
	want := []string{
		"api GET http://www.a.gov.cn/front/list.do?channelId=1203&pageNo=1&pageSize=20",
		"api GET http://www.a.gov.cn/front/more.do?channelId=1203 referer=http://www.a.gov.cn/xxgk/",
		"api GET http://www.a.gov.cn/front/other.do?channelId=1203 referer=http://www.a.gov.cn/xxgk/",
	}
	if !slices.Equal(got, want) {
		t.Errorf("links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The request forms scripts load lists with, read when their values are
// literals of the page.
func TestRequestForms(t *testing.T) {
	const at = "http://www.a.gov.cn/xxgk/nb/index.html"
	ref := " referer=" + at
	for _, c := range []struct{ name, script, want string }{
		{"fetch post", `fetch('/api/list', {method: 'POST', body: JSON.stringify({col: 'nb', page: 1})}).then(r => r.json())`,
			"api POST http://www.a.gov.cn/api/list body={\"col\":\"nb\",\"page\":1}" + ref + " hint=request={\"col\":\"nb\",\"page\":1}"},
		{"fetch get", "fetch(`/api/list?col=${'nb'}`)", "api GET http://www.a.gov.cn/api/list?col=nb" + ref},
		{"axios get with params", `axios.get('/api/list', {params: {col: 'nb', page: 1}})`, "api GET http://www.a.gov.cn/api/list?col=nb&page=1" + ref},
		{"axios post", `axios.post('/api/list', {col: 'nb'})`, "api POST http://www.a.gov.cn/api/list body={\"col\":\"nb\"}" + ref + " hint=request={\"col\":\"nb\"}"},
		{"load with a selector", `$('#list').load('/xxgk/nb/list.jsp?col=3 #content li')`, "api GET http://www.a.gov.cn/xxgk/nb/list.jsp?col=3" + ref},
		{"getJSON", `$.getJSON('/api/list.json', {col: 'nb'}, function (d) {})`, "api GET http://www.a.gov.cn/api/list.json?col=nb" + ref},
		{"ajax with a URL first", `$.ajax('/api/list', {type: 'POST', data: {col: 'nb'}})`, "api POST http://www.a.gov.cn/api/list body=col=nb" + ref + " hint=request=col=nb"},
		{"a computed value", `$.post('/api/list', {col: location.hash.substring(1)})`, ""},
		{"a login", `$.post('/api/login', {user: 'a'})`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := linksOf(t, "<script>"+c.script+"</script>", at, Page, Requests{})
			if want := []string{c.want}; c.want == "" && len(got) != 0 || c.want != "" && !slices.Equal(got, want) {
				t.Errorf("links %v, want %q", got, c.want)
			}
		})
	}
}

// A list answer whose request asked its first page, in its query or its
// posted body, asks the later pages the answer tells of (a page count, or a
// total over the page size), 0- or 1-based as the request counts.
func TestRequestPages(t *testing.T) {
	for _, c := range []struct {
		name, at, hint, answer string
		want                   []string
	}{
		{"query, total over the size", "http://www.a.gov.cn/api/list?col=nb&pageNo=1&pageSize=10", "", `{"total": 35, "list": []}`, []string{
			"api GET http://www.a.gov.cn/api/list?col=nb&pageNo=2&pageSize=10",
			"api GET http://www.a.gov.cn/api/list?col=nb&pageNo=3&pageSize=10",
			"api GET http://www.a.gov.cn/api/list?col=nb&pageNo=4&pageSize=10",
		}},
		{"posted JSON, 0-based, a count inside data", "http://www.a.gov.cn/api/list", requestHint + `{"col":"nb","pageIndex":0}`, `{"data": {"pageCount": 3, "rows": []}}`, []string{
			`api POST http://www.a.gov.cn/api/list body={"col":"nb","pageIndex":1} hint=request={"col":"nb","pageIndex":1}`,
			`api POST http://www.a.gov.cn/api/list body={"col":"nb","pageIndex":2} hint=request={"col":"nb","pageIndex":2}`,
		}},
		{"posted form, total inside result", "http://www.a.gov.cn/api/list", requestHint + "col=nb&page=1&rows=20", `{"result": {"totalCount": 41}}`, []string{
			"api POST http://www.a.gov.cn/api/list body=col=nb&page=2&rows=20 hint=request=col=nb&page=2&rows=20",
			"api POST http://www.a.gov.cn/api/list body=col=nb&page=3&rows=20 hint=request=col=nb&page=3&rows=20",
		}},
		{"a later page asks nothing", "http://www.a.gov.cn/api/list?pageNo=2&pageSize=10", "", `{"total": 35}`, nil},
		{"no figures, no pages", "http://www.a.gov.cn/api/list?pageNo=1", "", `{"list": []}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, _ := url.Parse(c.at)
			var got []string
			for _, l := range AnswerTo(c.answer, base, c.hint) {
				got = append(got, l.String())
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
