package samples

import (
	"html"
	"strings"
)

// WordPasted lays a report's text out as a portal page pasted from Word: its
// paragraphs as MsoNormal paragraphs in styled spans, its tab-separated rows as
// rows of a bordered table, inside a TRS editor's div. The extractor's tests
// and benchmarks make real reports (the shared seeds) into such pages.
func WordPasted(text string) string {
	var b strings.Builder
	b.WriteString(`<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><div class="TRS_Editor">`)
	inTable := false
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "\t") {
			if !inTable {
				b.WriteString(`<table class="MsoNormalTable" border="1" cellspacing="0" style="border-collapse:collapse">`)
				inTable = true
			}
			b.WriteString("<tr>")
			for _, c := range strings.Split(line, "\t") {
				b.WriteString(`<td width="60" style="border:solid windowtext 1.0pt"><p class="MsoNormal" align="center"><span style="font-size:10.5pt;font-family:宋体">` + html.EscapeString(c) + `</span></p></td>`)
			}
			b.WriteString("</tr>")
			continue
		}
		if inTable {
			b.WriteString("</table>")
			inTable = false
		}
		b.WriteString(`<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt;mso-line-height-rule:exactly"><span style="font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体;mso-bidi-font-family:宋体">` + html.EscapeString(line) + `<o:p></o:p></span></p>`)
	}
	if inTable {
		b.WriteString("</table>")
	}
	b.WriteString("</div></body></html>")
	return b.String()
}
