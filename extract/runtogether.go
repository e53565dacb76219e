package extract

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/report"
)

// Rows whose cells ran together (行政规范性文件8855698, 一、本年新收政府信息公开申请数量
// 713000074) are recovered by enumerating the ways the digit string splits into the
// row's cells and keeping the splits the identities allow: the row's own (a total
// equals the sum of its parts; 现行有效 ≥ 本年制发), then, jointly across rows, the
// column identities of table 三 and the figures the text states. A unique reading
// fills the cells with a warning naming the method; several leave the cells null and
// list the readings. Nothing is guessed.

const (
	maxReadings    = 2000    // more readings than this: too ambiguous to list
	maxJointChecks = 200_000 // combinations tried across ambiguous rows
	maxSplitSteps  = 300_000 // work on one digit string before giving up
	maxRunDigits   = 80      // a longer run is not a row of counts
	maxMergedLines = 4       // more lines than cells beyond this: not a split cell or two
)

// runTogether is one row whose cell boundaries were not printed: a single
// digit string, or values one per line with more lines than cells.
type runTogether struct {
	table  string   // active, requests, review_litigation
	row    string   // row key; "" for table 四's single row
	cells  []string // the cell paths, in printed order
	digits string   // as printed, for the warnings
	what   string   // how it was printed: "run-together digits", …
	cands  [][]float64
	// identity: the row's own rule is an identity (a total equals the sum of
	// its parts), which confirms a reading; an inequality only narrows them.
	identity bool
	// decided holds the cells that every reading of the printed shape gives
	// the same value (both its boundaries printed: 2648-18538 is 2648 before
	// the sign), identities or not; nil where the readings differ.
	decided []*float64
}

