package discover

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/jslit"
)

// Limits on the scripts read from one page.
const (
	maxScriptBytes = 512 << 10
	maxScripts     = 200
	maxEvalDepth   = 24
	maxEvalSteps   = 20000 // one evaluation's work: var a1 = a0 + a0, a2 = a1 + a1, … doubles at each name
)

// Script is one parsed script of a page: what it declares and assigns, the
// calls it makes and the string literals it holds.
type Script struct {
	Vars    map[string]js.IExpr // var/let/const and assignments, by (dotted) name
	Calls   []Call
	Strings []string // every string literal, decoded
	Assigns []Assign
	Funcs   map[string]Func // named functions: declared, or a function assigned to a name
	// Parts are the string literals that are operands of a concatenation
	// ('/detail?id=' + id): pieces of a URL, not URLs.
	Parts map[string]bool

	busy  map[string]bool // the names being evaluated: one defined by itself (s = s + '…') is not known
	steps int             // the current evaluation's work so far
}

// Func is a function a script defines: its parameters' names and its body,
// read by partial evaluation when a handler calls it with literals.
type Func struct {
	Params []string
	Body   *js.BlockStmt
}

// function reads a function expression or declaration; ok is false for
// anything else, or a function whose parameters are patterns.
func function(e js.INode) (Func, bool) {
	var ps js.Params
	var body *js.BlockStmt
	switch f := e.(type) {
	case *js.FuncDecl:
		ps, body = f.Params, &f.Body
	case *js.ArrowFunc:
		ps, body = f.Params, &f.Body
	default:
		return Func{}, false
	}
	out := Func{Body: body}
	for _, p := range ps.List {
		v, ok := p.Binding.(*js.Var)
		if !ok {
			return Func{}, false
		}
		out.Params = append(out.Params, string(v.Data))
	}
	return out, true
}

// define records a function under the last part of its name.
func (s *Script) define(name string, e js.INode) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if f, ok := function(e); ok && name != "" {
		if s.Funcs == nil {
			s.Funcs = map[string]Func{}
		}
		s.Funcs[name] = f
	}
}

// Call is a function or method call: Name is the callee's last name
// (createPageHTML, jpage, pagination), Path the dotted callee (Ls.pagination).
type Call struct {
	Name, Path string
	Args       []js.IExpr
}

// Assign is an assignment to a (dotted) name: location.href = '…'.
type Assign struct {
	Target string
	Value  js.IExpr
}

