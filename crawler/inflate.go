package crawler

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// One layer decompresses an answer, and counts the bytes after it. Go's
// transport inflates "Content-Encoding: gzip" itself, while it is read, so
// the collector's size limit counts what comes out. The collector inflates
// what the transport leaves (x-gzip, a gzip Content-Type without an
// encoding, a .xml.gz path) after cutting the compressed bytes at the limit,
// all at once into memory: 2 MB on the wire became 3 GB. inflateBounded
// takes those answers before the collector sees them: an encoded body is
// inflated here, as it is read, and ends at the limit; a body that is a gzip
// file of its own is kept as the server sent it. Either way the collector is
// told the body is not compressed.
type inflateBounded struct {
	next http.RoundTripper
	max  int64 // the bytes an inflated body is read to (the collector's limit)
}

func (t inflateBounded) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.Uncompressed {
		return resp, err
	}
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch {
	case enc == "gzip" || enc == "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("reading the gzip-encoded body of %s: %w", r.URL.Redacted(), err)
		}
		resp.Body = &boundedInflate{zr: zr, raw: resp.Body, left: t.max}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	case enc == "" && (strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "gzip") || strings.HasSuffix(strings.ToLower(r.URL.Path), ".gz")):
		resp.Uncompressed = true // a gzip file is a document as it is: kept, never inflated here
	}
	return resp, nil
}

// boundedInflate reads an inflating body and ends it after left bytes, as
// the collector's own limit ends a plain one (one byte over max_bytes: the
// crawl then records the document as too large, never as cut).
type boundedInflate struct {
	zr   *gzip.Reader
	raw  io.ReadCloser
	left int64
}

func (b *boundedInflate) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.zr.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *boundedInflate) Close() error {
	b.zr.Close()
	return b.raw.Close()
}
