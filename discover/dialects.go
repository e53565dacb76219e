package discover

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/tdewolff/parse/v2/js"
)

// maxPages bounds the pages one list proposes.
const maxPages = 200

// reportColumnRe names a column of the reports themselves (not of all the
// disclosed information).
var reportColumnRe = regexp.MustCompile(`年报|年度报告`)

// TRS reads TRS WCM paging: createPageHTML(total, cur, "index", "html") numbers
// pages from 0 (index.html, index_1.html …); the six-argument form
// createPageHTML('page_div', total, cur, 'list', 'shtml', count) from 1
// (list.shtml, list_2.shtml …); any argument may be quoted, a missing name or
// extension is the page's own; var countPage = N alone gives the count. When
// the numbering cannot be told (not on the first page) both are proposed: the
// extra page is one 404.
type TRS struct{}

// Name is part of Extractor.
func (TRS) Name() string { return "trs" }

// Links is part of Extractor.
func (TRS) Links(d *Doc, emit func(Link)) {
	name, ext := baseName(d.URL)
	first := isFirstPage(d.URL) // list_zw_wj.shtml is a first page, index_3.html is not
	found := false
	for _, s := range d.Scripts() {
		for _, c := range s.Calls {
			if c.Name != "createPageHTML" {
				continue
			}
			args := make([]any, len(c.Args))
			for i, a := range c.Args {
				args[i] = s.Eval(a)
			}
			total, cur, n, e, from1, ok := trsArgs(args)
			if !ok {
				continue
			}
			found = true
			if n == "" {
				n, e = name, ext
			}
			lo, hi := 1, total // both numberings
			switch {
			case first && cur == 0:
				hi = total - 1 // numbered from 0
			case first && cur == 1 || from1:
				lo = 2 // numbered from 1
			}
			trsPages(n, e, lo, hi, emit)
		}
	}
	if found {
		return
	}
	for _, s := range d.Scripts() {
		for _, key := range []string{"countPage", "pageCount", "totalPage"} {
			if v, ok := s.Vars[key]; ok {
				if total, ok := number(s.Eval(v)); ok {
					trsPages(name, ext, 1, total, emit)
					return
				}
			}
		}
	}
	if total := markupPageCount(d); total > 1 {
		trsPages(name, ext, 1, total, emit) // <div id="pageDec" pagesize="24" pagecount="51">
	}
}

// markupPageCount: a page count printed as an attribute of the pager element
// (pagecount="51"), with no script that gives it.
func markupPageCount(d *Doc) int {
	if !strings.Contains(strings.ToLower(d.Text), "pagecount=") {
		return 0
	}
	n := 0
	goquery.NewDocumentFromNode(d.HTML()).Find("[pagecount]").EachWithBreak(func(_ int, sel *goquery.Selection) bool {
		v, _ := sel.Attr("pagecount")
		if k, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && k > 0 {
			n = k
			return false
		}
		return true
	})
	return n
}

// isFirstPage: the list page's file name has no _N page suffix.
func isFirstPage(u *url.URL) bool {
	file := path.Base(u.Path)
	name, _, _ := strings.Cut(file, ".")
	i := strings.LastIndexByte(name, '_')
	return i < 0 || !isDigits(name[i+1:])
}

// trsArgs reads createPageHTML's arguments in its known forms.
func trsArgs(args []any) (total, cur int, name, ext string, from1, ok bool) {
	if len(args) >= 1 {
		if _, isNum := number(args[0]); !isNum {
			args, from1 = args[1:], true // a container id first: the six-argument form
		}
	}
	if len(args) < 2 {
		return 0, 0, "", "", false, false
	}
	total, ok1 := number(args[0])
	cur, ok2 := number(args[1])
	if !ok1 || !ok2 {
		return 0, 0, "", "", false, false
	}
	if len(args) >= 4 {
		n, okn := args[2].(string)
		e, oke := args[3].(string)
		if okn && oke && n != "" && e != "" {
			if _, numeric := number(n); !numeric {
				name, ext = n, e
			}
		}
	}
	return total, cur, name, ext, from1, true
}

func trsPages(name, ext string, lo, hi int, emit func(Link)) {
	for k := max(lo, 1); k <= hi && k <= maxPages; k++ {
		emit(Link{URL: fmt.Sprintf("%s_%d.%s", name, k, ext), Kind: Page})
	}
}

// Hanweb reads Hanweb jcms lists: the jpage call's options ($('#id').jpage({…}),
// keys in any order, the form fields inline or in a var param_N object) give
// POST requests of three pages each to the proxy, with the fields in the body
// and the column page as Referer; the records already in the page are skipped.
type Hanweb struct{}