// digitRun returns a token's digits when it is a plain run of ASCII digits.
func digitRun(t token) (string, bool) {
	s := strings.TrimSpace(foldWidth(t.text))
	if s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// splits enumerates the readings of digits as w numbers without leading zeros,
// keeping those accepted; it stops at limit readings (and says so). A space in
// digits is a boundary printed between two cells: no number spans it. A minus
// sign is a printed boundary too, and the cell after it is negative, which
// only a signed column (本年增/减) may be.
func splits(printed string, w int, signed []bool, accept func([]float64) bool, limit int) (out [][]float64, truncated bool) {
	printed = strings.ReplaceAll(printed, "−", "-")
	var digits []byte
	bound := make([]bool, len(printed)+1) // bound[i]: a cell ends before digits[i]
	neg := make([]bool, len(printed)+1)   // neg[i]: a minus sign stands before digits[i]
	for i := 0; i < len(printed); i++ {
		switch c := printed[i]; c {
		case ' ':
			bound[len(digits)] = true
		case '-':
			bound[len(digits)], neg[len(digits)] = true, true
		default:
			digits = append(digits, c)
		}
	}
	if neg[len(digits)] {
		return nil, false // a sign with no digits after it
	}
	crosses := func(from, to int) bool { // a boundary strictly inside digits[from:to]
		for i := from + 1; i < to; i++ {
			if bound[i] {
				return true
			}
		}
		return false
	}
	// cell reads digits[from:to] as the value of the k-th cell, if it can be one.
	cell := func(k, from, to int) (float64, bool) {
		piece := digits[from:to]
		if to-from > 15 || to-from > 1 && piece[0] == '0' || crosses(from, to) {
			return 0, false
		}
		if neg[from] && (k >= len(signed) || !signed[k]) {
			return 0, false
		}
		v, _ := strconv.ParseFloat(string(piece), 64)
		if neg[from] {
			v = -v
		}
		return v, true
	}
	parts := make([]float64, 0, w)
	steps := 0
	var rec func(pos int)
	rec = func(pos int) {
		if steps++; steps > maxSplitSteps {
			truncated = true
		}
		if truncated {
			return
		}
		k := len(parts)
		if k == w-1 {
			v, ok := cell(k, pos, len(digits))
			if pos == len(digits) || !ok {
				return
			}
			cand := append(append([]float64(nil), parts...), v)
			if accept == nil || accept(cand) {
				if len(out) >= limit {
					truncated = true
					return
				}
				out = append(out, cand)
			}
			return
		}
		remainingParts := w - k - 1
		for l := 1; pos+l <= len(digits)-remainingParts && l <= 15; l++ {
			if crosses(pos, pos+l) {
				break
			}
			v, ok := cell(k, pos, pos+l)
			if !ok {
				if l > 1 && digits[pos] == '0' {
					break
				}
				continue
			}
			parts = append(parts, v)
			rec(pos + l)
			parts = parts[:len(parts)-1]
		}
	}
	if len(digits) > maxRunDigits {
		return nil, true
	}
	if len(digits) >= w {
		rec(0)
	}
	return out, truncated
}

// merges enumerates the readings of values printed one per line as w cells
// when there are more lines than cells: a cell's digits split over adjacent
// lines (1 / 62 is 162). Each reading joins adjacent lines; a joined number
// has no leading zero. It keeps those accepted, up to limit.
func merges(parts []string, w int, accept func([]float64) bool, limit int) (out [][]float64, truncated bool) {
	n := len(parts)
	if n <= w || n-w > maxMergedLines || n > maxRunDigits {
		return nil, n > w
	}
	cur := make([]float64, 0, w)
	steps := 0
	var rec func(i int)
	rec = func(i int) {
		if steps++; steps > maxSplitSteps {
			truncated = true
		}
		if truncated || i == n {
			if !truncated && len(cur) == w && (accept == nil || accept(cur)) {
				if len(out) >= limit {
					truncated = true
					return
				}
				out = append(out, slices.Clone(cur))
			}
			return
		}
		if len(cur) == w {
			return
		}
		joined := ""
		for j := i; j < n && j-i <= n-w; j++ {
			joined += parts[j]
			if len(joined) > 15 || len(joined) > 1 && joined[0] == '0' {
				break
			}
			v, _ := strconv.ParseFloat(joined, 64)
			cur = append(cur, v)
			rec(j + 1)
			cur = cur[:len(cur)-1]
		}
	}
	rec(0)
	return out, truncated
}

// rowRule is the rule inside one row, if the row has one, and whether it is
// an identity (a total equals the sum of its parts) rather than an inequality
// (现行有效 ≥ 本年制发), which narrows the readings but confirms none.
func rowRule(table, row string, tpl report.Template) (func([]float64) bool, bool) {
	switch {
	case table == "requests":
		return func(v []float64) bool { return v[0]+v[1]+v[2]+v[3]+v[4]+v[5] == v[6] }, true
	case table == "review_litigation":
		return func(v []float64) bool {
			for g := 0; g < 3; g++ {
				b := g * 5
				if v[b]+v[b+1]+v[b+2]+v[b+3] != v[b+4] {
					return false
				}
			}
			return true
		}, true
	case table == "active" && tpl == report.Template2021 && (row == "rules" || row == "normative_docs"):
		return func(v []float64) bool { return v[2] >= v[0] }, false // 现行有效 ≥ 本年制发
	case table == "active" && tpl == report.Template2019 && (row == "rules" || row == "normative_docs"):
		return func(v []float64) bool { return v[2] >= v[1] }, false // 对外公开总数量 ≥ 本年新公开数量
	}
	return nil, false
}

// newRunTogether enumerates the readings of a row whose cell boundaries were
// not printed: one run of digits (g.digits), or values one per line with more
// lines than cells (g.parts).
func newRunTogether(table, row string, cells []string, g gluedRow, tpl report.Template) (*runTogether, bool) {
	r := &runTogether{table: table, row: row, cells: cells, digits: g.digits, what: "run-together digits"}
	var enumerate func(accept func([]float64) bool) ([][]float64, bool)
	if g.parts != nil {
		r.digits = strings.Join(g.parts, " / ")
		r.what = fmt.Sprintf("%d lines for %d cells (a cell's digits split over lines)", len(g.parts), len(cells))
		enumerate = func(accept func([]float64) bool) ([][]float64, bool) {
			return merges(g.parts, len(cells), accept, maxReadings)
		}
	} else {
		signed := make([]bool, len(cells))
		for i, c := range cells {
			signed[i] = strings.HasSuffix(c, ".change")
		}
		enumerate = func(accept func([]float64) bool) ([][]float64, bool) {
			return splits(g.digits, len(cells), signed, accept, maxReadings)
		}
	}
	rule, identity := rowRule(table, row, tpl)
	r.identity = identity
	// Every reading of the printed shape, then those the row's rule keeps:
	// enumerated once when the readings are few enough to keep them all.
	all, allTruncated := enumerate(nil)
	if !allTruncated {
		r.decided = common(all, len(cells))
		for _, c := range all {
			if rule == nil || rule(c) {
				r.cands = append(r.cands, c)
			}
		}
		return r, false
	}
	var truncated bool
	r.cands, truncated = enumerate(rule)
	return r, truncated
}

// common: the cells that every reading gives one value.
func common(readings [][]float64, w int) []*float64 {
	if len(readings) == 0 {
		return nil
	}
	out := make([]*float64, w)
	for i := range w {
		v := readings[0][i]
		same := true
		for _, r := range readings[1:] {
			if r[i] != v {
				same = false
				break
			}
		}
		if same {
			out[i] = &v
		}
	}
	return out
}

// constraint: the sum of some cells equals the sum of others plus a constant.
type constraint struct {
	name     string
	lhs, rhs []string
	konst    float64 // added to the right-hand side
}

// resolveRunTogether fills or explains the run-together rows of a record. The
// readings are tested jointly against the identities and the figures the text
// states; when no combination satisfies them all, the text's figures go first
// (a figure in prose may count what the table does not), then the column
// identities (the report breaks one of its own), and what is left is each
// row's own identity: a row with one reading under it is still read, a row
// with several stays null.
func resolveRunTogether(rec *report.Record, rows []*runTogether) {
	if len(rows) == 0 {
		return
	}
	s := newJointSearch(rec, rows)
	identities, narrative := s.constraints(rec)
	method := "the row's identity, the column identities"
	alive, used := s.alive(identities)
	kept := identities // the identities and figures the readings were held to
	if used && feasible(rows, alive) && len(narrative) > 0 {
		// The text's figures, one at a time: each that some reading agrees with
		// is kept; one that none agrees with is named and left out.
		cons := slices.Clone(identities)
		var dropped []constraint
		for _, n := range narrative {
			try, ok := s.alive(append(slices.Clone(cons), n))
			if ok && feasible(rows, try) {
				cons, alive = append(cons, n), try
			} else {
				dropped = append(dropped, n)
			}
		}
		if len(cons) > len(identities) {
			method += " and the figures in the text"
		}
		kept = cons
		if len(dropped) > 0 {
			rec.Warnf("run-together digits: no reading agrees with the figure(s) the text states for %s; read without them", constraintNames(dropped))
		}
	}
	if used && !feasible(rows, alive) {
		if len(identities) > 0 {
			rec.Warnf("run-together digits: no reading satisfies every column identity (%s); each row is read by its own identity alone", constraintNames(identities))
		}
		method = "the row's identity"
		alive, used = s.alive(nil)
		kept = nil
	}
	if !used {
		kept = nil
	}
	for i, r := range rows {
		confirmed := r.identity
		for _, c := range kept {
			if c.touches(r.cells) {
				confirmed = true
				break
			}
		}
		reportRow(rec, r, alive[i], used, method, confirmed)
	}
}

// touches: the constraint names one of the cells.
func (c constraint) touches(cells []string) bool {
	for _, p := range cells {
		if slices.Contains(c.lhs, p) || slices.Contains(c.rhs, p) {
			return true
		}
	}
	return false
}

// feasible: some combination satisfied every constraint, i.e. each row that
// has readings kept one.
func feasible(rows []*runTogether, alive [][]bool) bool {
	for i, r := range rows {
		if len(r.cands) == 0 {
			continue
		}
		if !slices.Contains(alive[i], true) {
			return false
		}
	}
	return true
}

func constraintNames(cs []constraint) string {
	var names []string
	for _, c := range cs {
		if !slices.Contains(names, c.name) {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, ", ")
}

// jointSearch holds the cells printed elsewhere and the rows to resolve.
type jointSearch struct {
	rows  []*runTogether
	known map[string]float64
	owned map[string]bool
}

func newJointSearch(rec *report.Record, rows []*runTogether) *jointSearch {
	s := &jointSearch{rows: rows, known: map[string]float64{}, owned: map[string]bool{}}
	for c := range rec.AllCells() {
		if c.Value != nil {
			s.known[c.Path()] = *c.Value
		}
	}
	for _, r := range rows {
		for _, p := range r.cells {
			s.owned[p] = true
			delete(s.known, p)
		}
	}
	return s
}

// constraints are the identities and the text's figures that touch a
// run-together cell: an identity the printed cells already break elsewhere
// must not veto every reading.
func (s *jointSearch) constraints(rec *report.Record) (identities, narrative []constraint) {
	touches := func(c constraint) bool {
		for _, p := range append(append([]string(nil), c.lhs...), c.rhs...) {
			if s.owned[p] {
				return true
			}
		}
		return false
	}
	for _, id := range report.Identities(rec) {
		if c := (constraint{name: id.Family, lhs: id.LHS, rhs: id.RHS}); touches(c) {
			identities = append(identities, c)
		}
	}
	cells := narrativeCells(rec.Template)
	keys := make([]string, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		if v, ok := figureValue(rec.Narrative, key); ok {
			if c := (constraint{name: "narrative " + key, lhs: cells[key], konst: v}); touches(c) {
				narrative = append(narrative, c)
			}
		}
	}
	return identities, narrative
}

// compiled is a constraint over slots: the cells of the rows being read, in
// order, after the cells printed elsewhere. at is the row after whose reading
// every slot it names is set.
type compiled struct {
	lhs, rhs []int
	konst    float64
	at       int
}

// compile turns constraints into slot sums; a constraint that names a cell
// neither printed nor read (a row without readings) is undecided and dropped.
func (s *jointSearch) compile(cons []constraint) (vals []float64, byRow [][]compiled, slots [][]int) {
	slot := map[string]int{}
	rowOf := map[string]int{}
	for i, r := range s.rows {
		if len(r.cands) == 0 {
			continue
		}
		for _, p := range r.cells {
			slot[p] = len(vals)
			rowOf[p] = i
			vals = append(vals, 0)
		}
	}
	slots = make([][]int, len(s.rows))
	for i, r := range s.rows {
		if len(r.cands) > 0 {
			for _, p := range r.cells {
				slots[i] = append(slots[i], slot[p])
			}
		}
	}
	byRow = make([][]compiled, len(s.rows))
	side := func(paths []string, c *compiled) ([]int, float64, bool) {
		var idx []int
		sum := 0.0
		for _, p := range paths {
			if v, ok := s.known[p]; ok {
				sum += v
				continue
			}
			i, ok := slot[p]
			if !ok {
				return nil, 0, false
			}
			idx = append(idx, i)
			c.at = max(c.at, rowOf[p])
		}
		return idx, sum, true
	}
	for _, con := range cons {
		c := compiled{at: -1}
		l, lk, ok1 := side(con.lhs, &c)
		r, rk, ok2 := side(con.rhs, &c)
		if !ok1 || !ok2 || c.at < 0 {
			continue
		}
		c.lhs, c.rhs, c.konst = l, r, con.konst+rk-lk
		byRow[c.at] = append(byRow[c.at], c)
	}
	return vals, byRow, slots
}

func (c compiled) holds(vals []float64) bool {
	l, r := 0.0, c.konst
	for _, i := range c.lhs {
		l += vals[i]
	}
	for _, i := range c.rhs {
		r += vals[i]
	}
	return l == r
}

// alive marks the readings of each row that take part in some combination
// satisfying every constraint. used is false when there were too many
// combinations to test: then every reading is alive. The combinations are
// walked row by row, and a constraint is tested as soon as the last row it
// names is read, so that a branch it rules out is cut there.
func (s *jointSearch) alive(cons []constraint) (alive [][]bool, used bool) {
	alive = make([][]bool, len(s.rows))
	product := 1
	for i, r := range s.rows {
		alive[i] = make([]bool, len(r.cands))
		if len(r.cands) > 0 && product <= maxJointChecks {
			product *= len(r.cands)
		}
	}
	if product > maxJointChecks {
		for i := range alive {
			for k := range alive[i] {
				alive[i][k] = true
			}
		}
		return alive, false
	}
	vals, byRow, slots := s.compile(cons)
	idx := make([]int, len(s.rows))
	var walk func(i int)
	walk = func(i int) {
		if i == len(s.rows) {
			for j, r := range s.rows {
				if len(r.cands) > 0 {
					alive[j][idx[j]] = true
				}
			}
			return
		}
		r := s.rows[i]
		if len(r.cands) == 0 {
			walk(i + 1)
			return
		}
	next:
		for k, cand := range r.cands {
			idx[i] = k
			for n, sl := range slots[i] {
				vals[sl] = cand[n]
			}
			for _, c := range byRow[i] {
				if !c.holds(vals) {
					continue next
				}
			}
			walk(i + 1)
		}
	}
	walk(0)
	return alive, true
}

// reportRow fills a row read one way and confirmed (by the row's identity,
// or by an identity or figure of the text that involves its cells), or says
// why it stays null; the cells that every reading of the printed shape agrees
// on are filled either way.
func reportRow(rec *report.Record, r *runTogether, alive []bool, usedJoint bool, method string, confirmed bool) {
	var left [][]float64
	for k, ok := range alive {
		if ok {
			left = append(left, r.cands[k])
		}
	}
	where := r.table
	if r.row != "" {
		where += "." + r.row
	}
	if len(left) == 0 {
		r.decided = nil // the printed shape's readings disagree with the report: none is trusted
	}
	if r.decided != nil && !slices.Contains(r.decided, nil) {
		reading := make([]float64, len(r.decided))
		for i, v := range r.decided {
			reading[i] = *v
		}
		r.fill(rec, reading, nil)
		rec.Warnf("%s: %s %q recovered as %s: the only way they make %d cells", where, r.what, r.digits, formatReading(reading), len(r.cells))
		return
	}
	if len(left) == 1 && confirmed {
		if len(r.cands) == 1 && r.identity {
			method = "the row's identity"
		}
		r.fill(rec, left[0], nil)
		rec.Warnf("%s: %s %q recovered as %s: the only reading under %s", where, r.what, r.digits, formatReading(left[0]), method)
		return
	}
	decided := r.fill(rec, nil, r.decided)
	if len(decided) > 0 {
		rec.Warnf("%s: %s %q: %s printed between boundaries, the same in every reading", where, r.what, r.digits, strings.Join(decided, ", "))
	}
	rest := "left null"
	if len(decided) > 0 {
		rest = "the other cells left null"
	}
	switch {
	case len(r.cands) == 0:
		rec.Warnf("%s: %s %q have no reading that fits %d cells and the row's rule; %s", where, r.what, r.digits, len(r.cells), rest)
	case len(left) == 1:
		rec.Warnf("%s: %s %q have one reading, %s, under the row's inequality, but no identity of the row, its columns or the text's figures confirms it; %s", where, r.what, r.digits, formatReading(left[0]), rest)
	case len(left) == 0:
		rec.Warnf("%s: %s %q: none of %d reading(s) agrees with the rest of the report; %s", where, r.what, r.digits, len(r.cands), rest)
	default:
		shown := left
		if len(shown) > 10 {
			shown = shown[:10]
		}
		var b strings.Builder
		for j, c := range shown {
			if j > 0 {
				b.WriteString("; ")
			}
			b.WriteString(formatReading(c))
		}
		more := ""
		if len(left) > len(shown) {
			more = fmt.Sprintf("; and %d more", len(left)-len(shown))
		}
		joint := ""
		if !usedJoint {
			joint = " (too many combinations to test against the other rows)"
		}
		rec.Warnf("%s: %s %q have %d readings%s: %s%s; %s", where, r.what, r.digits, len(left), joint, b.String(), more, rest)
	}
}

// fill writes a whole reading, or the decided cells; it returns the cells
// written from decided, as path = value.
func (r *runTogether) fill(rec *report.Record, reading []float64, decided []*float64) []string {
	var out []string
	for n, p := range r.cells {
		_, row, col, _ := report.SplitPath(p)
		switch {
		case reading != nil:
			rec.Table(r.table).Set(row, col, report.Num(reading[n]))
		case n < len(decided) && decided[n] != nil:
			rec.Table(r.table).Set(row, col, report.Num(*decided[n]))
			out = append(out, p+" = "+report.FormatNumber(*decided[n]))
		}
	}
	return out
}

func formatReading(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = report.FormatNumber(x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
