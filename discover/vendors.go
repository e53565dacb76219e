package discover

// The vendor platforms that serve most city and county portals besides TRS,
// Hanweb's jcms and gkmlpt, each read from what public crawlers of gov.cn
// sites show of its requests and answers (the fixtures testdata/vendor_*
// cite them):
//
//   - Epoint (国泰新点) WebBuilder: a column page govInfoPub.html?categorynum=…
//     whose list a site-wide script (var siteInfo = {siteGuid, projectName})
//     asks for with a POST of JSON to projectName/rest/lightfrontaction/getgovinfolist;
//     the answer is {"custom": {"data"|"infodata": [{infourl, title, realtitle}], "total": N}}.
//   - Hanweb's JPaaS publishing units: an element whose attributes name the
//     unit service (url="/api-gateway/jpaas-publish-server/front/page/build/unit",
//     queryData="{'webId':…,'pageId':…,'tplSetId':…,'tagId':…}"), asked with
//     GET, the page in paramJson={"pageNo":N,"pageSize":S} (some hosts read
//     bare pageNo); the answer is {"data": {"html": "<ul>…</ul>"}} with a pager
//     whose data-page attributes give the page count.
//   - TrueCMS: a jpage call whose proxy is /TrueCMS/messageController/getMessage.do
//     and whose ajaxParam names the columnId, asked with GET in windows
//     (startrecord, endrecord, perpage); the answer is JSON or JSONP whose
//     result holds a <datastore> of <record> CDATA entries.
//   - Hanweb's (大汉) jcms disclosure module: a frame /module/xxgk/tree.jsp
//     whose nodes call funclick('infotypeId'), the reports' node giving
//     /module/xxgk/search.jsp?infotypeId=…&area=…&divid=…&currpage=N, markup
//     with a 共N页 line.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// AnswerTo reads the answer of a list endpoint as Answer does, and the
// vendor platforms' answers with it: hint is the hint of the link that asked
// for it (an Epoint list carries the JSON it posted, so that the answer's
// total gives the other pages; a revisit has none, and its entries are read
// all the same).
func AnswerTo(body string, base *url.URL, hint string) []Link {
	d := &Doc{URL: base, Text: body, Kind: API, Hint: hint, parsed: true, scanned: true}
	return Find(d, []Extractor{Epoint{}, JPaaS{}, TrueCMS{}, HanwebXxgk{}, answer{}})
}

// Epoint reads Epoint WebBuilder's disclosure columns: the column's
// categorynum (and deptcode) in the page's query, the site's siteGuid and
// projectName in the page's scripts or, on most hosts, in a site-wide script
// the page loads. That script is asked for with the column in its query (a
// static file ignores it; each column's request stays its own), and read as
// an answer; the list is then posted as JSON, pages 0 and 1 both (hosts count
// from either), the answer's total giving the rest.
type Epoint struct{}

// Name is part of Extractor.
func (Epoint) Name() string { return "epoint" }

// epointHint prefixes the hint of a posted list: the JSON it posted.
const epointHint = "epoint="

// Links is part of Extractor.
func (Epoint) Links(d *Doc, emit func(Link)) {
	if d.Kind == API {
		if col := epointColumn(d.URL); col != nil && strings.HasSuffix(strings.ToLower(d.URL.Path), ".js") && len(d.Text) <= maxScriptBytes {
			if site, ok := epointSite([]*Script{parseScript(d.Text)}); ok {
				epointLists(site, col, "", emit)
			}
			return
		}
		// A revisit is asked without its hint: its entries are still read
		// (the pages known are revisited themselves).
		body, _ := strings.CutPrefix(d.Hint, epointHint)
		epointAnswer(d, body, emit)
		return
	}
	col := epointColumn(d.URL)
	if col == nil {
		return
	}
	if site, ok := epointSite(d.Scripts()); ok {
		epointLists(site, col, d.URL.String(), emit)
		return
	}
	if !epointMarkRe.MatchString(d.Text) {
		return
	}
	n := 0
	goquery.NewDocumentFromNode(d.HTML()).Find("script[src]").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		u, err := d.resolve(src) // against <base href>, as the browser loads it
		if err != nil || u.Host != d.URL.Host || !siteScript(u.Path) || n >= 4 {
			return
		}
		n++
		q := u.Query()
		for k, v := range col {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		d.judge(src)
		emit(Link{URL: u.String(), Kind: API, Referer: d.URL.String()})
	})
}

