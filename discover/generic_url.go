package discover

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
)

// resolve reads a link as a browser does on this document: against the
// document's base URL (its <base href>, else its own URL), with the query's
// characters percent-encoded in the document's encoding (the WHATWG URL
// parser's rule for http and https: a GBK page's ?key=年报 is sent as
// key=%C4%EA%B1%A8, and a legacy server understands only that spelling). The
// path is UTF-8 whatever the page, as in a browser; bytes a link already
// escapes are kept as written.
func (d *Doc) resolve(raw string) (*url.URL, error) {
	u, err := d.base().Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	if d.Charset != "" && u.RawQuery != "" {
		u.RawQuery = encodeQuery(u.RawQuery, d.Charset)
	}
	return u, nil
}

// base is the URL the document's relative links resolve against: the first
// <base href> (itself resolved against the document's URL, http or https
// only), else the document's URL.
func (d *Doc) base() *url.URL {
	if d.baseRead {
		return d.baseURL
	}
	d.baseRead, d.baseURL = true, d.URL
	if !strings.Contains(d.Text, "<base") && !strings.Contains(d.Text, "<BASE") && !strings.Contains(d.Text, "<Base") {
		return d.URL
	}
	if href, ok := baseHref(d.HTML(), 0); ok {
		if b, err := d.URL.Parse(strings.TrimSpace(href)); err == nil && (b.Scheme == "http" || b.Scheme == "https") && b.Host != "" {
			d.baseURL = b
		}
	}
	return d.baseURL
}

// baseHref finds the first base element that has an href (the HTML standard:
// later ones, and one without href, change nothing).
func baseHref(n *html.Node, depth int) (string, bool) {
	if n == nil || depth > 64 {
		return "", false
	}
	if n.Type == html.ElementNode && n.DataAtom == atom.Base {
		for _, a := range n.Attr {
			if a.Namespace == "" && strings.EqualFold(a.Key, "href") {
				return a.Val, true
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if h, ok := baseHref(c, depth+1); ok {
			return h, true
		}
	}
	return "", false
}

// encodeQuery percent-encodes the non-ASCII characters of a query in the
// named encoding; a character the encoding cannot write becomes its numeric
// reference (&#NNNN;), percent-encoded, as a browser sends it. UTF-8, UTF-16
// and unknown encodings leave the query as it is (UTF-16 pages send UTF-8).
func encodeQuery(q, charset string) string {
	enc := queryEncoding(charset)
	if enc == nil || isASCII(q) {
		return q
	}
	e := enc.NewEncoder()
	var b strings.Builder
	for _, r := range q {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		out, err := e.Bytes([]byte(string(r)))
		if err != nil || len(out) == 0 {
			b.WriteString("%26%23" + strconv.Itoa(int(r)) + "%3B") // &#N; with & # ; escaped, as the URL standard writes it
			continue
		}
		for _, c := range out {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

// queryEncoding is the encoding a page's queries are written in, nil when
// that is UTF-8 (or the name is not known).
func queryEncoding(charset string) encoding.Encoding {
	name := strings.ToLower(strings.TrimSpace(charset))
	if name == "" || name == "utf-8" || name == "utf8" || strings.HasPrefix(name, "utf-16") {
		return nil
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		return nil
	}
	if n, _ := htmlindex.Name(enc); n == "utf-8" || strings.HasPrefix(n, "utf-16") || n == "replacement" {
		return nil
	}
	return enc
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// viewerKeys are the query parameters through which a document viewer
// (pdf.js's viewer.html?file=…, and its like) is told the file to show.
var viewerKeys = []string{"file", "fileurl", "filepath", "url", "src", "pdf", "path", "doc"}

// viewerFile reads a viewer's link for the file it shows: a parameter whose
// value is an attachment's URL, resolved against the viewer's own address
// (pdf.js reads a relative file= against viewer.html, not against the page).
func viewerFile(href string) (string, bool) {
	ref, err := url.Parse(strings.TrimSpace(href))
	if err != nil || ref.RawQuery == "" {
		return "", false
	}
	q := ref.Query()
	for k, vs := range q {
		if !isViewerKey(k) || len(vs) == 0 {
			continue
		}
		f := strings.TrimSpace(vs[0])
		fu, err := url.Parse(f)
		if err != nil || !attachRe.MatchString(strings.ToLower(fu.Path)) {
			continue
		}
		if fu.Scheme != "" && fu.Scheme != "http" && fu.Scheme != "https" {
			continue
		}
		return ref.ResolveReference(fu).String(), true
	}
	return "", false
}

func isViewerKey(k string) bool {
	for _, v := range viewerKeys {
		if strings.EqualFold(k, v) {
			return true
		}
	}
	return false
}

// asks records a list endpoint proposed for the document.
func (d *Doc) asks(u *url.URL) {
	if d.asked == nil {
		d.asked = map[string]bool{}
	}
	d.asked[u.Host+u.EscapedPath()] = true
}

// askedAlready: an earlier reader proposes the endpoint raw names for this
// document (a dialect asks it in its own way, with its paging): a generic
// reader does not ask it again in another spelling.
func (d *Doc) askedAlready(raw string) bool {
	u, err := d.resolve(raw)
	return err == nil && d.asked[u.Host+u.EscapedPath()]
}