// Name is part of Extractor.
func (Hanweb) Name() string { return "hanweb" }

// Links is part of Extractor.
func (Hanweb) Links(d *Doc, emit func(Link)) {
	posted := false
	for _, s := range d.Scripts() {
		for _, c := range s.Calls {
			if c.Name != "jpage" || len(c.Args) == 0 {
				continue
			}
			if opts, ok := s.Eval(c.Args[0]).(map[string]any); ok {
				posted = hanwebPages(d, s, opts, emit) || posted
			}
		}
	}
	if !posted { // no jpage call: the GET form the datastore names
		for _, u := range nextGroups(d.Text) {
			emit(Link{URL: u, Kind: API})
		}
	}
}

func hanwebPages(d *Doc, s *Script, opts map[string]any, emit func(Link)) bool {
	per, ok1 := number(opts["perPage"])
	total, ok2 := number(opts["totalRecord"])
	if !ok1 || !ok2 || per <= 0 {
		return false
	}
	proxy, _ := opts["proxyUrl"].(string)
	if proxy == "" {
		proxy = "/module/web/jpage/dataproxy.jsp"
	}
	params, _ := opts["ajaxParam"].(map[string]any)
	if params == nil {
		params = paramObject(s)
	}
	form := url.Values{}
	for k, v := range params {
		if sv, ok := str(v); ok {
			form.Set(k, sv)
		}
	}
	shown := strings.Count(d.Text, "<record>")
	for start := shown + 1; start <= total && start < 5000; start += per * 3 {
		end := min(total, start+per*3-1)
		emit(Link{URL: fmt.Sprintf("%s?startrecord=%d&endrecord=%d&perpage=%d", proxy, start, end, per),
			Kind: API, Method: "POST", Body: form.Encode(), Referer: d.URL.String()})
	}
	return true
}

// paramObject: the var param_N = {col:…, webid:…, columnid:…} a page declares
// beside its jpage call.
func paramObject(s *Script) map[string]any {
	names := make([]string, 0)
	for k := range s.Vars {
		if strings.HasPrefix(k, "param") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		if m, ok := s.Eval(s.Vars[k]).(map[string]any); ok {
			if _, has := m["columnid"]; has {
				return m
			}
		}
	}
	return nil
}

// Gkmlpt reads a gkmlpt index's config, window._CONFIG = {SID: '…', TREE: […]}
// (either quote, the tree nested): every column that names the reports gives
// its list API under the deployment's own prefix, and so does the category
// the link to the index carried in its fragment.
type Gkmlpt struct{}

// Name is part of Extractor.
func (Gkmlpt) Name() string { return "gkmlpt" }

// Links is part of Extractor.
func (Gkmlpt) Links(d *Doc, emit func(Link)) {
	prefix, _, ok := strings.Cut(d.URL.Path, "/gkmlpt/")
	if !ok {
		return
	}
	for _, s := range d.Scripts() {
		cfg, _ := s.Eval(s.Vars["_CONFIG"]).(map[string]any)
		if cfg == nil {
			continue
		}
		sid, ok := str(cfg["SID"])
		if !ok {
			continue
		}
		api := func(id, name string) {
			emit(Link{URL: fmt.Sprintf("%s/gkmlpt/api/all/%s?page=1&sid=%s", prefix, id, url.QueryEscape(sid)), Kind: API, Anchor: name})
		}
		if cat, ok := strings.CutPrefix(d.Hint, "gkmlpt-category="); ok && isDigits(cat) {
			api(cat, "")
		}
		var walk func(nodes []any, depth int)
		walk = func(nodes []any, depth int) {
			for _, n := range nodes {
				m, _ := n.(map[string]any)
				if m == nil || depth > 8 {
					continue
				}
				name, _ := m["name"].(string)
				if id, ok := str(m["id"]); ok && reportColumnRe.MatchString(name) {
					api(id, name)
				}
				if kids, ok := m["children"].([]any); ok {
					walk(kids, depth+1)
				}
			}
		}
		tree, _ := cfg["TREE"].([]any)
		walk(tree, 0)
	}
}

// Shells reads the pages whose script sends the browser on:
// location.replace('…'), location.href = "…", window.location = …,
// top.location.href = …, in any spelling; only a whole string is followed.
type Shells struct{}

// Name is part of Extractor.
func (Shells) Name() string { return "shells" }

// Links is part of Extractor.
func (Shells) Links(d *Doc, emit func(Link)) {
	for _, s := range d.Scripts() {
		for _, target := range Redirects(s) {
			emit(Link{URL: target, Kind: Page})
		}
	}
}

