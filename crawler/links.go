package crawler

import (
	"net/url"
	"strings"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/discover"
)

// Kinds of queued requests (the kinds of package discover, as the frontier
// stores them).
const (
	KindPage       = crawl.Page       // a page to read for links: home, portal, column, list
	KindReport     = crawl.Report     // a page that should be a report
	KindAttachment = crawl.Attachment // a report's file
	KindAPI        = crawl.API        // a JSON or XML list
)

// linksIn finds what a fetched document, decoded from charset, leads to: a
// list endpoint's answer is read as one; any other document by the registry
// of extractors (its links' queries requested as a browser writes them, in
// the page's own encoding). It returns the document as discovery read it
// (its markup parsed once, for the extraction to read too), nil for a list
// endpoint's answer.
func (c *Crawler) linksIn(text, charset string, base *url.URL, kind crawl.Kind, hint string) ([]discover.Link, *discover.Doc) {
	if kind == KindAPI {
		return discover.AnswerTo(text, base, hint), nil
	}
	if len(text) > maxLinkText {
		// A tree costs about ten times its page: a page past the bound is
		// read for links in its first maxLinkText bytes (cut at a tag).
		cut := strings.LastIndexByte(text[:maxLinkText], '<')
		if cut <= 0 {
			cut = maxLinkText
		}
		text = text[:cut]
		c.Stats.PagesCut.Add(1)
	}
	d := &discover.Doc{URL: base, Text: text, Kind: kind, Hint: hint, Charset: charset}
	return discover.Find(d, c.extractors), d
}

// maxLinkText bounds the text of a page read for links (8 MiB, what the
// extractor reads of a document's text): a 30 MB page of links had held a
// tree of 300 MB.
const maxLinkText = 8 << 20

// charsetOf is the encoding a page was decoded from, empty if not known.
func charsetOf(d *decode.Decoded) string {
	if d == nil {
		return ""
	}
	return d.Encoding
}
