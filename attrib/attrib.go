// Package attrib links a report to the administrative division it belongs to,
// using the portal list of the seeds: by the 网站标识码 its page prints (the first
// six digits are the site's division), by its host (a portal's host or a
// sub-domain of it), by the 统一社会信用代码 (characters 3 to 8 are the registering
// division), or by the division name its organisation's name begins with, in
// that order. Reports of departments, townships and development zones belong to
// the division whose site publishes them: their county (or city). It is pure:
// the portal list is read by the caller.
package attrib

import (
	"net/url"
	"sort"
	"strings"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

// How a report was attributed.
const (
	BySiteCode     = "site_code"
	ByHost         = "host"
	ByCreditCode   = "credit_code"
	ByOrganisation = "organisation"
)

// Unit kinds, told by the organisation's name.
const (
	UnitGovernment = "government" // 人民政府 of a division
	UnitDepartment = "department" // 局, 委员会, 办公室, …
	UnitTownship   = "township"   // 街道, 乡, 镇
	UnitZone       = "zone"       // 开发区, 高新区, 管理委员会 of a zone
)

// Attribution is where a report belongs.
type Attribution struct {
	Code       string // the division's 6-digit code; empty when unknown
	Name       string // the division's name
	Region     string // the chain of names from the province down: 湖南省长沙市芙蓉区
	Level      string // province, prefecture, county, …
	ParentCode string
	Unit       string // government, department, township, zone, or ""
	Host       string
	SiteCode   string
	CreditCode string
	By         string // site_code, host, credit_code, organisation, or "" when unattributed
}

// Attributor attributes reports to the divisions of a portal list.
type Attributor struct {
	list     *seeds.List
	byDomain map[string]seeds.Portal
	byName   map[string][]seeds.Portal
	names    []string // longest first
}

var levelRank = map[string]int{"province": 0, "prefecture": 1, "county": 2, "county_bingtuan": 2}

// New indexes a portal list (nil gives an Attributor that knows no division).
func New(l *seeds.List) *Attributor {
	a := &Attributor{list: l, byDomain: map[string]seeds.Portal{}, byName: map[string][]seeds.Portal{}}
	if l == nil {
		return a
	}
	for _, p := range l.Portals {
		if p.Code == "" {
			continue
		}
		if d := domain(p.Host()); d != "" {
			// Two divisions on one domain: the more local one owns it.
			if old, ok := a.byDomain[d]; !ok || levelRank[p.Level] > levelRank[old.Level] {
				a.byDomain[d] = p
			}
		}
		if p.Name != "" {
			if _, ok := a.byName[p.Name]; !ok {
				a.names = append(a.names, p.Name)
			}
			a.byName[p.Name] = append(a.byName[p.Name], p)
		}
	}
	sort.Slice(a.names, func(i, j int) bool { return len(a.names[i]) > len(a.names[j]) })
	return a
}

// domain is a host without its port and its www. or m. label.
func domain(host string) string {
	host = strings.ToLower(host)
	if i := strings.LastIndex(host, ":"); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	for _, p := range []string{"www.", "m."} {
		host = strings.TrimPrefix(host, p)
	}
	return host
}

// byCode finds a division by code, or by the prefecture or province the code
// lies in when the list does not have it.
func (a *Attributor) byCode(code string) (seeds.Portal, bool) {
	if a.list == nil || len(code) != 6 {
		return seeds.Portal{}, false
	}
	for _, c := range []string{code, code[:4] + "00", code[:2] + "0000"} {
		if p, ok := a.list.ByCode(c); ok {
			return p, true
		}
	}
	return seeds.Portal{}, false
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Attribute places a report published at rawURL.
func (a *Attributor) Attribute(rec *report.Record, rawURL string) Attribution {
	at := Attribution{Unit: UnitKind(string(rec.Organisation))}
	if u, err := url.Parse(rawURL); err == nil {
		at.Host = strings.ToLower(u.Host)
	}
	if rec.Identifiers != nil {
		at.SiteCode, at.CreditCode = rec.Identifiers.SiteCode, rec.Identifiers.CreditCode
	}
	var p seeds.Portal
	found := false
	if len(at.SiteCode) >= 6 && digits(at.SiteCode[:6]) {
		if p, found = a.byCode(at.SiteCode[:6]); found {
			at.By = BySiteCode
		}
	}
	if !found && at.Host != "" {
		// The host or the nearest parent domain that is a portal's.
		for d := domain(at.Host); d != "" && d != "gov.cn"; {
			if q, ok := a.byDomain[d]; ok {
				p, found, at.By = q, true, ByHost
				break
			}
			i := strings.Index(d, ".")
			if i < 0 || !strings.Contains(d[i+1:], ".") {
				break // only a top-level domain is left
			}
			d = d[i+1:]
		}
	}
	if !found && len(at.CreditCode) == 18 && digits(at.CreditCode[2:8]) {
		if p, found = a.byCode(at.CreditCode[2:8]); found {
			at.By = ByCreditCode
		}
	}
	if !found {
		org := string(rec.Organisation)
		for _, n := range a.names {
			if strings.HasPrefix(org, n) && len(a.byName[n]) == 1 {
				p, found, at.By = a.byName[n][0], true, ByOrganisation
				break
			}
		}
	}
	if !found {
		return at
	}
	at.Code, at.Name, at.Level, at.ParentCode = p.Code, p.Name, p.Level, p.ParentCode
	chain := a.list.Chain(p.Code) // nearest first
	for i := len(chain) - 1; i >= 0; i-- {
		at.Region += chain[i].Name
	}
	return at
}

// UnitKind tells from an organisation's name what kind of body published.
func UnitKind(org string) string {
	switch {
	case org == "":
		return ""
	case strings.Contains(org, "街道") || strings.HasSuffix(org, "乡人民政府") || strings.HasSuffix(org, "镇人民政府"):
		return UnitTownship
	case strings.Contains(org, "开发区") || strings.Contains(org, "高新区") || strings.Contains(org, "新区管理委员会") ||
		strings.Contains(org, "园区"):
		return UnitZone
	case strings.HasSuffix(org, "人民政府"):
		return UnitGovernment
	}
	return UnitDepartment
}
