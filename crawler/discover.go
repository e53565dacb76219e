package crawler

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/extract"
)

// Kinds of queued requests.
const (
	KindPage       = "page"       // a page to read for links: home, portal, column, list
	KindReport     = "report"     // a page that should be a report
	KindAttachment = "attachment" // a report's file
	KindAPI        = "api"        // a JSON or XML list
)

// link is a request discovery proposes.
type link struct {
	URL    string
	Kind   string
	Anchor string
	Method string
	Body   string // form body for POST
}

var (
	attachRe      = regexp.MustCompile(`(?i)\.(pdf|docx?|wps|xlsx?|et|zip|rar|ofd)(\?|$)|downfile\.jsp`)
	columnURLRe   = regexp.MustCompile(`(?i)(zfxxgk|xxgk|gknb|ndbg|nianbao|annualreport|opennessannualreport|/col/col\d+|/content/column/|/pub/gknb|zfxxgknb|bmxxgknb|xzjd|/kfq/|gkml|index_\d+\.html|page_\d+\.html|pageindex=)`)
	columnTextRe  = regexp.MustCompile(`信息公开|政务公开|公开目录|公开年报|年报|年度报告`)
	orgTextRe     = regexp.MustCompile(`(局|委员会|委|办公室|政府|管委会|管理委员会|街道|镇|乡|中心)$`)
	skipTextRe    = regexp.MustCompile(`新闻|互动|留言|信箱|登录|注册|无障碍|English|收藏|搜索|日历|天气`)
	createPageRe  = regexp.MustCompile(`createPageHTML\(\s*(?:['"]\w+['"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]`)
	locReplaceRe  = regexp.MustCompile(`location\.(?:replace|href)\s*[=(]\s*["']([^"']+)["']`)
	dataListRe    = regexp.MustCompile(`(?s)var\s+dataList\s*=\s*(\[.*?\]);`)
	paginationRe  = regexp.MustCompile(`Ls\.pagination\([^{]*\{\s*total:\s*(\d+),\s*pageSize:\s*(\d+),\s*pageIndex:\s*(\d+),\s*url:\s*"([^"]+)"`)
	datastoreRe   = regexp.MustCompile(`(?s)<datastore>.*?</datastore>`)
	cdataHrefRe   = regexp.MustCompile(`href="([^"]+)"[^>]*>([^<]*)</a>`)
	jpageRe       = regexp.MustCompile(`perPage:(\d+),totalRecord:(\d+),proxyUrl:"([^"]+)".*?ajaxParam:\{([^}]*)\}`)
	gkConfigRe    = regexp.MustCompile(`window\._CONFIG=\{SID:'(\d+)', TREE:(\[.*?\])`)
	yearDirTextRe = regexp.MustCompile(`(19|20)\d\d年`)
)

