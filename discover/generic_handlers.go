package discover

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/tdewolff/parse/v2/js"
	"golang.org/x/net/html"

	"github.com/nianbao/nianbao/jslit"
)

// Handlers reads the links that scripts make when a visitor clicks:
// inline handlers and javascript: URLs (href="javascript:;"
// onclick="fn('/path/x.html')", onclick="window.open('…')",
// href="javascript:openDetail('123')", onclick="location.href='…'"), and
// calls in the page's scripts of a function the page defines with literal
// arguments. A call of such a function is read by partial evaluation: its
// parameters take the literal arguments, and what its body sends the browser
// to (location.href = '/detail?id=' + id, window.open(base + '/x/' + id +
// '.html'), location.assign/replace, a further call of a page function) is
// evaluated with them; nothing is run. A string argument of a handler's call
// that is a URL is a link too; a call of a function the page does not define
// is read through the page's own site-wide scripts (generic_sitescript.go).
// An address built from the clicked element ($(this).data('id'),
// this.getAttribute('data-id'), this.dataset.id) is written with each
// element's attributes, for inline handlers and for those a script binds
// (.click(fn), .on('click', …, fn), addEventListener). Links from a handler
// are kept by an anchor's rules, the element's text as their anchor.
type Handlers struct{}

// Name is part of Extractor.
func (Handlers) Name() string { return "handlers" }

// Links is part of Extractor.
func (Handlers) Links(d *Doc, emit func(Link)) {
	root := d.HTML()
	if root == nil || d.Kind == API {
		return
	}
	p := newProgram(d.Scripts())
	var pending []siteCall
	visitElements(root, func(n *html.Node) {
		for _, a := range n.Attr {
			code, ok := handlerCode(a)
			if !ok {
				continue
			}
			c := p.handler(code)
			if len(c.targets) == 0 && len(c.templates) == 0 && len(c.pending) == 0 {
				continue
			}
			anchor := elementText(n)
			for _, target := range append(c.targets, fillAttrs(c.templates, n)...) {
				emitAttrLink(d, target, anchor, emit)
			}
			pending = appendPending(pending, c.pending, anchor, d.Kind)
		}
	})
	askSiteScripts(d, pending, emit)
	boundHandlers(d, p, root, emit)
	// Calls the scripts themselves make of the page's functions.
	for _, s := range d.Scripts() {
		for _, c := range s.Calls {
			if _, ok := p.funcs[c.Name]; !ok || c.Path != c.Name {
				continue
			}
			for _, target := range p.call(s, nil, c, 0) {
				if t, ok := target.(string); ok {
					if k, ok := urlLike(t, d.Kind); ok {
						emit(Link{URL: t, Kind: k})
					}
				}
			}
		}
	}
}

// handlerCode is the script of an inline handler (on… attributes) or of a
// javascript: URL (percent-decoded, as a browser runs it).
func handlerCode(a html.Attribute) (string, bool) {
	key := strings.ToLower(a.Key)
	v := strings.TrimSpace(a.Val)
	if a.Namespace != "" || v == "" || len(v) > 4<<10 {
		return "", false
	}
	if strings.HasPrefix(key, "on") && len(key) > 2 {
		return v, true
	}
	if (key == "href" || key == "src" || key == "action") && len(v) > 11 && strings.EqualFold(v[:11], "javascript:") {
		code := v[11:]
		if dec, err := url.PathUnescape(code); err == nil {
			code = dec
		}
		return code, true
	}
	return "", false
}

// Bounds of the partial evaluation of one page: how deep a chain of page
// functions is followed, and how many calls are followed in all.
const (
	maxCallDepth = 4
	maxCalls     = 2000
)

// program is what a page's scripts define, together: their functions and
// their top-level names.
type program struct {
	funcs  map[string]Func
	global *Script // the page's names, for code that declares none
	calls  int     // the calls followed so far

	bodies map[string][2]*Script // a function's body read once, and the names it sees
	seen   map[string]click      // a handler's code read once (rows repeat it)
}

// click is what a handler's code was read to do: the places it sends the
// browser to, and its calls of functions the page does not define, with
// literal arguments (their bodies may be in a site-wide script).
type click struct {
	targets   []string
	templates []Template // addresses built from the element's attributes ('/d?id=' + $(this).data('id'))
	pending   []siteCall
}

func newProgram(scripts []*Script) *program {
	p := &program{funcs: map[string]Func{}, global: &Script{Vars: map[string]js.IExpr{}},
		bodies: map[string][2]*Script{}, seen: map[string]click{}}
	for _, s := range scripts {
		for k, v := range s.Vars {
			p.global.Vars[k] = v
		}
		for k, f := range s.Funcs {
			p.funcs[k] = f
		}
	}
	return p
}

