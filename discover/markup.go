package discover

import (
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/extract"
)

var (
	attachRe      = regexp.MustCompile(`(?i)\.(pdf|docx?|wps|xlsx?|et|zip|rar|ofd)(\?|$)|downfile\.jsp`)
	columnURLRe   = regexp.MustCompile(`(?i)(zfxxgk|xxgk|gknb|ndbg|nianbao|annualreport|opennessannualreport|/col/col\d+|/content/column/|/pub/gknb|zfxxgknb|bmxxgknb|xzjd|/kfq/|gkml|index_\d+\.s?html?|page_\d+\.s?html?|pageindex=|branch_id=)`)
	columnTextRe  = regexp.MustCompile(`信息公开|政务公开|公开目录|公开年报|年报|年度报告`)
	orgTextRe     = regexp.MustCompile(`(局|委员会|委|办公室|政府|管委会|管理委员会|街道|镇|乡|中心|部门|乡镇|街镇)$`)
	skipTextRe    = regexp.MustCompile(`新闻|互动|留言|信箱|登录|注册|无障碍|English|收藏|搜索|日历|天气`)
	yearDirTextRe = regexp.MustCompile(`(19|20)\d\d年`)
	refreshURLRe  = regexp.MustCompile(`(?i)url\s*=\s*['"]?([^'";]+)`)
)

// Markup reads the links of the page's markup: anchors and image-map areas
// (kept when they lead to a report, an attachment of a report or the way to
// the report columns), frames and iframes (a PDF viewer's ?file= on a report
// page is its attachment), and a meta refresh.
type Markup struct{}

// Name is part of Extractor.
func (Markup) Name() string { return "markup" }

// Links is part of Extractor.
func (Markup) Links(d *Doc, emit func(Link)) {
	root := d.HTML()
	if root == nil {
		return
	}
	anchors(goquery.NewDocumentFromNode(root).Selection, d.Kind, emit)
}

// ScriptSrc reads the scripts a page loads whose source is not a file but
// content a server writes for the page: Hanweb columns that are 4 KB shells
// around <script src="/jact/front/datacall/showJsContent.do?iid=N">, lists
// written by document.write from a .jsp or .do. They are asked as list
// answers (Answer reads the markup in their strings); static scripts
// (*.js, whatever their query) are not.
type ScriptSrc struct{}

// Name is part of Extractor.
func (ScriptSrc) Name() string { return "scriptsrc" }

// Links is part of Extractor.
func (ScriptSrc) Links(d *Doc, emit func(Link)) {
	root := d.HTML()
	if root == nil || d.Kind == API {
		return
	}
	goquery.NewDocumentFromNode(root).Find("script[src]").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		if writtenScript(src) {
			emit(Link{URL: src, Kind: API, Referer: d.URL.String()})
		}
	})
}

// writtenScript: a script source that a server program writes with a list
// (a datacall path, or a query to a .do, .jsp, .php, .asp(x) or .action
// whose name speaks of content or lists), not a file, and never a visit
// counter or a statistics beacon, which a crawler must not set ticking.
func writtenScript(src string) bool {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil {
		return false
	}
	p := strings.ToLower(u.Path)
	if beaconRe.MatchString(path.Base(p)) {
		return false
	}
	if strings.Contains(p, "/datacall/") {
		return true
	}
	if u.RawQuery == "" || !listScriptRe.MatchString(path.Base(p)) {
		return false
	}
	switch path.Ext(p) {
	case ".do", ".jsp", ".php", ".asp", ".aspx", ".action":
		return true
	}
	return false
}

var (
	beaconRe     = regexp.MustCompile(`visit|count|stat|click|hits|track|analytic|beacon`)
	listScriptRe = regexp.MustCompile(`content|list|column|info|data|article|news`)
)

