package extract

import (
	"bytes"
	"encoding/json"
	"html"
	"strings"
)

// A portal's detail service answers JSON whose string holds the report's HTML
// ({"data":{"title":"…2023年政府信息公开工作年度报告","content":"<p>…<table>…"}}),
// the page itself a script shell that writes it in. Such an answer is read as
// the HTML its longest report-carrying string holds, titled by the title its
// object gives beside it.

// maxJSONDepth bounds how deep a JSON document is walked.
const maxJSONDepth = 32

// JSONReport returns the report HTML a JSON document carries in a string,
// and the report title its object names, if any.
func JSONReport(b []byte) (markup, title string, ok bool) {
	b = bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(b) == 0 || b[0] != '{' && b[0] != '[' {
		return "", "", false
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", "", false
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > maxJSONDepth {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				if s, isStr := e.(string); isStr && len(s) > len(markup) && carriesReport(s) {
					markup, title = s, titleIn(x)
				}
				walk(e, depth+1)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(v, 0)
	return markup, title, markup != ""
}

// titleIn is the report title an object names beside its content: a string
// under a key that says title (title, docTitle, bt, name, subject) that reads
// as a report's title.
func titleIn(m map[string]any) string {
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			continue
		}
		k = strings.ToLower(k)
		if (strings.Contains(k, "title") || k == "bt" || k == "name" || k == "subject") && looksLikeReportTitle(s) {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// jsonPage is the HTML page a JSON-carried report is read as.
func jsonPage(markup, title string) []byte {
	var b strings.Builder
	b.WriteString(`<html><head><meta charset="utf-8">`)
	if title != "" {
		b.WriteString("<title>" + html.EscapeString(title) + "</title></head><body><h1>" + html.EscapeString(title) + "</h1>")
	} else {
		b.WriteString("</head><body>")
	}
	b.WriteString(markup)
	b.WriteString("</body></html>")
	return []byte(b.String())
}
