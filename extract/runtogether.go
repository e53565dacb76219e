package extract

import (
	"fmt"
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
// keeping those accepted; it stops at limit readings (and says so).
func splits(digits string, w int, accept func([]float64) bool, limit int) (out [][]float64, truncated bool) {
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
			if rest == "" || len(rest) > 1 && rest[0] == '0' || len(rest) > 15 {
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
			if l > 1 && piece[0] == '0' {
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

// resolveRunTogether fills or explains the run-together rows of a record.
func resolveRunTogether(rec *report.Record, rows []*runTogether) {
	if len(rows) == 0 {
		return
	}
	known := map[string]float64{}
	for _, t := range []*report.Table{rec.Active, rec.Requests, rec.ReviewLitigation} {
		if t == nil {
			continue
		}
		name := ""
		switch t {
		case rec.Active:
			name = "active"
		case rec.Requests:
			name = "requests"
		default:
			name = "review_litigation"
		}
		for _, r := range t.Rows {
			for _, c := range r.Cells {
				if c.Value != nil {
					known[name+"."+r.Key+"."+c.Key] = *c.Value
				}
			}
		}
	}
	// Only constraints that touch a run-together cell: an identity the printed
	// cells already break elsewhere must not veto every reading.
	owned := map[string]bool{}
	for _, r := range rows {
		for _, p := range r.cells {
			owned[p] = true
		}
	}
	touches := func(c constraint) bool {
		for _, p := range append(append([]string(nil), c.lhs...), c.rhs...) {
			if owned[p] {
				return true
			}
		}
		return false
	}
	var cons []constraint
	for _, id := range report.Identities(rec) {
		if c := (constraint{name: id.Family, lhs: id.LHS, rhs: id.RHS}); touches(c) {
			cons = append(cons, c)
		}
	}
	usedNarrative := map[string]bool{}
	for key, paths := range narrativeCells(rec.Template) {
		if v, ok := figureValue(rec.Narrative, key); ok {
			if c := (constraint{name: "narrative " + key, lhs: paths, konst: v}); touches(c) {
				cons = append(cons, c)
				usedNarrative[key] = true
			}
		}
	}
	assign := map[string]float64{}
	value := func(p string) (float64, bool) {
		if v, ok := known[p]; ok {
			return v, true
		}
		v, ok := assign[p]
		return v, ok
	}
	holds := func(c constraint) (ok, decided bool) {
		l, r := 0.0, c.konst
		for _, p := range c.lhs {
			v, ok := value(p)
			if !ok {
				return true, false
			}
			l += v
		}
		for _, p := range c.rhs {
			v, ok := value(p)
			if !ok {
				return true, false
			}
			r += v
		}
		return l == r, true
	}

	// Joint search over the rows that still have several readings.
	alive := make([][]bool, len(rows))
	product := 1
	for i, r := range rows {
		alive[i] = make([]bool, len(r.cands))
		if len(r.cands) > 0 && product <= maxJointChecks {
			product *= len(r.cands)
		}
	}
	usedJoint := false
	if product <= maxJointChecks {
		idx := make([]int, len(rows))
		var walk func(i int)
		walk = func(i int) {
			if i == len(rows) {
				for _, c := range cons {
					if ok, _ := holds(c); !ok {
						return
					}
				}
				for j, r := range rows {
					if len(r.cands) > 0 {
						alive[j][idx[j]] = true
					}
				}
				return
			}
			r := rows[i]
			if len(r.cands) == 0 {
				walk(i + 1)
				return
			}
			for k, cand := range r.cands {
				idx[i] = k
				for n, p := range r.cells {
					assign[p] = cand[n]
				}
				walk(i + 1)
			}
			for _, p := range r.cells {
				delete(assign, p)
			}
		}
		walk(0)
		usedJoint = true
	} else {
		for i := range rows {
			for k := range alive[i] {
				alive[i][k] = true
			}
		}
	}

	for i, r := range rows {
		var left [][]float64
		for k, ok := range alive[i] {
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
			method := "the row's identity"
			if len(r.cands) > 1 {
				method = "the row's identity, the column identities"
				if len(usedNarrative) > 0 {
					method += " and the figures in the text"
				}
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
}

func formatReading(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = report.FormatNumber(x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
