package serve

import (
	"net/http"
	"slices"
	"strings"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// keyFigures are the cells the comparison follows across years.
var keyFigures = []struct{ Path, Label string }{
	{"requests.new_received.total", "本年新收申请"},
	{"requests.granted.total", "予以公开"},
	{"requests.total_processed.total", "办理结果总计"},
	{"review_litigation.review.total", "行政复议总计"},
	{"review_litigation.suit_direct.total", "未经复议直接起诉总计"},
	{"review_litigation.suit_after_review.total", "复议后起诉总计"},
}

// comparePage is one organisation's reports, year by year.
type comparePage struct {
	Title   string
	Org     string
	Matches []string // organisations whose name contains the one asked for (all with several years, when none is asked)
	Years   []compareYear
	Figures []figureView
	Note    string
}

type compareYear struct {
	Year   string
	ID     string
	Failed int
	Extra  int // further reports of the same year (copies, departments of the same name)
}

// figureView is one key figure across the years, with its sparkline.
type figureView struct {
	Label string
	Path  string
	Cells []cellView
	Spark string // an SVG drawn here
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	org := strings.TrimSpace(r.URL.Query().Get("org"))
	s.withStore(w, func(st *store.Store, w http.ResponseWriter) error {
		rows, err := s.rows(st)
		if err != nil {
			return err
		}
		p := comparePage{Title: "Compare " + org, Org: org, Note: copyNote(st)}
		var picked []row
		byYear := map[int]int{}
		for _, w := range rows {
			switch {
			case org != "" && w.Organisation == org:
				if byYear[w.Year]++; byYear[w.Year] == 1 {
					picked = append(picked, w)
				}
			case org != "" && strings.Contains(w.Organisation, org) && !slices.Contains(p.Matches, w.Organisation):
				p.Matches = append(p.Matches, w.Organisation)
			}
		}
		if org == "" {
			p.Matches = withSeveralYears(rows)
		}
		slices.Sort(p.Matches)
		slices.SortFunc(picked, func(a, b row) int { return a.Year - b.Year })
		records := make([]*report.Record, len(picked))
		for i, w := range picked {
			e, err := st.Entry(w.ID)
			if err != nil {
				return err
			}
			records[i] = e.Record
			p.Years = append(p.Years, compareYear{Year: w.YearText(), ID: w.ID, Failed: w.Failed, Extra: byYear[w.Year] - 1})
		}
		p.Figures = figuresOf(records)
		return s.render(w, "compare.html", p)
	})
}

// withSeveralYears lists the organisations with reports of two years or more.
func withSeveralYears(rows []row) []string {
	years := map[string]map[int]bool{}
	var out []string
	for _, w := range rows {
		if w.Organisation == "" || w.Year == 0 {
			continue
		}
		if years[w.Organisation] == nil {
			years[w.Organisation] = map[int]bool{}
		}
		if years[w.Organisation][w.Year] = true; len(years[w.Organisation]) == 2 {
			out = append(out, w.Organisation)
		}
	}
	return out
}

func figuresOf(records []*report.Record) []figureView {
	ms := make([]marks, len(records))
	for i, r := range records {
		ms[i] = marksOf(r)
	}
	var out []figureView
	for _, f := range keyFigures {
		fv := figureView{Label: f.Label, Path: f.Path}
		var series []*float64
		for i, r := range records {
			m := ms[i]
			table, row, col, _ := report.SplitPath(f.Path)
			c := cellView{Class: "blank"}
			if t := r.Table(table); t != nil {
				c = m.cell(t, table, row, col)
			}
			fv.Cells = append(fv.Cells, c)
			series = append(series, numberOf(c))
		}
		fv.Spark = sparkline(series)
		out = append(out, fv)
	}
	return out
}
