package discover

import (
	"encoding/json"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2/js"
)

// Requests reads the list requests a page's scripts make: $.ajax({url, type,
// data}), $.get/$.post/$.getJSON(url, data), $(…).load(url), fetch(url,
// {method, body}), axios.get(url, {params}) and axios.post(url, data), at the
// top of a script or in a page function the scripts call with literals (read
// by the same partial evaluation as handlers). A request whose address and
// parameters the page writes as literals is asked as a list answer: a GET
// with its data as the query, a POST with it as a form (or as JSON when the
// page posts JSON). One whose values the page computes at run time is not
// asked (the rendering fallback is for those), nor a visit counter, a
// statistics beacon or a static file.
type Requests struct{}

// Name is part of Extractor.
func (Requests) Name() string { return "requests" }

// maxRequests bounds the requests one page's scripts give.
const maxRequests = 12

// Links is part of Extractor.
func (Requests) Links(d *Doc, emit func(Link)) {
	if d.HTML() == nil || d.Kind == API {
		return
	}
	p := newProgram(d.Scripts())
	n := 0
	ask := func(r request) {
		if n >= maxRequests || d.judged[r.url] || d.askedAlready(r.url) {
			return
		}
		d.judge(r.url) // read here: the string fallback does not queue it as a page
		if l, ok := r.link(d.URL.String()); ok {
			n++
			emit(l)
		}
	}
	for _, s := range d.Scripts() {
		for _, c := range s.Calls {
			if r, ok := p.requestOf(p.global, c, nil); ok {
				ask(r)
			}
			if _, ok := p.funcs[c.Name]; ok && c.Path == c.Name {
				for _, r := range p.requestsIn(s, c) {
					ask(r)
				}
			}
		}
	}
}

// request is a list request a script makes.
type request struct {
	url, method string
	data        any  // the parameters: a map, or a string the page wrote (a JSON body)
	json        bool // posted as JSON
}

// requestsIn follows a page function called with literals for the requests
// its body makes with them.
func (p *program) requestsIn(caller *Script, c Call) []request {
	f := p.funcs[c.Name]
	if f.Body == nil || p.calls >= maxCalls {
		return nil
	}
	p.calls++
	env := map[string]any{}
	for i, name := range f.Params {
		if i < len(c.Args) {
			env[name] = bound(caller.Eval(c.Args[i]), nil)
		}
	}
	body := &Script{Vars: map[string]js.IExpr{}}
	js.Walk(body, f.Body)
	sc := p.scope(body, f.Params)
	var out []request
	for _, inner := range body.Calls {
		if r, ok := p.requestOf(sc, inner, env); ok {
			out = append(out, r)
		}
	}
	return out
}

