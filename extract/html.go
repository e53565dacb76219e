package extract

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/decode"
)

// Limits on what one page may make the table builder allocate.
const (
	maxRowspan   = 500
	maxColspan   = 100
	maxGridCells = 200_000
	maxDepth     = 512
)

// htmlReader reads HTML pages: paragraphs become lines, data tables become grids
// with rowspan and colspan resolved, so every cell sits in its real column.
type htmlReader struct {
	dec *decode.Decoder
	lim Limits
}

func (r htmlReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	d := doc.Decoded
	if d == nil {
		dd := r.dec.Bytes(doc.Body, doc.ContentType, true)
		d = &dd
	}
	text := d.Text
	if detail, ok := GkmlptDetail(text); ok {
		text = detail // a gkmlpt script shell: the report is the HTML in its DETAIL
	}
	b := newBudget(r.lim)
	root, err := doc.Tree, error(nil)
	if doc.Decoded == nil || root == nil || text != d.Text {
		// Not parsed by the caller (or the report is another text than
		// the page's): parsed here, without the attributes it does not
		// read, when its tree would not take more than its share.
		if n := countTags(text, b.lim.Tags); n > b.lim.Tags {
			return nil, overLimit("the page has more than %d tags", b.lim.Tags)
		}
		root, err = html.Parse(strings.NewReader(slimHTML(text)))
	}
	if err != nil {
		// x/net/html refuses markup nested past 512 open elements; the
		// report inside is still read, from the tokens, as flat text.
		lines, ferr := flatHTML(ctx, text, b)
		if ferr != nil {
			return nil, ferr
		}
		if len(lines) == 0 {
			return nil, fmt.Errorf("parsing HTML: %w", err)
		}
		warns := append(slices.Clone(d.Warnings), fmt.Sprintf("the markup could not be built into a tree (%v); read as flat text, a table's cells by their tags", err))
		return &Layout{Format: "html", Encoding: d.Encoding, Lines: lines, Warnings: warns}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := &htmlWalker{ctx: ctx, b: b}
	if err := w.read(root); err != nil {
		return nil, err
	}
	lay := &Layout{Format: "html", Encoding: d.Encoding, Lines: w.lines, Links: w.links, Published: w.pub, Warnings: slices.Clone(d.Warnings)}
	sw, ok, err := scriptCarried(text, w)
	if err != nil {
		return nil, err
	}
	if ok {
		// The report is a script's string that the page writes into itself.
		lay.Lines = append(lay.Lines, sw.lines...)
		lay.Links = append(lay.Links, sw.links...)
		lay.Warnings = append(lay.Warnings, "the report is HTML carried in a script string literal; read as HTML")
		lay.Warnings = append(lay.Warnings, sw.cutWarnings()...)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	switch {
	case w.metaTitle != "":
		lay.Title = w.metaTitle
	case looksLikeReportTitle(w.h1):
		lay.Title = w.h1
	default:
		lay.Title = w.title
	}
	lay.Warnings = append(lay.Warnings, w.cutWarnings()...)
	return lay, nil
}

// flatHTML reads a page's text from its tokens, without a tree: a line at
// each block's start and end, a cell at each table cell (blank ones kept, so
// columns stay), script and style left out.
func flatHTML(ctx context.Context, page string, b *budget) ([]Line, error) {
	z := html.NewTokenizer(strings.NewReader(page))
	var lines []Line
	var cells []string
	var cur strings.Builder
	skip, inCell := 0, false
	var over error
	endLine := func() {
		if inCell {
			cells = append(cells, collapse(cur.String()))
		} else if t := collapse(cur.String()); t != "" {
			cells = append(cells, t)
		}
		cur.Reset()
		if len(cells) > 1 || len(cells) == 1 && cells[0] != "" {
			l := Line{Cells: cells, Table: inCell}
			if over == nil {
				over = b.line(l)
			}
			lines = append(lines, l)
		}
		cells, inCell = nil, false
	}
	for n := 0; ; n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if over != nil {
			return nil, over
		}
		if cur.Len() > b.lim.LineBytes || len(cells) > b.lim.Cells {
			return nil, overLimit("a line of the page holds more than %d bytes of text or %d cells", b.lim.LineBytes, b.lim.Cells)
		}
		tt := z.Next()
		if tt == html.ErrorToken {
			endLine()
			return lines, over
		}
		if tt == html.TextToken {
			if skip == 0 {
				cur.Write(z.Text())
			}
			continue
		}
		name, _ := z.TagName()
		a := atom.Lookup(name)
		switch {
		case a == atom.Script || a == atom.Style:
			if tt == html.StartTagToken {
				skip++
			} else if tt == html.EndTagToken && skip > 0 {
				skip--
			}
		case (a == atom.Td || a == atom.Th) && tt == html.StartTagToken:
			if inCell {
				cells = append(cells, collapse(cur.String()))
			} else if t := collapse(cur.String()); t != "" {
				endLine() // text before the row's first cell is its own line
			}
			cur.Reset()
			inCell = true
		case a == atom.Td || a == atom.Th:
		case inCell && a != atom.Tr && a != atom.Table && a != atom.Tbody && a != atom.Caption:
			cur.WriteByte(' ') // a paragraph or a break inside a cell
		case blockAtoms[a]:
			endLine()
		}
	}
}

// scriptCarried reads the HTML a page's script carries as a string (see
// scripthtml.go) when it holds more text than the page's own markup.
// Its walker takes from w's budget.
func scriptCarried(page string, w *htmlWalker) (*htmlWalker, bool, error) {
	body, ok := scriptHTML(page)
	if !ok {
		return nil, false, nil
	}
	if w.b == nil {
		w.b = newBudget(Limits{})
	}
	if countTags(body, w.b.lim.Tags) > w.b.lim.Tags {
		return nil, false, overLimit("the page's script carries more than %d tags", w.b.lim.Tags)
	}
	root, err := html.Parse(strings.NewReader(slimHTML(body)))
	if err != nil {
		return nil, false, nil
	}
	sw := &htmlWalker{ctx: w.ctx, b: w.b}
	if err := sw.read(root); err != nil {
		return nil, false, err
	}
	if textLen(sw.lines) <= textLen(w.lines) {
		return nil, false, nil
	}
	return sw, true, nil
}

// countTags counts the tags of a page (a '<' before a letter, '/', '!' or
// '?': what may open an element or a comment of its tree), up to just past
// limit.
func countTags(page string, limit int) int {
	n := 0
	for i := 0; i+1 < len(page) && n <= limit; i++ {
		j := strings.IndexByte(page[i:], '<')
		if j < 0 || i+j+1 >= len(page) {
			break
		}
		i += j
		if c := page[i+1]; isASCIILetter(c) || c == '/' || c == '!' || c == '?' {
			n++
		}
	}
	return n
}

func textLen(lines []Line) int {
	n := 0
	for _, l := range lines {
		for _, c := range l.Cells {
			n += len(c)
		}
	}
	return n
}

type htmlWalker struct {
	ctx       context.Context // nil: never stopped
	b         *budget         // nil: the default limits
	err       error           // the budget or the context ended the walk
	steps     int             // nodes met, for looks at ctx
	lines     []Line
	cur       strings.Builder
	links     []Link
	title     string
	h1        string
	metaTitle string
	pub       string
	gridCells int
	gridCut   int // tables left out for the grid limit
	tooDeep   bool
}

// read walks a page's tree into lines; it stops at the first bound passed
// (the budget's, or ctx's end).
func (w *htmlWalker) read(root *html.Node) error {
	w.walk(root, 0)
	w.flush()
	return w.err
}

// cutWarnings say what the walker left out.
func (w *htmlWalker) cutWarnings() []string {
	var out []string
	if w.gridCut > 0 {
		out = append(out, fmt.Sprintf("%d table(s) whose grid would pass the %d cells a page's tables may take were not read: their cells are left null", w.gridCut, maxGridCells))
	}
	if w.tooDeep {
		out = append(out, fmt.Sprintf("markup nested deeper than %d levels was not read", maxDepth))
	}
	return out
}

// emit adds a line, charged to the budget.
func (w *htmlWalker) emit(l Line) {
	if w.err != nil {
		return
	}
	if w.b == nil {
		w.b = newBudget(Limits{})
	}
	if w.err = w.b.line(l); w.err == nil {
		w.lines = append(w.lines, l)
	}
}

// stopped says whether the walk must end: a bound passed, or ctx ended
// (looked at every ctxEvery nodes).
func (w *htmlWalker) stopped() bool {
	if w.err != nil {
		return true
	}
	if w.steps++; w.ctx != nil && w.steps%ctxEvery == 0 {
		w.err = w.ctx.Err()
	}
	if w.b != nil && w.cur.Len() > w.b.lim.LineBytes {
		w.err = overLimit("a paragraph of the page holds more than %d bytes of text", w.b.lim.LineBytes)
	}
	return w.err != nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

var blockAtoms = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Br: true,
	atom.Center: true, atom.Dd: true, atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true,
	atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hr: true, atom.Li: true,
	atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true,
	atom.Table: true, atom.Tr: true, atom.Td: true, atom.Th: true, atom.Ul: true, atom.Caption: true, atom.Tbody: true,
}

var skipAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Iframe: true,
	atom.Select: true, atom.Object: true, atom.Svg: true, atom.Button: true, atom.Textarea: true,
}