// clicks reads a handler's code for where it sends the browser.
func (p *program) clicks(code string) []string { return p.handler(code).targets }

// handler reads a handler's code once.
func (p *program) handler(code string) click {
	if c, ok := p.seen[code]; ok {
		return c
	}
	c := p.read(code)
	p.seen[code] = c
	return c
}

func (p *program) read(code string) click {
	if !strings.ContainsAny(code, "(=") {
		return click{} // no call, no assignment: nowhere to go
	}
	// A handler is a function's body (return false; is common): parsed as one.
	h := parseScript("(function () {\n" + code + "\n})")
	var out click
	for _, v := range p.sinks(h, nil, nil, 0) {
		switch v := v.(type) {
		case string:
			out.targets = append(out.targets, v)
		case Template:
			out.templates = append(out.templates, v)
		}
	}
	sc := p.scope(h, nil)
	for _, c := range h.Calls {
		if _, ok := p.funcs[c.Name]; ok && c.Path == c.Name {
			continue // read through the function
		}
		for _, a := range c.Args {
			out.targets = append(out.targets, urlArgs(sc.Eval(a))...)
		}
		if call, ok := elsewhere(sc, c); ok {
			out.pending = append(out.pending, call)
		}
	}
	if len(out.targets) > 0 || len(out.templates) > 0 {
		out.pending = nil // the handler is read: nothing to look for elsewhere
	}
	return out
}