// pageScripts parses the scripts of a page that are JavaScript (not the XML
// datastores or HTML templates some CMSs keep in script elements).
func pageScripts(d *Doc) []*Script {
	root := d.HTML()
	if root == nil {
		return nil
	}
	var out []*Script
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 400 || len(out) >= maxScripts {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Script {
			t := strings.ToLower(attrOf(n, "type"))
			if t == "" || strings.Contains(t, "javascript") || t == "module" {
				var b strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.TextNode {
						b.WriteString(c.Data)
					}
				}
				if src := b.String(); strings.TrimSpace(src) != "" && len(src) <= maxScriptBytes {
					out = append(out, parseScript(src))
				}
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(root, 0)
	return out
}

// parseScript parses a script; one that does not parse whole (real pages carry
// broken scripts) is read in the pieces between its line breaks that do.
func parseScript(src string) *Script {
	s := &Script{Vars: map[string]js.IExpr{}}
	if ast, err := js.Parse(parse.NewInputString(src), js.Options{}); err == nil {
		js.Walk(s, ast)
		return s
	}
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); {
		done := false
		for j := i + 1; j <= len(lines) && j <= i+80; j++ {
			if ast, err := js.Parse(parse.NewInputString(strings.Join(lines[i:j], "\n")), js.Options{}); err == nil {
				js.Walk(s, ast)
				i, done = j, true
				break
			}
		}
		if !done {
			i++
		}
	}
	return s
}

// Enter collects declarations, assignments, calls and strings.
func (s *Script) Enter(n js.INode) js.IVisitor {
	switch n := n.(type) {
	case *js.FuncDecl:
		if n.Name != nil {
			s.define(string(n.Name.Data), n)
		}
	case *js.VarDecl:
		for _, b := range n.List {
			if v, ok := b.Binding.(*js.Var); ok && b.Default != nil {
				s.Vars[string(v.Data)] = b.Default
				s.define(string(v.Data), b.Default)
			}
		}
	case *js.BinaryExpr:
		if n.Op == js.AddToken {
			s.part(n.X)
			s.part(n.Y)
		}
		if n.Op == js.EqToken {
			if name := dotted(n.X); name != "" {
				s.Vars[strings.TrimPrefix(name, "window.")] = n.Y
				s.Assigns = append(s.Assigns, Assign{Target: name, Value: n.Y})
				s.define(name, n.Y)
			}
		}
	case *js.CallExpr:
		p := dotted(n.X)
		name := p
		if i := strings.LastIndexByte(p, '.'); i >= 0 {
			name = p[i+1:]
		}
		args := make([]js.IExpr, len(n.Args.List))
		for i, a := range n.Args.List {
			args[i] = a.Value
		}
		s.Calls = append(s.Calls, Call{Name: name, Path: p, Args: args})
	case *js.LiteralExpr:
		if n.TokenType == js.StringToken {
			s.Strings = append(s.Strings, jslit.Unquote(string(n.Data)))
		}
	case *js.TemplateExpr:
		if len(n.List) == 0 && n.Tag == nil {
			s.Strings = append(s.Strings, jslit.Unquote(string(n.Tail)))
		}
	}
	return s
}

// part marks a string literal that a concatenation joins.
func (s *Script) part(e js.IExpr) {
	if l, ok := e.(*js.LiteralExpr); ok && l.TokenType == js.StringToken {
		if s.Parts == nil {
			s.Parts = map[string]bool{}
		}
		s.Parts[jslit.Unquote(string(l.Data))] = true
	}
}

// Exit is part of js.IVisitor.
func (s *Script) Exit(js.INode) {}

// dotted names an expression that is a name or a chain of them
// (window.location.href); a call in the chain is written () ($().jpage).
func dotted(e js.IExpr) string {
	switch e := e.(type) {
	case *js.Var:
		return string(e.Data)
	case *js.LiteralExpr:
		return string(e.Data)
	case js.LiteralExpr: // a DotExpr's name
		return string(e.Data)
	case *js.DotExpr:
		x, y := dotted(e.X), dotted(e.Y)
		if x == "" || y == "" {
			return ""
		}
		return x + "." + y
	case *js.CallExpr:
		if x := dotted(e.X); x != "" {
			return x + "()"
		}
	case *js.GroupExpr:
		return dotted(e.X)
	}
	return ""
}

// Hole is a part of a string built from a value the page computes: the
// parameter of a paging callback (… + pageIndex).
type Hole struct{ Name string }

// Template is a string with holes: '…?pageIndex=' + pageIndex.
type Template []any // string or Hole

// Fill writes the template with every hole named name set to v; ok is false
// when another hole is left.
func (t Template) Fill(name, v string) (string, bool) {
	var b strings.Builder
	for _, p := range t {
		switch p := p.(type) {
		case string:
			b.WriteString(p)
		case Hole:
			if p.Name != name {
				return "", false
			}
			b.WriteString(v)
		}
	}
	return b.String(), true
}

// unknown is a value the page computes in a way not read here.
type unknown struct{}

// Eval reads an expression as a value: string, float64, bool, nil,
// map[string]any, []any, Template, Hole, or unknown{}. Names are looked up in
// the script's declarations; nothing is run.
func (s *Script) Eval(e js.IExpr) any {
	s.steps = 0
	return s.eval(e, 0)
}

func (s *Script) eval(e js.IExpr, depth int) any {
	s.steps++
	if depth > maxEvalDepth || e == nil || s.steps > maxEvalSteps {
		return unknown{}
	}
	switch e := e.(type) {
	case *js.LiteralExpr:
		return literal(e)
	case *js.TemplateExpr:
		if e.Tag == nil {
			return s.template(e, depth)
		}
	case *js.GroupExpr:
		return s.eval(e.X, depth+1)
	case *js.UnaryExpr:
		if v, ok := s.eval(e.X, depth+1).(float64); ok {
			switch e.Op {
			case js.NegToken:
				return -v
			case js.PosToken:
				return v
			}
		}
	case *js.ObjectExpr:
		return s.object(e, depth)
	case *js.ArrayExpr:
		out := make([]any, 0, len(e.List))
		for _, el := range e.List {
			out = append(out, s.eval(el.Value, depth+1))
		}
		return out
	case *js.BinaryExpr:
		return s.binary(e, depth)
	case *js.Var:
		if v, ok := s.Vars[string(e.Data)]; ok {
			return s.named(string(e.Data), v, depth)
		}
		return Hole{Name: string(e.Data)}
	case *js.DotExpr:
		if name := dotted(e); name != "" {
			if a, ok := thisAttr(name); ok {
				return Hole{Name: "@" + a}
			}
			name = strings.TrimPrefix(name, "window.")
			if v, ok := s.Vars[name]; ok {
				return s.named(name, v, depth)
			}
		}
	case *js.CallExpr:
		if name, ok := attrRead(e); ok {
			return Hole{Name: "@" + name}
		}
		return s.encoded(e, depth)
	}
	return unknown{}
}

// attrRead reads a call that reads an attribute of the element a handler
// runs on: this.getAttribute('data-id'), $(this).attr('data-id'),
// $(this).data('id') (the data-id attribute). Its value is a hole named
// @attribute, which each element's attributes fill.
func attrRead(e *js.CallExpr) (string, bool) {
	d, ok := e.X.(*js.DotExpr)
	if !ok || len(e.Args.List) != 1 {
		return "", false
	}
	arg, ok := e.Args.List[0].Value.(*js.LiteralExpr)
	if !ok || arg.TokenType != js.StringToken {
		return "", false
	}
	name, method := strings.ToLower(jslit.Unquote(string(arg.Data))), dotted(d.Y)
	switch {
	case method == "getAttribute" && dotted(d.X) == "this":
		return name, name != ""
	case (method == "attr" || method == "data") && isThisWrapped(d.X):
		if method == "data" {
			return "data-" + kebab(jslit.Unquote(string(arg.Data))), name != ""
		}
		return name, name != ""
	}
	return "", false
}

// isThisWrapped: $(this) or jQuery(this).
func isThisWrapped(e js.IExpr) bool {
	c, ok := e.(*js.CallExpr)
	if !ok || len(c.Args.List) != 1 {
		return false
	}
	f := dotted(c.X)
	return (f == "$" || f == "jQuery") && dotted(c.Args.List[0].Value) == "this"
}

// thisAttr reads this.dataset.detailId (data-detail-id) and this.id.
func thisAttr(name string) (string, bool) {
	if rest, ok := strings.CutPrefix(name, "this.dataset."); ok && rest != "" && !strings.Contains(rest, ".") {
		return "data-" + kebab(rest), true
	}
	return "id", name == "this.id"
}

// kebab writes a dataset name as its attribute: detailId is detail-id.
func kebab(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('-')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// template reads a template literal, `/x/${id}.html`, as the concatenation
// of its pieces and its substitutions.
func (s *Script) template(e *js.TemplateExpr, depth int) any {
	var out any = ""
	join := func(v any) bool {
		x, ok1 := asTemplate(out)
		y, ok2 := asTemplate(v)
		if !ok1 || !ok2 {
			return false
		}
		t := append(append(Template{}, x...), y...)
		if str, ok := t.Fill("", ""); ok {
			out = str
		} else {
			out = t
		}
		return true
	}
	for _, p := range e.List {
		// A piece is written `…${ or }…${: its text between the delimiters.
		raw := strings.TrimSuffix(strings.TrimLeft(string(p.Value), "`}"), "${")
		if !join(jslit.Unquote("`"+raw+"`")) || !join(s.eval(p.Expr, depth+1)) {
			return unknown{}
		}
	}
	tail := strings.TrimPrefix(string(e.Tail), "}")
	if len(e.List) == 0 {
		tail = string(e.Tail)
	} else {
		tail = "`" + tail
	}
	if !join(jslit.Unquote(tail)) {
		return unknown{}
	}
	return out
}

// named evaluates the value of a name, unless the name is being evaluated
// already: a value built from itself (html = html + '<li>…') is computed by
// the page at run time.
func (s *Script) named(name string, v js.IExpr, depth int) any {
	if s.busy[name] {
		return unknown{}
	}
	if s.busy == nil {
		s.busy = map[string]bool{}
	}
	s.busy[name] = true
	defer delete(s.busy, name)
	return s.eval(v, depth+1)
}

// encoded reads JSON.stringify(…) of a value known here, and
// encodeURIComponent(…), encodeURI(…) and escape(…) of a value known here (a hole stays a hole: what fills it is a literal of the page).
func (s *Script) encoded(e *js.CallExpr, depth int) any {
	name := dotted(e.X)
	if len(e.Args.List) == 1 && name == "JSON.stringify" {
		v := s.eval(e.Args.List[0].Value, depth+1)
		if hasUnknown(v, 0) {
			return unknown{}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return unknown{}
		}
		return string(b)
	}
	if len(e.Args.List) != 1 || (name != "encodeURIComponent" && name != "encodeURI" && name != "escape") {
		return unknown{}
	}
	switch v := s.eval(e.Args.List[0].Value, depth+1).(type) {
	case string:
		if name == "encodeURI" {
			return v // what a page encodes whole is a URL already
		}
		return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
	case float64, Hole, Template:
		return v
	}
	return unknown{}
}

func literal(e *js.LiteralExpr) any {
	switch e.TokenType {
	case js.StringToken:
		return jslit.Unquote(string(e.Data))
	case js.DecimalToken, js.IntegerToken:
		if f, err := strconv.ParseFloat(strings.ReplaceAll(string(e.Data), "_", ""), 64); err == nil {
			return f
		}
	case js.TrueToken:
		return true
	case js.FalseToken:
		return false
	case js.NullToken:
		return nil
	}
	return unknown{}
}

func (s *Script) object(e *js.ObjectExpr, depth int) map[string]any {
	out := map[string]any{}
	for _, p := range e.List {
		if p.Spread {
			continue
		}
		key := ""
		switch {
		case p.Name == nil:
			if v, ok := p.Value.(*js.Var); ok {
				key = string(v.Data) // {a} is {a: a}
			}
		case p.Name.IsComputed():
			continue
		case p.Name.Literal.TokenType == js.StringToken:
			key = jslit.Unquote(string(p.Name.Literal.Data))
		default:
			key = string(p.Name.Literal.Data)
		}
		if key != "" {
			out[key] = s.eval(p.Value, depth+1)
		}
	}
	return out
}

// binary adds numbers and joins strings; a name the script does not declare
// becomes a hole of the template.
func (s *Script) binary(e *js.BinaryExpr, depth int) any {
	x, y := s.eval(e.X, depth+1), s.eval(e.Y, depth+1)
	xn, xok := x.(float64)
	yn, yok := y.(float64)
	switch e.Op {
	case js.AddToken:
		if xok && yok {
			return xn + yn
		}
		xt, ok1 := asTemplate(x)
		yt, ok2 := asTemplate(y)
		if !ok1 || !ok2 {
			return unknown{}
		}
		t := append(append(Template{}, xt...), yt...)
		if str, ok := t.Fill("", ""); ok {
			return str
		}
		return t
	case js.SubToken:
		if xok && yok {
			return xn - yn
		}
	case js.MulToken:
		if xok && yok {
			return xn * yn
		}
	}
	return unknown{}
}

func asTemplate(v any) (Template, bool) {
	switch v := v.(type) {
	case string:
		return Template{v}, true
	case float64:
		return Template{strconv.FormatFloat(v, 'f', -1, 64)}, true
	case Hole:
		return Template{v}, true
	case Template:
		return v, true
	}
	return nil, false
}

// Values: every value the script declares or assigns, and every argument of
// its calls, evaluated.
func (s *Script) Values() []any {
	var out []any
	names := make([]string, 0, len(s.Vars))
	for k := range s.Vars {
		names = append(names, k)
	}
	slices.Sort(names) // one order, so that one page always gives one list
	for _, k := range names {
		out = append(out, s.Eval(s.Vars[k]))
	}
	for _, c := range s.Calls {
		for _, a := range c.Args {
			out = append(out, s.Eval(a))
		}
	}
	return out
}

// number reads a count that a page writes as a number or a numeric string.
func number(v any) (int, bool) {
	switch v := v.(type) {
	case float64:
		if v >= 0 && v < 1e9 {
			return int(v), true
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return n, true
		}
	}
	return 0, false
}

// str reads a value a page writes as a string or a number.
func str(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}