var (
	// epointMarkRe: a page built by WebBuilder names it in its scripts or paths.
	epointMarkRe = regexp.MustCompile(`(?i)webbuilder|\bewb[-_]|epoint|siteguid`)
	// libraryRe: the scripts that are libraries, not a site's own.
	libraryRe = regexp.MustCompile(`(?i)jquery|\.min\.js$|bootstrap|layui|layer|swiper|vue|echarts|polyfill|html5shiv|respond|json2|md5|base64`)
)

// siteScript: a script of the site's own (not a library) that may hold its
// settings.
func siteScript(p string) bool {
	return strings.HasSuffix(strings.ToLower(p), ".js") && !libraryRe.MatchString(path.Base(p))
}

// epointColumn reads a column's categorynum and deptcode from a URL's query,
// whatever the case of its keys (categoryNum, categorynum), keyed as the list
// query spells them (nil when the URL names no column).
func epointColumn(u *url.URL) url.Values {
	var cat, dept string
	for k, v := range u.Query() {
		switch strings.ToLower(k) {
		case "categorynum":
			cat = v[0]
		case "deptcode":
			dept = v[0]
		}
	}
	if cat == "" || !isDigits(cat) {
		return nil
	}
	return url.Values{"categorynum": {cat}, "deptcode": {dept}}
}

// epointSettings are a WebBuilder site's identifiers.
type epointSettings struct {
	guid, project, endpoint string
}

// epointSite finds siteGuid and projectName in scripts: an object that
// holds them (var siteInfo = {…}, or a request's data), or vars of those
// names; the list's path if a string names it, else the platform's.
func epointSite(scripts []*Script) (epointSettings, bool) {
	var st epointSettings
	for _, s := range scripts {
		for _, v := range s.Values() {
			if m, ok := v.(map[string]any); ok {
				if g := firstString(m, "siteGuid"); g != "" && st.guid == "" {
					st.guid = g
				}
				if p := firstString(m, "projectName"); p != "" && st.project == "" {
					st.project = p
				}
			}
		}
		for name, e := range s.Vars {
			if v, ok := s.Eval(e).(string); ok && v != "" {
				switch strings.ToLower(name) {
				case "siteguid":
					st.guid = v
				case "projectname":
					st.project = v
				}
			}
		}
		for _, lit := range s.Strings {
			if epointListRe.MatchString(lit) {
				st.endpoint = lit
			}
		}
	}
	if st.guid == "" || len(st.guid) > 64 {
		return st, false
	}
	if st.project == "" {
		st.project = "/EWB-FRONT"
	}
	switch {
	case st.endpoint == "":
		st.endpoint = st.project + "/rest/lightfrontaction/getgovinfolist"
	case strings.HasPrefix(st.endpoint, "/rest/"):
		st.endpoint = st.project + st.endpoint
	}
	return st, true
}

var epointListRe = regexp.MustCompile(`(?i)^(?:/[\w.-]+)*/rest/\w+/getgovinfolist$`)

// epointPageSize is the page size asked for (the hosts read give 15 to 50).
const epointPageSize = 20

// epointLists posts the column's first pages.
func epointLists(st epointSettings, col url.Values, referer string, emit func(Link)) {
	for _, p := range []int{0, 1} {
		body := epointBody(st.guid, col.Get("categorynum"), col.Get("deptcode"), p, epointPageSize)
		emit(Link{URL: st.endpoint, Kind: API, Method: "POST", Body: body, Referer: referer, Hint: epointHint + body})
	}
}

func epointBody(guid, cat, dept string, page, size int) string {
	b, _ := json.Marshal(map[string]any{"siteGuid": guid, "categorynum": cat, "deptcode": dept, "pageIndex": page, "pageSize": size})
	return string(b)
}