func (w *htmlWalker) flush() {
	t := collapse(w.cur.String())
	w.cur.Reset()
	if t != "" {
		w.emit(Line{Cells: []string{t}})
	}
}

// collapse folds runs of white space (tabs and newlines included) to one space.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func (w *htmlWalker) walk(n *html.Node, depth int) {
	if w.stopped() {
		return
	}
	if depth > maxDepth {
		w.tooDeep = true
		return
	}
	switch n.Type {
	case html.TextNode:
		w.cur.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c, depth+1)
		}
		return
	}
	if skipAtoms[n.DataAtom] {
		return
	}
	switch n.DataAtom {
	case atom.Title:
		w.title = collapse(textOf(n))
		return
	case atom.Meta:
		name := strings.ToLower(attr(n, "name"))
		content := attr(n, "content")
		switch name {
		case "articletitle", "title", "dc.title":
			if w.metaTitle == "" {
				w.metaTitle = collapse(content)
			}
		case "pubdate", "publishdate", "firstpublishedtime", "dc.date", "published", "createdate":
			if w.pub == "" {
				w.pub = content
			}
		}
		return
	case atom.Table:
		w.flush()
		if hasNestedTable(n) {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				w.walk(c, depth+1)
			}
			w.flush()
			return
		}
		w.table(n)
		return
	case atom.A:
		if href := attr(n, "href"); href != "" {
			w.links = append(w.links, Link{Text: collapse(textOf(n)), Href: href})
		}
	case atom.H1:
		if w.h1 == "" {
			w.h1 = collapse(textOf(n))
		}
	}
	block := blockAtoms[n.DataAtom]
	if block {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	if block {
		w.flush()
	}
}

