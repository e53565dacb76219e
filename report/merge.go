package report

import (
	"encoding/json"
	"fmt"
)

// Merge makes one record of a report read from several documents: its page and
// the attachments that carry its tables, or two copies at different addresses.
// The tables come from the part whose tables are the most complete and hold
// together (the most printed cells, then the fewest broken identities); the
// metadata and text from the first part that has them (list the page first);
// a cell that two parts print differently is a warning naming both values,
// never averaged or chosen silently. best is the index of the part the tables
// come from.
func Merge(parts ...*Record) (merged *Record, best int) {
	if len(parts) == 0 {
		return nil, -1
	}
	best = mostComplete(parts)
	merged = clone(parts[best])
	if len(parts) == 1 {
		return merged, best
	}
	for _, p := range parts {
		fillMetadata(merged, p)
	}
	// The page's title and metadata win over an attachment's: the page is
	// what the government published the report as.
	if parts[0].Title != "" {
		merged.Title, merged.Organisation, merged.Published = parts[0].Title, parts[0].Organisation, parts[0].Published
		if parts[0].Year != nil {
			y := *parts[0].Year
			merged.Year = &y
		}
	}
	unionLists(merged, parts)
	for i, p := range parts {
		if i != best {
			warnDisagreements(merged, p)
		}
	}
	return merged, best
}

// mostComplete is the index of the part with the most printed cells, then
// the fewest broken identities (the first of equals).
func mostComplete(parts []*Record) int {
	score := func(r *Record) (int, int) {
		filled, failed := 0, len(r.FailedChecks())
		for _, t := range []*Table{r.Active, r.Requests, r.ReviewLitigation} {
			filled += t.Filled()
		}
		return filled, failed
	}
	best := 0
	bf, bx := score(parts[0])
	for i, p := range parts[1:] {
		if f, x := score(p); f > bf || f == bf && x < bx {
			best, bf, bx = i+1, f, x
		}
	}
	return best
}

// fillMetadata fills what the merged record lacks (title, organisation,
// year, publication date, identifiers, section texts) from p.
func fillMetadata(merged, p *Record) {
	if merged.Title == "" {
		merged.Title = p.Title
	}
	if merged.Organisation == "" {
		merged.Organisation = p.Organisation
	}
	if merged.Year == nil && p.Year != nil {
		y := *p.Year
		merged.Year = &y
	}
	if merged.Published == "" {
		merged.Published = p.Published
	}
	if merged.Identifiers == nil && p.Identifiers != nil {
		id := *p.Identifiers
		merged.Identifiers = &id
	}
	s := &merged.Sections
	for _, f := range []struct {
		dst *string
		src string
	}{{&s.General, p.Sections.General}, {&s.Active, p.Sections.Active},
		{&s.Requests, p.Sections.Requests}, {&s.Review, p.Sections.Review}, {&s.Problems, p.Sections.Problems}, {&s.Other, p.Sections.Other}} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
}

// unionLists adds every part's attachments (by name) and narrative figures
// (by key) that the merged record does not have yet, in the parts' order.
func unionLists(merged *Record, parts []*Record) {
	names := map[string]bool{}
	for _, a := range merged.Attachments {
		names[a.Name] = true
	}
	keys := map[string]bool{}
	for _, f := range merged.Narrative {
		keys[f.Key] = true
	}
	for _, p := range parts {
		for _, a := range p.Attachments {
			if !names[a.Name] {
				names[a.Name] = true
				merged.Attachments = append(merged.Attachments, a)
			}
		}
		for _, f := range p.Narrative {
			if !keys[f.Key] {
				keys[f.Key] = true
				merged.Narrative = append(merged.Narrative, f)
			}
		}
	}
}

// warnDisagreements warns of every cell p prints differently from the merged
// record's tables.
func warnDisagreements(merged, p *Record) {
	for _, path := range CSVCells() {
		a, _ := merged.Cell(path)
		b, _ := p.Cell(path)
		if a != nil && b != nil && *a != *b {
			merged.Warnf("%s: the documents disagree: %s (kept, from the more complete tables) and %s", path, FormatNumber(*a), FormatNumber(*b))
		}
	}
}

// clone copies a record through its JSON, which is its whole state.
func clone(r *Record) *Record {
	b, err := json.Marshal(r)
	if err != nil {
		panic(fmt.Sprintf("report: a record that does not encode: %v", err))
	}
	out := New()
	if err := json.Unmarshal(b, out); err != nil {
		panic(fmt.Sprintf("report: a record that does not decode: %v", err))
	}
	return out
}