// discover finds the links worth following on a fetched page. text is the page
// decoded; base is its final URL.
func discover(text string, base *url.URL, kind string) []link {
	var out []link
	add := func(raw, k, anchor, method, body string) {
		u, err := base.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return
		}
		if strings.HasPrefix(u.Path, "/gkmlpt/") && !strings.HasPrefix(u.Path, "/gkmlpt/content/") && !strings.HasPrefix(u.Path, "/gkmlpt/api/") {
			u.Path, u.RawQuery, u.Fragment = "/gkmlpt/index", "", "" // the shell's content comes from the index's config
			k = KindPage
		}
		if method == "" {
			method = "GET"
		}
		out = append(out, link{URL: u.String(), Kind: k, Anchor: anchor, Method: method, Body: body})
	}

	// Script-built lists and paging.
	if m := createPageRe.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		for i := 0; i < min(n, 200); i++ {
			name := m[3] + "." + m[4]
			if i > 0 {
				name = fmt.Sprintf("%s_%d.%s", m[3], i, m[4])
			}
			add(name, KindPage, "", "", "")
		}
	}
	for _, m := range locReplaceRe.FindAllStringSubmatch(text, -1) {
		add(m[1], KindPage, "", "", "")
	}
	if m := dataListRe.FindStringSubmatch(text); m != nil {
		var items []struct {
			Title string `json:"title"`
			URL   string `json:"url"`
		}
		if json.Unmarshal([]byte(m[1]), &items) == nil {
			for _, it := range items {
				add(it.URL, reportOrPage(it.Title), it.Title, "", "")
			}
		}
	}
	if m := paginationRe.FindStringSubmatch(text); m != nil {
		total, _ := strconv.Atoi(m[1])
		size, _ := strconv.Atoi(m[2])
		if size > 0 {
			for p := 1; p <= min((total+size-1)/size, 200); p++ {
				add(strings.ReplaceAll(m[4], "{page}", strconv.Itoa(p)), KindPage, "", "", "")
			}
		}
	}
	for _, ds := range datastoreRe.FindAllString(text, -1) {
		for _, m := range cdataHrefRe.FindAllStringSubmatch(ds, -1) {
			add(html.UnescapeString(m[1]), reportOrPage(m[2]), m[2], "", "")
		}
	}
	if m := jpageRe.FindStringSubmatch(text); m != nil {
		per, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		shown := 0
		if ds := datastoreRe.FindString(text); ds != "" {
			shown = strings.Count(ds, "<record>")
		}
		form := url.Values{}
		for _, kv := range strings.Split(m[4], ",") {
			k, v, ok := strings.Cut(kv, ":")
			if ok {
				form.Set(strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`))
			}
		}
		for start := shown + 1; per > 0 && start <= total && start < 5000; start += per * 3 {
			end := min(total, start+per*3-1)
			add(fmt.Sprintf("%s?startrecord=%d&endrecord=%d&perpage=%d", m[3], start, end, per), KindAPI, "", "POST", form.Encode())
		}
	}
	if m := gkConfigRe.FindStringSubmatch(text); m != nil {
		var tree []struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		}
		if json.Unmarshal([]byte(m[2]), &tree) == nil {
			for _, n := range tree {
				if columnTextRe.MatchString(n.Name) {
					add(fmt.Sprintf("/gkmlpt/api/all/%d?page=1&sid=%s", n.ID, m[1]), KindAPI, n.Name, "", "")
				}
			}
		}
	}

	// Links in the markup.
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return out
	}
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 400 {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.A:
				href := attrOf(n, "href")
				anchor := strings.TrimSpace(textOfNode(n))
				if title := attrOf(n, "title"); len([]rune(title)) > len([]rune(anchor)) {
					anchor = title
				}
				if k := linkKind(href, anchor, kind); k != "" {
					add(href, k, anchor, "", "")
				}
			case atom.Iframe:
				src := attrOf(n, "src")
				if u, err := url.Parse(src); err == nil {
					if f := u.Query().Get("file"); f != "" && kind == KindReport {
						add(f, KindAttachment, "", "", "")
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(doc, 0)
	return out
}

func reportOrPage(anchor string) string {
	if extract.LooksLikeReportTitle(anchor) {
		return KindReport
	}
	return KindPage
}

// linkKind scores a link: report titles are reports, attachments of a report page
// are attachments, the way to the report columns is followed, the rest is not.
func linkKind(href, anchor, from string) string {
	h := strings.TrimSpace(strings.ToLower(href))
	if h == "" || strings.HasPrefix(h, "javascript:") || strings.HasPrefix(h, "mailto:") || strings.HasPrefix(h, "#") {
		return ""
	}
	switch {
	case attachRe.MatchString(h):
		if from == KindReport {
			return KindAttachment
		}
		return ""
	case extract.LooksLikeReportTitle(anchor):
		return KindReport
	case skipTextRe.MatchString(anchor):
		return ""
	case columnTextRe.MatchString(anchor) && !strings.Contains(anchor, "报表"):
		return KindPage
	case columnURLRe.MatchString(h) && (anchor == "" || !looksLikeDistractor(anchor)):
		return KindPage
	case yearDirTextRe.MatchString(anchor) && len([]rune(anchor)) <= 8:
		return KindPage
	case orgTextRe.MatchString(anchor) && len([]rune(anchor)) <= 30 && (from == KindPage):
		return KindPage // a department's or township's own site or tab
	}
	return ""
}

// looksLikeDistractor: a dated title that is not a report's.
func looksLikeDistractor(anchor string) bool {
	return yearDirTextRe.MatchString(anchor) && len([]rune(anchor)) > 8 && !extract.LooksLikeReportTitle(anchor)
}

// apiLinks reads a JSON or XML list (Hanweb dataproxy, gkmlpt API).
func apiLinks(body string, base *url.URL) []link {
	var out []link
	add := func(raw, kind, anchor string) {
		if u, err := base.Parse(strings.TrimSpace(raw)); err == nil {
			out = append(out, link{URL: u.String(), Kind: kind, Anchor: anchor, Method: "GET"})
		}
	}
	trim := strings.TrimSpace(body)
	switch {
	case strings.HasPrefix(trim, "raw(") || strings.HasPrefix(trim, "{") && strings.Contains(trim, `"records"`):
		js := strings.TrimSuffix(strings.TrimPrefix(trim, "raw("), ")")
		var v struct {
			Records []string `json:"records"`
		}
		if json.Unmarshal([]byte(js), &v) == nil {
			for _, r := range v.Records {
				for _, m := range cdataHrefRe.FindAllStringSubmatch(r, -1) {
					add(m[1], reportOrPage(m[2]), m[2])
				}
			}
		}
	case strings.HasPrefix(trim, "{"):
		var v struct {
			Classify struct {
				ID        int `json:"id"`
				PostCount int `json:"post_count"`
			} `json:"classify"`
			Articles []struct {
				Title       string `json:"title"`
				URL         string `json:"url"`
				Attachments []struct {
					Name string `json:"name"`
					URL  string `json:"url"`
				} `json:"attachments"`
			} `json:"articles"`
		}
		if json.Unmarshal([]byte(trim), &v) == nil {
			for _, a := range v.Articles {
				add(a.URL, reportOrPage(a.Title), a.Title)
				if extract.LooksLikeReportTitle(a.Title) {
					for _, at := range a.Attachments {
						add(at.URL, KindAttachment, at.Name)
					}
				}
			}
			q := base.Query()
			page, _ := strconv.Atoi(q.Get("page"))
			if page == 1 && len(v.Articles) > 0 {
				pages := (v.Classify.PostCount + len(v.Articles) - 1) / len(v.Articles)
				for p := 2; p <= min(pages, 200); p++ {
					q.Set("page", strconv.Itoa(p))
					u := *base
					u.RawQuery = q.Encode()
					out = append(out, link{URL: u.String(), Kind: KindAPI, Method: "GET"})
				}
			}
		}
	default: // Hanweb XML datastore
		for _, m := range cdataHrefRe.FindAllStringSubmatch(body, -1) {
			add(html.UnescapeString(m[1]), reportOrPage(m[2]), m[2])
		}
	}
	return out
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOfNode(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 50 {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(n, 0)
	return strings.Join(strings.Fields(b.String()), " ")
}
