package discover

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Attrs reads the URLs that elements carry in attributes other than an
// anchor's href: a list service named in markup (<script url="…"
// queryData="{'webId':…}">, <div url="…" data-params="{…}">: the service is
// asked with the parameters as its query, as a list answer), data-*
// attributes that hold a link (data-url, data-href, data-src, data-link,
// data-file, data-value, …), an option's or input's value that is a URL (a
// select of department sites), href on elements that are not anchors, an
// embed's src and an object's data. A link is kept by the same rules as an
// anchor (its element's text is its anchor: named, or else a weak candidate);
// on a report page, a document named anywhere (a PDF in data-value, a
// viewer's file=) is its attachment.
// It runs after the dialects: a value a dialect has judged (an element whose
// service a platform's reader asks in its own way) is left to the dialect.
type Attrs struct{}

// Name is part of Extractor.
func (Attrs) Name() string { return "attrs" }

// Links is part of Extractor.
func (Attrs) Links(d *Doc, emit func(Link)) {
	root := d.HTML()
	if root == nil || d.Kind == API {
		return
	}
	visitElements(root, func(n *html.Node) { elementLinks(d, n, emit) })
}

// visitElements calls f on every element, depth-first, bounded in depth.
func visitElements(root *html.Node, f func(*html.Node)) {
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 400 {
			return
		}
		if n.Type == html.ElementNode {
			f(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(root, 0)
}

// elementLinks reads one element's URL-valued attributes.
func elementLinks(d *Doc, n *html.Node, emit func(Link)) {
	params, hasParams := serviceParams(n)
	for _, a := range n.Attr {
		if a.Namespace != "" || !urlAttr(n, strings.ToLower(a.Key)) {
			continue
		}
		v := strings.TrimSpace(a.Val)
		if !looksLikeURL(v) || d.judged[v] {
			continue // not a link, or one a dialect has read
		}
		if hasParams && (strings.EqualFold(a.Key, "url") || strings.HasSuffix(strings.ToLower(a.Key), "url")) {
			if u, ok := withParams(v, params); ok && !d.askedAlready(v) {
				emit(Link{URL: u, Kind: API, Referer: d.URL.String()})
			}
			continue
		}
		emitAttrLink(d, v, elementText(n), emit)
	}
}

// emitAttrLink proposes an attribute's URL as an anchor of the element's text
// would be, a viewer's file being the file itself.
func emitAttrLink(d *Doc, v, anchor string, emit func(Link)) {
	if d.Kind == Report && strings.Contains(v, "=") && attachRe.MatchString(strings.ToLower(v)) {
		if f, ok := viewerFile(v); ok {
			emit(Link{URL: f, Kind: Attachment, Anchor: anchor})
			return
		}
	}
	if k := linkKind(v, anchor, d.Kind); k != "" {
		emit(Link{URL: v, Kind: k, Anchor: anchor})
	} else if followable(v) {
		// Named by nothing discovery knows: a candidate the crawler asks
		// after every named link, as an anchor's is.
		emit(Link{URL: v, Kind: Page, Anchor: anchor, Weak: true})
	}
}

// urlAttr says whether an attribute of an element may carry a link that the
// markup reader (anchors, areas, frames) and the script reader do not read.
func urlAttr(n *html.Node, key string) bool {
	switch key {
	case "url", "data-url", "data-href", "data-src", "data-link", "data-file", "data-value", "data-path", "data-pdf", "data-download", "data-uri":
		return true
	case "href":
		switch n.DataAtom {
		case atom.A, atom.Area, atom.Link, atom.Base:
			return false // anchors and areas are read by Markup; link and base are not links to follow
		}
		return true
	case "value":
		switch n.DataAtom {
		case atom.Option, atom.Input, atom.Param, atom.Button, atom.Li:
			return true
		}
	case "src":
		return n.DataAtom == atom.Embed
	case "data":
		return n.DataAtom == atom.Object
	}
	// Other data-* names that speak of a link: data-fileurl, data-pdfurl, data-linkurl, …
	if rest, ok := strings.CutPrefix(key, "data-"); ok {
		return strings.HasSuffix(rest, "url") || strings.HasSuffix(rest, "href") || strings.HasSuffix(rest, "link") || strings.HasSuffix(rest, "file")
	}
	return false
}

var (
	relPathRe = regexp.MustCompile(`^[A-Za-z0-9_\-.~%/]+(\?[^\s"'<>]*)?$`)
	hostRe    = regexp.MustCompile(`^https?://[A-Za-z0-9.\-]+(:\d+)?/?$`)
)

// looksLikeURL: an attribute value that is a link, not a word, a number or a
// calculator's "/": an absolute URL (a host alone included), a rooted or
// dot-relative path with something after the slash, or a bare relative
// path to a page or a document (2024/t1.html, P020240101.pdf).
func looksLikeURL(v string) bool {
	if len(v) < 2 || len(v) > 1000 || strings.ContainsAny(v, " \t\n<>\"'{}") {
		return false
	}
	if hostRe.MatchString(v) {
		return true
	}
	if staticExRe.MatchString(v) {
		return false
	}
	if urlLikeRe.MatchString(v) {
		return strings.TrimLeft(v, "./") != ""
	}
	if !relPathRe.MatchString(v) || strings.HasPrefix(v, "?") {
		return false
	}
	low := strings.ToLower(v)
	return attachRe.MatchString(low) || pageExtRe.MatchString(low) && strings.Contains(low, ".")
}

// paramAttrRe names the attributes that carry a list service's parameters
// beside its URL (queryData, data-params, params, data-query, postData).
var paramAttrRe = regexp.MustCompile(`(?i)^(data-)?(query|post)?(data|params?|query|args)$`)

// serviceParams reads the parameters an element gives its service: an
// attribute named like queryData whose value is a JavaScript or JSON object
// (single-quoted keys and values as often as not).
func serviceParams(n *html.Node) (map[string]any, bool) {
	for _, a := range n.Attr {
		v := strings.TrimSpace(a.Val)
		if a.Namespace != "" || !strings.HasPrefix(v, "{") || !paramAttrRe.MatchString(a.Key) || strings.EqualFold(a.Key, "data") {
			continue
		}
		s := parseScript("var params = " + v)
		if m, ok := s.Eval(s.Vars["params"]).(map[string]any); ok && len(m) > 0 {
			return m, true
		}
		// A script that does not parse whole: the object is not read.
		var m map[string]any
		if json.Unmarshal([]byte(v), &m) == nil && len(m) > 0 {
			return m, true
		}
	}
	return nil, false
}

// withParams writes a service's parameters into its URL's query, after the
// ones it has, in key order: scalars as they are, objects and arrays as JSON.
// A parameter the page computes (a value not read) leaves the service unasked.
func withParams(raw string, params map[string]any) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	if u.RawQuery != "" {
		parts = append(parts, u.RawQuery)
	}
	for _, k := range keys {
		v, ok := paramValue(params[k])
		if !ok {
			return "", false
		}
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String(), true
}

func paramValue(v any) (string, bool) {
	switch v := v.(type) {
	case string, float64:
		return str(v)
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case nil:
		return "", true
	case map[string]any, []any:
		if hasUnknown(v, 0) {
			return "", false
		}
		b, err := json.Marshal(v)
		return string(b), err == nil
	}
	return "", false
}

// hasUnknown: a value with a part the page computes.
func hasUnknown(v any, depth int) bool {
	if depth > 12 {
		return true
	}
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			if hasUnknown(x, depth+1) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasUnknown(x, depth+1) {
				return true
			}
		}
	case string, float64, bool, nil:
	default:
		return true
	}
	return false
}

