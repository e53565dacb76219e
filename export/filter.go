package export

import (
	"strings"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/store"
)

// Filter selects reports; a zero Filter selects all.
type Filter struct {
	Years    []int  // the years covered; empty: every year
	Region   string // an administrative code prefix: 43 (湖南省), 4301 (长沙市), 430102
	Level    string // the division's level: province, prefecture, county
	Unit     string // government, department, township, zone
	Template string // 2019, 2021, legacy, unknown
	Checks   string // passed (every identity holds), failed (at least one broken), or empty
}

// Match says whether a report passes the filter.
func (f Filter) Match(e *store.Entry, at attrib.Attribution) bool {
	r := e.Record
	if len(f.Years) > 0 {
		ok := false
		for _, y := range f.Years {
			ok = ok || r.Year != nil && *r.Year == y
		}
		if !ok {
			return false
		}
	}
	if f.Region != "" && !strings.HasPrefix(at.Code, f.Region) {
		return false
	}
	if f.Level != "" && at.Level != f.Level {
		return false
	}
	if f.Unit != "" && at.Unit != f.Unit {
		return false
	}
	if f.Template != "" && string(r.Template) != f.Template {
		return false
	}
	switch f.Checks {
	case "passed":
		return len(r.FailedChecks()) == 0
	case "failed":
		return len(r.FailedChecks()) > 0
	}
	return true
}
