package crawler

import (
	"strings"
	"testing"
)

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

// The URL that is fetched is the link's own: only the key maps the spellings
// of one page together.
func TestFetchFormIsNotTheKey(t *testing.T) {
	for in, want := range map[string][2]string{
		"http://m.a.gov.cn/xxgk/t1.html":                          {"http://m.a.gov.cn/xxgk/t1.html", "http://www.a.gov.cn/xxgk/t1.html"},
		"http://www.a.gov.cn/art/2020/t1_wap.html":                {"http://www.a.gov.cn/art/2020/t1_wap.html", "http://www.a.gov.cn/art/2020/t1.html"},
		"http://www.a.gov.cn/list?b=2&a=1&_=17":                   {"http://www.a.gov.cn/list?b=2&a=1&_=17", "http://www.a.gov.cn/list?a=1&b=2"},
		"HTTP://WWW.A.gov.cn:80/x/../y.html;jsessionid=9#top":     {"http://www.a.gov.cn/y.html", "http://www.a.gov.cn/y.html"},
		"http://www.b.gov.cn/gate/big5/www.a.gov.cn/xxgk/t1.html": {"http://www.a.gov.cn/xxgk/t1.html", "http://www.a.gov.cn/xxgk/t1.html"},
		"http://www.a.gov.cn/a%2Fb/c.html":                        {"http://www.a.gov.cn/a%2Fb/c.html", "http://www.a.gov.cn/a%2Fb/c.html"},
	} {
		fetch, ok := FetchForm(in)
		key, ok2 := Canonical(in)
		if !ok || !ok2 || fetch != want[0] || key != want[1] {
			t.Errorf("%q: fetched as %q, keyed %q; want %q and %q", in, fetch, key, want[0], want[1])
		}
	}
}

func TestCanonicalKeepsEscapedSlash(t *testing.T) {
	got, ok := Canonical("http://WWW.Example.gov.cn:80/a%2Fb/./c.html?b=2&a=1#x")
	if want := "http://www.example.gov.cn/a%2Fb/c.html?a=1&b=2"; !ok || got != want {
		t.Errorf("Canonical = %q, want %q", got, want)
	}
}

// FuzzCanonical: a canonical URL is its own canonical form, a fetch form is its
// own fetch form, and a URL's fetch form has the URL's key.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		"http://www.example.gov.cn/gate/big5/www.example.gov.cn/gate/big5/a.gov.cn/x_wap.html",
		"https://m.hefei.gov.cn:443/content/column/6791573?pageIndex=2&_=1;jsessionid=ABC",
		"http://a.gov.cn/a%2Fb/../c//d/;jsessionid=1?x=%zz",
		"http://a.gov.cn/%E6%94%BF%E5%BA%9C/index.html?q=a+b&q=c",
		"http://[::1]:8080/../x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, ok := Canonical(raw)
		if !ok {
			return
		}
		c2, ok2 := Canonical(c)
		if !ok2 || c2 != c {
			t.Fatalf("Canonical(%q) = %q, but Canonical of that = %q (%v)", raw, c, c2, ok2)
		}
		f, ok := FetchForm(raw)
		if !ok {
			t.Fatalf("FetchForm(%q) refused a URL Canonical accepts", raw)
		}
		if f2, ok := FetchForm(f); !ok || f2 != f {
			t.Fatalf("FetchForm(%q) = %q, but FetchForm of that = %q", raw, f, f2)
		}
		if k, ok := Canonical(f); !ok || k != c {
			t.Fatalf("Canonical(FetchForm(%q)) = %q, want %q", raw, k, c)
		}
	})
}

func TestRobotsAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"nianbao/0.1 (research harvester; +https://github.com/nianbao/nianbao)": "nianbao",
		"UniHarvest-Lab/2.3 (+https://example.edu/crawler)":                     "UniHarvest-Lab",
		"  ":   "nianbao",
		"研究/1": "nianbao",
	} {
		if got := RobotsAgent(ua); got != want {
			t.Errorf("RobotsAgent(%q) = %q, want %q", ua, got, want)
		}
	}
}

// Every spelling of a loopback or private address is refused without
// allow_private, seed or not, before any request (or proxy) sees it.
func TestScopeRefusesEverySpellingOfPrivate(t *testing.T) {
	spellings := []string{"127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7F.0.0.1", "0177.0.0.1",
		"017700000001", "127.0.0.1.", "[::ffff:127.0.0.1]", "[::1]", "localhost", "LOCALHOST.", "www.localhost",
		"10.1.2.3", "167772161", "192.168.1", "0", "0.0.0.0", "169.254.1.1"}
	var seeds []string
	for _, h := range spellings {
		seeds = append(seeds, "http://"+h+":8080/")
	}
	s := NewScope(seeds)
	for _, u := range seeds {
		if s.Allows(u) {
			t.Errorf("%s allowed without allow_private", u)
		}
	}
	for _, u := range []string{"http://122.1.2.3:8080/pub/", "http://2047999491:8080/"} { // public, as a seed
		s := NewScope([]string{u})
		if !s.Allows(u) {
			t.Errorf("public seed %s refused", u)
		}
	}
	s.AllowPrivate(true)
	if !s.Allows("http://127.1:8080/") {
		t.Error("allow_private refused a loopback spelling")
	}
}

// A host name DNS could not carry, or a URL past MaxURLLength, is out of
// scope and said so: a 40 KB host name under a seed's domain had made every
// commit of the crawl fail ("key too large"), and every resumed run.
func TestScopeRefusesOversizedNames(t *testing.T) {
	s := NewScope([]string{"http://www.example.gov.cn/"})
	long := strings.Repeat("a", 40<<10) + ".example.gov.cn"
	label := strings.Repeat("b", 64) + ".example.gov.cn"
	deep := strings.Repeat("c.", 130) + "example.gov.cn" // 274 bytes
	for _, u := range []string{"http://" + long + "/", "http://" + label + "/", "http://" + deep + "/",
		"http://www.example.gov.cn/" + strings.Repeat("x", MaxURLLength)} {
		if s.Allows(u) {
			t.Errorf("%.60s… (%d bytes) is in scope", u, len(u))
		}
		if why := s.Why(u); !strings.Contains(why, "bytes") {
			t.Errorf("%.60s…: why %q", u, why)
		}
	}
	for _, u := range []string{"http://" + strings.Repeat("d", 63) + ".example.gov.cn/", "http://www.example.gov.cn/a/b.html"} {
		if !s.Allows(u) {
			t.Errorf("%s is out of scope", u)
		}
	}
}
