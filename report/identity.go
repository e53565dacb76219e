package report

import (
	"fmt"
	"iter"
	"math"
	"strings"
)

// Identity is one of the template's 勾稽 relations: the sum of LHS equals the sum of RHS.
type Identity struct {
	Rule   string   // e.g. "requests.row_total.granted"
	Family string   // row_total, column_balance, column_sum, group_total
	LHS    []string // cell paths
	RHS    []string
}

// Identities lists the identities that apply to the record's tables (SCHEMA.md).
func Identities(r *Record) []Identity {
	var ids []Identity
	if req := r.Requests; req != nil {
		for _, row := range req.Rows {
			rhs := make([]string, 0, len(OrgCols))
			for _, c := range OrgCols {
				rhs = append(rhs, "requests."+row.Key+"."+c.Key)
			}
			ids = append(ids, Identity{
				Rule: "requests.row_total." + row.Key, Family: "row_total",
				LHS: []string{"requests." + row.Key + ".total"}, RHS: rhs,
			})
		}
		// The outcome rows: from granted to the last 其他处理 row.
		var outcomes []string
		in := false
		for _, row := range req.Rows {
			if row.Key == "granted" {
				in = true
			}
			if row.Key == "total_processed" {
				break
			}
			if in {
				outcomes = append(outcomes, row.Key)
			}
		}
		for _, c := range ApplicantCols {
			p := func(row string) string { return "requests." + row + "." + c.Key }
			ids = append(ids, Identity{
				Rule: "requests.column_balance." + c.Key, Family: "column_balance",
				LHS: []string{p("new_received"), p("carried_over")},
				RHS: []string{p("total_processed"), p("carried_forward")},
			})
			rhs := make([]string, 0, len(outcomes))
			for _, o := range outcomes {
				rhs = append(rhs, p(o))
			}
			ids = append(ids, Identity{
				Rule: "requests.column_sum." + c.Key, Family: "column_sum",
				LHS: []string{p("total_processed")}, RHS: rhs,
			})
		}
	}
	if rl := r.ReviewLitigation; rl != nil {
		for _, row := range rl.Rows {
			p := func(col string) string { return "review_litigation." + row.Key + "." + col }
			ids = append(ids, Identity{
				Rule: "review_litigation.group_total." + row.Key, Family: "group_total",
				LHS: []string{p("total")}, RHS: []string{p("upheld"), p("corrected"), p("other"), p("pending")},
			})
		}
	}
	return ids
}

// standardIdentities are the identities of the templates' own table shapes
// (table 三 of 2021 or of 2019 with table 四), built once: nearly every
// record has one of them, and building them is most of the work of a check.
// Never changed after they are built.
var standardIdentities = func() map[*TableSpec][]Identity {
	m := map[*TableSpec][]Identity{}
	for _, spec := range []*TableSpec{Requests2021, Requests2019} {
		m[spec] = Identities(&Record{Requests: NewTable(spec), ReviewLitigation: NewTable(ReviewLitigation)})
	}
	return m
}()

// identitiesOf is Identities, shared when the record's tables have a
// template's shape; the caller must not change them.
func identitiesOf(r *Record) []Identity {
	if shaped(r.ReviewLitigation, ReviewLitigation) {
		for _, spec := range []*TableSpec{Requests2021, Requests2019} {
			if shaped(r.Requests, spec) {
				return standardIdentities[spec]
			}
		}
	}
	return Identities(r)
}

// shaped says whether a table has exactly the spec's rows, in its order.
func shaped(t *Table, spec *TableSpec) bool {
	if t == nil || len(t.Rows) != len(spec.Rows) {
		return false
	}
	for i := range t.Rows {
		if t.Rows[i].Key != spec.Rows[i].Key {
			return false
		}
	}
	return true
}

// cells are the identity's cells, LHS then RHS.
func (id Identity) cells() iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, p := range id.LHS {
			if !yield(p) {
				return
			}
		}
		for _, p := range id.RHS {
			if !yield(p) {
				return
			}
		}
	}
}

func nearlyEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func isWhole(v float64) bool { return nearlyEqual(v, math.Round(v)) }

// Evaluate fills r.Checks with every identity whose cells are all printed, and
// r.Inferred with the values that the identities determine for unprinted cells.
// An inferred value is kept only when every identity it takes part in holds once it
// is known, and when it is a whole, non-negative count; cells are never changed.
func Evaluate(r *Record) { evaluateWith(r, printedCells(r)) }

// printedCells are the values printed in the tables that identities relate
// (table 三 and table 四), by cell path: every cell an identity names that
// holds a value, read table by table rather than path by path.
func printedCells(r *Record) map[string]float64 {
	printed := make(map[string]float64, 200)
	for _, t := range []struct {
		name  string
		table *Table
	}{{"requests", r.Requests}, {"review_litigation", r.ReviewLitigation}} {
		if t.table == nil {
			continue
		}
		for _, row := range t.table.Rows {
			prefix := t.name + "." + row.Key + "."
			for _, c := range row.Cells {
				if c.Value != nil {
					printed[prefix+c.Key] = *c.Value
				}
			}
		}
	}
	return printed
}

