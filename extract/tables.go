package extract

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao/report"
)

// rowParser reads the rows of one template table from lines: it matches labels to
// rows by meaning, gathers each row's cells (on the label's line, or on the lines
// that follow when every cell stands on its own line), fills cells a split row
// carries on its next line, and fits the cells to the row's columns without ever
// shifting a value into another column.
type rowParser struct {
	table    string // "active" or "requests"
	ms       []matcher
	width    func(key string) int
	rec      *report.Record
	rows     map[string][]value // key → exactly width values (blank where null)
	lastLine int                // the last line a row was read from
	filled   map[string]bool
	seen     int // rows whose label was found, printed values or not
	last     string
	acc      *rowAcc
	header   []string // text of unmatched label lines: headers, units
	subtotal int      // index of a 法人或其他组织小计 column in table 三, or -1
	glued    []gluedRow
	// perLine: the document prints one value per line (a dump of a page's
	// text nodes). Its line breaks are not cell boundaries to trust: a cell's
	// digits may stand on two lines, and a dump may have dropped repeated
	// lines. A row's values are then gathered up to the next label.
	perLine bool
}

// gluedRow is a row whose cell boundaries were not printed, recovered later
// (runtogether.go): one run of digits, or values one per line with more lines
// than cells (parts: a cell's digits split over two lines).
type gluedRow struct {
	key, digits string
	parts       []string
}

var gluedRe = regexp.MustCompile(`^(.*[^0-9\s.．+\-−])\s*([0-9]+(?:\.[0-9]+)?|[0-9]+(?:[\-−][0-9]+)+)$`)

// maxGluedTail bounds the digits (and the spaces, points and signs among
// them) a label may end with for them to be read as a row's numbers: a row
// of run-together counts has at most maxRunDigits digits.
const maxGluedTail = 4 * maxRunDigits

// gluedToLabel moves the digits a label ends with into the row's cells, when
// every cell after it is a plain run of digits (or there are none): a decimal
// only when it is the row's one value. Digits with a minus sign inside
// (2648-18538, 35-15) are cells run together whose boundary the sign prints:
// the sign starts the 本年增/减 cell.
func gluedToLabel(label string, cells []token) (string, []token, bool) {
	label = foldWidth(label)
	if label == "" || label[len(label)-1] < '0' || label[len(label)-1] > '9' {
		return "", nil, false // no digits at its end
	}
	// The pattern is matched on the label's tail (the digits and the
	// character before them) and the label's head put back: on a label of
	// megabytes it costs the tail, not the label.
	start := len(label)
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(label[:start])
		if !strings.ContainsRune("0123456789.．+-−\t\n\f\r ", r) { // the pattern's [^0-9\s.．+\-−]
			start -= n // the character before the digits, which the pattern's head ends with
			break
		}
		if start -= n; len(label)-start > maxGluedTail {
			return "", nil, false // not a row's numbers
		}
	}
	m := gluedRe.FindStringSubmatch(label[start:])
	if m == nil || strings.TrimSpace(label[:start]+m[1]) == "" {
		return "", nil, false
	}
	m[1] = label[:start] + m[1]
	vals := 0
	for _, c := range cells {
		if c.val.kind == kindBlank {
			continue
		}
		if _, ok := digitRun(c); !ok {
			return "", nil, false
		}
		vals++
	}
	if vals > 0 && strings.ContainsAny(m[2], ".") {
		return "", nil, false
	}
	v := parseValue(m[2])
	if strings.ContainsAny(m[2], "-−") {
		if vals > 0 {
			return "", nil, false
		}
		v = value{kind: kindNumber, printed: m[2], run: true}
	}
	out := append([]token{{text: m[2], val: v, col: -1}}, cells...)
	return m[1], out, true
}

type rowAcc struct {
	key    string
	label  string  // the label as printed on its line
	cells  []token // cells after the label on its own line
	open   bool    // the label line had no cells: values follow one per line
	stream []token
	line   int
	grid   bool // the label's line is a row of a table grid
}

func newRowParser(table string, ms []matcher, width func(string) int, rec *report.Record) *rowParser {
	return &rowParser{table: table, ms: ms, width: width, rec: rec,
		rows: map[string][]value{}, filled: map[string]bool{}, subtotal: -1}
}

