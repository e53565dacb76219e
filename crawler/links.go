package crawler

import (
	"net/url"

	"github.com/nianbao/nianbao/discover"
)

// Kinds of queued requests (the kinds of package discover, as the frontier
// stores them).
const (
	KindPage       = string(discover.Page)       // a page to read for links: home, portal, column, list
	KindReport     = string(discover.Report)     // a page that should be a report
	KindAttachment = string(discover.Attachment) // a report's file
	KindAPI        = string(discover.API)        // a JSON or XML list
)

// links finds what a fetched document leads to: a list endpoint's answer is
// read as one; any other document by the registry of extractors.
func (c *Crawler) links(text string, base *url.URL, kind, hint string) []discover.Link {
	if kind == KindAPI {
		return discover.Answer(text, base)
	}
	return discover.Find(&discover.Doc{URL: base, Text: text, Kind: discover.Kind(kind), Hint: hint}, c.extractors)
}