// evaluateWith evaluates the identities on the printed values.
func evaluateWith(r *Record, printed map[string]float64) {
	ids := identitiesOf(r)
	r.Checks = r.Checks[:0]
	for _, id := range ids {
		if !allKnown(id, printed, nil) {
			continue
		}
		l, r2 := sum(id.LHS, printed, nil), sum(id.RHS, printed, nil)
		r.Checks = append(r.Checks, Check{Rule: id.Rule, OK: nearlyEqual(l, r2),
			Detail: terms(id.LHS, printed, nil) + " = " + terms(id.RHS, printed, nil)})
	}

	blocked := map[string]bool{}
	var inferred map[string]Inferred
	for range 64 { // each pass blocks at least one cell or ends
		inferred = solve(ids, printed, blocked)
		bad := validate(ids, printed, inferred)
		if len(bad) == 0 {
			break
		}
		for _, p := range bad {
			blocked[p] = true
		}
		inferred = nil
	}
	r.Inferred = r.Inferred[:0]
	// Report in identity order, so that output is stable.
	seen := map[string]bool{}
	for _, id := range ids {
		for p := range id.cells() {
			if in, ok := inferred[p]; ok && !seen[p] {
				seen[p] = true
				r.Inferred = append(r.Inferred, in)
			}
		}
	}
	if len(blocked) > 0 {
		r.Warnf("identities disagree on %d unprinted cell(s); nothing was inferred for them", len(blocked))
	}
}

// solve applies identities with one unknown cell until nothing changes.
func solve(ids []Identity, printed map[string]float64, blocked map[string]bool) map[string]Inferred {
	inferred := map[string]Inferred{}
	conflict := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, id := range ids {
			unknown := ""
			n := 0
			for p := range id.cells() {
				if _, ok := printed[p]; ok {
					continue
				}
				if _, ok := inferred[p]; ok {
					continue
				}
				n++
				unknown = p
			}
			if n != 1 || blocked[unknown] || conflict[unknown] {
				continue
			}
			l := sum(id.LHS, printed, inferred)
			rs := sum(id.RHS, printed, inferred)
			var v float64
			if contains(id.LHS, unknown) {
				v = rs - l
			} else {
				v = l - rs
			}
			if v < 0 || !isWhole(v) {
				conflict[unknown] = true
				continue
			}
			inferred[unknown] = Inferred{Cell: unknown, Value: math.Round(v), Rule: id.Family}
			changed = true
		}
	}
	return inferred
}

// validate returns the inferred cells that take part in an identity that fails.
func validate(ids []Identity, printed map[string]float64, inferred map[string]Inferred) []string {
	var bad []string
	for _, id := range ids {
		if !allKnown(id, printed, inferred) {
			continue
		}
		if nearlyEqual(sum(id.LHS, printed, inferred), sum(id.RHS, printed, inferred)) {
			continue
		}
		for p := range id.cells() {
			if _, ok := inferred[p]; ok {
				bad = append(bad, p)
			}
		}
	}
	return bad
}

func allKnown(id Identity, printed map[string]float64, inferred map[string]Inferred) bool {
	for p := range id.cells() {
		if _, ok := printed[p]; ok {
			continue
		}
		if _, ok := inferred[p]; ok {
			continue
		}
		return false
	}
	return true
}

func value(p string, printed map[string]float64, inferred map[string]Inferred) float64 {
	if v, ok := printed[p]; ok {
		return v
	}
	return inferred[p].Value
}

func sum(ps []string, printed map[string]float64, inferred map[string]Inferred) float64 {
	s := 0.0
	for _, p := range ps {
		s += value(p, printed, inferred)
	}
	return s
}

func terms(ps []string, printed map[string]float64, inferred map[string]Inferred) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = FormatNumber(value(p, printed, inferred))
	}
	return strings.Join(parts, "+")
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// FailedChecks returns the rules of the checks that failed.
func (r *Record) FailedChecks() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.Rule)
		}
	}
	return out
}

// String summarises a check for people.
func (c Check) String() string {
	mark := "ok"
	if !c.OK {
		mark = "FAILED"
	}
	return fmt.Sprintf("%s %s: %s", mark, c.Rule, c.Detail)
}

// Unconfirmed lists the printed cells that no holding identity vouches for:
// cells in no identity whose cells are all printed and that holds. For text read
// by OCR, where any digit may be misread, these are the cells not to trust. The
// paths are in table, row and column order.
func Unconfirmed(r *Record) []string {
	confirmed := map[string]bool{}
	printed := map[string]float64{}
	ids := Identities(r)
	for _, id := range ids {
		for p := range id.cells() {
			if v, ok := r.Cell(p); ok && v != nil {
				printed[p] = *v
			}
		}
	}
	for _, id := range ids {
		if allKnown(id, printed, nil) && nearlyEqual(sum(id.LHS, printed, nil), sum(id.RHS, printed, nil)) {
			for p := range id.cells() {
				confirmed[p] = true
			}
		}
	}
	var out []string
	for c := range r.AllCells() {
		if p := c.Path(); c.Value != nil && !confirmed[p] {
			out = append(out, p)
		}
	}
	return out
}
