package extract

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/nianbao/nianbao/jslit"
)

// HTML carried inside script: some portals ship the report as a JavaScript
// string (let content = '<p>…<table>…'; with backslash-escaped quotes, or a
// JSON value with \u003C escapes) that a script writes into the page. The
// page's own markup then holds no report. The string literals of the page's
// scripts are read as JavaScript literals (escapes decoded, pieces joined by
// + concatenated), never executed, and the longest one that is a report's
// HTML is read as HTML.

// maxScriptHTML bounds the literals kept while scanning.
const maxScriptHTML = 16 << 20

// scriptHTML returns the report HTML carried in a script string literal of
// a page, if there is one: the longest decoded literal holding table or
// paragraph markup and Chinese text.
func scriptHTML(page string) (string, bool) {
	best := ""
	for _, body := range scriptBodies(page) {
		if lit := reportLiteral(body); len(lit) > len(best) {
			best = lit
		}
	}
	return best, best != ""
}

// reportLiteral is the longest report HTML a script's string literals carry:
// one literal (let content = "…", among other declarations), or the markup
// a script writes piece by piece (document.write('<p>…');
// document.write('<table>…')).
func reportLiteral(body string) string {
	if !mayCarryMarkup(body) {
		return ""
	}
	best := ""
	var pieces strings.Builder
	for _, lit := range jsStrings(body) {
		if len(lit) > len(best) && carriesReport(lit) {
			best = lit
		}
		if strings.Contains(lit, "<") && pieces.Len()+len(lit) <= maxScriptHTML {
			pieces.WriteString(lit)
		}
	}
	if all := pieces.String(); len(all) > len(best) && carriesReport(all) {
		best = all
	}
	return best
}

// scriptFileRe: a document that starts as a script does (after comments):
// a declaration or assignment (var content = …, window.data = …), or a call
// (document.write(…), jsonpCallback({…})).
var scriptFileRe = regexp.MustCompile(`^(?:(?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*(?:=[^=]|\())`)

// mayStartAsScript: the first byte after a byte order mark and white space
// can start a script (a name or a comment), which markup's < and most text
// cannot.
func mayStartAsScript(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return false
	}
	c := b[0]
	return c == '/' || c == '$' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// startsAsScript: the text's first statement, after a byte order mark and
// comments, is a declaration, an assignment or a call. Markup never is.
func startsAsScript(text string) bool {
	head := strings.TrimLeft(text, "\ufeff \t\r\n")
	for strings.HasPrefix(head, "//") || strings.HasPrefix(head, "/*") {
		end := "\n"
		if strings.HasPrefix(head, "/*") {
			end = "*/"
		}
		i := strings.Index(head, end)
		if i < 0 {
			return false
		}
		head = strings.TrimLeft(head[i+len(end):], " \t\r\n")
	}
	if len(head) > 256 {
		head = head[:256]
	}
	return scriptFileRe.MatchString(head)
}

// carriesReport: markup of a document body and the words of a report.
func carriesReport(s string) bool {
	if len(s) < 200 {
		return false
	}
	l := strings.ToLower(s)
	if !strings.Contains(l, "<table") && strings.Count(l, "<p") < 3 {
		return false
	}
	return strings.Contains(s, "信息公开") || strings.Contains(s, "政务公开")
}

// mayCarryMarkup: a script with an opening tag in it, plain or escaped.
func mayCarryMarkup(body string) bool {
	for _, s := range []string{"<p", "<P", "<table", "<TABLE", `\u003C`, `\u003c`, `\x3C`, `\x3c`, "&lt;"} {
		if strings.Contains(body, s) {
			return true
		}
	}
	return false
}

// scriptBodies returns the text inside every <script>…</script> of a page.
func scriptBodies(page string) []string {
	var out []string
	for at := 0; ; {
		i := indexFold(page, at, "<script")
		if i < 0 {
			return out
		}
		gt := strings.IndexByte(page[i:], '>')
		if gt < 0 {
			return out
		}
		start := i + gt + 1
		end := indexFold(page, start, "</script")
		if end < 0 {
			return append(out, page[start:])
		}
		out = append(out, page[start:end])
		at = end
	}
}

// indexFold finds an ASCII tag name in s from offset at, in any case.
func indexFold(s string, at int, tag string) int {
	for i := at; i+len(tag) <= len(s); i++ {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if i+len(tag) <= len(s) && strings.EqualFold(s[i:i+len(tag)], tag) {
			return i
		}
	}
	return -1
}

// jsStrings reads the string literals of a script ('…', "…", `…` without
// substitutions), decoding their escapes; literals joined by + are one. It
// skips comments; it does not need to understand the rest of the script.
func jsStrings(src string) []string {
	var out []string
	var cur strings.Builder
	joining := false // the last literal was followed by +
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			s, next := jslit.Read(src, i, maxScriptHTML)
			if !joining {
				flush()
			}
			if cur.Len()+len(s) <= maxScriptHTML {
				cur.WriteString(s)
			}
			i = next
			joining = false
			// A + after the literal (white space around it) joins the next one.
			j := i
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			if j < len(src) && src[j] == '+' {
				joining = true
				i = j + 1
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			if k := strings.IndexByte(src[i:], '\n'); k >= 0 {
				i += k
			} else {
				i = len(src)
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			if k := strings.Index(src[i+2:], "*/"); k >= 0 {
				i += k + 4
			} else {
				i = len(src)
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		default:
			joining = false
			i++
		}
	}
	flush()
	return out
}