// anchors reads the links of a piece of markup (a page, or the HTML inside a
// datastore's CDATA).
func anchors(sel *goquery.Selection, from Kind, emit func(Link)) {
	linked := map[string]bool{} // the paths of the attachments the anchors link
	sel.Find("a[href], area[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		anchor := strings.Join(strings.Fields(s.Text()), " ")
		if title, ok := s.Attr("title"); ok && (len([]rune(title)) > len([]rune(anchor)) ||
			extract.LooksLikeReportTitle(title) && !extract.LooksLikeReportTitle(anchor)) {
			// The fuller name: a list cuts long titles short (某县2023年政府信息公开工作…),
			// sometimes to as many characters as the title attribute has.
			anchor = strings.TrimSpace(title)
		}
		if alt, ok := s.Attr("alt"); ok && anchor == "" {
			anchor = strings.TrimSpace(alt)
		}
		if f, ok := viewerFile(href); ok && from == Report {
			// A viewer of the report's document: the document is the attachment.
			if u, err := url.Parse(f); err == nil {
				linked[path.Base(u.Path)] = true
			}
			emit(Link{URL: f, Kind: Attachment, Anchor: anchor})
			return
		}
		if k := linkKind(href, anchor, from); k != "" {
			if k == Attachment {
				if u, err := url.Parse(strings.TrimSpace(href)); err == nil {
					linked[path.Base(u.Path)] = true
				}
			}
			emit(Link{URL: href, Kind: k, Anchor: anchor})
		} else if followable(href) {
			emit(Link{URL: href, Kind: Page, Anchor: anchor, Weak: true})
		}
	})
	sel.Find("iframe[src], frame[src]").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		u, err := url.Parse(strings.TrimSpace(src))
		if err != nil {
			return
		}
		if f, ok := viewerFile(src); ok {
			// A viewer of the file an anchor links already (that link maybe
			// signed for this visit, the viewer's not) is the same file.
			if fu, err := url.Parse(f); err == nil && from == Report && !linked[path.Base(fu.Path)] {
				emit(Link{URL: f, Kind: Attachment})
			}
			return
		}
		if k := linkKind(src, "", from); k != "" || u.Path != "" && !strings.HasSuffix(strings.ToLower(u.Path), ".js") {
			if k == "" {
				k = Page // a frame's page is part of this one
			}
			emit(Link{URL: src, Kind: k})
		}
	})
	sel.Find("meta[http-equiv]").Each(func(_ int, s *goquery.Selection) {
		if eq, _ := s.Attr("http-equiv"); !strings.EqualFold(strings.TrimSpace(eq), "refresh") {
			return
		}
		content, _ := s.Attr("content")
		if m := refreshURLRe.FindStringSubmatch(content); m != nil {
			emit(Link{URL: strings.TrimSpace(m[1]), Kind: Page})
		}
	})
}

// linkKind scores a link: report titles are reports, attachments of a report
// page are attachments, the way to the report columns (by its words or its
// path, a year's directory, a department's or township's tab) is followed,
// the rest is not.
func linkKind(href, anchor string, from Kind) Kind {
	h := strings.TrimSpace(strings.ToLower(href))
	if h == "" || strings.HasPrefix(h, "javascript:") || strings.HasPrefix(h, "mailto:") || strings.HasPrefix(h, "#") || strings.HasPrefix(h, "tel:") {
		return ""
	}
	switch {
	case attachRe.MatchString(h):
		switch {
		case from == Report:
			return Attachment
		case extract.LooksLikeReportTitle(anchor):
			return Report // a list that links the report's file itself
		}
		return ""
	case extract.LooksLikeReportTitle(anchor):
		return Report
	case skipTextRe.MatchString(anchor):
		return ""
	case columnTextRe.MatchString(anchor) && !strings.Contains(anchor, "报表") && !looksLikeDistractor(anchor):
		return Page
	case columnURLRe.MatchString(h) && (anchor == "" || !looksLikeDistractor(anchor)):
		return Page
	case yearDirTextRe.MatchString(anchor) && len([]rune(anchor)) <= 8:
		return Page
	case orgTextRe.MatchString(anchor) && len([]rune(anchor)) <= 30 && from == Page:
		return Page // a department's or township's own site or tab
	}
	return ""
}

// followable: an anchor's href that leads to a document (not a script, a
// mail address, a telephone number or a place on the page).
func followable(href string) bool {
	h := strings.TrimSpace(strings.ToLower(href))
	for _, p := range []string{"javascript:", "mailto:", "tel:", "#", "data:"} {
		if strings.HasPrefix(h, p) {
			return false
		}
	}
	return h != ""
}

// looksLikeDistractor: a dated title that is not a report's.
func looksLikeDistractor(anchor string) bool {
	return yearDirTextRe.MatchString(anchor) && len([]rune(anchor)) > 8 && !extract.LooksLikeReportTitle(anchor)
}

// reportOrPage: a list entry is a report when its title names one.
func reportOrPage(title string) Kind {
	if extract.LooksLikeReportTitle(title) {
		return Report
	}
	return Page
}

// fragment parses a piece of HTML (a CDATA record) for its anchors.
func fragment(s string) *goquery.Selection {
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return nil
	}
	root := &html.Node{Type: html.ElementNode, Data: "div"}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return goquery.NewDocumentFromNode(root).Selection
}
