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