func (p *rowParser) feed(l Line, lineNo int) {
	toks := tokenize(l)
	if len(toks) == 0 {
		return
	}
	label, cells := splitRow(toks)
	if l2, c2, ok := gluedToLabel(label, cells); ok {
		// "行政规范性文件8855698", "（七）总计23 0 00 0 023": digits glued to the label.
		if key, dup := match(p.ms, l2, p.last, p.filled); key != "" && !dup {
			label, cells = l2, c2
		}
	}
	nvals := countValues(cells)
	if label != "" {
		key, dup := match(p.ms, label, p.last, p.filled)
		if key == "" && nvals > 0 && p.labelGoesOn(label) {
			// The row's label set over two lines, its values after the
			// second: （二）部分公开（区分处理的，只计这一情形，不 / 计其他情形） 5 0 …
			p.acc.label += label
			p.acc.cells, p.acc.open, p.acc.line = cells, false, lineNo
			p.acc.grid = l.Table && len(l.Cells) > 1
			return
		}
		if key == "" && nvals > 0 {
			if k, printed := p.damaged(label); k != "" {
				p.rec.Warnf("%s.%s: the printed label %q read as the template's %q (the next row in the template's order, and alike)", p.table, k, printed, templateLabel(k))
				key = k
			}
		}
		switch {
		case key != "" && !dup:
			p.flush()
			p.seen++
			p.acc = &rowAcc{key: key, label: label, cells: cells, open: nvals == 0, line: lineNo, grid: l.Table && len(l.Cells) > 1}
			p.last = key
			return
		case key != "":
			if nvals > 0 {
				p.rec.Warnf("%s.%s: ignored a repeated row on line %d (%s)", p.table, key, lineNo+1, strings.TrimSpace(l.Text()))
			}
			return
		}
		if nvals == 0 {
			if p.acc != nil && p.acc.open && len(p.acc.stream) >= p.width(p.acc.key)+p.extra() {
				p.flush() // text after a row's values ends them
			}
			if len(p.filled) == 0 && p.acc == nil {
				p.noteHeader(toks)
			}
			p.header = append(p.header, normLabel(label))
			return
		}
		if n := normLabel(label); strings.Contains(n, "小计") || strings.Contains(n, "合计") {
			p.rec.Warnf("%s: read past a subtotal row on line %d (%s)", p.table, lineNo+1, strings.TrimSpace(l.Text()))
			return
		}
		p.continuation(cells, lineNo, l)
		return
	}
	if p.acc == nil {
		return
	}
	if p.acc.open {
		for _, c := range cells {
			if c.val.isValue() {
				p.acc.stream = append(p.acc.stream, c)
			}
		}
		if !p.perLine && countValues(p.acc.stream) >= p.width(p.acc.key)+p.extra() {
			p.flush()
		}
		return
	}
	p.continuation(cells, lineNo, l)
}

// labelGoesOn: a line of values whose label matches no row goes on with the
// label of the row above when that row has no values yet and the line either
// closes a bracket the label left open or is a piece of the row's own label
// in the templates (（二）部分公开（区分处理的，只计这一情形，不 / 计其他情形）).
// A label that starts with an ordinal is a row of its own.
func (p *rowParser) labelGoesOn(label string) bool {
	a := p.acc
	if a == nil || !a.open || len(a.stream) > 0 {
		return false
	}
	rest := normLabel(label)
	if rest == "" || ordinalStartRe.MatchString(rest) {
		return false
	}
	first := normLabel(a.label)
	if strings.Count(first, "(") > strings.Count(first, ")") && strings.HasSuffix(rest, ")") {
		return true
	}
	if strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")") && strings.Count(rest, "(") == 1 {
		return true // a note in brackets under the label: （区分处理的，只计这一情形，不计其他情形）
	}
	core := coreLabel(rest)
	if utf8.RuneCountInString(core) < 2 {
		return false
	}
	for _, spec := range []*report.TableSpec{report.Requests2021, report.Requests2019, report.Active2021, report.Active2019} {
		if r, ok := spec.Row(a.key); ok && strings.HasSuffix(coreLabel(normLabel(r.Label)), core) {
			return true
		}
	}
	return false
}

