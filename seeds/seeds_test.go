package seeds

import (
	"os"
	"strings"
	"testing"
)

func TestReadPortalsCSV(t *testing.T) {
	f, err := os.Open("../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Portals) != 3211 {
		t.Fatalf("%d portals, want 3211", len(l.Portals))
	}
	p, ok := l.ByCode("110101")
	if !ok || p.Name != "东城区" || p.Level != "county" || p.Host() != "www.bjdch.gov.cn" {
		t.Fatalf("110101 = %+v", p)
	}
	chain := l.Chain("110101")
	if len(chain) != 2 || chain[1].Name != "北京市" {
		t.Fatalf("chain = %+v", chain)
	}
	bj, _ := l.ByCode("110000")
	if !bj.HasFlag("deep_link_not_homepage") {
		t.Fatalf("flags of 110000 = %v", bj.Flags)
	}
	levels := map[string]int{}
	for _, p := range l.Portals {
		levels[p.Level]++
	}
	if levels["province"] != 35 || levels["prefecture"] != 333 {
		t.Fatalf("levels = %v", levels)
	}
}

func TestReadURLList(t *testing.T) {
	l, err := Read(strings.NewReader("# seeds\nhttp://www.a.gov.cn/\n\nhttps://b.gov.cn/xxgk/\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Portals) != 2 || l.Portals[1].Host() != "b.gov.cn" {
		t.Fatalf("%+v", l.Portals)
	}
	if _, err := Read(strings.NewReader("ftp://x.gov.cn/\n")); err == nil {
		t.Fatal("a non-http seed was accepted")
	}
}

func TestBadCSV(t *testing.T) {
	for _, in := range []string{
		"code,name,level\n110000,北京市,province\n",                    // no url column
		"code,name,level,url\n11000,北京市,province,http://x.gov.cn\n", // 5-digit code
		"code,name,level,url\n110000,a,province,http://a.gov.cn\n110000,b,province,http://b.gov.cn\n",
	} {
		if _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("accepted %q", in)
		}
	}
}
