package crawler

import (
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao/discover"
	"github.com/nianbao/nianbao/store"
)

// Best-first discovery. Every link a page offers in scope is a candidate:
// what discovery named (a report, a file, a list answer, a column by its
// words or path) and what it could not (a link whose words and path name
// nothing it knows: a column named otherwise, a 部门名录 or 机构设置 page of
// department sites). Each goes into its host's queue at a place (Later) by
// its kind, and an unnamed one by how many unnamed links in a row led to it,
// its anchor (a short navigation label, a directory's name or a long item
// title), the page it was found on and its depth; the frontier hands a host's requests out best first, so the
// unnamed links are asked only after every named one, while the host's
// budget lasts. Traps are kept out by their structure, not their words: a
// file that is no document, a search, a calendar, a permutation of many
// parameters, another site.

// The places in a host's queue (store.QueuedRequest.Later): 0 is the seeds';
// a revisit goes where its URL first went, a redirect's target where the
// redirecting request was.
const (
	laterAttachment = 1
	laterReport     = 2
	laterAPI        = 3
	laterPage       = 4
	laterWeak       = 6 // the first unnamed link in a row (a directory's 5); each further one goes 2 back
	maxWeak         = 2 // unnamed links in a row followed at most
	longAnchor      = 20
	deepLink        = 5 // links from the seed beyond which an unnamed link goes one further back
)

// directoryTextRe: words of a page that lists other sites or units (a
// directory of departments, townships, links): an unnamed link so worded
// goes first among the unnamed.
var directoryTextRe = regexp.MustCompile(`部门|机构|单位|名录|乡镇|街道|镇街|直属|下属|导航|链接|网站群|站群`)

// placeLink says where in its host's queue a link found on req's page goes
// (its Later), how many unnamed links in a row it ends (its Weak), and
// whether it is followed at all. u is the link's fetch form.
//
// A named link found on a page that unnamed links led to carries their
// count on (a department's columns, found through a directory, are named;
// a news column's pager is too, but its items stay as far from the named
// way as the news column was), and a page so named goes behind the pages
// named all the way.
func placeLink(req *store.QueuedRequest, l discover.Link, u string) (later uint8, weak int, ok bool) {
	inherited := req.Weak()
	switch {
	case l.Kind == KindAttachment:
		return laterAttachment, inherited, true
	case l.Kind == KindReport:
		return laterReport, inherited, true
	case l.Kind == KindAPI:
		return laterAPI, inherited, true
	case !l.Weak:
		return uint8(laterPage + min(inherited, maxWeak)), inherited, true
	}
	weak = inherited + 1
	long := utf8.RuneCountInString(l.Anchor) > longAnchor
	if weak > maxWeak || weak > 1 && long || trap(u) || fileRe.MatchString(u) || !sameSite(req.Host, hostOf(u)) {
		return 0, 0, false
	}
	n := laterWeak + 2*(weak-1)
	if long {
		n++ // an item's title, not a navigation label
	}
	if req.Kind() == KindReport {
		n++ // a report's page links its site's navigation, seen on its lists first
	}
	if directoryTextRe.MatchString(l.Anchor) {
		n-- // a directory of units: before the other unnamed links
	}
	if req.Depth+1 > deepLink {
		n++ // far from the seed: after the unnamed links nearer to it
	}
	return uint8(n), weak, true
}

var (
	// fileRe: a document's file, which only a report's page (as its
	// attachment) or a report's title (as the report) names for the crawl.
	fileRe = regexp.MustCompile(`(?i)\.(pdf|docx?|wps|xlsx?|et|zip|rar|ofd)(\?|$)|downfile\.jsp`)
	// notDocumentRe: files that hold no report and lead to none.
	notDocumentRe = regexp.MustCompile(`(?i)\.(jpe?g|png|gif|bmp|svg|ico|webp|tiff?|css|js|json|mp[34]|m4a|wav|avi|flv|swf|wmv|mov|mkv|exe|apk|ipa|msi|dmg|ttf|woff2?|eot)$`)
	// trapPathRe: path segments of searches, calendars and page functions.
	trapPathRe = regexp.MustCompile(`(?i)(^|/)(search|s|query|calendar|rili|login|logout|register|reg|print|share|rss|feed|vote|comment|sitemap)(/|\.|_|$)`)
	// dateValueRe: a query value that is a date (a calendar's day, a
	// search's range).
	dateValueRe = regexp.MustCompile(`^(19|20)\d\d[-/.]?(0?[1-9]|1[0-2])([-/.]?\d\d)?$`)
)

