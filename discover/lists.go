package discover

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Datastore reads Hanweb's XML datastores, in a page's <script type="text/xml">
// or as an XML answer: each <record>'s CDATA is HTML whose anchors (either
// quote) are the list's entries; a <nextgroup>'s anchor is the GET form of the
// proxy (dataproxy.jsp?page=1&…), whose later pages follow from <totalpage>.
type Datastore struct{}

// Name is part of Extractor.
func (Datastore) Name() string { return "datastore" }

// Links is part of Extractor.
func (Datastore) Links(d *Doc, emit func(Link)) {
	for _, ds := range blocks(d.Text, "<datastore>", "</datastore>") {
		datastore(ds, d.URL, emit)
	}
}

// nextGroups: the GET form of the proxy that a page's datastores name.
func nextGroups(text string) []string {
	var out []string
	for _, ds := range blocks(text, "<datastore>", "</datastore>") {
		for _, ng := range blocks(ds, "<nextgroup>", "</nextgroup>") {
			for _, href := range hrefs(cdata(ng)) {
				out = append(out, html.UnescapeString(href))
			}
		}
	}
	return out
}

func datastore(ds string, base *url.URL, emit func(Link)) {
	for _, rec := range blocks(ds, "<record>", "</record>") {
		if sel := fragment(cdata(rec)); sel != nil {
			anchors(sel, Page, func(l Link) {
				if l.Kind == Page && l.Anchor != "" {
					l.Kind = reportOrPage(l.Anchor)
				}
				emit(l)
			})
		}
	}
	// Later pages of the GET form: page=1 with a <totalpage>.
	if base != nil && base.Query().Get("page") == "1" {
		if tp, ok := tagInt(ds, "totalpage"); ok {
			q := base.Query()
			for p := 2; p <= min(tp, maxPages); p++ {
				q.Set("page", strconv.Itoa(p))
				u := *base
				u.RawQuery = q.Encode()
				emit(Link{URL: u.String(), Kind: API})
			}
		}
	}
}

