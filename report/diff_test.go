package report

import "testing"

func TestFingerprintAndDiff(t *testing.T) {
	mk := func(granted float64, url, footer string) *Record {
		r := New()
		r.Title = "某县人民政府2022年政府信息公开工作年度报告"
		r.Template = Template2021
		r.Requests = NewTable(Requests2021)
		r.Requests.Set("granted", "total", Num(granted))
		r.Source.URL = Text(url)
		r.Sections.Other = footer
		r.Attachments = []Attachment{{Name: "年报.pdf", URL: Text(url + "?sig=" + footer)}}
		return r
	}
	a := mk(3, "http://a.gov.cn/1.html", "打印本页")
	b := mk(3, "http://a.gov.cn/1_v2.html", "打印本页 网站地图")
	if Fingerprint(a) != Fingerprint(b) {
		t.Errorf("the same report at another address has another fingerprint")
	}
	c := mk(4, "http://a.gov.cn/1.html", "打印本页")
	if Fingerprint(a) == Fingerprint(c) {
		t.Errorf("a revised cell leaves the fingerprint unchanged")
	}
	d := Diff(a, c)
	if len(d) != 1 || d[0].Field != "requests.granted.total" || *d[0].Old != 3 || *d[0].New != 4 {
		t.Errorf("diff: %+v", d)
	}
	c.Title = "某县人民政府2022年政府信息公开工作年度报告（更正）"
	c.Requests.Set("granted", "total", nil)
	d = Diff(a, c)
	if len(d) != 2 || d[0].Field != "title" || d[1].New != nil || *d[1].Old != 3 {
		t.Errorf("diff with a title and a removed cell: %+v", d)
	}
}