// requestOf reads one call as a list request, its values evaluated where
// the call is and bound to env.
func (p *program) requestOf(sc *Script, c Call, env map[string]any) (request, bool) {
	raw := func(i int) any {
		if i >= len(c.Args) {
			return nil
		}
		return sc.Eval(c.Args[i])
	}
	val := func(i int) any { return known(raw(i), env) }
	// An options object: only the fields read need be known (a success
	// callback is not).
	field := func(opts map[string]any, keys ...string) any { return known(firstOf(opts, keys...), env) }
	var r request
	switch {
	case c.Name == "ajax" && (c.Path == "$.ajax" || c.Path == "jQuery.ajax"):
		opts, _ := raw(0).(map[string]any)
		if u, ok := val(0).(string); ok { // $.ajax(url, {…})
			opts, _ = raw(1).(map[string]any)
			if opts == nil {
				opts = map[string]any{}
			}
			opts["url"] = u
		}
		if opts == nil {
			return request{}, false
		}
		r.url, _ = field(opts, "url").(string)
		r.method, _ = field(opts, "type", "method").(string)
		r.data = field(opts, "data")
		ct, _ := field(opts, "contentType").(string)
		r.json = strings.Contains(strings.ToLower(ct), "json")
	case (c.Name == "get" || c.Name == "getJSON" || c.Name == "post") && (c.Path == "$."+c.Name || c.Path == "jQuery."+c.Name):
		r.url, _ = val(0).(string)
		r.data, r.method = val(1), strings.ToUpper(strings.TrimPrefix(c.Name, "getJSON"))
	case c.Name == "load" && strings.HasSuffix(c.Path, "().load"):
		if f := strings.Fields(toString(val(0))); len(f) > 0 {
			r.url, r.data = f[0], val(1) // "url selector": the URL
		}
	case c.Path == "fetch":
		r.url, _ = val(0).(string)
		if opts, ok := raw(1).(map[string]any); ok {
			r.method, _ = field(opts, "method").(string)
			r.data = field(opts, "body")
		}
	case c.Path == "axios.get" || c.Path == "axios.post":
		r.url, _ = val(0).(string)
		r.method = strings.ToUpper(c.Name)
		if opts, ok := raw(1).(map[string]any); ok && c.Name == "get" {
			r.data = field(opts, "params")
		} else {
			r.data, r.json = val(1), true
		}
	default:
		return request{}, false
	}
	if r.method == "" {
		r.method = "GET"
		if r.data != nil && c.Name == "post" {
			r.method = "POST"
		}
	}
	r.method = strings.ToUpper(r.method)
	return r, r.url != "" && (r.method == "GET" || r.method == "POST") && r.data != unknown{}
}

// known is a value with every hole filled from env, or unknown.
func known(v any, env map[string]any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = known(x, env)
		}
		if hasUnknown(out, 0) {
			return unknown{}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = known(x, env)
		}
		if hasUnknown(out, 0) {
			return unknown{}
		}
		return out
	case string, float64, bool, nil:
		return v
	case Hole, Template:
		switch b := bound(v, env).(type) {
		case string, float64:
			return b
		}
	}
	return unknown{}
}

func toString(v any) string {
	s, _ := str(v)
	return s
}

var requestSkipRe = regexp.MustCompile(`(?i)visit|count|stat|click|hits|track|analytic|beacon|login|logout|user|weather|captcha|verify|token|upload`)

// link writes a request as a link: a list answer, asked with its page as
// Referer.
func (r request) link(page string) (Link, bool) {
	u, err := url.Parse(strings.TrimSpace(r.url))
	if err != nil || staticExRe.MatchString(u.Path) || requestSkipRe.MatchString(path.Base(u.Path)) || strings.HasPrefix(r.url, "javascript:") {
		return Link{}, false
	}
	l := Link{URL: r.url, Method: r.method, Kind: API, Referer: page}
	switch data := r.data.(type) {
	case nil:
	case string: // a body the page wrote whole (JSON.stringify of literals, a query string)
		if r.method == "GET" {
			l.URL = addQuery(u, data)
		} else {
			l.Body = data
		}
	case map[string]any:
		if r.method == "GET" {
			q, ok := withParams(r.url, data)
			if !ok {
				return Link{}, false
			}
			l.URL = q
		} else if body, ok := formOrJSON(data, r.json); ok {
			l.Body = body
		} else {
			return Link{}, false
		}
	default:
		return Link{}, false
	}
	if l.Method == "POST" {
		l.Hint = requestHint + l.Body // its answer pages on from the body
	}
	return l, true
}

// formOrJSON writes a POST's data as the page sends it: JSON when it posts
// JSON, else a form in key order.
func formOrJSON(data map[string]any, asJSON bool) (string, bool) {
	if asJSON {
		b, err := json.Marshal(data)
		return string(b), err == nil
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range data {
			if !yield(k) {
				return
			}
		}
	})
	form := url.Values{}
	for _, k := range keys {
		v, ok := paramValue(data[k])
		if !ok {
			return "", false
		}
		form.Set(k, v)
	}
	return form.Encode(), true
}

func addQuery(u *url.URL, q string) string {
	q = strings.TrimPrefix(q, "?")
	if u.RawQuery != "" && q != "" {
		u.RawQuery += "&" + q
	} else if q != "" {
		u.RawQuery = q
	}
	return u.String()
}

