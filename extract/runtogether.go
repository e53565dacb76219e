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
)

// runTogether is one row printed as a single digit string.
type runTogether struct {
	table  string   // active, requests, review_litigation
	row    string   // row key; "" for table 四's single row
	cells  []string // the cell paths, in printed order
	digits string
	cands  [][]float64
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
// digits is a boundary printed between two cells: no number spans it.
func splits(printed string, w int, accept func([]float64) bool, limit int) (out [][]float64, truncated bool) {
	digits := strings.ReplaceAll(printed, " ", "")
	bound := make([]bool, len(digits)+1) // bound[i]: a cell ends before digits[i]
	for i, k := 0, 0; i < len(printed); i++ {
		if printed[i] == ' ' {
			bound[k] = true
		} else {
			k++
		}
	}
	crosses := func(from, to int) bool { // a boundary strictly inside digits[from:to]
		for i := from + 1; i < to; i++ {
			if bound[i] {
				return true
			}
		}
		return false
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
		if len(parts) == w-1 {
			rest := digits[pos:]
			if rest == "" || len(rest) > 1 && rest[0] == '0' || len(rest) > 15 || crosses(pos, len(digits)) {
				return
			}
			v, _ := strconv.ParseFloat(rest, 64)
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
		remainingParts := w - len(parts) - 1
		for l := 1; pos+l <= len(digits)-remainingParts && l <= 15; l++ {
			piece := digits[pos : pos+l]
			if l > 1 && piece[0] == '0' || crosses(pos, pos+l) {
				break
			}
			v, _ := strconv.ParseFloat(piece, 64)
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

// rowRule is the identity inside one row, if the row has one.
func rowRule(table, row string, tpl report.Template) func([]float64) bool {
	switch {
	case table == "requests":
		return func(v []float64) bool { return v[0]+v[1]+v[2]+v[3]+v[4]+v[5] == v[6] }
	case table == "review_litigation":
		return func(v []float64) bool {
			for g := 0; g < 3; g++ {
				b := g * 5
				if v[b]+v[b+1]+v[b+2]+v[b+3] != v[b+4] {
					return false
				}
			}
			return true
		}
	case table == "active" && tpl == report.Template2021 && (row == "rules" || row == "normative_docs"):
		return func(v []float64) bool { return v[2] >= v[0] } // 现行有效 ≥ 本年制发
	case table == "active" && tpl == report.Template2019 && (row == "rules" || row == "normative_docs"):
		return func(v []float64) bool { return v[2] >= v[1] } // 对外公开总数量 ≥ 本年新公开数量
	}
	return nil
}

// newRunTogether enumerates a row's readings.
func newRunTogether(table, row string, cells []string, digits string, tpl report.Template) (*runTogether, bool) {
	cands, truncated := splits(digits, len(cells), rowRule(table, row, tpl), maxReadings)
	return &runTogether{table: table, row: row, cells: cells, digits: digits, cands: cands}, truncated
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
	}
	for i, r := range rows {
		reportRow(rec, r, alive[i], used, method)
	}
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
	rows   []*runTogether
	known  map[string]float64
	owned  map[string]bool
	assign map[string]float64
}

func newJointSearch(rec *report.Record, rows []*runTogether) *jointSearch {
	s := &jointSearch{rows: rows, known: map[string]float64{}, owned: map[string]bool{}, assign: map[string]float64{}}
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

func (s *jointSearch) value(p string) (float64, bool) {
	if v, ok := s.known[p]; ok {
		return v, true
	}
	v, ok := s.assign[p]
	return v, ok
}

// holds: a constraint is satisfied, or not decided yet.
func (s *jointSearch) holds(c constraint) bool {
	l, r := 0.0, c.konst
	for _, p := range c.lhs {
		v, ok := s.value(p)
		if !ok {
			return true
		}
		l += v
	}
	for _, p := range c.rhs {
		v, ok := s.value(p)
		if !ok {
			return true
		}
		r += v
	}
	return l == r
}

// alive marks the readings of each row that take part in some combination
// satisfying every constraint. used is false when there were too many
// combinations to test: then every reading is alive.
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
	idx := make([]int, len(s.rows))
	var walk func(i int)
	walk = func(i int) {
		if i == len(s.rows) {
			for _, c := range cons {
				if !s.holds(c) {
					return
				}
			}
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
		for k, cand := range r.cands {
			idx[i] = k
			for n, p := range r.cells {
				s.assign[p] = cand[n]
			}
			walk(i + 1)
		}
		for _, p := range r.cells {
			delete(s.assign, p)
		}
	}
	walk(0)
	return alive, true
}

// reportRow fills a row read one way, or says why it stays null.
func reportRow(rec *report.Record, r *runTogether, alive []bool, usedJoint bool, method string) {
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
	switch {
	case len(r.cands) == 0:
		rec.Warnf("%s: run-together digits %q have no reading that fits %d cells and the row's identity; left null", where, r.digits, len(r.cells))
	case len(left) == 1:
		if len(r.cands) == 1 {
			method = "the row's identity"
		}
		for n, p := range r.cells {
			_, row, col, _ := report.SplitPath(p)
			rec.Table(r.table).Set(row, col, report.Num(left[0][n]))
		}
		rec.Warnf("%s: run-together digits %q recovered as %s: the only reading under %s", where, r.digits, formatReading(left[0]), method)
	case len(left) == 0:
		rec.Warnf("%s: run-together digits %q: none of %d reading(s) agrees with the rest of the report; left null", where, r.digits, len(r.cands))
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
		rec.Warnf("%s: run-together digits %q have %d readings%s: %s%s; left null", where, r.digits, len(left), joint, b.String(), more)
	}
}

func formatReading(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = report.FormatNumber(x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
