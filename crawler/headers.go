package crawler

import (
	"net/http"
)

// Headers kept with a fetch and a capture: the ones that say what the
// document is, where it came from and when, and how it may be asked again
// (WARC export writes them back). The rest (cookies, a server's trackers,
// whatever a hostile server sends: 9 MB on every page had made 60 fetches
// cost 581 MB of store) are not kept, and what is kept is bounded.
var keptHeaders = []string{"Content-Type", "Content-Length", "Content-Disposition", "Content-Language",
	"Content-Encoding", "Last-Modified", "Etag", "Date", "Expires", "Cache-Control", "Location",
	"Refresh", "Retry-After", "Server", "X-Robots-Tag", "Link"}

// Bounds on what is kept: a value's bytes and the values per header.
const (
	maxHeaderValue  = 1 << 10
	maxHeaderValues = 4
)

// maxResponseHeaderBytes bounds the header block the transport reads (Go's
// default is 10 MB).
const maxResponseHeaderBytes = 256 << 10

// keptHeader is what a fetch keeps of an answer's header.
func keptHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := http.Header{}
	for _, k := range keptHeaders {
		vs := h.Values(k)
		for i, v := range vs {
			if i == maxHeaderValues {
				break
			}
			if len(v) > maxHeaderValue {
				v = v[:maxHeaderValue]
			}
			out.Add(k, v)
		}
	}
	return out
}