// trapKeys are query keys of searches, calendars, sorting and page styles:
// every value of them is another address of the same pages.
var trapKeys = map[string]bool{
	"search": true, "keyword": true, "keywords": true, "q": true, "wd": true, "query": true, "searchword": true,
	"word": true, "kw": true, "date": true, "day": true, "month": true, "calendar": true, "sort": true, "order": true,
	"orderby": true, "sortfield": true, "print": true, "lang": true, "fontsize": true, "style": true, "skin": true,
	"theme": true, "share": true, "callback": true, "from": true, "to": true, "begin": true, "end": true,
}

// trap: an unnamed link whose structure says it leads to no report, or to
// endless addresses of the same pages: a file that is no document, a search
// or calendar (by path, by a query key, by a date as a value), or a query of
// more than two parameters, whose permutations are countless.
func trap(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return true
	}
	p := strings.ToLower(pu.Path)
	if notDocumentRe.MatchString(p) || trapPathRe.MatchString(p) || strings.Contains(p, ";jsessionid") {
		return true
	}
	if pu.RawQuery == "" {
		return false
	}
	q := pu.Query()
	if len(q) > 2 {
		return true
	}
	for k, vs := range q {
		if trapKeys[strings.ToLower(k)] {
			return true
		}
		for _, v := range vs {
			if dateValueRe.MatchString(v) {
				return true
			}
		}
	}
	return false
}

// sameSite: two hosts of one site (rsj.km.gov.cn and www.km.gov.cn; one
// address on two ports). An unnamed link to another site (the national
// portal in every footer, a neighbour's) is not followed: it would open a
// new host's budget for a link nothing named.
func sameSite(a, b string) bool {
	return siteOf(a) == siteOf(b)
}

// siteOf is a host's site: its address for an IP, else its last three
// labels under gov.cn (km.gov.cn) or its last two elsewhere.
func siteOf(host string) string {
	h := strings.ToLower(host)
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	if net.ParseIP(strings.Trim(h, "[]")) != nil {
		return h
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	n := 2
	if strings.HasSuffix(h, ".gov.cn") {
		n = 3
	}
	if len(labels) <= n {
		return strings.Join(labels, ".")
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

// spentOn is what a fetch of req went to, for the host's budget: a report
// (its record or file stored, or a file asked as one), a list (it led on to
// named links: reports, files, list answers, columns), or something else.
func spentOn(req *store.QueuedRequest, cm *store.Commit) string {
	switch {
	case cm.Capture != nil, req.Kind() == KindAttachment && cm.Fetch != nil && cm.Fetch.Class == ClassOK:
		return "report"
	case cm.Fetch == nil || cm.Fetch.Class != ClassOK:
		return "other"
	}
	for _, q := range cm.Add {
		if q.Weak() <= req.Weak() { // a named link (an unnamed one counts one more)
			return "list"
		}
	}
	return "other"
}

// spendOn counts a fetch into its host's budget by what it went to.
func (c *Crawler) spendOn(hi *store.HostInfo, on string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch on {
	case "report":
		hi.Spent.Reports++
	case "list":
		hi.Spent.Lists++
	default:
		hi.Spent.Other++
	}
}

// HostBudget is how a host's page budget was spent in a run.
type HostBudget struct {
	Host    string `json:"host"`
	Fetches int    `json:"fetches"`
	Budget  int    `json:"budget"`
	store.Spent
}

// budgets are the run's hosts' budgets, the most asked first (c.mu held).
func (c *Crawler) budgets() []HostBudget {
	out := make([]HostBudget, 0, len(c.hosts))
	for _, h := range c.hosts {
		out = append(out, HostBudget{Host: h.Host, Fetches: h.Fetches, Budget: c.cfg.MaxPagesPerHost, Spent: h.Spent})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Fetches != out[j].Fetches {
			return out[i].Fetches > out[j].Fetches
		}
		return out[i].Host < out[j].Host
	})
	return out
}
