package discover

import (
	"encoding/json"
	"hash/fnv"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/nianbao/nianbao/extract"
)

// A list's rows often call a function the page does not define
// (onclick="openDetail('8871')"): its body, which builds the address, sits in
// a site-wide script the page loads. Such calls, with literal arguments, on
// elements whose text names a report or a report column, are carried in the
// hint of a request for each of the page's own scripts (libraries left out),
// and read in the script's answer by the same partial evaluation as a page's
// own functions. The request names the page's calls in its query (calls=…,
// which a static file ignores), so that each list page's rows are read, and a
// page whose rows are read already asks nothing.

// siteCall is a call a handler makes of a function defined elsewhere.
type siteCall struct {
	Fn     string `json:"fn"`
	Args   []any  `json:"args"` // strings and numbers
	Anchor string `json:"anchor,omitempty"`
}

// siteCalls is what a request for a site-wide script carries in its hint.
type siteCalls struct {
	Page  string     `json:"page"` // the page whose handlers make the calls
	Calls []siteCall `json:"calls"`
}

// callsHint opens the hint of a request for a site-wide script.
const callsHint = "calls="

// Bounds of what a page asks of its site-wide scripts.
const (
	maxSiteCalls   = 60
	maxSiteScripts = 3
)

// builtins are functions a browser defines: a call of one is not a page's.
var builtins = map[string]bool{"alert": true, "confirm": true, "prompt": true, "void": true, "eval": true, "setTimeout": true,
	"setInterval": true, "parseInt": true, "parseFloat": true, "encodeURIComponent": true, "encodeURI": true, "escape": true,
	"unescape": true, "decodeURIComponent": true, "decodeURI": true, "String": true, "Number": true, "$": true, "jQuery": true}

// elsewhere reads a handler's call of a function the page may define in
// another file: a plain call (not a method) whose arguments are all literals.
func elsewhere(sc *Script, c Call) (siteCall, bool) {
	if c.Path != c.Name || c.Name == "" || builtins[c.Name] || navigates(c) || len(c.Args) == 0 || len(c.Args) > 8 {
		return siteCall{}, false
	}
	out := siteCall{Fn: c.Name}
	for _, a := range c.Args {
		switch v := sc.Eval(a).(type) {
		case string:
			if len(v) > 200 {
				return siteCall{}, false
			}
			out.Args = append(out.Args, v)
		case float64:
			out.Args = append(out.Args, v)
		default:
			return siteCall{}, false // a value of the click (this.id): not a literal
		}
	}
	return out, true
}

// appendPending keeps a handler's calls when its element names a report or a
// report column, on a page read for links.
func appendPending(to, calls []siteCall, anchor string, from Kind) []siteCall {
	if from != Page || len(to) >= maxSiteCalls || !(extract.LooksLikeReportTitle(anchor) || columnTextRe.MatchString(anchor)) {
		return to
	}
	for _, c := range calls {
		c.Anchor = anchor
		to = append(to, c)
	}
	return to[:min(len(to), maxSiteCalls)]
}

// askSiteScripts asks the page's own scripts for the calls its handlers make.
func askSiteScripts(d *Doc, calls []siteCall, emit func(Link)) {
	if len(calls) == 0 {
		return
	}
	hint, err := json.Marshal(siteCalls{Page: d.URL.String(), Calls: calls})
	if err != nil {
		return
	}
	h := fnv.New32a()
	h.Write(hint)
	tag := strconv.FormatUint(uint64(h.Sum32()), 16)
	n := 0
	goquery.NewDocumentFromNode(d.HTML()).Find("script[src]").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		u, err := d.resolve(src)
		if err != nil || n >= maxSiteScripts || u.Host != d.URL.Host || !siteScript(u.Path) {
			return
		}
		n++
		q := u.Query()
		q.Set("calls", tag)
		u.RawQuery = q.Encode()
		emit(Link{URL: u.String(), Kind: API, Hint: callsHint + string(hint), Referer: d.URL.String()})
	})
}

// siteScriptAsked: a site-wide script's address as a page's calls ask it. A
// revisit on a later night comes without its hint (the stored request keeps
// none): it reads nothing, the links its calls gave being revisited
// themselves, and a page whose rows changed asking under another address.
func siteScriptAsked(u *url.URL) bool {
	return u != nil && u.Query().Get("calls") != "" && strings.HasSuffix(strings.ToLower(u.Path), ".js")
}

// siteScriptAnswer reads a site-wide script asked for a page's calls: each
// call is evaluated with the script's functions, and where it sends the
// browser is a link of the page, resolved against the page's address, kept
// by an anchor's rules.
func siteScriptAnswer(d *Doc, emit func(Link)) {
	var sc siteCalls
	if json.Unmarshal([]byte(strings.TrimPrefix(d.Hint, callsHint)), &sc) != nil || len(d.Text) > maxScriptBytes {
		return
	}
	page, err := url.Parse(sc.Page)
	if err != nil {
		return
	}
	p := newProgram([]*Script{parseScript(d.Text)})
	for _, c := range sc.Calls[:min(len(sc.Calls), maxSiteCalls)] {
		args, err := json.Marshal(c.Args)
		if err != nil || !jsName(c.Fn) {
			continue
		}
		code := c.Fn + "(" + strings.TrimSuffix(strings.TrimPrefix(string(args), "["), "]") + ")"
		for _, target := range p.clicks(code) {
			u, err := page.Parse(strings.TrimSpace(target))
			if err != nil {
				continue
			}
			if k := linkKind(u.String(), c.Anchor, Page); k != "" {
				emit(Link{URL: u.String(), Kind: k, Anchor: c.Anchor})
			} else {
				emit(Link{URL: u.String(), Kind: Page, Anchor: c.Anchor, Weak: true})
			}
		}
	}
}

var jsNameRe = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

func jsName(s string) bool { return jsNameRe.MatchString(s) }
