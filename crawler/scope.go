// Package crawler discovers and fetches annual reports on gov.cn portals, politely:
// robots.txt obeyed (RFC 9309), one request at a time per host with a minimum
// delay, back-off on 429, 5xx and challenges, an identifying User-Agent, no
// challenge solving, no evasion. It drives a colly Collector from a bbolt frontier
// (store.Frontier), follows the CMS dialects of real portals to the report
// columns, keeps the raw bytes of report pages and attachments, extracts their
// records as it goes, and records every fetch and what it learnt of every host.
package crawler

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/fetch"
)

// Scope decides which hosts belong to the corpus: the seed hosts and, for a
// gov.cn seed, the sub-domains of its name without "www." (www.hefei.gov.cn:
// every *.hefei.gov.cn; xxgk.hefei.gov.cn: *.xxgk.hefei.gov.cn, not its
// siblings). Clone sites, off-site redirects and everything else stay out.
type Scope struct {
	exact        map[string]bool // host[:port] of the seeds
	suffix       []string        // ".hefei.gov.cn": sub-domains of gov.cn seeds
	allowPrivate bool            // loopback and private IP literals allowed
}

// AllowPrivate lets IP literals on loopback and private ranges in (tests, a local
// mirror); without it they are refused even when a seed names one.
func (s *Scope) AllowPrivate(ok bool) { s.allowPrivate = ok }

// NewScope builds a scope from seed URLs.
func NewScope(seeds []string) *Scope {
	s := &Scope{exact: map[string]bool{}}
	seen := map[string]bool{}
	for _, raw := range seeds {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		host := strings.ToLower(u.Host)
		s.exact[host] = true
		name := strings.ToLower(u.Hostname())
		if net.ParseIP(name) != nil || !strings.HasSuffix(name, ".gov.cn") {
			continue
		}
		// www.hefei.gov.cn → .hefei.gov.cn; hefei.gov.cn → .hefei.gov.cn
		base := strings.TrimPrefix(name, "www.")
		if strings.Count(base, ".") < 2 { // never all of .gov.cn
			continue
		}
		if suf := "." + base; !seen[suf] {
			seen[suf] = true
			s.suffix = append(s.suffix, suf)
		}
	}
	sort.Strings(s.suffix)
	return s
}

// Limits on what a URL may be: a host name as DNS allows it (253 bytes,
// labels of 63), a URL of at most MaxURLLength bytes. The store keys its
// frontier and captures by URL and host: a 40 KB host name had made every
// commit fail, and every resumed run with it.
const (
	MaxURLLength  = 4096
	maxHostLength = 253
	maxLabel      = 63
)

// sizedName: a host name DNS can carry.
func sizedName(name string) bool {
	if len(name) == 0 || len(name) > maxHostLength {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(name, "."), ".") {
		if len(label) == 0 && !strings.Contains(name, ":") || len(label) > maxLabel {
			return false
		}
	}
	return true
}

// Allows reports whether a URL is in scope.
func (s *Scope) Allows(raw string) bool {
	if len(raw) > MaxURLLength {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !sizedName(u.Hostname()) {
		return false
	}
	host := strings.ToLower(u.Host)
	name := strings.ToLower(u.Hostname())
	if !s.allowPrivate && privateName(name) {
		return false // whatever the spelling, and before any proxy sees it
	}
	if s.exact[host] {
		return true
	}
	for _, suf := range s.suffix {
		if name == suf[1:] || strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// why says, for a URL the scope refuses for its size, which limit it is past
// (with a leading space), and nothing otherwise.
func (s *Scope) why(raw string) string {
	if len(raw) > MaxURLLength {
		return fmt.Sprintf(" (an address over %d bytes)", MaxURLLength)
	}
	if u, err := url.Parse(raw); err == nil && u.Host != "" && !sizedName(u.Hostname()) {
		return " (a host name DNS cannot carry)"
	}
	return ""
}

// privateName: a host name that names a loopback or private address in any
// spelling a resolver or a proxy accepts: an IP literal (dotted, with a
// trailing dot, in the short forms 127.1 and 10.1.2, as one decimal, hex or
// octal number, with octal or hex parts, IPv4-mapped IPv6) or a localhost name.
func privateName(name string) bool {
	name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") || name == "localhost.localdomain" {
		return true
	}
	if ip := net.ParseIP(name); ip != nil {
		return !fetch.Public(ip)
	}
	if ip, ok := inetAton(name); ok {
		return !fetch.Public(ip)
	}
	return false
}

// inetAton reads an IPv4 address as inet_aton(3) does: one to four parts, each
// decimal, 0x-hex or 0-octal, the last filling the remaining bytes.
func inetAton(s string) (net.IP, bool) {
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return nil, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return nil, false
		}
		base, digits := 10, p
		switch {
		case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
			base, digits = 16, p[2:]
			if digits == "" {
				digits = "0"
			}
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return nil, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i, v := range vals[:last] {
		if v > 255 {
			return nil, false
		}
		n |= v << (8 * (3 - i))
	}
	if vals[last] >= 1<<(8*(4-last)) {
		return nil, false
	}
	n |= vals[last]
	return net.IPv4(byte(n>>24), byte(n>>16), byte(n>>8), byte(n)), true
}

// Why says why a URL is out of scope.
func (s *Scope) Why(raw string) string {
	if len(raw) > MaxURLLength {
		return fmt.Sprintf("a URL of %d bytes, over %d", len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "not an absolute URL"
	}
	if !sizedName(u.Hostname()) {
		return fmt.Sprintf("a host name of %d bytes (DNS allows %d, labels of %d)", len(u.Hostname()), maxHostLength, maxLabel)
	}
	if !s.allowPrivate && privateName(strings.ToLower(u.Hostname())) {
		return "a loopback or private address (allow_private is off)"
	}
	if s.Allows(raw) {
		return ""
	}
	return "not a seed host or a gov.cn sub-domain of one"
}

// stripDefaultPort drops :80 from http and :443 from https URLs.
func stripDefaultPort(u *url.URL) {
	if u.Port() == "80" && u.Scheme == "http" || u.Port() == "443" && u.Scheme == "https" {
		u.Host = u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]" // an IPv6 literal keeps its brackets
		}
	}
}

// cleanPath resolves . and .. and doubled slashes, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	cleaned := path.Clean(p)
	if cleaned == "." {
		return "/"
	}
	if strings.HasSuffix(p, "/") && cleaned != "/" {
		cleaned += "/"
	}
	return cleaned
}

