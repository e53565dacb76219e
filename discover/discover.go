// Package discover finds the links a fetched page leads to. It is a registry
// of small extractors, one per source of links: the page's markup (anchors,
// image-map areas, frames, meta refresh), each CMS dialect of the portals read
// from the page's scripts parsed as JavaScript (object literals with either
// quote, any spacing or key order, unquoted keys; calls such as
// createPageHTML(…), .jpage({…}), Ls.pagination(…, function(pageIndex){…}, {…});
// page code is never run), the lists of the JSON and XML answers (markup in
// their strings at any depth), generic readers of the links a page makes
// outside its anchors (URL-valued attributes of any element, a list service
// named by url= and queryData=; inline handlers and javascript: URLs, read by
// partial evaluation of the page's functions, or of its site-wide script's),
// and a generic one that queues URL-like string literals found in scripts (as
// Heritrix's ExtractorJS does). Links resolve as a browser resolves them:
// against <base href>, the query written in the page's encoding. Scope, depth
// and budgets are the crawler's.
//
// Adding a dialect is adding one Extractor to Default, with page fixtures in
// testdata written from the real shapes in PORTALS.md.
package discover

import (
	"net/url"
	"path"
	"strings"

	"golang.org/x/net/html"

	"github.com/nianbao/nianbao/crawl"
)

// Kind is what a link is expected to lead to (package crawl's kinds).
type Kind = crawl.Kind

// The kinds of links.
const (
	Page       = crawl.Page       // a page to read for links: home, portal, column, list
	Report     = crawl.Report     // a page that should be a report
	Attachment = crawl.Attachment // a report's file
	API        = crawl.API        // a JSON or XML list
)

// rank orders kinds when two extractors propose one URL: the stronger claim wins.
func rank(k Kind) int {
	switch k {
	case Attachment:
		return 3
	case Report:
		return 2
	case API:
		return 1
	}
	return 0
}

// Link is a request discovery proposes.
type Link struct {
	URL     string
	Kind    Kind
	Anchor  string // the link's text or title, if any
	Method  string // GET unless a form is posted
	Body    string // a POST form's body
	Referer string // sent with the request when the endpoint expects its page
	Hint    string // what the target needs to know of how it was reached (gkmlpt's #category)
	Parent  string // for an attachment listed beside its report (a list answer), the report's URL
	// Weak: an anchor whose words and path name nothing discovery knows (a
	// column named otherwise, a 部门名录): a Page the crawler follows after
	// every named link, within the host's budget (crawler/score.go).
	Weak bool
}

// Doc is a fetched document as the extractors see it.
type Doc struct {
	URL  *url.URL // the final URL, after redirects
	Text string   // the body decoded
	Kind Kind     // what the document was fetched as
	Hint string   // the hint of the link that led here
	// Charset is the encoding the body was decoded from (gb18030, big5, …;
	// empty or utf-8 for UTF-8): a browser writes a link's query in it.
	Charset string

	baseURL  *url.URL // the <base href>, once read
	baseRead bool
	html     *html.Node
	parsed   bool
	scripts  []*Script
	scanned  bool
	judged   map[string]bool // URLs a dialect's extractor has read, followed or not
	asked    map[string]bool // the list endpoints (host and path) proposed so far
}

// judge marks a URL as read by a dialect's extractor, so that the generic
// fallback does not queue what a dialect turned down.
func (d *Doc) judge(u string) {
	if d.judged == nil {
		d.judged = map[string]bool{}
	}
	d.judged[u] = true
}

// HTML parses the document's markup once.
func (d *Doc) HTML() *html.Node {
	if !d.parsed {
		d.parsed = true
		d.html, _ = html.Parse(strings.NewReader(d.Text))
	}
	return d.html
}

// Scripts parses the document's scripts once.
func (d *Doc) Scripts() []*Script {
	if !d.scanned {
		d.scanned = true
		d.scripts = pageScripts(d)
	}
	return d.scripts
}

// Extractor proposes the links of one source.
type Extractor interface {
	Name() string
	Links(d *Doc, emit func(Link))
}

// Default is the registry, in the order the links are proposed.
func Default() []Extractor {
	return []Extractor{Markup{}, ScriptSrc{}, Datastore{}, TRS{}, Hanweb{}, Gkmlpt{}, Epoint{}, JPaaS{}, TrueCMS{}, HanwebXxgk{}, Attrs{}, Handlers{}, Requests{}, Shells{}, Pagination{}, JSLists{}, ScriptURLs{}}
}

// Find runs the extractors over a document and returns its links, resolved
// against its URL, http(s) only, one per URL, method and body (the stronger
// kind kept).
func Find(d *Doc, xs []Extractor) []Link {
	var out []Link
	at := map[string]int{}
	emit := func(l Link) {
		if l.Kind == "" {
			return
		}
		u, err := d.resolve(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return
		}
		l = gkmlptShell(u, l)
		if l.Parent != "" {
			if pu, err := d.resolve(l.Parent); err == nil {
				pu.Fragment = ""
				l.Parent = pu.String()
			}
		}
		if l.Method == "" {
			l.Method = "GET"
		}
		key := l.Method + " " + l.URL + "\x00" + l.Body
		if i, ok := at[key]; ok {
			if rank(l.Kind) > rank(out[i].Kind) {
				out[i].Kind = l.Kind
			}
			if out[i].Anchor == "" {
				out[i].Anchor = l.Anchor
			}
			out[i].Weak = out[i].Weak && l.Weak // named by one of its links
			return
		}
		at[key] = len(out)
		out = append(out, l)
		if l.Kind == API {
			d.asks(u)
		}
	}
	for _, x := range xs {
		x.Links(d, emit)
	}
	return out
}

// gkmlptShell: a link to a gkmlpt shell page (annualreport#721, a column) is
// a link to the index of the same deployment, at the root or under a
// department's path (/yjzjj/gkmlpt/…), whose config lists the columns; the
// fragment's category goes along as the link's hint.
func gkmlptShell(u *url.URL, l Link) Link {
	prefix, rest, ok := strings.Cut(u.Path, "/gkmlpt/")
	if !ok || strings.HasPrefix(rest, "content/") || strings.HasPrefix(rest, "api/") || strings.HasPrefix(rest, "index") && u.Fragment == "" {
		u.Fragment = ""
		l.URL = u.String()
		return l
	}
	if isDigits(u.Fragment) {
		l.Hint = "gkmlpt-category=" + u.Fragment
	}
	u.Path, u.RawQuery, u.Fragment = prefix+"/gkmlpt/index", "", ""
	l.URL, l.Kind = u.String(), Page
	return l
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// baseName splits the file name of a list page's URL (index_3.html → index,
// html) so that its other pages can be named.
func baseName(u *url.URL) (name, ext string) {
	file := path.Base(u.Path)
	if file == "/" || file == "." || !strings.Contains(file, ".") {
		return "index", "html"
	}
	name, ext = file[:strings.LastIndexByte(file, '.')], file[strings.LastIndexByte(file, '.')+1:]
	if i := strings.LastIndexByte(name, '_'); i > 0 && isDigits(name[i+1:]) {
		name = name[:i]
	}
	return name, ext
}