// urlArgs: an argument that is a URL, or the URLs an object argument holds
// among its properties (a popup's {url: …} or {content: …}).
func urlArgs(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		if _, ok := urlLike(v, Report); ok {
			out = append(out, v)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if s, ok := v[k].(string); ok {
				if _, ok := urlLike(s, Report); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// scope is the names a piece of code sees: the page's, then its own (a
// function's locals), its parameters left as holes to fill.
func (p *program) scope(unit *Script, params []string) *Script {
	if len(unit.Vars) == 0 && len(params) == 0 {
		return p.global
	}
	vars := make(map[string]js.IExpr, len(p.global.Vars)+len(unit.Vars))
	for k, v := range p.global.Vars {
		vars[k] = v
	}
	for k, v := range unit.Vars {
		vars[k] = v
	}
	for _, name := range params {
		delete(vars, name)
	}
	return &Script{Vars: vars}
}

// sinks evaluates what a piece of code (a handler, a function's body)
// sends the browser to, its parameters bound to env; the page functions it
// calls are followed with the arguments it gives them.
func (p *program) sinks(unit *Script, params []string, env map[string]any, depth int) []any {
	return p.sinksIn(unit, p.scope(unit, params), env, depth)
}

// sinksIn is sinks with the names the code sees given. A place is a string,
// or a Template whose holes are attributes of the element clicked.
func (p *program) sinksIn(unit, sc *Script, env map[string]any, depth int) []any {
	var out []any
	add := func(e js.IExpr) {
		switch v := bound(sc.Eval(e), env).(type) {
		case string:
			if strings.TrimSpace(v) != "" {
				out = append(out, v)
			}
		case Template:
			out = append(out, v)
		}
	}
	for _, a := range unit.Assigns {
		if isLocation(a.Target) {
			add(a.Value)
		}
	}
	for _, c := range unit.Calls {
		switch {
		case navigates(c) && len(c.Args) > 0:
			add(c.Args[0])
		case setsHref(c):
			add(c.Args[1])
		case c.Path == c.Name && depth < maxCallDepth:
			if _, ok := p.funcs[c.Name]; ok {
				out = append(out, p.call(sc, env, c, depth)...)
			}
		}
	}
	return out
}

// call follows a call of a page function: the arguments, evaluated where
// the call is, become the values of its parameters.
func (p *program) call(caller *Script, env map[string]any, c Call, depth int) []any {
	f := p.funcs[c.Name]
	if f.Body == nil || depth >= maxCallDepth || p.calls >= maxCalls {
		return nil
	}
	p.calls++
	args := map[string]any{}
	for i, name := range f.Params {
		if i < len(c.Args) { // an argument not given is undefined: a URL built with it is not read
			args[name] = bound(caller.Eval(c.Args[i]), env)
		}
	}
	b, ok := p.bodies[c.Name]
	if !ok {
		body := &Script{Vars: map[string]js.IExpr{}}
		js.Walk(body, f.Body)
		b = [2]*Script{body, p.scope(body, f.Params)}
		p.bodies[c.Name] = b
	}
	return p.sinksIn(b[0], b[1], args, depth+1)
}

// navigates: a call that sends the browser to its first argument.
func navigates(c Call) bool {
	switch c.Name {
	case "open":
		switch c.Path {
		case "open", "window.open", "top.open", "parent.open", "self.open", "window.top.open", "window.parent.open":
			return true
		}
	case "assign", "replace":
		return isLocation(strings.TrimSuffix(c.Path, "."+c.Name))
	case "showModalDialog", "showModelessDialog", "navigate":
		return true
	}
	return false
}

// bound fills a value's holes with env: a string when every hole has a
// value (a number or a string), else the value is not known here.
func bound(v any, env map[string]any) any {
	switch v := v.(type) {
	case string, float64:
		return v
	case Hole:
		if x, ok := env[v.Name]; ok {
			return x
		}
		if isAttrHole(v) {
			return v
		}
	case Template:
		var t Template
		for _, part := range v {
			switch part := part.(type) {
			case string:
				t = append(t, part)
			case Hole:
				x, ok := asTemplate(bound(part, env))
				if !ok {
					return unknown{}
				}
				t = append(t, x...)
			}
		}
		if s, ok := t.Fill("", ""); ok {
			return s
		}
		return t
	}
	return unknown{}
}

// isAttrHole: a hole an attribute of the clicked element fills.
func isAttrHole(h Hole) bool { return strings.HasPrefix(h.Name, "@") }

// fillAttrs writes templates with an element's attributes; one whose
// attribute the element lacks gives nothing.
func fillAttrs(ts []Template, n *html.Node) []string {
	var out []string
	for _, t := range ts {
		var b strings.Builder
		ok := true
		for _, part := range t {
			switch part := part.(type) {
			case string:
				b.WriteString(part)
			case Hole:
				v, has := attrValue(n, strings.TrimPrefix(part.Name, "@"))
				ok = ok && has && isAttrHole(part)
				b.WriteString(v)
			}
		}
		if ok {
			out = append(out, b.String())
		}
	}
	return out
}

// attrValue is an element's attribute, if it has it and it is not blank.
func attrValue(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) && strings.TrimSpace(a.Val) != "" {
			return strings.TrimSpace(a.Val), true
		}
	}
	return "", false
}

// setsHref: $(this).attr('href', …), which makes the element a link.
func setsHref(c Call) bool {
	if c.Name != "attr" && c.Name != "prop" || len(c.Args) != 2 {
		return false
	}
	l, ok := c.Args[0].(*js.LiteralExpr)
	return ok && l.TokenType == js.StringToken && strings.EqualFold(jslit.Unquote(string(l.Data)), "href")
}

// events are the calls that bind a handler to elements: jQuery's
// .click(fn), .on('click', '.row', fn), .each(fn) and their like, and
// addEventListener('click', fn).
var events = map[string]bool{"click": true, "dblclick": true, "on": true, "one": true, "bind": true, "delegate": true, "live": true,
	"tap": true, "mousedown": true, "mouseup": true, "touchend": true, "each": true, "addEventListener": true}

// maxBound bounds the addresses templates of bound handlers per page.
const maxBound = 20

// boundHandlers reads handlers a page's scripts bind to elements
// ($('.list li').click(function () { window.open('/d?id=' + $(this).data('id')) }))
// whose address is built from the clicked element's data-* attributes:
// every element that carries those attributes is a link, its text the anchor.
// The selector is not matched: an element without the attributes gives nothing.
func boundHandlers(d *Doc, p *program, root *html.Node, emit func(Link)) {
	var ts []Template
	for _, s := range d.Scripts() {
		for _, c := range s.Calls {
			if !events[c.Name] || c.Path == c.Name {
				continue // a method of a selection or an element, not a page function
			}
			for _, a := range c.Args {
				f, ok := function(a)
				if !ok || len(ts) >= maxBound || p.calls >= maxCalls {
					continue
				}
				p.calls++
				body := &Script{Vars: map[string]js.IExpr{}}
				js.Walk(body, f.Body)
				for _, v := range p.sinks(body, f.Params, nil, 1) {
					if t, ok := v.(Template); ok && dataHoles(t) {
						ts = append(ts, t)
					}
				}
			}
		}
	}
	if len(ts) == 0 {
		return
	}
	visitElements(root, func(n *html.Node) {
		for _, u := range fillAttrs(ts, n) {
			emitAttrLink(d, u, elementText(n), emit)
		}
	})
}

// dataHoles: a template whose holes are all data-* attributes (an id, a
// class or a title names no link of its own on every element that has one).
func dataHoles(t Template) bool {
	n := 0
	for _, part := range t {
		if h, ok := part.(Hole); ok {
			if !strings.HasPrefix(h.Name, "@data-") {
				return false
			}
			n++
		}
	}
	return n > 0
}
