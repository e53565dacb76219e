package serve

import (
	"cmp"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

// row is what the list shows of one report: the facts export's filters look
// at, and what the list prints besides.
type row struct {
	export.Facts
	ID           string
	Title        string
	Organisation string
	Region       string // the chain of division names
	Format       string
	Checks       int // identities checked
}

// catalog is every report's row, read at one state of the store file.
type catalog struct {
	rows  []row
	state fileState
}

// fileState tells whether the store (or its published copy) changed.
type fileState struct {
	size, copySize int64
	mod, copyMod   time.Time
}

func stateOf(path string) fileState {
	var f fileState
	if fi, err := os.Stat(path); err == nil {
		f.size, f.mod = fi.Size(), fi.ModTime()
	}
	if fi, err := os.Stat(store.SnapshotPath(path)); err == nil {
		f.copySize, f.copyMod = fi.Size(), fi.ModTime()
	}
	return f
}

// rows returns the catalog, read again when the file changed.
func (s *Server) rows(st *store.Store) ([]row, error) {
	now := stateOf(s.opt.Store)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cat != nil && s.cat.state == now {
		return s.cat.rows, nil
	}
	var rows []row
	err := st.Facts(func(f *store.Fact) error {
		rows = append(rows, rowOfFact(f, s.attr.Attribute(f.AttributionInput(), f.SourceURL)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.cat = &catalog{rows: rows, state: now}
	return rows, nil
}

// rowOfFact is a report's row from its facts (the store's facts bucket: the
// list never decodes a record).
func rowOfFact(f *store.Fact, at attrib.Attribution) row {
	return row{Facts: export.Facts{Code: at.Code, Level: at.Level, Unit: at.Unit, Template: f.Template, Failed: len(f.Failed), Year: f.Year},
		ID: f.ReportID, Title: f.Title, Organisation: f.Organisation, Region: at.Region, Format: f.Format, Checks: f.Checks}
}

// rowOf is a report's row from its record (the CSV download's search).
func rowOf(e *store.Entry, at attrib.Attribution) row {
	f := store.FactOf(e)
	return rowOfFact(&f, at)
}

// query is a list request: the export filters, a search, a format, an order
// and a page.
type query struct {
	Filter export.Filter
	Years  string // as given
	Search string
	Format string
	Sort   string
	Desc   bool
	Page   int
}

// sortKeys are the list's columns one can order by.
var sortKeys = map[string]func(a, b row) int{
	"organisation": func(a, b row) int { return cmp.Compare(a.Organisation, b.Organisation) },
	"region":       func(a, b row) int { return cmp.Compare(a.Code, b.Code) },
	"level":        func(a, b row) int { return cmp.Compare(a.Level, b.Level) },
	"year":         func(a, b row) int { return cmp.Compare(a.Year, b.Year) },
	"template":     func(a, b row) int { return cmp.Compare(a.Template, b.Template) },
	"checks":       func(a, b row) int { return cmp.Or(cmp.Compare(a.Failed, b.Failed), cmp.Compare(a.Checks, b.Checks)) },
	"format":       func(a, b row) int { return cmp.Compare(a.Format, b.Format) },
}

// parseQuery reads a list request; a filter value no report can have is an error.
func parseQuery(v url.Values) (query, error) {
	q := query{Years: strings.TrimSpace(v.Get("year")), Search: strings.TrimSpace(v.Get("q")), Format: v.Get("format"),
		Sort: v.Get("sort"), Desc: v.Get("dir") == "desc"}
	q.Filter = export.Filter{Region: v.Get("region"), Level: v.Get("level"), Unit: v.Get("unit"), Template: v.Get("template"), Checks: v.Get("checks")}
	var err error
	if q.Filter.Years, err = export.ParseYears(q.Years); err != nil {
		return q, err
	}
	if err := q.Filter.Validate(); err != nil {
		return q, err
	}
	if q.Sort == "" {
		q.Sort, q.Desc = "year", v.Get("dir") != "asc"
	}
	if _, ok := sortKeys[q.Sort]; !ok {
		q.Sort = "year"
	}
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 1 {
		q.Page = p - 1
	}
	return q, nil
}

// matches applies the query's selection to a row: export's filter, then the
// search and the format.
func (q query) matches(w row) bool {
	if !q.Filter.MatchFacts(w.Facts) || q.Format != "" && w.Format != q.Format {
		return false
	}
	return q.Search == "" || searchIn(q.Search, w.Title, w.Organisation, w.Region, w.ID)
}

// also is the selection for the CSV, which export's writer has filtered.
func (q query) also(e *store.Entry, at attrib.Attribution) bool { return q.matches(rowOf(e, at)) }

func searchIn(needle string, hay ...string) bool {
	needle = strings.ToLower(needle)
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
}

// selectRows filters and orders rows; the order is stable (ties by id).
func (q query) selectRows(all []row) []row {
	var out []row
	for _, w := range all {
		if q.matches(w) {
			out = append(out, w)
		}
	}
	by := sortKeys[q.Sort]
	slices.SortStableFunc(out, func(a, b row) int {
		c := by(a, b)
		if q.Desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.ID, b.ID))
	})
	return out
}

// values writes the query back as URL parameters, with changes.
func (q query) values(set ...string) url.Values {
	v := url.Values{}
	add := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	add("q", q.Search)
	add("year", q.Years)
	add("region", q.Filter.Region)
	add("level", q.Filter.Level)
	add("unit", q.Filter.Unit)
	add("template", q.Filter.Template)
	add("checks", q.Filter.Checks)
	add("format", q.Format)
	add("sort", q.Sort)
	if q.Desc {
		v.Set("dir", "desc")
	} else {
		v.Set("dir", "asc")
	}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page+1))
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			v.Del(set[i])
		} else {
			v.Set(set[i], set[i+1])
		}
	}
	return v
}

// ChecksText is a row's checks for the list: "12 ✓" or "3 ✗ / 12".
func (w row) ChecksText() string {
	switch {
	case w.Checks == 0:
		return "—"
	case w.Failed == 0:
		return strconv.Itoa(w.Checks) + " ✓"
	}
	return strconv.Itoa(w.Failed) + " ✗ / " + strconv.Itoa(w.Checks)
}

// YearText is the year or a dash.
func (w row) YearText() string {
	if w.Year == 0 {
		return "—"
	}
	return strconv.Itoa(w.Year)
}
