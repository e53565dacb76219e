package serve

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/store"
)

// sourcePolicy: a captured page is shown as a sandboxed document that runs
// nothing and loads nothing (images only from data: addresses).
const sourcePolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

// pdfPolicy: a PDF is left to the browser's own viewer, which a sandbox
// would refuse; it may load nothing from elsewhere.
const pdfPolicy = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"

// source serves one captured document of a report: a page sanitised, a PDF
// as it is, text as text, any other file as a download.
func (s *Server) source(w http.ResponseWriter, r *http.Request) {
	capID, err := strconv.ParseUint(r.PathValue("capture"), 10, 64)
	if err != nil {
		s.fail(w, http.StatusNotFound, "No such document.")
		return
	}
	s.withReport(w, r, func(st *store.Store, e *store.Entry, w http.ResponseWriter) error {
		var sv *sourceView
		for _, v := range sourcesOf(e) {
			if v.CaptureID == capID {
				sv = &v
			}
		}
		if sv == nil { // a capture of another report is not this one's
			return fmt.Errorf("capture %d of report %s: %w", capID, e.ReportID, store.ErrNotFound)
		}
		c, err := st.Capture(capID)
		if err != nil {
			return err
		}
		body, err := st.Raw(c.SHA256)
		if err != nil {
			return err
		}
		s.writeSource(w, sv, c, body)
		return nil
	})
}

func (s *Server) writeSource(w http.ResponseWriter, sv *sourceView, c *store.Capture, body []byte) {
	h := w.Header()
	switch sv.Pane {
	case "frame":
		h.Set("Content-Security-Policy", sourcePolicy)
		d := s.dec.Bytes(body, c.ContentType, sv.Format == "html")
		h.Set("Content-Type", "text/html; charset=utf-8")
		if sv.Format != "html" { // text as text (a sandboxed frame shows no bare text/plain)
			w.Write([]byte(`<!DOCTYPE html><meta charset="utf-8"><pre style="white-space:pre-wrap">` + html.EscapeString(d.Text) + `</pre>`))
			return
		}
		w.Write(Sanitise(d.Text))
	case "pdf":
		h.Set("Content-Security-Policy", pdfPolicy)
		h.Set("Content-Type", "application/pdf")
		w.Write(body)
	default:
		h.Set("Content-Security-Policy", sourcePolicy)
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("capture-%d.%s", c.ID, safeExt(sv.Format))))
		w.Write(body)
	}
}

func safeExt(format string) string {
	ext := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, format)
	if ext == "" {
		return "bin"
	}
	return ext
}

// dropped are the elements a shown page loses with everything inside them:
// what runs, embeds, frames, or points the document elsewhere.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Noscript: true, atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Link: true, atom.Meta: true, atom.Base: true,
	atom.Template: true, atom.Svg: true, atom.Math: true, atom.Audio: true, atom.Video: true, atom.Source: true,
	atom.Track: true,
}

// Sanitise rewrites a page so that, shown, it runs nothing and loads
// nothing: scripts, frames, embeds, links and meta elements are removed,
// event handlers and style sheets' remote references dropped, links kept as
// text (their address in the title), images from elsewhere replaced by their
// alternative text. Text and tables stay as captured.
func Sanitise(page string) []byte {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil { // x/net/html reads any input; keep the text if it does not
		return []byte("<pre>" + html.EscapeString(page) + "</pre>")
	}
	clean(doc)
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>") // the charset is the response's: UTF-8
	if err := html.Render(&b, doc); err != nil {
		return []byte("<pre>" + html.EscapeString(page) + "</pre>")
	}
	return b.Bytes()
}

func clean(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch {
		case c.Type == html.ElementNode && (dropped[c.DataAtom] || c.Namespace != ""):
			n.RemoveChild(c)
		case c.Type == html.ElementNode && c.DataAtom == atom.Style && remoteCSS(textOf(c)):
			n.RemoveChild(c)
		case c.Type == html.ElementNode && c.DataAtom == atom.Img:
			n.InsertBefore(&html.Node{Type: html.TextNode, Data: imgText(c)}, c)
			n.RemoveChild(c)
		case c.Type == html.ElementNode:
			c.Attr = safeAttrs(c)
			clean(c)
		case c.Type == html.CommentNode, c.Type == html.DoctypeNode:
			n.RemoveChild(c)
		}
		c = next
	}
}

// safeAttrs keeps the attributes that only describe: no handler, no address
// other than an in-page anchor, no style with a remote reference.
func safeAttrs(n *html.Node) []html.Attribute {
	var out []html.Attribute
	for _, a := range n.Attr {
		k := strings.ToLower(a.Key)
		switch {
		case a.Namespace != "", strings.HasPrefix(k, "on"), k == "srcset", k == "action", k == "formaction",
			k == "background", k == "poster", k == "ping", k == "xmlns", strings.Contains(k, ":"):
		case k == "style" && remoteCSS(a.Val):
		case k == "href" || k == "src" || k == "data" || k == "cite" || k == "longdesc":
			if n.DataAtom == atom.A && k == "href" {
				out = append(out, html.Attribute{Key: "title", Val: a.Val})
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

func remoteCSS(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "url(") || strings.Contains(s, "@import") || strings.Contains(s, "expression(") || strings.Contains(s, "\\")
}

func imgText(n *html.Node) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, "alt") && strings.TrimSpace(a.Val) != "" {
			return "[image: " + a.Val + "]"
		}
	}
	return "[image]"
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