// epointAnswer reads a posted list's answer: its entries (infourl with
// realtitle or title, at any depth of custom, which some hosts send as a
// string of JSON) and, on a first page whose posted JSON is known, the other
// pages from the total. A host that reads the query only wrapped as
// {"params": {…}} answers the bare one with no list: it is asked again
// wrapped, and its pages are asked so.
func epointAnswer(d *Doc, posted string, emit func(Link)) {
	var req map[string]any
	json.Unmarshal([]byte(posted), &req)
	inner, wrapped := req["params"].(map[string]any)
	if !wrapped {
		inner = req
	}
	custom := epointCustom(d.Text)
	rows := infoEntries(custom, 0, d, emit)
	cm, _ := custom.(map[string]any)
	total, ok1 := number(firstOf(cm, "total", "RowCount", "rowcount", "totalcount", "count"))
	if !ok1 && rows == 0 && inner != nil && !wrapped {
		body := epointWrap(inner)
		emit(Link{URL: d.URL.String(), Kind: API, Method: "POST", Body: body, Hint: epointHint + body})
		return
	}
	page, ok2 := number(inner["pageIndex"])
	size, ok3 := number(inner["pageSize"])
	if !ok1 || !ok2 || !ok3 || size <= 0 || page > 1 {
		return
	}
	per := size
	if rows > 0 && rows < size && rows < total {
		per = rows // the host pages by its own size, whatever was asked
	}
	guid, _ := inner["siteGuid"].(string)
	cat, _ := inner["categorynum"].(string)
	dept, _ := inner["deptcode"].(string)
	for p := 2; p <= min((total+per-1)/per, maxPages); p++ {
		body := epointBody(guid, cat, dept, p, size)
		if wrapped {
			var m map[string]any
			json.Unmarshal([]byte(body), &m)
			body = epointWrap(m)
		}
		emit(Link{URL: d.URL.String(), Kind: API, Method: "POST", Body: body, Hint: epointHint + body})
	}
}

// epointCustom is the custom member of a WebBuilder answer, parsed when a
// host sends it as a string of JSON (nil when there is none).
func epointCustom(text string) any {
	var v map[string]any
	if !strings.Contains(text, `"custom"`) || json.Unmarshal([]byte(strings.TrimSpace(text)), &v) != nil {
		return nil
	}
	custom := v["custom"]
	if s, ok := custom.(string); ok {
		custom = nil
		json.Unmarshal([]byte(s), &custom)
	}
	return custom
}

// epointWrap is a query as the hosts that read it wrapped want it.
func epointWrap(inner map[string]any) string {
	b, _ := json.Marshal(map[string]any{"params": inner})
	return string(b)
}

// infoEntries walks an answer for entries that carry their address as
// infourl (WebBuilder's spelling) or url, and their title; it counts them.
func infoEntries(v any, depth int, d *Doc, emit func(Link)) (n int) {
	if depth > 8 {
		return 0
	}
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			n += infoEntries(x, depth+1, d, emit)
		}
	case map[string]any:
		u := firstString(v, "infourl", "url", "linkurl", "href")
		title := firstString(v, "realtitle", "title", "customtitle", "infotitle")
		if u != "" && title != "" {
			n++
			d.judge(u)
			if k := linkKind(u, title, Page); k != "" {
				emit(Link{URL: u, Kind: k, Anchor: title})
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n += infoEntries(v[k], depth+1, d, emit)
		}
	}
	return n
}

// JPaaS reads Hanweb's JPaaS publishing units: an element (a script, a div)
// whose attributes carry the unit's service and its queryData, or its keys
// one by one as data-web-id, data-page-id, data-tpl-set-id…, or a script
// object holding webId, pageId and tplSetId. The unit is asked with GET, the
// page both in paramJson and bare (each host reads one); its answer's pager
// gives the other pages, or, with no pager, a page with entries asks for the
// next, as the public readers page until an empty one.
type JPaaS struct{}

// Name is part of Extractor.
func (JPaaS) Name() string { return "jpaas" }

// jpaasUnit is the platform's unit service.
const jpaasUnit = "/api-gateway/jpaas-publish-server/front/page/build/unit"

