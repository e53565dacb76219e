package crawler

import "testing"

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP://WWW.Hefei.GOV.CN:80/xxgk/index.html#top":                       "http://www.hefei.gov.cn/xxgk/index.html",
		"http://www.a.gov.cn/xxgk/t1.html;jsessionid=ABC123":                   "http://www.a.gov.cn/xxgk/t1.html",
		"http://www.a.gov.cn/list?b=2&a=1":                                     "http://www.a.gov.cn/list?a=1&b=2",
		"http://www.a.gov.cn/list?a=1&b=2&jsessionid=9":                        "http://www.a.gov.cn/list?a=1&b=2",
		"http://www.a.gov.cn/art/2020/t1_wap.html":                             "http://www.a.gov.cn/art/2020/t1.html",
		"http://www.a.gov.cn/gate/big5/www.a.gov.cn/xxgk/t1.html":              "http://www.a.gov.cn/xxgk/t1.html",
		"http://www.a.gov.cn/gate/big5/www.a.gov.cn/gate/big5/www.a.gov.cn/x/": "http://www.a.gov.cn/x/",
		"http://m.a.gov.cn/xxgk/":                                              "http://www.a.gov.cn/xxgk/",
		"https://www.a.gov.cn:443/./x/../y":                                    "https://www.a.gov.cn/y",
		"http://122.1.2.3:8080/pub/":                                           "http://122.1.2.3:8080/pub/",
	} {
		got, ok := Canonical(in)
		if !ok || got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"javascript:void(0)", "mailto:a@b.gov.cn", "ftp://x.gov.cn/", "/relative"} {
		if _, ok := Canonical(bad); ok {
			t.Errorf("Canonical(%q) accepted", bad)
		}
	}
}

func TestScopeRefusesPrivateAddresses(t *testing.T) {
	s := NewScope([]string{"http://127.0.0.1:8080/", "http://10.1.2.3/", "http://www.a.gov.cn/"})
	for _, u := range []string{"http://127.0.0.1:8080/x", "http://10.1.2.3/", "http://[::1]/", "http://192.168.0.1/"} {
		if s.Allows(u) {
			t.Errorf("%s allowed without allow_private", u)
		}
	}
	s.AllowPrivate(true)
	if !s.Allows("http://127.0.0.1:8080/x") {
		t.Error("a loopback seed refused with allow_private")
	}
}

func TestScope(t *testing.T) {
	s := NewScope([]string{"http://www.hefei.gov.cn/", "http://122.1.2.3:8080/pub/", "http://www.example.com/"})
	for u, want := range map[string]bool{
		"http://www.hefei.gov.cn/x":         true,
		"https://fgw.hefei.gov.cn/x":        true,
		"http://hefei.gov.cn/":              true,
		"http://www.zwgk-copy.com/x":        false,
		"http://www.other.gov.cn/":          false,
		"http://gov.cn/":                    false,
		"http://122.1.2.3:8080/pub/x":       true,
		"http://122.1.2.3/pub/x":            false,
		"http://www.example.com/":           true,
		"http://sub.example.com/":           false,
		"http://evilhefei.gov.cn/":          false,
		"http://www.hefei.gov.cn.evil.com/": false,
	} {
		if got := s.Allows(u); got != want {
			t.Errorf("Allows(%q) = %v, want %v", u, got, want)
		}
	}
}
