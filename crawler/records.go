package crawler

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/discover"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// Which fetched pages become report records is decided by what they read as,
// never by their title or by the link that led to them: a column named
// 政府信息公开年度报告, or a year's column that lists one report, reads as a
// list however it is titled.

// yearRe finds a year in a title (a report's title names its year; a
// column's title often does not).
var yearRe = regexp.MustCompile(`(19|20)\d\d`)

// readsAsReport judges a page's record by its content: a page is a report
// when it holds the template's tables, or the report's own body (its
// sections, or the figures its prose states); failing that, when its title
// (the markup's, or its text's first report title) names one report's year,
// as a report's page does whose document is its attachment or whose text is
// short. A page that links other reports and holds neither tables nor a
// report's body is their list, whether it links one or many; so is a page
// titled as a column (政府信息公开年度报告, no year) with nothing of a
// report. why says what decided.
func readsAsReport(rec *report.Record, links []discover.Link, self string) (ok bool, why string) {
	if filledTables(rec) {
		return true, "the template's tables"
	}
	sections := sectionCount(rec)
	if otherReports(links, self) > 0 && sections < 3 {
		return false, "a list: it links reports and holds no report's tables or sections"
	}
	if sections >= 3 || len(rec.Narrative) >= 2 {
		return true, "a report's body"
	}
	if !yearRe.MatchString(string(rec.Title)) {
		return false, "a column: no tables, no report's body, and its title names no year"
	}
	return true, "a report's page: its title names the report's year (its document may be its attachment)"
}

// filledTables: a template table with a cell read.
func filledTables(rec *report.Record) bool {
	for _, t := range []*report.Table{rec.Active, rec.Requests, rec.ReviewLitigation} {
		if t != nil && t.Filled() > 0 {
			return true
		}
	}
	return false
}

// sectionCount counts the report's sections the record holds text for.
func sectionCount(rec *report.Record) int {
	n := 0
	for _, s := range []string{rec.Sections.General, rec.Sections.Active, rec.Sections.Requests, rec.Sections.Review, rec.Sections.Problems, rec.Sections.Other} {
		if strings.TrimSpace(s) != "" {
			n++
		}
	}
	return n
}

// otherReports counts the reports a page links besides itself.
func otherReports(links []discover.Link, self string) int {
	reports := map[string]bool{}
	for _, l := range links {
		if l.Kind == discover.Report {
			if u, ok := Canonical(l.URL); ok && u != self {
				reports[u] = true
			}
		}
	}
	return len(reports)
}

// openingLines is how many of a page's first lines of text are looked at
// for a report's title.
const openingLines = 40

// opensAsReport: a page whose text (not its links' text: a list's entries
// name reports) opens with a report's title naming its year (a column's
// heading seldom does), within its first lines, is
// read as one whatever its <title> says (a portal's template often titles
// every article with its column's name); its content then decides whether
// it is one (readsAsReport).
func opensAsReport(root *html.Node) bool {
	lines := 0
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if lines >= openingLines {
			return false
		}
		switch {
		case n.Type == html.ElementNode && (n.DataAtom == atom.A || n.DataAtom == atom.Script || n.DataAtom == atom.Style ||
			n.DataAtom == atom.Head || n.DataAtom == atom.Noscript || n.DataAtom == atom.Select):
			return false
		case n.Type == html.TextNode:
			t := strings.TrimSpace(n.Data)
			if t == "" {
				return false
			}
			lines++
			return yearRe.MatchString(t) && extract.LooksLikeReportTitle(t)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if walk(ch) {
				return true
			}
		}
		return false
	}
	return root != nil && walk(root)
}
