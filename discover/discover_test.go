package discover

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "write the golden files from what the extractors find")

var headRe = regexp.MustCompile(`^<!-- url: (\S+) kind: (\w+)(?: hint: (\S+))? -->`)

// answers are the fixtures of list endpoints: their URLs, as requested.
var answers = map[string]string{
	"hanweb_answer.xml":  "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=355&path=/&columnid=59960&unitid=745545",
	"hanweb_jsonp.js":    "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15",
	"gkmlpt_api.json":    "http://www.sz.gov.cn/yjzjj/gkmlpt/api/all/721?page=1&sid=662021",
	"hanweb_datacall.js": "http://www.jiangning.gov.cn/jact/front/datacall/showJsContent.do?iid=5761&webid=41",
	"jslist_search.json": "http://www.gl.gov.cn/igs/front/search/list.html?index=gl-document&type=gknb&pageNumber=1",

	"generic_nested_answer.js": "http://www.example.gov.cn/front/content/list.do?callback=jQuery1124038&channelId=1203&pageNo=1",

	"vendor_epoint_script.js":    "http://www.example.gov.cn/js/webbuildercommon.js?categorynum=003007002&deptcode=",
	"vendor_epoint_answer.json":  "http://www.example.gov.cn/EWB-FRONT/rest/lightfrontaction/getgovinfolist",
	"vendor_epoint_ownsize.json": "https://www.example.gov.cn/EpointWebBuilder/rest/lightfrontaction/getgovinfolist",
	"vendor_epoint_revisit.json": "http://www.example.gov.cn/EWB-FRONT/rest/lightfrontaction/getgovinfolist",
	"vendor_epoint_bare.json":    "http://www.example.gov.cn/EWB_Mid/rest/lightfrontaction/getgovinfolist",
	"vendor_epoint_wrapped.json": "http://www.example.gov.cn/EWB_Mid/rest/lightfrontaction/getgovinfolist",
	"vendor_jpaas_answer.json":   "https://fgw.example.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?editType=null&pageId=1230417265&pageNo=1&pageSize=15&pageType=column&paramJson=%7B%22pageNo%22%3A1%2C%22pageSize%22%3A%2215%22%7D&tagId=list&tplSetId=8KtWqL2mPz4RvXc7NbY3d&webId=4271",
	"vendor_truecms_answer.js":   "https://www.example.gov.cn/TrueCMS/messageController/getMessage.do?callback=cb&columnId=a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d&contentTemplate=&endrecord=3&perpage=3&startrecord=1",
	"vendor_truecms_empty.json":  "https://www.example.gov.cn/truecms/messageController/getMessage.do?columnId=3f9a2c1e-7b4d-4e8a-9c0f-5d6e7a8b9c01&endrecord=30&perpage=10&startrecord=1",
	"vendor_xxgk_search.html":    "https://www.example.gov.cn/module/xxgk/search.jsp?area=11220100MB0000000X&currpage=1&divid=div4&infotypeId=A07&standardXxgk=1",
}

// hints are the hints of the links that asked for answer fixtures: an Epoint
// list carries the JSON it posted.
var hints = map[string]string{
	"vendor_epoint_answer.json":  `epoint={"categorynum":"003007002","deptcode":"","pageIndex":1,"pageSize":3,"siteGuid":"b3c0a6e2-41f7-4d2a-9e85-0c7d2f1a6b90"}`,
	"vendor_epoint_ownsize.json": `epoint={"categorynum":"003001003","deptcode":"320300015","pageIndex":0,"pageSize":20,"siteGuid":"7d1f3c52-9a0e-4b7d-8c21-5e6f0a9b3d44"}`,
	"vendor_epoint_bare.json":    `epoint={"categorynum":"001001003","deptcode":"","pageIndex":0,"pageSize":2,"siteGuid":"c4d5e6f7-0a1b-4c2d-9e3f-405162738495"}`,
	"vendor_epoint_wrapped.json": `epoint={"params":{"categorynum":"001001003","deptcode":"","pageIndex":"0","pageSize":2,"siteGuid":"c4d5e6f7-0a1b-4c2d-9e3f-405162738495"}}`,
}

