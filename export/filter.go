package export

import (
	"fmt"
	"slices"
	"strconv"
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

// Validate refuses values no report can have (a typo that would export
// nothing and look like an empty dataset).
func (f Filter) Validate() error {
	for _, c := range []struct {
		flag, value string
		allowed     []string
	}{
		{"level", f.Level, []string{"province", "prefecture", "county"}},
		{"unit", f.Unit, []string{"government", "department", "township", "zone"}},
		{"template", f.Template, []string{"2019", "2021", "legacy", "unknown"}},
		{"checks", f.Checks, []string{"passed", "failed"}},
	} {
		if c.value != "" && !slices.Contains(c.allowed, c.value) {
			return fmt.Errorf("--%s %q: not one of %s", c.flag, c.value, strings.Join(c.allowed, ", "))
		}
	}
	if f.Region != "" && (len(f.Region) > 6 || strings.Trim(f.Region, "0123456789") != "") {
		return fmt.Errorf("--region %q: not an administrative code prefix (up to six digits: 43, 4301, 430102)", f.Region)
	}
	for _, y := range f.Years {
		if y < 2000 || y > 2100 {
			return fmt.Errorf("--year %d: not a report year", y)
		}
	}
	return nil
}

// Facts are what a filter looks at of one report.
type Facts struct {
	Year     int // 0 when unknown
	Code     string
	Level    string
	Unit     string
	Template string
	Failed   int // identities broken
}

// FactsOf reads a report's facts with its attribution.
func FactsOf(e *store.Entry, at attrib.Attribution) Facts {
	r := e.Record
	f := Facts{Code: at.Code, Level: at.Level, Unit: at.Unit, Template: string(r.Template), Failed: len(r.FailedChecks())}
	if r.Year != nil {
		f.Year = *r.Year
	}
	return f
}

// Match says whether a report passes the filter.
func (f Filter) Match(e *store.Entry, at attrib.Attribution) bool {
	return f.MatchFacts(FactsOf(e, at))
}

// MatchFacts says whether a report with these facts passes the filter.
func (f Filter) MatchFacts(x Facts) bool {
	switch {
	case len(f.Years) > 0 && (x.Year == 0 || !slices.Contains(f.Years, x.Year)),
		f.Region != "" && !strings.HasPrefix(x.Code, f.Region),
		f.Level != "" && x.Level != f.Level,
		f.Unit != "" && x.Unit != f.Unit,
		f.Template != "" && x.Template != f.Template,
		f.Checks == "passed" && x.Failed > 0,
		f.Checks == "failed" && x.Failed == 0:
		return false
	}
	return true
}

// ParseYears reads a year filter: "2022", "2019-2022" or "2019,2021".
func ParseYears(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || b < a || b-a > 100 {
			return nil, fmt.Errorf("--year %q: give a year, a range such as 2019-2022, or a list", s)
		}
		for y := a; y <= b; y++ {
			out = append(out, y)
		}
	}
	return out, nil
}
