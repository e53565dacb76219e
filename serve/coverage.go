package serve

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/store"
)

// coveragePage is reports found against the divisions of the portal list,
// by division and year, and how often identities break, by year.
type coveragePage struct {
	Title    string
	Region   string // the division drilled into ("" for the provinces)
	Trail    []link // the way back up
	Years    []int
	Rows     []coverageRow
	NoList   bool
	Failures string // an SVG chart, drawn here
	Note     string
}

type link struct{ Label, Href string }

// coverageRow is one division (with everything under it) across the years.
type coverageRow struct {
	Name, Code string
	Drill      string // its own breakdown, when it has divisions under it
	Divisions  int
	Cells      []coverageCell
}

type coverageCell struct {
	Covered, Of int
	Class       string // c0 … c4 by share
	Reports     string // the list of its reports
}

func (s *Server) coverage(w http.ResponseWriter, r *http.Request) {
	region := r.URL.Query().Get("region")
	if region != "" && (len(region) != 6 || strings.Trim(region, "0123456789") != "") {
		s.fail(w, http.StatusNotFound, "No such division.")
		return
	}
	s.withStore(w, func(st *store.Store, w http.ResponseWriter) error {
		rows, err := s.rows(st)
		if err != nil {
			return err
		}
		p := coveragePage{Title: "Coverage", Region: region, Note: copyNote(st), Failures: failureChart(rows)}
		p.Years = yearsOf(rows)
		list := s.opt.Portals
		if list == nil || len(list.Portals) == 0 {
			p.NoList = true
			return s.render(w, "coverage.html", p)
		}
		t := newTree(list)
		if region != "" && t.byCode[region] == nil {
			return fmt.Errorf("division %s: %w", region, store.ErrNotFound)
		}
		p.Trail = t.trail(region)
		covered := map[int]map[string]bool{}
		for _, w := range rows {
			if w.Code != "" && w.Year != 0 {
				if covered[w.Year] == nil {
					covered[w.Year] = map[string]bool{}
				}
				covered[w.Year][w.Code] = true
			}
		}
		for _, d := range t.children(region) {
			p.Rows = append(p.Rows, t.row(d, p.Years, covered))
		}
		return s.render(w, "coverage.html", p)
	})
}

// tree is the portal list's divisions by parent.
type tree struct {
	byCode map[string]*seeds.Portal
	kids   map[string][]*seeds.Portal
}

func newTree(l *seeds.List) *tree {
	t := &tree{byCode: map[string]*seeds.Portal{}, kids: map[string][]*seeds.Portal{}}
	for i := range l.Portals {
		p := &l.Portals[i]
		if p.Code == "" || t.byCode[p.Code] != nil {
			continue
		}
		t.byCode[p.Code] = p
	}
	for _, p := range t.byCode {
		parent := p.ParentCode
		if p.Level == "province" || t.byCode[parent] == nil {
			parent = ""
		}
		t.kids[parent] = append(t.kids[parent], p)
	}
	for _, k := range t.kids {
		slices.SortFunc(k, func(a, b *seeds.Portal) int { return strings.Compare(a.Code, b.Code) })
	}
	return t
}

// children are the rows of a breakdown: the division itself (its own
// reports), then each division under it.
func (t *tree) children(code string) []*seeds.Portal {
	if code == "" {
		return t.kids[""]
	}
	return append([]*seeds.Portal{t.byCode[code]}, t.kids[code]...)
}

func (t *tree) subtree(code string) []string {
	out := []string{code}
	for _, k := range t.kids[code] {
		out = append(out, t.subtree(k.Code)...)
	}
	return out
}

func (t *tree) trail(code string) []link {
	var out []link
	for c := code; c != ""; {
		p := t.byCode[c]
		if p == nil {
			break
		}
		out = append([]link{{Label: p.Name, Href: "/coverage?region=" + p.Code}}, out...)
		if p.Level == "province" {
			break
		}
		c = p.ParentCode
	}
	return append([]link{{Label: "全国", Href: "/coverage"}}, out...)
}

func (t *tree) row(d *seeds.Portal, years []int, covered map[int]map[string]bool) coverageRow {
	codes := t.subtree(d.Code)
	own := len(t.kids[d.Code]) == 0
	rw := coverageRow{Name: d.Name, Code: d.Code, Divisions: len(codes)}
	if !own {
		rw.Drill = "/coverage?region=" + d.Code
	}
	for _, y := range years {
		n := 0
		for _, c := range codes {
			if covered[y][c] {
				n++
			}
		}
		prefix := strings.TrimRight(d.Code, "0")
		if len(prefix)%2 == 1 {
			prefix += "0"
		}
		rw.Cells = append(rw.Cells, coverageCell{Covered: n, Of: len(codes), Class: shareClass(n, len(codes)),
			Reports: fmt.Sprintf("/?region=%s&year=%d", prefix, y)})
	}
	return rw
}

func shareClass(n, of int) string {
	if n == 0 || of == 0 {
		return "c0"
	}
	return fmt.Sprintf("c%d", 1+min(3, 4*n/of))
}

func yearsOf(rows []row) []int {
	var ys []int
	for _, w := range rows {
		if w.Year != 0 && !slices.Contains(ys, w.Year) {
			ys = append(ys, w.Year)
		}
	}
	slices.Sort(ys)
	return ys
}