// requestHint opens the hint of a list request a script posts: the body, so
// that its answer can ask the later pages.
const requestHint = "request="

// pageKeyRe names a request's page parameter.
var pageKeyRe = regexp.MustCompile(`(?i)^(page|pageno|pageindex|pagenum|pagenumber|currentpage|curpage|current|pn)$`)

// sizeKeys name a request's page size.
var sizeKeys = []string{"pageSize", "pagesize", "rows", "limit", "size", "perPage", "perpage"}

// requestPages asks the later pages of a list answer: its request asked the
// first page (a page parameter of 0 or 1, in its query or its posted body),
// and the answer tells how many there are (a page count, or a total over the
// page size). An answer whose endpoint a reader pages already is left to it.
func requestPages(d *Doc, v any, emit func(Link)) {
	m, ok := v.(map[string]any)
	if !ok || d.askedAlready(d.URL.String()) {
		return
	}
	body, posted := strings.CutPrefix(d.Hint, requestHint)
	params := requestParams(d.URL.Query(), body, posted)
	key, cur := pageParam(params)
	if key == "" || cur > 1 {
		return
	}
	n := answerPages(m, params)
	last := min(n, maxPages)
	if cur == 0 {
		last = min(n-1, maxPages)
	}
	for p := cur + 1; p <= last; p++ {
		if l, ok := pageLink(d, key, p, body, posted); ok {
			emit(l)
		}
	}
}

// requestParams are a request's parameters: its query, and its posted body
// (a form or a JSON object).
func requestParams(q url.Values, body string, posted bool) map[string]any {
	out := map[string]any{}
	for k, vs := range q {
		out[k] = vs[0]
	}
	if !posted {
		return out
	}
	var obj map[string]any
	if json.Unmarshal([]byte(body), &obj) == nil {
		for k, v := range obj {
			out[k] = v
		}
	} else if form, err := url.ParseQuery(body); err == nil {
		for k, vs := range form {
			out[k] = vs[0]
		}
	}
	return out
}

// pageParam is the request's page parameter and its value.
func pageParam(params map[string]any) (string, int) {
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if n, ok := number(params[k]); ok && pageKeyRe.MatchString(k) {
			return k, n
		}
	}
	return "", 0
}

// answerPages is how many pages the answer says the list has, at its top or
// in the object that carries the list's figures.
func answerPages(m map[string]any, params map[string]any) int {
	for _, x := range []any{m, m["data"], m["result"], m["page"], m["pageInfo"], m["pager"], m["pagination"]} {
		sub, ok := x.(map[string]any)
		if !ok {
			continue
		}
		if n := pageCount(sub); n > 0 {
			return n
		}
		total, ok1 := number(firstOf(sub, "total", "totalCount", "totalRecord", "totalNum", "recordCount"))
		size, ok2 := number(firstOf(params, sizeKeys...))
		if ok1 && ok2 && size > 0 {
			return (total + size - 1) / size
		}
	}
	return 0
}

// pageLink is the request for page p: the page parameter set in the query,
// or in the posted form or JSON.
func pageLink(d *Doc, key string, p int, body string, posted bool) (Link, bool) {
	u := *d.URL
	if !posted {
		q := u.Query()
		q.Set(key, strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return Link{URL: u.String(), Kind: API}, true
	}
	var obj map[string]any
	if json.Unmarshal([]byte(body), &obj) == nil {
		obj[key] = p
		b, err := json.Marshal(obj)
		if err != nil {
			return Link{}, false
		}
		return Link{URL: u.String(), Method: "POST", Body: string(b), Kind: API, Hint: requestHint + string(b)}, true
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		return Link{}, false
	}
	form.Set(key, strconv.Itoa(p))
	return Link{URL: u.String(), Method: "POST", Body: form.Encode(), Kind: API, Hint: requestHint + form.Encode()}, true
}
