package serve

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

// listPage is what the reports page shows.
type listPage struct {
	Title   string
	Q       query
	Error   string
	Rows    []row
	Total   int // reports the query selects
	All     int // reports in the store
	Page    int // 1-based
	Pages   int
	Prev    string
	Next    string
	CSV     string
	Columns []column
	Options filterOptions
	Note    string // a running crawl's copy is what is read
}

// column is a sortable header.
type column struct {
	Label, Link, Mark string
}

// filterOptions are the choices the filter form offers.
type filterOptions struct {
	Levels, Units, Templates, Checks, Formats []string
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.withStore(w, func(st *store.Store, w http.ResponseWriter) error {
		cat, err := s.catalogOf(st)
		if err != nil {
			return err
		}
		all := cat.rows
		q, qerr := parseQuery(r.URL.Query())
		p := listPage{Title: "Reports", Q: q, All: len(all), Note: copyNote(st), Options: optionsOf(all)}
		if qerr != nil {
			p.Error = qerr.Error()
			w.WriteHeader(http.StatusBadRequest)
			return s.render(w, "list.html", p)
		}
		sel := q.selectRows(cat)
		size := s.opt.PageSize
		p.Total, p.Pages = len(sel), max(1, (len(sel)+size-1)/size)
		q.Page = min(q.Page, p.Pages-1)
		p.Q, p.Page = q, q.Page+1
		p.Rows = cat.rowsAt(sel[q.Page*size : min(len(sel), (q.Page+1)*size)])
		if q.Page > 0 {
			p.Prev = "/?" + q.values("page", fmt.Sprint(q.Page)).Encode()
		}
		if q.Page+1 < p.Pages {
			p.Next = "/?" + q.values("page", fmt.Sprint(q.Page+2)).Encode()
		}
		p.CSV = "/reports.csv?" + q.values("page", "", "sort", "", "dir", "").Encode()
		p.Columns = columnsOf(q)
		return s.render(w, "list.html", p)
	})
}

// columnsOf gives each sortable column a link that orders by it (and turns
// the order round when it is already the key).
func columnsOf(q query) []column {
	var out []column
	for _, c := range []struct{ key, label string }{
		{"organisation", "Organisation"}, {"region", "Region"}, {"level", "Level"}, {"year", "Year"},
		{"template", "Template"}, {"checks", "Checks"}, {"format", "Format"},
	} {
		dir, mark := "asc", ""
		if q.Sort == c.key {
			mark = "▲"
			if q.Desc {
				mark = "▼"
			} else {
				dir = "desc"
			}
		}
		out = append(out, column{Label: c.label, Mark: mark, Link: "/?" + q.values("sort", c.key, "dir", dir, "page", "").Encode()})
	}
	return out
}

func optionsOf(all []row) filterOptions {
	o := filterOptions{Levels: []string{"province", "prefecture", "county"}, Units: []string{"government", "department", "township", "zone"},
		Templates: []string{"2019", "2021", "legacy", "unknown"}, Checks: []string{"passed", "failed"}}
	seen := map[string]bool{}
	for _, w := range all {
		if w.Format != "" && !seen[w.Format] {
			seen[w.Format] = true
			o.Formats = append(o.Formats, w.Format)
		}
	}
	slices.Sort(o.Formats)
	return o
}

// csv writes the selected reports with export's writer: the same filter
// gives the same file as `nianbao export`. The store is read in pages (see
// pagedStore), so a slow or stalled client never keeps writers out.
func (s *Server) csv(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	src := &pagedStore{s: s}
	if src.first, err = src.read(s.opt.LockTimeout); err != nil {
		s.failStore(w, err) // nothing sent yet: a page that says why
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="reports.csv"`)
	if _, err := export.WriteReports(w, src, export.Request{Filter: q.Filter, Attrib: s.attr, Also: q.also}); err != nil {
		// The file has begun: ending it here would pass for the whole of
		// it, so the connection is cut and the client sees a failed download.
		s.opt.Log.Printf("serve: a CSV download stopped: %v", err)
		panic(http.ErrAbortHandler)
	}
}

// copyNote says when the store read is a running crawl's published copy.
func copyNote(st *store.Store) string {
	if t := st.Snapshotted(); !t.IsZero() {
		return "A crawl holds the store: this is its copy of " + t.Format("2006-01-02 15:04:05") + "."
	}
	return ""
}
