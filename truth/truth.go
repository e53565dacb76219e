// Package truth judges a harvest of the simulated gov.cn web against the
// world's ground truth (simweb's manifest): which reports that can be found
// were stored, whether their cells are the ones the world printed, and what a
// second night should have recorded of the reports the world changed. The
// demo and the crawler's tests judge a harvest with it, so both hold a crawl
// to the same account.
package truth

import (
	"fmt"

	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// Canon names a URL the way the crawler keys it (crawler.Canonical): the
// world's URLs and the store's are compared in that form.
type Canon func(raw string) (string, bool)

// Stored is a store's records by the canonical URL of each of their sources:
// a page merged with its attachment is found under both, and a page fetched
// under another of its spellings (an m. host, a _wap.html copy) under its name.
type Stored map[string]*store.Entry

// Read indexes a store's records.
func Read(st *store.Store, canon Canon) (Stored, error) {
	s := Stored{}
	key := func(u string) string {
		if c, ok := canon(u); ok {
			return c
		}
		return u
	}
	err := st.Entries(func(e *store.Entry) error {
		s[key(string(e.Record.Source.URL))] = e
		for _, src := range e.Sources {
			if k := key(src.URL); s[k] == nil {
				s[k] = e
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the store's records: %w", err)
	}
	return s, nil
}

// Mismatch is a cell whose stored value is not the world's.
type Mismatch struct {
	Path string   // table.row.column
	Got  *float64 // nil: no value stored
	Want float64
}

func (m Mismatch) String() string {
	if m.Got == nil {
		return fmt.Sprintf("%s = null, want %v", m.Path, m.Want)
	}
	return fmt.Sprintf("%s = %v, want %v", m.Path, *m.Got, m.Want)
}

// Cells lists the cells of e that differ from want (every cell, when e is nil).
func Cells(e *store.Entry, want map[string]float64) []Mismatch {
	var out []Mismatch
	for p, v := range want {
		var got *float64
		if e != nil {
			got, _ = e.Record.Cell(p)
		}
		if got == nil || *got != v {
			out = append(out, Mismatch{Path: p, Got: got, Want: v})
		}
	}
	return out
}

// Found is how a harvest fared on the reports the world says can be found.
type Found struct {
	Total, Stored int
	// HTML reports (whose cells the world knows as printed), and those of
	// them whose every cell is the world's.
	HTML, Matching int
	Missed         []simweb.ManifestReport
	Wrong          map[string][]Mismatch // an HTML report's URL → its cells that differ
}

// Recall is the share of the reports that can be found that were stored.
func (f Found) Recall() float64 {
	if f.Total == 0 {
		return 0
	}
	return float64(f.Stored) / float64(f.Total)
}

// Found compares the stored records with the reports of m that can be found
// (m must carry values: Manifest(true)).
func (s Stored) Found(m *simweb.Manifest, canon Canon) Found {
	f := Found{Wrong: map[string][]Mismatch{}}
	for _, r := range m.Reports {
		if r.Outcome != simweb.Found {
			continue
		}
		f.Total++
		u, ok := canon(r.URL)
		e := s[u]
		if !ok || e == nil {
			f.Missed = append(f.Missed, r)
			continue
		}
		f.Stored++
		if r.Format != "html" {
			continue
		}
		f.HTML++
		if wrong := Cells(e, r.Values); len(wrong) > 0 {
			f.Wrong[r.URL] = wrong
		} else {
			f.Matching++
		}
	}
	return f
}

// Change is what a second night should record of one report.
type Change string

const (
	None      Change = ""          // nothing to judge: not stored on night 1, or a drift that is not a change
	New       Change = "new"       // published overnight
	Revised   Change = "revised"   // its cells changed: the old version kept
	Moved     Change = "moved"     // at a new address (renumbered, or its site migrated)
	Gone      Change = "gone"      // deleted
	Unchanged Change = "unchanged" // the same as on night 1
)

// Expected is what night 2 should record of report r, given r0, the same
// unit's report of the same year on night 1. The kinds a store logs are
// store.ChangeNew, ChangeRevised, ChangeMoved and ChangeGone.
func Expected(r, r0 simweb.ManifestReport) Change {
	switch {
	case r.Drift == "new" && r.Outcome == simweb.Found:
		return New
	case r0.Outcome != simweb.Found:
		return None // not stored on night 1 (a host fault, or drift already then)
	case r.Drift == "revised" && r.Outcome == simweb.Found:
		return Revised
	case (r.Drift == "moved" || r.Drift == "migrated") && r0.Drift == "":
		return Moved
	case r.Outcome == simweb.Gone && r0.Drift == "":
		return Gone
	case r.Outcome == simweb.Found && r.Drift == "":
		return Unchanged
	}
	return None
}

// Pairs calls fn with every report of night 2 (m2) and its night-1 self (m1;
// the zero report when it had none).
func Pairs(m1, m2 *simweb.Manifest, fn func(r, r0 simweb.ManifestReport)) {
	before := map[string]simweb.ManifestReport{}
	for _, r := range m1.Reports {
		before[fmt.Sprint(r.UnitID, "/", r.Year)] = r
	}
	for _, r := range m2.Reports {
		fn(r, before[fmt.Sprint(r.UnitID, "/", r.Year)])
	}
}