var hrefRe = regexp.MustCompile(`(?i)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)

func hrefs(s string) []string {
	var out []string
	for _, m := range hrefRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1]+m[2]+m[3])
	}
	return out
}

// blocks returns the text between each open and close tag.
func blocks(s, open, closing string) []string {
	var out []string
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return out
		}
		s = s[i+len(open):]
		j := strings.Index(s, closing)
		if j < 0 {
			return append(out, s)
		}
		out = append(out, s[:j])
		s = s[j+len(closing):]
	}
}

func cdata(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<![CDATA[")
	return strings.TrimSuffix(s, "]]>")
}

func tagInt(s, tag string) (int, bool) {
	b := blocks(s, "<"+tag+">", "</"+tag+">")
	if len(b) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(b[0]))
	return n, err == nil
}

// answer reads a JSON or XML answer of a list endpoint (Hanweb's dataproxy as
// XML or as JSONP raw({…}), gkmlpt's API, JS lists served as JSON), and its
// URL-like strings as the generic fallback does; AnswerTo runs it after the
// vendor platforms' readers.
type answer struct{}

func (answer) Name() string { return "answer" }

func (answer) Links(d *Doc, emit func(Link)) {
	if strings.HasPrefix(d.Hint, callsHint) || siteScriptAsked(d.URL) {
		siteScriptAnswer(d, emit) // a site-wide script asked for a page's calls: not a list
		return
	}
	trim := leadingComments(strings.TrimSpace(d.Text))
	if strings.HasPrefix(trim, "<") {
		markupAnswer(trim, d, emit)
		return
	}
	// JSONP: name({…}) or name([…]).
	if i := strings.IndexAny(trim, "({["); i > 0 && trim[i] == '(' && strings.HasSuffix(strings.TrimRight(trim, "; \n"), ")") {
		trim = strings.TrimSuffix(strings.TrimRight(trim, "; \n"), ")")[i+1:]
	}
	var v any
	if json.Unmarshal([]byte(trim), &v) != nil {
		writtenMarkup(trim, d, emit)
		return
	}
	if m, ok := v.(map[string]any); ok {
		gkmlptPages(m, d.URL, emit)
	}
	requestPages(d, v, emit)
	nestedMarkup(v, d, emit, 0)
	entries(v, 0, func(l Link) {
		d.judge(l.URL)
		emit(l)
	})
	stringURLs(jsonStrings(v, 0), d, emit)
}

// markupAnswer reads an answer that is markup: Hanweb's datastores, else
// XML or an HTML fragment whose anchors (in CDATA sections or not) are the list.
func markupAnswer(text string, d *Doc, emit func(Link)) {
	if dss := blocks(text, "<datastore>", "</datastore>"); len(dss) > 0 {
		for _, ds := range dss {
			datastore(ds, d.URL, emit)
		}
		return
	}
	text = strings.NewReplacer("<![CDATA[", "", "]]>", "").Replace(text)
	markupLinks(text, d, emit)
}

// nestedMarkup reads the strings of an answer that hold a list of their own,
// at any depth: HTML whose anchors are the list ({"data": {"html": "<ul>…"}},
// {"records": ["<li><a …>"]}), a datastore, or JSON written into a string
// ({"result": "{\"list\": […]}"}), read as an answer in turn.
func nestedMarkup(v any, d *Doc, emit func(Link), depth int) {
	if depth > 12 {
		return
	}
	switch v := v.(type) {
	case string:
		s := strings.TrimSpace(v)
		var inner any
		switch {
		case len(s) > 1 && (s[0] == '{' || s[0] == '[') && json.Unmarshal([]byte(s), &inner) == nil:
			nestedMarkup(inner, d, emit, depth+1)
			entries(inner, 0, func(l Link) {
				d.judge(l.URL)
				emit(l)
			})
		case strings.Contains(s, "<datastore>"):
			markupAnswer(s, d, emit)
		case hasAnchor(s):
			markupLinks(s, d, emit)
		}
	case []any:
		for _, x := range v {
			nestedMarkup(x, d, emit, depth+1)
		}
	case map[string]any:
		for _, x := range v {
			nestedMarkup(x, d, emit, depth+1)
		}
	}
}

// hasAnchor: a string that is markup with a link in it.
func hasAnchor(s string) bool {
	i := strings.IndexByte(s, '<')
	if i < 0 {
		return false
	}
	low := strings.ToLower(s[i:])
	return strings.Contains(low, "<a ") || strings.Contains(low, "<a\n") || strings.Contains(low, "<a\t") || strings.Contains(low, " href=")
}

// leadingComments takes off the comments some JSONP answers open with
// (/**/cb({…}), written so that the answer cannot be read as another type).
func leadingComments(s string) string {
	for range 8 {
		switch {
		case strings.HasPrefix(s, "/*"):
			end := strings.Index(s[2:], "*/")
			if end < 0 {
				return s
			}
			s = strings.TrimSpace(s[2+end+2:])
		case strings.HasPrefix(s, "<!--"):
			end := strings.Index(s, "-->")
			if end < 0 {
				return s
			}
			s = strings.TrimSpace(s[end+3:])
		default:
			return s
		}
	}
	return s
}

// markupLinks reads the anchors of a piece of markup an answer carries; a
// page link whose text names a report is one.
func markupLinks(markup string, d *Doc, emit func(Link)) {
	sel := fragment(markup)
	if sel == nil {
		return
	}
	entry := func(l Link) {
		d.judge(l.URL)
		if l.Kind == Page && l.Anchor != "" {
			l.Kind = reportOrPage(l.Anchor)
		}
		emit(l)
	}
	anchors(sel, Page, entry)
	fragmentExtras(sel, d, entry)
}

// stringURLs is the fallback over an answer's strings: the URL-like ones that
// no entry or markup read already.
func stringURLs(strs []string, d *Doc, emit func(Link)) {
	for _, s := range strs {
		if d.judged[s] {
			continue // an entry read it, as a link or not
		}
		if k, ok := urlLike(s, d.Kind); ok {
			emit(Link{URL: s, Kind: k})
		}
	}
}

// writtenMarkup reads an answer that is a script writing markup
// (document.write('<li><a href="…">…</a></li>'), the pieces of one element
// often in several literals): the markup its strings make, read as a page's
// anchors, then any URL-like string the markup did not hold.
func writtenMarkup(src string, d *Doc, emit func(Link)) {
	if len(src) > maxScriptBytes {
		return
	}
	s := parseScript(src)
	if markup := strings.Join(s.Strings, ""); strings.Contains(markup, "<a") || strings.Contains(markup, "<A") {
		markupLinks(markup, d, emit)
	}
	whole := slices.DeleteFunc(slices.Clone(s.Strings), func(lit string) bool { return s.Parts[lit] })
	stringURLs(whole, d, emit) // pieces of a concatenation are not URLs
}

// gkmlptPages: the API's first page gives the others, up to
// classify.post_count articles (pages 0 and 1 are the same on some hosts: the
// list starts at 1).
func gkmlptPages(m map[string]any, base *url.URL, emit func(Link)) {
	arts, _ := m["articles"].([]any)
	cls, _ := m["classify"].(map[string]any)
	q := base.Query()
	if len(arts) == 0 || cls == nil || q.Get("page") != "1" {
		return
	}
	count, ok := number(cls["post_count"])
	if !ok {
		return
	}
	pages := (count + len(arts) - 1) / len(arts)
	for p := 2; p <= min(pages, maxPages); p++ {
		q.Set("page", strconv.Itoa(p))
		u := *base
		u.RawQuery = q.Encode()
		emit(Link{URL: u.String(), Kind: API})
	}
}

func jsonStrings(v any, depth int) []string {
	if depth > 12 {
		return nil
	}
	var out []string
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, x := range v {
			out = append(out, jsonStrings(x, depth+1)...)
		}
	case map[string]any:
		for _, x := range v {
			out = append(out, jsonStrings(x, depth+1)...)
		}
	}
	return out
}

// ScriptURLs is the generic fallback: string literals in the page's scripts
// that are URLs of pages (.html, .shtml, .jsp, a directory) or, on a report
// page, of attachments. A dialect no extractor knows still leads somewhere;
// scope, depth and budget bound where.
type ScriptURLs struct{}

// Name is part of Extractor.
func (ScriptURLs) Name() string { return "script-urls" }

// Links is part of Extractor.
func (ScriptURLs) Links(d *Doc, emit func(Link)) {
	for _, s := range d.Scripts() {
		for _, lit := range s.Strings {
			if d.judged[lit] || s.Parts[lit] || beacon(lit) {
				continue // a dialect's extractor has read it, as a link or not; or it is a piece of one, or a counter
			}
			if k, ok := urlLike(lit, d.Kind); ok {
				emit(Link{URL: lit, Kind: k})
			}
		}
	}
}

var (
	urlLikeRe  = regexp.MustCompile(`^(?:https?://[A-Za-z0-9.\-]+(?::\d+)?|\.{0,2})/[^\s"'<>(){}\\]*$`)
	pageExtRe  = regexp.MustCompile(`(?i)(\.s?html?|\.jsp|\.do|\.aspx?|\.php|/)(\?[^\s]*)?$`)
	staticExRe = regexp.MustCompile(`(?i)\.(js|css|png|jpe?g|gif|ico|svg|woff2?|ttf|eot|mp4|mp3|swf)(\?|$)`)
)

// urlLike: a string that is a page's URL (or an attachment's, on a report page).
func urlLike(s string, from Kind) (Kind, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || len(s) > 300 || !urlLikeRe.MatchString(s) || staticExRe.MatchString(s) {
		return "", false
	}
	if attachRe.MatchString(strings.ToLower(s)) {
		return Attachment, from == Report
	}
	if !pageExtRe.MatchString(s) || s == "/" || s == "./" || strings.Contains(s, "dataproxy.jsp") {
		return "", false
	}
	return Page, true
}

// String describes a link for tests and logs.
func (l Link) String() string {
	s := fmt.Sprintf("%s %s %s", l.Kind, l.Method, l.URL)
	if l.Body != "" {
		s += " body=" + l.Body
	}
	if l.Referer != "" {
		s += " referer=" + l.Referer
	}
	if l.Hint != "" {
		s += " hint=" + l.Hint
	}
	if l.Parent != "" {
		s += " parent=" + l.Parent
	}
	return s
}

// beacon: a URL whose file is a visit counter or a statistics beacon, which a
// crawler must not set ticking.
func beacon(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && beaconRe.MatchString(path.Base(strings.ToLower(u.Path)))
}
