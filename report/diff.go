package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// Change is one difference between two versions of a report: a cell or a
// metadata field, with both values ("" or nil where a version has none).
type Change struct {
	Field string   `json:"field"` // a cell path (requests.granted.total) or title, organisation, year, template, published
	Old   *float64 `json:"old,omitempty"`
	New   *float64 `json:"new,omitempty"`
	// OldText and NewText hold a metadata field's values.
	OldText string `json:"old_text,omitempty"`
	NewText string `json:"new_text,omitempty"`
}

// content is what a report says, without where and how it was read.
type content struct {
	Title            Text     `json:"title"`
	Organisation     Text     `json:"organisation"`
	Year             *int     `json:"year"`
	Template         Template `json:"template"`
	Published        Text     `json:"published"`
	Active           *Table   `json:"active"`
	Requests         *Table   `json:"requests"`
	ReviewLitigation *Table   `json:"review_litigation"`
	Narrative        []Figure `json:"narrative"`
	Attachments      []string `json:"attachments"`
}

// Fingerprint identifies a report's content: equal for two records that print
// the same title, metadata, cells, narrative figures and attachment names,
// whatever their URLs, bytes or extraction warnings. The sections' free text is
// left out: it carries page furniture (footers, print links) that differs from
// one address or template of a site to another.
func Fingerprint(r *Record) string {
	if r == nil {
		return ""
	}
	c := content{Title: r.Title, Organisation: r.Organisation, Year: r.Year, Template: r.Template, Published: r.Published,
		Active: r.Active, Requests: r.Requests, ReviewLitigation: r.ReviewLitigation, Narrative: r.Narrative}
	for _, a := range r.Attachments {
		c.Attachments = append(c.Attachments, a.Name) // a link's URL may be signed afresh on every visit
	}
	b, err := json.Marshal(c)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Diff lists what differs between two versions of a report: metadata first, then
// every cell of the CSV's columns whose value differs (printed or not).
func Diff(old, new *Record) []Change {
	if old == nil || new == nil {
		return nil
	}
	var out []Change
	text := func(field string, a, b string) {
		if a != b {
			out = append(out, Change{Field: field, OldText: a, NewText: b})
		}
	}
	year := func(y *int) string {
		if y == nil {
			return ""
		}
		return strconv.Itoa(*y)
	}
	text("title", string(old.Title), string(new.Title))
	text("organisation", string(old.Organisation), string(new.Organisation))
	text("year", year(old.Year), year(new.Year))
	text("template", string(old.Template), string(new.Template))
	text("published", string(old.Published), string(new.Published))
	for _, p := range CSVCells() {
		a, _ := old.Cell(p)
		b, _ := new.Cell(p)
		switch {
		case a == nil && b == nil:
		case a == nil || b == nil || *a != *b:
			out = append(out, Change{Field: p, Old: a, New: b})
		}
	}
	return out
}