// jpaasPageSize is asked when the unit names none.
const jpaasPageSize = 15

// Links is part of Extractor.
func (JPaaS) Links(d *Doc, emit func(Link)) {
	if d.Kind == API {
		if q := d.URL.Query(); q.Get("webId") != "" && q.Get("pageId") != "" {
			jpaasAnswer(d, emit)
		}
		return
	}
	lower := strings.ToLower(d.Text)
	if !strings.Contains(lower, "querydata") && !strings.Contains(lower, "tplsetid") && !strings.Contains(lower, "data-tpl-set-id") {
		return
	}
	doc := goquery.NewDocumentFromNode(d.HTML())
	doc.Find("[querydata]").Each(func(_ int, s *goquery.Selection) {
		qd, _ := s.Attr("querydata")
		service, _ := s.Attr("url")
		sc := parseScript("var q = " + qd)
		if m, ok := sc.Eval(sc.Vars["q"]).(map[string]any); ok {
			jpaasRequest(d, service, m, 1, emit)
		}
	})
	doc.Find("[data-web-id][data-page-id]").Each(func(_ int, s *goquery.Selection) {
		m := map[string]any{}
		for _, a := range s.Nodes[0].Attr {
			if k, ok := strings.CutPrefix(strings.ToLower(a.Key), "data-"); ok {
				m[camel(k)] = a.Val // data-tpl-set-id="…" is tplSetId
			}
		}
		service, _ := m["url"].(string)
		jpaasRequest(d, service, m, 1, emit)
	})
	for _, s := range d.Scripts() {
		for _, v := range s.Values() {
			if m, ok := v.(map[string]any); ok && firstString(m, "tplSetId") != "" {
				service, _ := m["url"].(string)
				jpaasRequest(d, service, m, 1, emit)
			}
		}
	}
}

