package attrib

import (
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

func portals(t *testing.T) *seeds.List {
	t.Helper()
	l, err := seeds.ReadFile("../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func rec(org string, ids *report.Identifiers) *report.Record {
	r := report.New()
	r.Organisation = report.Text(org)
	r.Identifiers = ids
	return r
}

func TestAttribute(t *testing.T) {
	l := portals(t)
	a := New(l)
	furong, ok := l.ByCode("430102")
	if !ok {
		t.Fatal("the portal list has no 430102")
	}
	cases := []struct {
		name       string
		rec        *report.Record
		url        string
		code, by   string
		unit       string
		regionPart string
	}{
		{"the portal's own host", rec("芙蓉区人民政府", nil), "http://" + furong.Host() + "/art/1.html", "430102", ByHost, UnitGovernment, "湖南省"},
		{"a department on a sub-domain", rec("芙蓉区财政局", nil), "http://czj." + domain(furong.Host()) + "/a.html", "430102", ByHost, UnitDepartment, "长沙市"},
		{"a township on the county's host", rec("芙蓉区东城街道办事处", nil), "http://" + furong.Host() + "/b.html", "430102", ByHost, UnitTownship, "芙蓉区"},
		{"the site code beats the host", rec("某局", &report.Identifiers{SiteCode: "4301020001"}), "http://122.1.2.3:8080/x.htm", "430102", BySiteCode, UnitDepartment, ""},
		{"the credit code when the host says nothing", rec("某局", &report.Identifiers{CreditCode: "11430102MB1234567X"}), "http://10.0.0.1/x", "430102", ByCreditCode, UnitDepartment, ""},
		{"an unknown county code falls back to its city", rec("某局", &report.Identifiers{SiteCode: "4301990001"}), "", "430100", BySiteCode, UnitDepartment, ""},
		{"the organisation's division name", rec("芙蓉区人民政府", nil), "http://122.1.2.3/x", "430102", ByOrganisation, UnitGovernment, ""},
		{"a name two divisions share says nothing", rec("朝阳区人民政府", nil), "", "", "", UnitGovernment, ""},
		{"nothing known", rec("", nil), "https://www.example.com/", "", "", "", ""},
	}
	for _, c := range cases {
		got := a.Attribute(c.rec, c.url)
		if got.Code != c.code || got.By != c.by || got.Unit != c.unit {
			t.Errorf("%s: %+v", c.name, got)
		}
		if c.regionPart != "" && !strings.Contains(got.Region, c.regionPart) {
			t.Errorf("%s: region %q lacks %q", c.name, got.Region, c.regionPart)
		}
	}
	if got := a.Attribute(rec("芙蓉区人民政府", nil), "http://"+furong.Host()); got.Region != "湖南省长沙市芙蓉区" || got.ParentCode != "430100" || got.Level != "county" {
		t.Errorf("region chain: %+v", got)
	}
	if got := New(nil).Attribute(rec("芙蓉区人民政府", nil), "http://"+furong.Host()); got.Code != "" || got.Host == "" {
		t.Errorf("without a portal list: %+v", got)
	}
}