func hasNestedTable(t *html.Node) bool {
	var found bool
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if found || depth > maxDepth {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.Table {
				found = true
				return
			}
			visit(c, depth+1)
		}
	}
	visit(t, 0)
	return found
}

// textOf returns an element's text; block boundaries inside it become spaces.
func textOf(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && skipAtoms[n.DataAtom] {
			return
		}
		block := n.Type == html.ElementNode && blockAtoms[n.DataAtom]
		if block {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
		if block {
			b.WriteByte(' ')
		}
	}
	visit(n, 0)
	return b.String()
}

// rowsOf returns a table's own rows (not those of tables nested in it).
func rowsOf(t *html.Node) []*html.Node {
	var rows []*html.Node
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				rows = append(rows, c)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				visit(c)
			}
		}
	}
	visit(t)
	return rows
}

func spanAttr(n *html.Node, key string, limit int) int {
	v, err := strconv.Atoi(strings.TrimSpace(attr(n, key)))
	if err != nil || v < 1 {
		return 1
	}
	return min(v, limit)
}

// gridSize is the least a table's grid takes: a cell per row, and each
// cell's rowspan × colspan; it stops counting past limit.
func gridSize(rows []*html.Node, limit int) int {
	n := 0
	for _, tr := range rows {
		n++
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
				n += spanAttr(td, "rowspan", maxRowspan) * spanAttr(td, "colspan", maxColspan)
			}
		}
		if n > limit {
			break
		}
	}
	return n
}

// table lays a data table out as a grid. A cell covered by another's rowspan or
// colspan is blank: only the cell where text is printed holds it. A table
// whose grid would take the page's tables past maxGridCells is left out
// whole (a warning says so), never read in part: a part could put values in
// the wrong rows.
func (w *htmlWalker) table(t *html.Node) {
	rows := rowsOf(t)
	left := maxGridCells - w.gridCells
	if gridSize(rows, left) > left {
		w.gridCut++
		return
	}
	var grid [][]string
	var taken [][]bool
	var links []Link
	// ensure makes room for cell (r, c), counting what it allocates; false
	// when that passes what is left.
	ensure := func(r, c int) bool {
		for len(grid) <= r {
			grid = append(grid, nil)
			taken = append(taken, nil)
			left--
		}
		for len(grid[r]) <= c {
			grid[r] = append(grid[r], "")
			taken[r] = append(taken[r], false)
			left--
		}
		return left >= 0
	}
	for r, tr := range rows {
		if w.stopped() {
			return
		}
		if !ensure(r, 0) {
			w.gridCut++
			return
		}
		col := 0
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type != html.ElementNode || td.DataAtom != atom.Td && td.DataAtom != atom.Th {
				continue
			}
			for col < len(taken[r]) && taken[r][col] {
				col++
			}
			rs, cs := spanAttr(td, "rowspan", maxRowspan), spanAttr(td, "colspan", maxColspan)
			for dr := range rs {
				for dc := range cs {
					if !ensure(r+dr, col+dc) {
						w.gridCut++
						return
					}
					taken[r+dr][col+dc] = true
				}
			}
			grid[r][col] = collapse(textOf(td))
			links = append(links, linksIn(td)...)
			col += cs
		}
	}
	w.gridCells = maxGridCells - left
	w.links = append(w.links, links...)
	for _, row := range grid {
		empty := true
		for _, c := range row {
			if c != "" {
				empty = false
				break
			}
		}
		if !empty {
			w.emit(Line{Cells: row, Table: true})
		}
	}
}

func linksIn(n *html.Node) []Link {
	var out []Link
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.A {
				if href := attr(c, "href"); href != "" {
					out = append(out, Link{Text: collapse(textOf(c)), Href: href})
				}
			}
			visit(c, depth+1)
		}
	}
	visit(n, 0)
	return out
}