// SendsOn reports whether a page's scripts send the browser to another
// address (a redirect shell, not a challenge).
func SendsOn(page string) bool {
	if !strings.Contains(page, "location") {
		return false
	}
	d := &Doc{URL: &url.URL{Scheme: "http", Host: "localhost", Path: "/"}, Text: page}
	for _, s := range d.Scripts() {
		if len(Redirects(s)) > 0 {
			return true
		}
	}
	return false
}

// SentTo reads a page that is only a way to another document: a meta refresh
// (within five seconds) or a script that sends the browser on, with next to
// no text of its own. It gives the one target, resolved against base, when
// that names a document; a page sent back to a directory or an index (the
// way portals answer for a deleted report) is not sent to a document.
func SentTo(page string, base *url.URL) (string, bool) {
	if len(page) > 4<<10 || strings.Contains(page, "_CONFIG") {
		// A shell is small (160 bytes is usual); a page carrying its report in
		// a script (gkmlpt's _CONFIG.DETAIL, with a mobile redirect beside it)
		// is not one.
		return "", false
	}
	d := &Doc{URL: base, Text: page}
	root := d.HTML()
	if root == nil {
		return "", false
	}
	doc := goquery.NewDocumentFromNode(root)
	if body := strings.Join(strings.Fields(doc.Find("body").Text()), ""); utf8.RuneCountInString(body) > 200 {
		return "", false
	}
	var targets []string
	doc.Find("meta[http-equiv]").Each(func(_ int, s *goquery.Selection) {
		eq, _ := s.Attr("http-equiv")
		content, _ := s.Attr("content")
		if !strings.EqualFold(strings.TrimSpace(eq), "refresh") {
			return
		}
		delay, rest, _ := strings.Cut(content, ";")
		if n, err := strconv.ParseFloat(strings.TrimSpace(delay), 64); err != nil || n > 5 {
			return
		}
		if m := refreshURLRe.FindStringSubmatch(rest); m != nil {
			targets = append(targets, strings.TrimSpace(m[1]))
		}
	})
	for _, sc := range d.Scripts() {
		targets = append(targets, Redirects(sc)...)
	}
	if len(targets) == 0 {
		return "", false
	}
	to, err := base.Parse(targets[0])
	for _, t := range targets[1:] {
		if u, err2 := base.Parse(t); err2 != nil || err != nil || u.String() != to.String() {
			return "", false // sent to more than one place: not a plain move
		}
	}
	if err != nil || (to.Scheme != "http" && to.Scheme != "https") {
		return "", false
	}
	file := strings.ToLower(path.Base(to.Path))
	if strings.HasSuffix(to.Path, "/") || !strings.Contains(file, ".") || strings.HasPrefix(file, "index.") || strings.HasPrefix(file, "default.") {
		return "", false // a directory or a column's index: the page is gone, not moved
	}
	return to.String(), true
}