// gateHostRe: the host a /gate/big5/HOST/ gateway path names.
var gateHostRe = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?$`)

// sessionParams are query parameters that identify a session, not a page.
// print and printable mark print duplicates of the same page.
var sessionParams = map[string]bool{"jsessionid": true, "sessionid": true, "sid_tmp": true, "phpsessid": true, "_": true, "t_": true,
	"print": true, "printable": true}

// FetchForm is the URL that is requested for a link: the link itself with only
// what never changes the answer normalised (lower-case host, no default port,
// no fragment, no ;jsessionid=, no "." or ".." segments), and a
// `/gate/big5/HOST/PATH` gateway copy (a transcoded duplicate that names its
// original, and can nest) asked of HOST/PATH itself. Its query is kept as
// written, and its host and path are never guessed at: a page found on an m.
// host or as a _wap.html copy is fetched where it was found. What makes such
// addresses one page is Canonical, the de-duplication key.
func FetchForm(raw string) (string, bool) {
	u, p, ok := fetchParts(raw)
	if !ok {
		return "", false
	}
	setPath(u, p)
	return u.String(), true
}

// fetchParts parses raw into FetchForm's URL and escaped path. The path is
// worked on escaped, so that an escaped slash (%2F) or other reserved byte
// stays what the server was sent.
func fetchParts(raw string) (*url.URL, string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", false
	}
	u.Fragment, u.RawFragment = "", ""
	u.Host = strings.ToLower(u.Host)
	stripDefaultPort(u)
	if u.Hostname() == "" {
		return nil, "", false
	}
	u.ForceQuery = false
	u.RawQuery = escapeQuery(u.RawQuery)
	p := u.EscapedPath()
	if i := strings.Index(strings.ToLower(p), ";jsessionid="); i >= 0 {
		p = p[:i]
	}
	// Nested /gate/big5/HOST/ prefixes, until nothing changes.
	for range 16 {
		before := u.Host + p
		p = unwrapGate(u, cleanPath(p))
		if u.Host+p == before {
			break
		}
	}
	return u, p, true
}

// unwrapGate takes a /gate/big5/HOST/ prefix off p, moving u to HOST.
func unwrapGate(u *url.URL, p string) string {
	rest, ok := strings.CutPrefix(p, "/gate/big5/")
	if !ok {
		return p
	}
	host, after, _ := strings.Cut(rest, "/")
	if !gateHostRe.MatchString(host) {
		return p
	}
	u.Host = strings.ToLower(host)
	stripDefaultPort(u)
	return "/" + after
}

// escapeQuery percent-encodes the bytes a query may not carry as they are
// (spaces, controls, non-ASCII), as a browser does before sending it.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c > 0x20 && c < 0x7f && !strings.ContainsRune("\"<>\\^`{|}", rune(c)) {
			if b.Len() > 0 {
				b.WriteByte(c)
			}
			continue
		}
		if b.Len() == 0 {
			b.WriteString(q[:i])
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	if b.Len() == 0 {
		return q
	}
	return b.String()
}

func setPath(u *url.URL, p string) {
	if unescaped, err := url.PathUnescape(p); err == nil {
		u.Path, u.RawPath = unescaped, p
	} else {
		u.Path, u.RawPath = p, ""
	}
}

// Canonical is the de-duplication key of a URL, so that one page has one
// name: its FetchForm with sorted query parameters and no session ids,
// `_wap.html` duplicates mapped to the page itself and `m.` mobile hosts to
// `www.`. It names a page; it is not what is fetched (see FetchForm).
func Canonical(raw string) (string, bool) {
	u, p, ok := fetchParts(raw)
	if !ok {
		return "", false
	}
	// _wap.html copies and m. hosts, until nothing changes: a _wap.html
	// taken off can leave a gateway path (the result is its own canonical form).
	for range 16 {
		before := u.Host + p
		if h := u.Hostname(); strings.HasPrefix(h, "m.") && strings.HasSuffix(h, ".gov.cn") {
			u.Host = "www." + strings.TrimPrefix(u.Host, "m.")
		}
		if strings.HasSuffix(p, "_wap.html") {
			p = strings.TrimSuffix(p, "_wap.html") + ".html"
		}
		p = unwrapGate(u, cleanPath(p))
		if u.Host+p == before {
			break
		}
	}
	setPath(u, p)
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if sessionParams[strings.ToLower(k)] {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode() // sorted by key
	}
	return u.String(), true
}
