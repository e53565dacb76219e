package extract

import (
	"slices"
	"strings"

	"github.com/nianbao/nianbao/report"
)

// Table 三 shredded by a PDF→markdown converter: the rows' values stay in
// order, but some labels float above or below them, or between other rows
// (（二）部分公开 printed after its values, 1.本机关不掌握… two rows early). A row of
// values is then only told by its place in the template's row order: between
// two rows whose labels stand on the same line as their values, the unlabelled
// rows of values are the template rows between those two, in order, when there
// are exactly as many. Where they are not, and each unlabelled row does not
// follow its own label in template order either, the rows stay null with a
// warning. Never a guess.

type alignKind int

const (
	alignOther    alignKind = iota
	alignAnchored           // a label and its values on one line
	alignLabel              // a label alone
	alignValues             // a full row of values and no label
)

type alignEvent struct {
	kind alignKind
	key  string
	line int
}

// alignRequests rewrites the lines of table 三 when it is shredded: each
// unlabelled row of values placed by the template's order gets its row's
// label in front, the floating labels are blanked, and unplaceable rows of
// values are blanked with a warning (the lines keep their numbers). Lines of a table that is not shredded come back as they were.
func alignRequests(rec *report.Record, lines []Line, sp span) []Line {
	events := requestEvents(lines, sp)
	if !shredded(events) {
		return lines
	}
	order, sure := requestOrder(events)
	label := map[int]string{} // line → the row label it is given
	drop := map[int]bool{}
	pos := func(key string) int { return slices.Index(order, key) }
	prev := -1 // template index of the last anchored row
	var gap []alignEvent
	closeGap := func(next int) {
		placeGap(rec, gap, prev, next, order, sure, label, drop)
		gap = gap[:0]
	}
	for _, e := range events {
		switch e.kind {
		case alignAnchored:
			i := pos(e.key)
			if i <= prev {
				i = prev // out of order: the gap cannot be placed
			}
			closeGap(i)
			prev = i
		case alignLabel, alignValues:
			gap = append(gap, e)
		}
	}
	closeGap(len(order))
	// The same number of lines, so that line numbers still point into the document.
	out := slices.Clone(lines)
	for i, l := range lines {
		switch {
		case drop[i]:
			out[i] = Line{}
		case label[i] != "":
			out[i] = Line{Cells: append([]string{label[i]}, l.Cells...), Table: l.Table}
		}
	}
	rec.Warnf("requests: the table is shredded (rows of values without their labels); rows placed by the template's order")
	return out
}

// requestEvents classifies the lines of table 三's span.
func requestEvents(lines []Line, sp span) []alignEvent {
	var events []alignEvent
	last := ""
	filled := map[string]bool{}
	for i := sp.from; i < sp.to && i < len(lines); i++ {
		toks := tokenize(lines[i])
		if len(toks) == 0 {
			continue
		}
		label, cells := splitRow(toks)
		if l2, c2, ok := gluedToLabel(label, cells); ok {
			label, cells = l2, c2
		}
		n := countValues(cells)
		key := ""
		if label != "" {
			key, _ = match(requestMatchers, label, last, filled)
		}
		switch {
		case key != "" && n > 0:
			events = append(events, alignEvent{kind: alignAnchored, key: key, line: i})
			last = key
		case key != "":
			events = append(events, alignEvent{kind: alignLabel, key: key, line: i})
			last = key
		case label == "" && n == 7:
			if _, ok, _ := fitCells(cells, 7); ok {
				events = append(events, alignEvent{kind: alignValues, line: i})
			}
		}
	}
	return events
}

// shredded: a row of values with no label of its own before it.
func shredded(events []alignEvent) bool {
	for i, e := range events {
		if e.kind == alignValues && (i == 0 || events[i-1].kind != alignLabel) {
			return true
		}
	}
	return false
}

// requestOrder: the 2021 rows when the table names one of the three kinds of
// （六）其他处理, the 2019 rows when it names only the one; sure is false when
// it names neither, and then no gap over （六） is placed by count.
func requestOrder(events []alignEvent) (order []string, sure bool) {
	spec := report.Requests2021
	sub, one := false, false
	for _, e := range events {
		switch e.key {
		case "other_no_correction", "other_fee_unpaid", "other_other":
			sub = true
		case "other_processing":
			one = true
		}
	}
	if one && !sub {
		spec = report.Requests2019
	}
	order = make([]string, len(spec.Rows))
	for i, r := range spec.Rows {
		order[i] = r.Key
	}
	return order, sub || one
}

// placeGap places the unlabelled rows of values between two anchored rows
// (template indices prev and next): by count when they are exactly the rows
// between, else each after its own label when the labels and values
// alternate in template order; otherwise they go, with a warning.
func placeGap(rec *report.Record, gap []alignEvent, prev, next int, order []string, sure bool, label map[int]string, drop map[int]bool) {
	var vals []alignEvent
	for _, e := range gap {
		if e.kind == alignValues {
			vals = append(vals, e)
		}
		if e.kind == alignLabel {
			drop[e.line] = true
		}
	}
	if len(vals) == 0 {
		for _, e := range gap {
			delete(drop, e.line) // labels alone: the row parser reads what follows them
		}
		return
	}
	overOther := false
	for i := prev + 1; i < next && i < len(order); i++ {
		overOther = overOther || strings.HasPrefix(order[i], "other_")
	}
	if next > prev && len(vals) == next-prev-1 && (sure || !overOther) {
		for i, v := range vals {
			label[v.line] = rowLabel(order[prev+1+i])
		}
		return
	}
	if alternates(gap, prev, next, order) {
		for i, e := range gap {
			if e.kind == alignValues {
				label[e.line] = rowLabel(gap[i-1].key)
			}
		}
		return
	}
	for _, v := range vals {
		drop[v.line] = true
	}
	rec.Warnf("requests: %d row(s) of values between template rows %d and %d could not be placed (%d rows there); left null", len(vals), prev+1, next+1, next-prev-1)
}

// alternates: label, values, label, values… with the labels in template order
// between prev and next.
func alternates(gap []alignEvent, prev, next int, order []string) bool {
	if len(gap)%2 != 0 {
		return false
	}
	at := prev
	for i := 0; i < len(gap); i += 2 {
		l, v := gap[i], gap[i+1]
		if l.kind != alignLabel || v.kind != alignValues {
			return false
		}
		p := slices.Index(order, l.key)
		if p <= at || p >= next {
			return false
		}
		at = p
	}
	return true
}

// rowLabel is the template's label of a row of table 三.
func rowLabel(key string) string {
	for _, spec := range []*report.TableSpec{report.Requests2021, report.Requests2019} {
		if r, ok := spec.Row(key); ok {
			return r.Label
		}
	}
	return key
}
