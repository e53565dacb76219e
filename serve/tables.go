package serve

import (
	"slices"
	"strings"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// tableView is one of a report's three tables, laid out as the template
// prints it.
type tableView struct {
	Label   string
	Missing bool        // the report has no such table
	Groups  []groupView // table 二's sub-tables, table 三's one
	Review  []cellView  // table 四's fifteen cells, in printed order
	Outcome []string    // table 四's five column labels
}

// groupView is a block of rows that share their columns.
type groupView struct {
	Head []string
	Rows []rowView
}

type rowView struct {
	Label string
	Cells []cellView
}

// cellView is one cell: its value as printed, inferred, or blank, and the
// identities it breaks.
type cellView struct {
	Text  string
	Class string // printed, blank or inferred, then " failed" when a broken identity names it
	Note  string // the rule that inferred it, the broken identities
}

// marks says, for each cell, what the page highlights.
type marks struct {
	inferred map[string]report.Inferred
	failed   map[string][]string // cell → "rule: detail"
}

func marksOf(r *report.Record) marks {
	m := marks{inferred: map[string]report.Inferred{}, failed: map[string][]string{}}
	for _, in := range r.Inferred {
		m.inferred[in.Cell] = in
	}
	ids := report.Identities(r)
	for _, c := range r.Checks {
		if c.OK {
			continue
		}
		// A figure the text states against its cells, else a table identity.
		for _, p := range extract.NarrativeCells(r.Template, c.Rule) {
			m.failed[p] = append(m.failed[p], c.Rule+": "+c.Detail)
		}
		for _, id := range ids {
			if id.Rule != c.Rule {
				continue
			}
			for _, p := range slices.Concat(id.LHS, id.RHS) {
				m.failed[p] = append(m.failed[p], c.Rule+": "+c.Detail)
			}
		}
	}
	return m
}

func (m marks) cell(t *report.Table, table, row, col string) cellView {
	path := table + "." + row + "." + col
	var c cellView
	if v, ok := t.Get(row, col); ok && v != nil {
		c = cellView{Text: report.FormatNumber(*v), Class: "printed"}
	} else if in, ok := m.inferred[path]; ok {
		c = cellView{Text: report.FormatNumber(in.Value), Class: "inferred", Note: "inferred by " + in.Rule}
	} else {
		c = cellView{Class: "blank"}
	}
	if f := m.failed[path]; len(f) > 0 {
		c.Class += " failed"
		c.Note = strings.TrimSpace(c.Note + " broken: " + strings.Join(f, "; "))
	}
	return c
}

// tablesOf lays out a record's three tables.
func tablesOf(r *report.Record) []tableView {
	m := marksOf(r)
	return []tableView{
		rowTable("二、"+report.Active2021.Label, r.Active, "active", m),
		rowTable("三、"+report.Requests2021.Label, r.Requests, "requests", m),
		reviewTable(r.ReviewLitigation, m),
	}
}

// rowTable lays out a table of labelled rows, a new block (with its column
// header) wherever the columns change, as table 二 prints its 第二十条 items.
func rowTable(label string, t *report.Table, name string, m marks) tableView {
	v := tableView{Label: label}
	if t == nil || len(t.Rows) == 0 {
		v.Missing = true
		return v
	}
	var prev string
	for _, row := range t.Rows {
		rl, cols := rowSpec(name, row)
		keys := make([]string, len(cols))
		for i, c := range cols {
			keys[i] = c.Key
		}
		if k := strings.Join(keys, ","); k != prev || len(v.Groups) == 0 {
			head := []string{"信息内容"}
			if name == "requests" {
				head[0] = "申请人情况"
			}
			for _, c := range cols {
				head = append(head, c.Label)
			}
			v.Groups = append(v.Groups, groupView{Head: head})
			prev = k
		}
		rv := rowView{Label: rl}
		for _, c := range cols {
			rv.Cells = append(rv.Cells, m.cell(t, name, row.Key, c.Key))
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Rows = append(g.Rows, rv)
	}
	return v
}

// rowSpec finds a row's label and columns in whichever template has the row;
// a row no template has keeps its key and its own cells.
func rowSpec(table string, row report.Row) (string, []report.ColSpec) {
	for _, spec := range []*report.TableSpec{report.Active2021, report.Active2019, report.Requests2021, report.Requests2019} {
		if spec.Name != table {
			continue
		}
		if rs, ok := spec.Row(row.Key); ok && sameCols(rs.Cols, row.Cells) {
			return rs.Label, rs.Cols
		}
	}
	cols := make([]report.ColSpec, len(row.Cells))
	for i, c := range row.Cells {
		cols[i] = report.ColSpec{Key: c.Key, Label: c.Key}
	}
	return row.Key, cols
}

func sameCols(spec []report.ColSpec, cells []report.Cell) bool {
	if len(spec) != len(cells) {
		return false
	}
	for i := range spec {
		if spec[i].Key != cells[i].Key {
			return false
		}
	}
	return true
}

// reviewTable lays out table 四: 行政复议 and the two kinds of 行政诉讼, five
// outcomes each, in one printed row.
func reviewTable(t *report.Table, m marks) tableView {
	v := tableView{Label: "四、" + report.ReviewLitigation.Label}
	if t == nil || len(t.Rows) == 0 {
		v.Missing = true
		return v
	}
	for _, rs := range report.ReviewLitigation.Rows {
		for _, c := range rs.Cols {
			v.Review = append(v.Review, m.cell(t, "review_litigation", rs.Key, c.Key))
		}
	}
	for _, c := range report.ReviewLitigation.Rows[0].Cols {
		v.Outcome = append(v.Outcome, c.Label)
	}
	return v
}