// camel spells a data attribute's name as its key: tpl-set-id is tplSetId.
func camel(kebab string) string {
	parts := strings.Split(kebab, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// jpaasRequest emits the unit's page.
func jpaasRequest(d *Doc, service string, m map[string]any, page int, emit func(Link)) {
	q := url.Values{}
	for k, v := range m {
		if sv, ok := str(v); ok && k != "url" && k != "paramJson" && k != "pageNo" && k != "pageSize" {
			q.Set(k, sv)
		}
	}
	if q.Get("webId") == "" || q.Get("pageId") == "" {
		return
	}
	size := jpaasPageSize
	if n, ok := number(m["pageSize"]); ok && n > 0 {
		size = n
	}
	if service == "" || !strings.Contains(service, "/") {
		service = jpaasUnit
	}
	emit(Link{URL: service + "?" + jpaasQuery(q, page, size), Kind: API, Referer: d.URL.String()})
}

// jpaasQuery is the unit's query for a page: paramJson and the bare keys.
func jpaasQuery(q url.Values, page, size int) string {
	q.Set("paramJson", fmt.Sprintf(`{"pageNo":%d,"pageSize":"%d"}`, page, size))
	q.Set("pageNo", strconv.Itoa(page))
	q.Set("pageSize", strconv.Itoa(size))
	return q.Encode()
}

var (
	dataPageRe  = regexp.MustCompile(`(?i)data-page\s*=\s*["']?(\d{1,5})`)
	pageTotalRe = regexp.MustCompile(`共\s*(\d{1,5})\s*页`)
)

// jpaasAnswer reads a unit's markup and, from a first page, its pager.
func jpaasAnswer(d *Doc, emit func(Link)) {
	var v struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal([]byte(strings.TrimSpace(d.Text)), &v) != nil {
		return
	}
	var unit struct {
		HTML string `json:"html"`
	}
	markup := ""
	if json.Unmarshal(v.Data, &unit) == nil {
		markup = unit.HTML
	} else {
		json.Unmarshal(v.Data, &markup)
	}
	if markup == "" {
		return
	}
	markupLinks(markup, d, emit)
	q := d.URL.Query()
	page, size := 1, jpaasPageSize
	if n, err := strconv.Atoi(q.Get("pageNo")); err == nil {
		page = n
	}
	if n, err := strconv.Atoi(q.Get("pageSize")); err == nil && n > 0 {
		size = n
	}
	last := 0
	for _, m := range dataPageRe.FindAllStringSubmatch(markup, -1) {
		last = max(last, atoiOr(m[1]))
	}
	if m := pageTotalRe.FindStringSubmatch(markup); m != nil {
		last = max(last, atoiOr(m[1]))
	}
	from, to := page+1, min(last, maxPages)
	if last == 0 && strings.Contains(strings.ToLower(markup), "<a ") {
		to = page + 1 // no pager: a page with entries asks for the next (hosts cap the size asked)
	} else if page != 1 {
		return
	}
	for p := from; p <= to && p <= maxPages; p++ {
		u := *d.URL
		u.RawQuery = jpaasQuery(q, p, size)
		emit(Link{URL: u.String(), Kind: API})
	}
}

func atoiOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TrueCMS reads TrueCMS lists: a jpage call whose proxy is not Hanweb's
// dataproxy.jsp and whose ajaxParam names the column, asked with GET in
// windows of perPage times groupSize records (all of them when the call
// gives totalRecord); an answer that fills its window asks for the next, one
// that gives <totalrecord> for all, and an empty answer to a window wider
// than a page asks again a page wide.
type TrueCMS struct{}

// Name is part of Extractor.
func (TrueCMS) Name() string { return "truecms" }

// Links is part of Extractor.
func (TrueCMS) Links(d *Doc, emit func(Link)) {
	if d.Kind == API {
		q := d.URL.Query()
		if q.Get("startrecord") != "" && q.Get("columnId") != "" {
			trueAnswer(d, emit)
		}
		return
	}
	for _, s := range d.Scripts() {
		for _, c := range s.Calls {
			if c.Name != "jpage" || len(c.Args) == 0 {
				continue
			}
			opts, _ := s.Eval(c.Args[0]).(map[string]any)
			proxy, _ := opts["proxyUrl"].(string)
			params, _ := opts["ajaxParam"].(map[string]any)
			if proxy == "" || strings.Contains(proxy, "dataproxy") || firstString(params, "columnId") == "" {
				continue
			}
			d.judge(proxy) // asked with its window, never bare
			q := url.Values{}
			for k, v := range params {
				if sv, ok := str(v); ok {
					q.Set(k, sv)
				}
			}
			per, ok := number(opts["perPage"])
			if !ok || per <= 0 {
				per = 10
			}
			group, ok := number(opts["groupSize"])
			if !ok || group <= 0 {
				group = 1
			}
			total, _ := number(opts["totalRecord"])
			trueWindows(proxy, q, 1, per, per*group, max(total, 1), d.URL.String(), emit)
		}
	}
}

// trueWindows asks the windows from start up to total records.
func trueWindows(proxy string, q url.Values, start, per, window, total int, referer string, emit func(Link)) {
	for n := 0; start <= total && n < maxPages; n++ {
		q.Set("startrecord", strconv.Itoa(start))
		q.Set("endrecord", strconv.Itoa(start+window-1))
		q.Set("perpage", strconv.Itoa(per))
		emit(Link{URL: strings.SplitN(proxy, "?", 2)[0] + "?" + q.Encode(), Kind: API, Referer: referer})
		start += window
	}
}

// trueAnswer reads a window: its records' anchors, then the next window
// when it is full, or every window from <totalrecord> on the first.
func trueAnswer(d *Doc, emit func(Link)) {
	text := strings.TrimSpace(d.Text)
	if i := strings.IndexByte(text, '('); i > 0 && i < 64 && strings.HasSuffix(strings.TrimRight(text, "; \n"), ")") {
		text = strings.TrimSuffix(strings.TrimRight(text, "; \n"), ")")[i+1:] // JSONP
	}
	var m map[string]any
	if json.Unmarshal([]byte(text), &m) == nil {
		var parts []string
		for _, v := range jsonStrings(m, 0) {
			if strings.Contains(v, "<") {
				parts = append(parts, v)
			}
		}
		text = strings.Join(parts, "\n")
	}
	recs := blocks(text, "<record>", "</record>")
	for _, r := range recs {
		markupLinks(cdata(r), d, emit)
	}
	q := d.URL.Query()
	start, end, per := atoiOr(q.Get("startrecord")), atoiOr(q.Get("endrecord")), atoiOr(q.Get("perpage"))
	window := end - start + 1
	if start < 1 || window < 1 || per < 1 {
		return
	}
	proxy := d.URL.Scheme + "://" + d.URL.Host + d.URL.Path
	total, ok := tagInt(text, "totalrecord")
	if n, isNum := number(firstOf(m, "totalRecord", "totalrecord", "total")); isNum {
		total, ok = n, true
	}
	if ok {
		if start == 1 {
			trueWindows(proxy, q, start+window, per, window, total, "", emit)
		}
		return
	}
	switch {
	case len(recs) >= window:
		trueWindows(proxy, q, start+window, per, window, start+window, "", emit)
	case len(recs) == 0 && window > per:
		// Hosts cap the window (50 records on one, 20 on another): an empty
		// answer to a wide one is asked again a page wide.
		trueWindows(proxy, q, start, per, per, start, "", emit)
	}
}

// HanwebXxgk reads the disclosure module of Hanweb's (大汉) jcms: a column
// page frames /module/xxgk/tree.jsp?area=…&divid=…, whose nodes call
// funclick('infotypeId') under their names; the node that names the reports
// gives its list, /module/xxgk/search.jsp with the tree's area and divid,
// whose answer is markup paged by currpage with a 共N页 line.
type HanwebXxgk struct{}

// Name is part of Extractor.
func (HanwebXxgk) Name() string { return "hanweb-xxgk" }

var (
	xxgkTreeRe = regexp.MustCompile(`(?i)/module/xxgk/tree\.jsp`)
	// funclickRe: a tree node, funclick('ID') in an anchor (its quotes
	// escaped inside a script's string), then the node's name.
	funclickRe = regexp.MustCompile(`funclick\(\s*\\?['"]([\w-]{1,40})\\?['"][^>]*>\s*([^<]{1,40})`)
)

// Links is part of Extractor.
func (HanwebXxgk) Links(d *Doc, emit func(Link)) {
	p := strings.ToLower(d.URL.Path)
	switch {
	case d.Kind == API && strings.HasSuffix(p, "/module/xxgk/search.jsp"):
		xxgkAnswer(d, emit)
	case d.Kind != API && strings.HasSuffix(p, "/module/xxgk/tree.jsp"):
		q := d.URL.Query()
		for _, m := range funclickRe.FindAllStringSubmatch(d.Text, -1) {
			if !reportColumnRe.MatchString(m[2]) {
				continue
			}
			sq := url.Values{"infotypeId": {m[1]}, "area": {q.Get("area")}, "divid": {q.Get("divid")}, "currpage": {"1"}}
			if v := q.Get("standardXxgk"); v != "" {
				sq.Set("standardXxgk", v)
			}
			emit(Link{URL: "search.jsp?" + sq.Encode(), Kind: API, Anchor: strings.TrimSpace(m[2]), Referer: d.URL.String()})
		}
	case d.Kind != API && xxgkTreeRe.MatchString(d.Text):
		goquery.NewDocumentFromNode(d.HTML()).Find("iframe[src], frame[src]").Each(func(_ int, s *goquery.Selection) {
			if src, _ := s.Attr("src"); xxgkTreeRe.MatchString(src) {
				emit(Link{URL: src, Kind: Page})
			}
		})
	}
}

// xxgkAnswer reads a search page's entries and, from its first page, the
// others.
func xxgkAnswer(d *Doc, emit func(Link)) {
	markupLinks(d.Text, d, emit)
	q := d.URL.Query()
	if atoiOr(q.Get("currpage")) > 1 {
		return
	}
	m := pageTotalRe.FindStringSubmatch(d.Text)
	if m == nil {
		return
	}
	for p := 2; p <= min(atoiOr(m[1]), maxPages); p++ {
		q.Set("currpage", strconv.Itoa(p))
		u := *d.URL
		u.RawQuery = q.Encode()
		emit(Link{URL: u.String(), Kind: API})
	}
}
