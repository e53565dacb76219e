package export

import (
	"sort"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/store"
)

// Stats describes a dataset: what it holds by province, level, year and
// template, how often the identities break, and which divisions have a report
// for each year.
type Stats struct {
	Reports      int            `json:"reports"`
	Unattributed int            `json:"unattributed"`
	ByProvince   map[string]int `json:"by_province"`
	ByLevel      map[string]int `json:"by_level"`
	ByUnit       map[string]int `json:"by_unit"`
	ByYear       map[int]int    `json:"by_year"`
	ByTemplate   map[string]int `json:"by_template"`
	// WithChecks counts reports with at least one identity checked; Failing those
	// that break at least one; FailuresByRule counts reports per broken identity.
	WithChecks     int            `json:"with_checks"`
	Failing        int            `json:"failing"`
	FailuresByRule map[string]int `json:"failures_by_rule"`
	Coverage       []YearCoverage `json:"coverage"`
}

// YearCoverage is how many divisions of the portal list have a report for a year.
type YearCoverage struct {
	Year      int      `json:"year"`
	Divisions int      `json:"divisions"`
	Covered   int      `json:"covered"`
	Missing   []string `json:"missing,omitempty"` // codes without a report (when few enough to list)
}

// FactSource gives every record's facts: a store (its facts bucket), or a
// reader that follows it.
type FactSource interface {
	Facts(fn func(*store.Fact) error) error
}

// ComputeStats reads the facts of every record of a store (never the
// records themselves: an indexed store keeps them in a small row each).
func ComputeStats(st FactSource, list *seeds.List) (*Stats, error) {
	a := attrib.New(list)
	s := &Stats{ByProvince: map[string]int{}, ByLevel: map[string]int{}, ByUnit: map[string]int{}, ByYear: map[int]int{},
		ByTemplate: map[string]int{}, FailuresByRule: map[string]int{}}
	covered := map[int]map[string]bool{}
	err := st.Facts(func(f *store.Fact) error {
		s.count(f, a.Attribute(f.AttributionInput(), f.SourceURL), list, covered)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var divisions []string
	if list != nil {
		for _, p := range list.Portals {
			if p.Code != "" {
				divisions = append(divisions, p.Code)
			}
		}
	}
	years := make([]int, 0, len(s.ByYear))
	for y := range s.ByYear {
		years = append(years, y)
	}
	sort.Ints(years)
	for _, y := range years {
		yc := YearCoverage{Year: y, Divisions: len(divisions)}
		var missing []string
		for _, c := range divisions {
			if covered[y][c] {
				yc.Covered++
			} else {
				missing = append(missing, c)
			}
		}
		if len(missing) <= 50 {
			yc.Missing = missing
		}
		s.Coverage = append(s.Coverage, yc)
	}
	return s, nil
}

// count adds one report's facts.
func (s *Stats) count(f *store.Fact, at attrib.Attribution, list *seeds.List, covered map[int]map[string]bool) {
	s.Reports++
	s.ByTemplate[f.Template]++
	if f.Year != 0 {
		s.ByYear[f.Year]++
	}
	if at.Unit != "" {
		s.ByUnit[at.Unit]++
	}
	if at.Code == "" {
		s.Unattributed++
	} else {
		s.ByLevel[at.Level]++
		prov := at.Code[:2] + "0000"
		name := prov
		if p, ok := byCode(list, prov); ok {
			name = p.Name
		}
		s.ByProvince[name]++
		if f.Year != 0 {
			if covered[f.Year] == nil {
				covered[f.Year] = map[string]bool{}
			}
			covered[f.Year][at.Code] = true
		}
	}
	if f.Checks > 0 {
		s.WithChecks++
	}
	if len(f.Failed) > 0 {
		s.Failing++
	}
	for _, rule := range f.Failed {
		s.FailuresByRule[rule]++
	}
}

func byCode(l *seeds.List, code string) (seeds.Portal, bool) {
	if l == nil {
		return seeds.Portal{}, false
	}
	return l.ByCode(code)
}