// onePerLine tells a dump that prints one value per line (a page's text
// nodes, one a line) by its content: most lines that hold a value hold just
// one and nothing else, and there are many of them.
func onePerLine(lines []Line) bool {
	single := 0
	var others []Line // lines that may hold several values
	for _, l := range lines {
		cell, n := "", 0
		for _, c := range l.Cells {
			if c = strings.TrimSpace(c); c != "" {
				cell, n = c, n+1
			}
		}
		switch {
		case n == 1 && len(cell) <= 32 && !strings.ContainsAny(cell, " \u3000") && parseValue(cell).isValue():
			single++
		case n > 1 || n == 1 && len(cell) <= 256 && strings.ContainsAny(cell, "0123456789") && strings.ContainsAny(cell, " \u3000"):
			others = append(others, l)
		}
	}
	if single < 12 {
		return false // most documents: no need to look closer
	}
	multi := 0
	for _, l := range others {
		if countValues(tokenize(l)) > 1 {
			multi++
		}
	}
	return single > 3*multi
}

// ordinalStartRe: a label that starts with a row's or group's ordinal.
var ordinalStartRe = regexp.MustCompile(`^(?:[(][一二三四五六七八九十]{1,2}[)]|[一二三四五六七八九十]{1,2}[、.]|[0-9]{1,2}[.、])`)

func (p *rowParser) extra() int {
	if p.subtotal >= 0 {
		return 1
	}
	return 0
}

// damaged matches a label no keyword names to the row the template prints
// next, when the two are alike (2.其他法律行政止公开, a typo of
// 2.其他法律行政法规禁止公开): a misspelt label never drops its row.
func (p *rowParser) damaged(label string) (key, printed string) {
	norm := normLabel(label)
	if !plausibleLabel(norm) {
		return "", ""
	}
	core := stripNumerals(coreLabel(norm))
	next := 0
	for i, m := range p.ms {
		if m.key == p.last {
			next = i + 1
		}
	}
	for i := next; i < len(p.ms) && i < next+2; i++ {
		k := p.ms[i].key
		if p.filled[k] {
			continue
		}
		want := stripNumerals(coreLabel(normLabel(templateLabel(k))))
		if alike(core, want) {
			return k, strings.TrimSpace(label)
		}
	}
	return "", ""
}