// elementText is an element's text, its spaces collapsed, or its title or
// alt when it has no text or they say more.
func elementText(n *html.Node) string {
	var b strings.Builder
	var visit func(c *html.Node, depth int)
	visit = func(c *html.Node, depth int) {
		if depth > 32 || b.Len() > 600 {
			return
		}
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		if c.Type == html.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style) {
			return
		}
		for x := c.FirstChild; x != nil; x = x.NextSibling {
			visit(x, depth+1)
		}
	}
	visit(n, 0)
	text := strings.Join(strings.Fields(b.String()), " ")
	if len([]rune(text)) > 120 {
		text = "" // a container's text is its items', not a name of its own link
	}
	for _, k := range []string{"title", "alt", "aria-label"} {
		if t := strings.TrimSpace(attrOf(n, k)); len([]rune(t)) > len([]rune(text)) {
			text = t
		}
	}
	return text
}

// fragmentExtras reads what the markup of an answer links outside its
// anchors, as on a page: URL-valued attributes, and handlers (their string
// arguments and what they send the browser to; the page's functions are not
// in the answer, so a call of one is read only through its literals).
func fragmentExtras(sel *goquery.Selection, d *Doc, emit func(Link)) {
	if len(sel.Nodes) == 0 {
		return
	}
	fd := &Doc{URL: d.URL, Kind: Page, judged: d.judged, parsed: true, scanned: true}
	p := newProgram(nil)
	visitElements(sel.Nodes[0], func(n *html.Node) {
		elementLinks(fd, n, emit)
		for _, a := range n.Attr {
			if code, ok := handlerCode(a); ok {
				for _, target := range p.clicks(code) {
					emitAttrLink(fd, target, elementText(n), emit)
				}
			}
		}
	})
}
