package crawler

import (
	"net/http"
	"strings"
)

// unreadLocation keeps, for the crawl's own reading, a redirect's Location
// that no repair could make an address of (clipped): Go's client would
// otherwise fail the whole fetch ("failed to parse Location header"), which
// read as a network outage gave the host up.
const unreadLocation = "Nianbao-Unread-Location"

// locationRepair takes a redirect whose Location Go's client cannot parse (a
// raw "%" in a Chinese file name, as real servers send: /nb/完成率100%.html)
// and repairs it as a browser does (a "%" not starting an escape, spaces and
// control characters escaped); one it cannot repair is set aside, so the
// answer reaches the crawl as a redirect to an address that cannot be read:
// the page's fault, not the host's.
type locationRepair struct{ next http.RoundTripper }

func (t locationRepair) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return resp, err
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return resp, nil
	}
	if _, perr := r.URL.Parse(loc); perr == nil {
		return resp, nil
	}
	if fixed := repairLocation(loc); fixed != "" {
		if _, perr := r.URL.Parse(fixed); perr == nil {
			resp.Header.Set("Location", fixed)
			return resp, nil
		}
	}
	resp.Header.Del("Location")
	resp.Header.Set(unreadLocation, clip(loc))
	return resp, nil
}

// repairLocation escapes what a browser escapes in an address it is sent
// to: a "%" that does not start an escape of two hex digits, spaces, control
// characters and bytes past ASCII. Empty when nothing changed.
func repairLocation(loc string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(loc); i++ {
		c := loc[i]
		switch {
		case c == '%' && (i+2 >= len(loc) || !ishex(loc[i+1]) || !ishex(loc[i+2])):
			b.WriteString("%25")
			changed = true
		case c <= ' ' || c == 0x7f || c >= 0x80:
			const digits = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(digits[c>>4])
			b.WriteByte(digits[c&15])
			changed = true
		default:
			b.WriteByte(c)
		}
	}
	if !changed {
		return ""
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
