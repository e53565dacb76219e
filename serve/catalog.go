package serve

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// catalog is every report's row, read at one state of the store file, with
// each row's facts as stored (a reading after a change decodes only the rows
// whose facts changed) and the orders the list was asked for (all rows, by
// each sort key, computed once per reading, and carried over a change by
// placing only the rows that changed).
type catalog struct {
	rows  []row    // in report-id order, as the store lists its facts
	enc   [][]byte // each row's facts as stored
	state fileState

	mu     sync.Mutex
	orders map[orderKey][]int32 // rows in the order of a sort key and direction
}

// orderKey names one order of the list.
type orderKey struct {
	key  string
	desc bool
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
	c, err := s.catalogOf(st)
	if err != nil {
		return nil, err
	}
	return c.rows, nil
}

// catalogOf returns the catalog, read again when the file changed: the
// facts rows are read, and only those that differ from the last reading's
// are decoded and attributed again; the last reading's orders are carried
// over.
func (s *Server) catalogOf(st *store.Store) (*catalog, error) {
	now := stateOf(s.opt.Store)
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cat
	if old != nil && old.state == now {
		return old, nil
	}
	c := &catalog{state: now}
	var kept []int32 // old index → new index (-1: changed or gone)
	var fresh []int32
	if old != nil {
		c.rows, c.enc = make([]row, 0, len(old.rows)), make([][]byte, 0, len(old.rows))
		kept = make([]int32, len(old.rows))
		for i := range kept {
			kept[i] = -1
		}
	}
	j := 0 // the first row of the old reading not passed yet
	err := st.FactRows(func(id, enc []byte) error {
		if old != nil {
			// Both readings are in report-id order: the old one is walked
			// alongside (a map of 10⁵ ids, read and made again at every
			// reading, took half of its 90 ms).
			for j < len(old.rows) && old.rows[j].ID < string(id) {
				j++
			}
			if j < len(old.rows) && old.rows[j].ID == string(id) && bytes.Equal(old.enc[j], enc) {
				kept[j] = int32(len(c.rows))
				c.add(old.rows[j], old.enc[j])
				j++
				return nil
			}
		}
		fresh = append(fresh, int32(len(c.rows)))
		c.add(row{ID: string(id)}, bytes.Clone(enc)) // decoded below
		return nil
	})
	if err == nil {
		err = c.decode(fresh, s.attr)
	}
	if err != nil {
		return nil, err
	}
	if old != nil {
		c.carryOrders(old, kept, fresh)
	}
	s.cat = c
	return c, nil
}

// decode fills the rows at idx from their stored facts, the rows split
// among the cores: decoding and attributing are most of a first reading
// (10⁵ rows: 370 ms on one core).
func (c *catalog) decode(idx []int32, attr *attrib.Attributor) error {
	workers := min(runtime.GOMAXPROCS(0), 1+len(idx)/4096)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		part := idx[w*len(idx)/workers : (w+1)*len(idx)/workers]
		wg.Go(func() {
			for _, i := range part {
				f, err := store.DecodeFact(c.enc[i])
				if err != nil {
					errs[w] = fmt.Errorf("reading the facts of report %s: %w", c.rows[i].ID, err)
					return
				}
				c.rows[i] = rowOfFact(&f, attr.Attribute(f.AttributionInput(), f.SourceURL))
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *catalog) add(w row, enc []byte) {
	c.enc = append(c.enc, enc)
	c.rows = append(c.rows, w)
}

// carryOrders derives the orders of the last reading for this one: its
// rows still there, in their order, merged with the rows read anew, sorted
// on their own. A change of a few rows costs a pass over the order, not a
// sort of every row.
func (c *catalog) carryOrders(old *catalog, kept, fresh []int32) {
	old.mu.Lock()
	defer old.mu.Unlock()
	for k, o := range old.orders {
		cmpRows := c.compare(k)
		still := make([]int32, 0, len(c.rows))
		for _, j := range o {
			if i := kept[j]; i >= 0 {
				still = append(still, i)
			}
		}
		added := slices.Clone(fresh)
		slices.SortFunc(added, cmpRows)
		merged := make([]int32, 0, len(c.rows))
		for len(still) > 0 && len(added) > 0 {
			if cmpRows(added[0], still[0]) < 0 {
				merged, added = append(merged, added[0]), added[1:]
			} else {
				merged, still = append(merged, still[0]), still[1:]
			}
		}
		merged = append(append(merged, still...), added...)
		if c.orders == nil {
			c.orders = map[orderKey][]int32{}
		}
		c.orders[k] = merged
	}
}

// compare orders two rows by a sort key and direction, ties by id: by
// their places in rows, which are in report-id order (comparing the ids'
// strings took most of a sort, every year holding thousands of reports).
func (c *catalog) compare(k orderKey) func(i, j int32) int {
	by := sortKeys[k.key]
	return func(i, j int32) int {
		r := by(&c.rows[i], &c.rows[j])
		if k.desc {
			r = -r
		}
		return cmp.Or(r, cmp.Compare(i, j))
	}
}

// order is every row in the order of a sort key and direction, ties by
// id: computed once per reading of the store.
func (c *catalog) order(key string, desc bool) []int32 {
	k := orderKey{key, desc}
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.orders[k]; ok {
		return o
	}
	o := make([]int32, len(c.rows))
	for i := range o {
		o[i] = int32(i)
	}
	slices.SortFunc(o, c.compare(k))
	if c.orders == nil {
		c.orders = map[orderKey][]int32{}
	}
	c.orders[k] = o
	return o
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
var sortKeys = map[string]func(a, b *row) int{
	"organisation": func(a, b *row) int { return cmp.Compare(a.Organisation, b.Organisation) },
	"region":       func(a, b *row) int { return cmp.Compare(a.Code, b.Code) },
	"level":        func(a, b *row) int { return cmp.Compare(a.Level, b.Level) },
	"year":         func(a, b *row) int { return cmp.Compare(a.Year, b.Year) },
	"template":     func(a, b *row) int { return cmp.Compare(a.Template, b.Template) },
	"checks":       func(a, b *row) int { return cmp.Or(cmp.Compare(a.Failed, b.Failed), cmp.Compare(a.Checks, b.Checks)) },
	"format":       func(a, b *row) int { return cmp.Compare(a.Format, b.Format) },
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

// selectRows gives the rows the query selects, in its order (ties by id),
// as indexes into the catalog's rows.
func (q query) selectRows(c *catalog) []int32 {
	var out []int32
	for _, i := range c.order(q.Sort, q.Desc) {
		if q.matches(c.rows[i]) {
			out = append(out, i)
		}
	}
	return out
}

// rowsAt are the catalog's rows at these indexes.
func (c *catalog) rowsAt(at []int32) []row {
	out := make([]row, len(at))
	for i, j := range at {
		out[i] = c.rows[j]
	}
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