// alike: the longest common subsequence covers at least 70% of the longer of
// two labels of at least four characters.
func alike(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < 4 || len(rb) < 4 {
		return false
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for i := range ra {
		for j := range rb {
			switch {
			case ra[i] == rb[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] > cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]*10 >= 7*max(len(ra), len(rb))
}

// templateLabel is a row's own label in the templates, without its group's
// heading (（三）不予公开 1.属于国家秘密 → 1.属于国家秘密).
func templateLabel(key string) string {
	for _, spec := range []*report.TableSpec{report.Requests2021, report.Requests2019, report.Active2021, report.Active2019} {
		if r, ok := spec.Row(key); ok {
			if i := strings.LastIndex(r.Label, " "); i >= 0 {
				return r.Label[i+1:]
			}
			return r.Label
		}
	}
	return key
}

// noteHeader looks for a 小计 column among table 三's column headers.
func (p *rowParser) noteHeader(toks []token) {
	if p.table != "requests" || p.subtotal >= 0 {
		return
	}
	seenOrg := false
	for _, t := range toks {
		n := normLabel(t.text)
		if strings.Contains(n, "商业") || strings.Contains(n, "其他") || strings.Contains(n, "法律服务") {
			seenOrg = true
		}
		if strings.Contains(n, "小计") {
			if seenOrg {
				p.subtotal = 6
			} else {
				p.subtotal = 1
			}
			return
		}
	}
}

// continuation handles a line of values whose label matches no row: the rest of
// a row split over two lines (its values land on the blank cells of the row above,
// column for column), or a repeated fragment, which is ignored.
func (p *rowParser) continuation(cells []token, lineNo int, l Line) {
	if p.acc == nil || p.acc.open || countValues(cells) == 0 {
		return
	}
	fits := true
	for _, c := range cells {
		if !c.val.isValue() {
			continue
		}
		if c.col < 0 {
			fits = false
			break
		}
		found := false
		for _, a := range p.acc.cells {
			if a.col == c.col && a.val.kind == kindBlank {
				found = true
				break
			}
		}
		if !found {
			fits = false
			break
		}
	}
	if !fits {
		p.rec.Warnf("%s.%s: ignored a row fragment on line %d (%s)", p.table, p.acc.key, lineNo+1, strings.TrimSpace(l.Text()))
		return
	}
	for _, c := range cells {
		if !c.val.isValue() {
			continue
		}
		for i := range p.acc.cells {
			if p.acc.cells[i].col == c.col {
				p.acc.cells[i] = c
			}
		}
	}
	p.rec.Warnf("%s.%s: row split over two lines; cells from line %d filled in by column", p.table, p.acc.key, lineNo+1)
}

// flush fits the pending row's cells to its columns.
func (p *rowParser) flush() {
	a := p.acc
	if a == nil {
		return
	}
	p.acc = nil
	w := p.width(a.key)
	if w == 0 {
		return
	}
	var got []token
	var ok bool
	var note string
	if a.open && p.perLine && len(a.stream) > 0 && len(a.stream) != w+p.extra() {
		p.unevenLines(a, w)
		return
	}
	if a.open && p.perLine && !holdsOwnIdentity(p.table, a.key, a.stream) {
		// As many lines as cells, but a cell split over two lines and another
		// dropped give as many too: the row's identity tells them apart.
		p.rec.Warnf("%s.%s: %s", p.table, a.key, breaksIdentity(a.stream))
		p.leaveNull(a, w)
		return
	}
	if a.open {
		got, ok, note = fitCount(a.stream, w+p.extra()) // values that stood one per line
	} else {
		got, ok, note = fitCells(a.cells, w+p.extra())
		if a.grid && len(a.cells) == w+p.extra() && countValues(a.cells) > 0 {
			// A grid row with exactly a cell per column: its blanks are blanks
			// printed in their columns, trailing ones too.
			got, ok, note = a.cells, true, ""
		}
	}
	if len(a.stream) == 0 && countValues(a.cells) == 0 && !ok {
		return
	}
	path := p.table + "." + a.key
	if !ok {
		if d, glued := p.gluedDigits(a, w); glued {
			p.glued = append(p.glued, gluedRow{key: a.key, digits: d})
			p.leaveNull(a, w)
			return
		}
		p.rec.Warnf("%s: %s; the row is left null", path, note)
		p.leaveNull(a, w)
		return
	}
	if note != "" {
		p.rec.Warnf("%s: %s", path, note)
	}
	if p.extra() == 1 && len(got) == w+1 {
		got = append(got[:p.subtotal:p.subtotal], got[p.subtotal+1:]...)
	}
	vals := make([]value, w)
	for i := range got {
		vals[i] = got[i].val
	}
	p.rows[a.key] = vals
	p.lastLine = max(p.lastLine, a.line)
	if countValues(got) > 0 || len(got) == w {
		p.filled[a.key] = true
	}
}

// holdsOwnIdentity: the values read for a row hold its own identity, or the
// row has none, or they are not all numbers to add.
func holdsOwnIdentity(table, key string, toks []token) bool {
	rule, identity := rowRule(table, key, "")
	if !identity {
		return true
	}
	v := make([]float64, len(toks))
	for i, t := range toks {
		if t.val.kind != kindNumber || t.val.run {
			return true
		}
		v[i] = t.val.num
	}
	if table == "requests" && len(v) != 7 || table == "review_litigation" && len(v) != 15 {
		return true
	}
	return rule(v)
}

// unevenLines settles a row of a one-value-per-line dump whose lines are not
// one per cell. More lines than cells: a cell's digits were split over lines
// (1 / 62 for 162), and the merges that the identities allow are resolved
// later with the run-together rows. Fewer: the dump dropped repeated lines
// (0 0 0 printed as one 0) or lost values, and which cells the values belong
// to is not printed: the row stays null. Neither is ever spread by position.
func (p *rowParser) unevenLines(a *rowAcc, w int) {
	p.leaveNull(a, w)
	parts, digits := digitParts(a.stream)
	if len(a.stream) > w && p.extra() == 0 && digits {
		p.glued = append(p.glued, gluedRow{key: a.key, digits: strings.Join(parts, " / "), parts: parts})
		return
	}
	p.rec.Warnf("%s.%s: %s", p.table, a.key, unevenNote(a.stream, w))
}

// leaveNull records a row as read and blank: its cells stay null (a warning
// or the run-together readings say why).
func (p *rowParser) leaveNull(a *rowAcc, w int) {
	p.filled[a.key] = true
	p.rows[a.key] = make([]value, w)
	p.lastLine = max(p.lastLine, a.line)
}

// digitParts is the values printed one per line as plain digit runs, and
// whether every one is one.
func digitParts(toks []token) ([]string, bool) {
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		d, ok := digitRun(t)
		if !ok {
			return nil, false
		}
		parts = append(parts, d)
	}
	return parts, true
}

// unevenNote says why values printed one per line, as many or more than
// cells, are left null.
func unevenNote(s []token, w int) string {
	if len(s) > w {
		return fmt.Sprintf("%d values (%s) on their own lines for %d cells, not all plain digits that could be one cell split over lines; the row is left null", len(s), printed(s), w)
	}
	return fmt.Sprintf("%d value(s) (%s) on their own lines for %d cells: the dump dropped repeated lines or lost values, and which cells they belong to is not printed; the row is left null", len(s), printed(s), w)
}

// breaksIdentity says why as many values as cells, one per line, are left
// null when they break the row's identity.
func breaksIdentity(s []token) string {
	return fmt.Sprintf("%d values (%s) on their own lines break the identity (a total is not the sum of its parts): in a dump whose line breaks are not cell boundaries, a cell split over lines and another dropped give as many lines; the row is left null", len(s), printed(s))
}

// gluedDigits: the row's values are runs of digits that hold more digits than
// the row has columns but fewer runs: cells run together, the spaces printed
// between some of them kept as boundaries ("230 000023").
func (p *rowParser) gluedDigits(a *rowAcc, w int) (string, bool) {
	if w < 2 || p.extra() > 0 {
		return "", false
	}
	return joinRuns(append(append([]token(nil), a.cells...), a.stream...), w)
}

// joinRuns joins the value tokens when every one is a plain digit run, there
// are fewer than w of them and at least w digits.
func joinRuns(toks []token, w int) (string, bool) {
	var runs []string
	n := 0
	for _, t := range toks {
		if t.val.kind == kindBlank {
			continue
		}
		d, ok := digitRun(t)
		if t.val.run {
			d, ok = strings.ReplaceAll(foldWidth(t.text), "−", "-"), true
		}
		if !ok {
			return "", false
		}
		runs = append(runs, d)
		n += len(strings.ReplaceAll(d, "-", ""))
	}
	if len(runs) == 0 || len(runs) >= w || n < w {
		return "", false
	}
	return strings.Join(runs, " "), true
}

// fitCells fits the cells that follow a label on its own line: trailing blanks are
// an artefact of tab-separated dumps and go; leading blanks go while there are more
// cells than columns; a table-三 row with extra cells keeps its first six and its
// last when the extra ones are all blank or 0. Anything else is not guessed at.
func fitCells(cells []token, w int) ([]token, bool, string) {
	c := cells
	for len(c) > 0 && c[len(c)-1].val.kind == kindBlank {
		c = c[:len(c)-1]
	}
	for len(c) > w && c[0].val.kind == kindBlank {
		c = c[1:]
	}
	return fitCount(c, w)
}

func fitCount(c []token, w int) ([]token, bool, string) {
	for _, t := range c {
		if t.val.run {
			return nil, false, fmt.Sprintf("digits %q run together", t.text)
		}
	}
	switch {
	case len(c) == w:
		return c, true, ""
	case len(c) == 0:
		return nil, false, "no cells"
	case len(c) > w && w == 7:
		extra := c[6 : len(c)-1]
		for _, t := range extra {
			if t.val.kind == kindNumber && t.val.num != 0 || t.val.kind == kindText {
				return nil, false, fmt.Sprintf("%d cells (%s) for 7 columns", len(c), printed(c))
			}
		}
		out := append(append([]token(nil), c[:6]...), c[len(c)-1])
		if !holdsOwnIdentity("requests", "", out) {
			return nil, false, fmt.Sprintf("%d cells (%s) for 7 columns, and the first six and the last break the row's identity", len(c), printed(c))
		}
		return out, true, fmt.Sprintf("%d cells for 7 columns; read the first six and the last (the %d extra were blank or 0; the row's identity holds)", len(c), len(extra))
	case len(c) > w:
		return nil, false, fmt.Sprintf("%d cells (%s) for %d columns", len(c), printed(c), w)
	}
	if countValues(c) == 0 {
		return nil, false, "no cells"
	}
	return nil, false, fmt.Sprintf("%d cell(s) (%s) for %d columns: which columns they belong to is not printed", len(c), printed(c), w)
}

func printed(c []token) string {
	parts := make([]string, len(c))
	for i, t := range c {
		if t.val.kind == kindBlank {
			parts[i] = "_"
		} else {
			parts[i] = t.text
		}
	}
	return strings.Join(parts, " ")
}

// fill writes the parsed rows into a table of the given spec.
func (p *rowParser) fill(spec *report.TableSpec) *report.Table {
	t := report.NewTable(spec)
	placeholders := 0
	var units []string // cells printed with a unit: 12件, 4068.208万元
	var missing []string
	for _, rs := range spec.Rows {
		vals, ok := p.rows[rs.Key]
		if !ok {
			missing = append(missing, rs.Key)
			continue
		}
		for i, cs := range rs.Cols {
			if i >= len(vals) {
				break
			}
			v := vals[i]
			path := spec.Name + "." + rs.Key + "." + cs.Key
			switch v.kind {
			case kindPlaceholder:
				placeholders++
				continue
			case kindNumber:
			default:
				continue
			}
			n := v.num
			if v.unit != "" && path != "active.procurement.amount_yuan" {
				units = append(units, path+" ("+strings.TrimSpace(v.printed)+")")
			}
			if v.ocr {
				p.rec.Warnf("%s: OCR letter %q read as 0", path, v.printed)
			}
			if v.annotated {
				p.rec.Warnf("%s: printed %q; the number is kept, the note dropped", path, v.printed)
			}
			if path == "active.procurement.amount_yuan" && (v.unit == "万元" || v.unit == "" && p.headerSays("采购总金额", "万元")) {
				n = v.num * 10000
				p.rec.Warnf("%s: printed %q in 万元; stored as %s 元", path, strings.TrimSpace(v.printed), report.FormatNumber(n))
			}
			t.Set(rs.Key, cs.Key, report.Num(n))
		}
	}
	if len(missing) > 0 && len(p.rows) > 0 {
		p.rec.Warnf("%s: %d row(s) of the template not found in the document, left null: %s", spec.Name, len(missing), strings.Join(missing, ", "))
	}
	if placeholders > 0 {
		p.rec.Warnf("%s: %d cell(s) printed as a placeholder (/, —, 无) are left null", spec.Name, placeholders)
	}
	if len(units) > 0 {
		p.rec.Warnf("%s: %d cell(s) printed with a unit, kept as the number: %s", spec.Name, len(units), strings.Join(units, ", "))
	}
	return t
}

func (p *rowParser) headerSays(words ...string) bool {
	for _, h := range p.header {
		all := true
		for _, w := range words {
			if !strings.Contains(h, w) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// reviewParser reads table 四: one row of 15 cells, on one line or one per line;
// or, in reports that turn it on its side, three labelled rows of five.
type reviewParser struct {
	rec    *report.Record
	vals   []token
	done   bool
	stream []token
	groups map[string][]token // transposed form: group key → 5 cells
	glued  string             // the row printed as one run of digits
	group  string             // a group's label printed alone (a heading over its own table)
	// perLine: a one-value-per-line dump (see rowParser.perLine); parts are
	// its values when there were more than 15, short why there were fewer.
	perLine bool
	parts   []string
	short   string
}

// reviewGroup names the group a row label of a transposed table 四 stands for.
func reviewGroup(label string) string {
	n := normLabel(label)
	if strings.Contains(n, "直接起诉") && strings.Contains(n, "复议后起诉") {
		return "" // the table's header, naming every group
	}
	switch {
	case strings.Contains(n, "复议后起诉"):
		return "suit_after_review"
	case strings.Contains(n, "直接起诉"):
		return "suit_direct"
	case strings.Contains(n, "行政复议") && !strings.Contains(n, "诉讼"):
		return "review"
	}
	return ""
}

// reviewHeader: the header of table 四, which a flattened dump runs into the
// row's digits (…尚未审结总计000000000000000).
func reviewHeader(label string) bool {
	n := normLabel(label)
	return strings.Contains(n, "总计") && (strings.Contains(n, "复议") || strings.Contains(n, "审结") || strings.Contains(n, "诉讼"))
}

// feedGroup takes the five cells of one of table 四's three groups printed as
// a table of its own (行政复议, 未经复议直接起诉, 复议后起诉); the three make
// the row of 15.
func (p *reviewParser) feedGroup(g string, cells []token) {
	got, ok, _ := fitCells(cells, 5)
	if !ok {
		return
	}
	if p.groups == nil {
		p.groups = map[string][]token{}
	}
	p.groups[g] = got
	if len(p.groups) == 3 {
		for _, k := range []string{"review", "suit_direct", "suit_after_review"} {
			p.vals = append(p.vals, p.groups[k]...)
		}
		p.done = true
	}
}

func (p *reviewParser) feed(l Line, lineNo int) {
	if p.done {
		return
	}
	toks := tokenize(l)
	if len(toks) == 0 {
		return
	}
	label, cells := splitRow(toks)
	if l2, c2, ok := gluedToLabel(label, cells); ok && reviewHeader(l2) {
		label, cells = l2, c2
	}
	n := countValues(cells)
	if n == 0 && len(cells) == len(toks) {
		return // a blank line
	}
	g := reviewGroup(label)
	if g != "" && n == 0 {
		p.group = g // 行政复议 over a table of its own: its five cells follow
		return
	}
	if g == "" && label == "" && n == 5 && p.group != "" {
		g, p.group = p.group, ""
	}
	if g != "" && n > 0 && n <= 5 {
		p.feedGroup(g, cells)
		return
	}
	if n < 15 && p.glued == "" {
		if d, ok := joinRuns(cells, 15); ok {
			p.glued = d
			return
		}
	}
	if n >= 10 {
		if got, ok, note := fitCells(cells, 15); ok {
			p.vals, p.done = got, true
			return
		} else if n > 0 {
			p.rec.Warnf("review_litigation: line %d: %s", lineNo+1, note)
		}
		return
	}
	if n == 1 && len(toks) == 1 {
		p.stream = append(p.stream, cells[0])
		if len(p.stream) == 15 && !p.perLine {
			p.vals, p.done = p.stream, true
		}
		return
	}
	if n == 0 && len(p.stream) > 0 {
		if p.perLine {
			p.endStream()
			return
		}
		p.stream = nil
	}
}

// endStream settles the values a one-value-per-line dump printed for table 四
// (see rowParser.unevenLines): fifteen are the row; more, if all plain digits,
// are a cell's digits split over lines, resolved with the identities; fewer
// leave the row null (a dump that dropped repeated lines), said at the end
// unless the row is found after all.
func (p *reviewParser) endStream() {
	s := p.stream
	p.stream = nil
	switch {
	case len(s) == 15 && holdsOwnIdentity("review_litigation", "", s):
		p.vals, p.done = s, true
	case len(s) == 15:
		p.short = "review_litigation: " + breaksIdentity(s)
	case len(s) > 15 && p.glued == "" && p.parts == nil:
		if parts, ok := digitParts(s); ok {
			p.parts = parts
		} else {
			p.short = "review_litigation: " + unevenNote(s, 15)
		}
	default:
		p.short = "review_litigation: " + unevenNote(s, 15)
	}
}

// finish ends the table at the end of its section.
func (p *reviewParser) finish() {
	if p.perLine && !p.done && len(p.stream) > 0 {
		p.endStream()
	}
	if !p.done && p.parts == nil && p.short != "" {
		p.rec.Warnf("%s", p.short)
	}
}

func (p *reviewParser) table() *report.Table {
	t := report.NewTable(report.ReviewLitigation)
	if !p.done {
		return t
	}
	i := 0
	for _, r := range report.ReviewLitigation.Rows {
		for _, c := range r.Cols {
			v := p.vals[i].val
			i++
			if v.kind == kindNumber {
				if v.ocr {
					p.rec.Warnf("review_litigation.%s.%s: OCR letter %q read as 0", r.Key, c.Key, v.printed)
				}
				t.Set(r.Key, c.Key, report.Num(v.num))
			}
		}
	}
	return t
}
