package extract

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
)

// gkmlpt (the 政府信息公开目录 platform of many Guangdong sites) serves a report
// page as a script shell whose _CONFIG.DETAIL holds the report's title and HTML.

var detailJSONRe = regexp.MustCompile(`DETAIL: (\{.*\})\};`)

// GkmlptDetail returns the report HTML inside a gkmlpt page's _CONFIG.DETAIL.
func GkmlptDetail(text string) (string, bool) {
	m := detailJSONRe.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	var d struct {
		Title       string `json:"title"`
		Content     string `json:"content"`
		PublishTime string `json:"publish_time"`
	}
	if err := json.NewDecoder(strings.NewReader(m[1])).Decode(&d); err != nil || d.Content == "" {
		return "", false
	}
	head := "<title>" + html.EscapeString(d.Title) + "</title>"
	if d.PublishTime != "" {
		head += `<meta name="PubDate" content="` + html.EscapeString(d.PublishTime) + `">`
	}
	return "<html><head>" + head + "</head><body>" + d.Content + "</body></html>", true
}