// TestGolden runs every extractor over the page fixtures (written from the
// real shapes in PORTALS.md) and the answer fixtures, and compares the links
// with NAME.golden, read by hand.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		n++
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var links []Link
			if raw, ok := answers[name]; ok {
				base, _ := url.Parse(raw)
				links = AnswerTo(string(b), base, hints[name])
			} else {
				m := headRe.FindStringSubmatch(string(b))
				if m == nil {
					t.Fatalf("%s: no <!-- url: … kind: … --> line", name)
				}
				base, _ := url.Parse(m[1])
				links = Find(&Doc{URL: base, Text: string(b), Kind: Kind(m[2]), Hint: m[3]}, Default())
			}
			var got []string
			for _, l := range links {
				got = append(got, l.String())
			}
			slices.Sort(got)
			golden := strings.TrimSuffix(f, filepath.Ext(f)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update, then read the file by hand)", err)
			}
			if g, w := strings.Join(got, "\n")+"\n", string(want); g != w {
				t.Errorf("links differ from %s:\ngot:\n%s\nwant:\n%s", golden, g, w)
			}
		})
	}
	if n == 0 {
		t.Fatal("no fixtures")
	}
}

func TestSentTo(t *testing.T) {
	base, _ := url.Parse("http://www.a.gov.cn/nb/t1.html")
	long := strings.Repeat("<p>二、主动公开政府信息情况。本年新制作规范性文件十件。</p>", 20)
	for page, want := range map[string]string{
		`<meta http-equiv="refresh" content="0;URL=/xxgk/nb/t1.html">`:                                        "http://www.a.gov.cn/xxgk/nb/t1.html",
		`<META HTTP-EQUIV="Refresh" CONTENT="2; url='t2.html'">`:                                              "http://www.a.gov.cn/nb/t2.html",
		`<script>window.location.replace("/x/t1.shtml")</script>`:                                             "http://www.a.gov.cn/x/t1.shtml",
		`<script>location.href = '../new/t1.html';</script><body>正在跳转</body>`:                                 "http://www.a.gov.cn/new/t1.html",
		`<meta http-equiv="refresh" content="0;URL=../">`:                                                     "", // a deleted report sent to its list
		`<meta http-equiv="refresh" content="0;URL=./index.html">`:                                            "",
		`<meta http-equiv="refresh" content="30;URL=/x/t1.html">`:                                             "", // a page that refreshes later is a page
		`<script>location.replace("/x/a.html")</script><meta http-equiv="refresh" content="0;URL=/x/b.html">`: "",
		`<body>` + long + `<script>location.href="/x/t1.html"</script></body>`:                                "", // a report with a redirect in its script
	} {
		got, ok := SentTo(page, base)
		if got != want || ok != (want != "") {
			t.Errorf("SentTo(%.60q) = %q, %v; want %q", page, got, ok, want)
		}
	}
}

// A gkmlpt post page carries its report in _CONFIG.DETAIL with a mobile
// redirect beside it: it is the report, not a move.
func TestSentToKeepsScriptCarriedReports(t *testing.T) {
	base, _ := url.Parse("http://www.a.gov.cn/gkmlpt/content/9/9103/post_9103540.html")
	page := `<script>window._CONFIG = {DETAIL: {content: "\u003Cp\u003E一、总体情况\u003C/p\u003E"}}; if (/iPhone/.test(navigator.userAgent)) { location.href = "/gkmlpt/content/9/9103/mpost_9103540.html" }</script>`
	if got, ok := SentTo(page, base); ok {
		t.Errorf("a gkmlpt post page taken for a move to %s", got)
	}
}

// A list that cuts a report's title short to as many characters as its title
// attribute has still names the report, by the attribute.
func TestTruncatedTitleNamesTheReport(t *testing.T) {
	base, _ := url.Parse("http://www.example.gov.cn/xxgk/ndbg/")
	page := `<html><body><ul><li><a href="t20240115_1.html" title="某县2023年政府信息公开工作年度报告">某县2023年政府信息公开工作年度报…</a></li></ul></body></html>`
	var kinds []Kind
	for _, l := range Find(&Doc{URL: base, Text: page, Kind: Page}, Default()) {
		if strings.HasSuffix(l.URL, "t20240115_1.html") {
			kinds = append(kinds, l.Kind)
		}
	}
	if len(kinds) != 1 || kinds[0] != Report {
		t.Fatalf("the truncated report link is proposed as %v, want a report", kinds)
	}
}