// Redirects lists the whole strings a script sends the browser to.
func Redirects(s *Script) []string {
	var out []string
	for _, a := range s.Assigns {
		if isLocation(a.Target) {
			if v, ok := s.Eval(a.Value).(string); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	for _, c := range s.Calls {
		if (c.Name == "replace" || c.Name == "assign") && isLocation(strings.TrimSuffix(c.Path, "."+c.Name)) && len(c.Args) > 0 {
			if v, ok := s.Eval(c.Args[0]).(string); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func isLocation(target string) bool {
	t := strings.TrimSuffix(target, ".href")
	for _, p := range []string{"window.", "self.", "top.", "parent.", "document."} {
		t = strings.TrimPrefix(t, p)
	}
	t = strings.TrimPrefix(t, "window.")
	return t == "location"
}

// Pagination reads paging whose URL a callback builds: Ls.pagination(sel,
// function(pageIndex){ location.href='…?pageIndex=' + pageIndex }, {pageCount:3})
// and like calls (the count from pageCount, totalPage, or total over pageSize),
// and options that carry a url with {page}.
type Pagination struct{}

// Name is part of Extractor.
func (Pagination) Name() string { return "pagination" }

// Links is part of Extractor.
func (Pagination) Links(d *Doc, emit func(Link)) {
	for _, s := range d.Scripts() {
		for _, c := range s.Calls {
			var tmpl Template
			var hole string
			pages := 0
			for _, a := range c.Args {
				if t, h, ok := callbackURL(s, a); ok {
					tmpl, hole = t, h
				}
				if m, ok := s.Eval(a).(map[string]any); ok {
					if n := pageCount(m); n > 0 {
						pages = n
					}
					if u, ok := m["url"].(string); ok && strings.Contains(u, "{page}") {
						tmpl, hole = Template{strings.ReplaceAll(u, "{page}", "\x00")}, "\x00"
					}
				}
			}
			if tmpl == nil || pages == 0 {
				continue
			}
			for p := 1; p <= min(pages, maxPages); p++ {
				var u string
				if hole == "\x00" {
					u = strings.ReplaceAll(tmpl[0].(string), "\x00", strconv.Itoa(p))
				} else if filled, ok := tmpl.Fill(hole, strconv.Itoa(p)); ok {
					u = filled
				} else {
					continue
				}
				emit(Link{URL: u, Kind: Page})
			}
		}
	}
}

// callbackURL: a function argument whose body sends the browser to a URL built
// from its first parameter.
func callbackURL(s *Script, a js.IExpr) (Template, string, bool) {
	var params js.Params
	var body js.BlockStmt
	switch f := a.(type) {
	case *js.FuncDecl:
		params, body = f.Params, f.Body
	case *js.ArrowFunc:
		params, body = f.Params, f.Body
	default:
		return nil, "", false
	}
	if len(params.List) == 0 {
		return nil, "", false
	}
	p, ok := params.List[0].Binding.(*js.Var)
	if !ok {
		return nil, "", false
	}
	inner := &Script{Vars: s.Vars}
	js.Walk(inner, &body)
	for _, as := range inner.Assigns {
		if !isLocation(as.Target) {
			continue
		}
		if t, ok := s.Eval(as.Value).(Template); ok && slices.Contains(t, any(Hole{Name: string(p.Data)})) {
			return t, string(p.Data), true
		}
	}
	return nil, "", false
}

func pageCount(m map[string]any) int {
	for _, k := range []string{"pageCount", "totalPage", "pageTotal", "pagecount", "totalPages"} {
		if n, ok := number(m[k]); ok && n > 0 {
			return n
		}
	}
	total, ok1 := number(firstOf(m, "total", "totalCount", "totalRecord", "count"))
	size, ok2 := number(firstOf(m, "pageSize", "perPage", "perSize", "size"))
	if ok1 && ok2 && size > 0 {
		return (total + size - 1) / size
	}
	return 0
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// JSLists reads lists a page carries as script values (var dataList = [{
// infolist: [{title, url}]}], objects at any depth with a title and a url,
// linkurl or post_url), and the attachments of the report entries.
type JSLists struct{}

// Name is part of Extractor.
func (JSLists) Name() string { return "jslists" }

// Links is part of Extractor.
func (JSLists) Links(d *Doc, emit func(Link)) {
	for _, s := range d.Scripts() {
		for _, v := range s.Values() {
			entries(v, 0, func(l Link) {
				d.judge(l.URL)
				if l.Kind != "" {
					emit(l)
				}
			})
		}
	}
}

// entries walks a value for list entries.
func entries(v any, depth int, emit func(Link)) {
	if depth > 12 {
		return
	}
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			entries(x, depth+1, emit)
		}
	case map[string]any:
		title := unescapePercentU(firstString(v, "title", "name", "docTitle", "text", "vc_title"))
		if u := firstString(v, "url", "post_url", "linkurl", "href", "link", "docurl", "docpuburl", "chnldocurl", "puburl", "vc_url"); u != "" && title != "" {
			k := linkKind(u, title, Page)
			emit(Link{URL: u, Kind: k, Anchor: title}) // an empty kind: judged, not followed
			if k == Report {
				for _, key := range []string{"attachment", "attachments", "files"} {
					if list, ok := v[key].([]any); ok {
						for _, a := range list {
							if am, ok := a.(map[string]any); ok {
								if au := firstString(am, "url", "path", "href"); au != "" {
									emit(Link{URL: au, Kind: Attachment, Anchor: firstString(am, "name", "title"), Parent: u})
								}
							}
						}
					}
				}
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			entries(v[k], depth+1, emit)
		}
	}
}

// firstString is the first of keys that m holds as a non-blank string, the
// key's case ignored (docTitle, doctitle, DOCTITLE).
func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	for _, k := range keys {
		for mk, v := range m {
			if s, ok := v.(string); ok && strings.EqualFold(mk, k) && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// unescapePercentU reads the %uXXXX escapes of JavaScript's escape(), which a
// few gkmlpt hosts put in titles.
func unescapePercentU(s string) string {
	if !strings.Contains(s, "%u") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+6 <= len(s) && s[i+1] == 'u' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(v))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
