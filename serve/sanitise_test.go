package serve

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// inertTree checks a sanitised page as a browser would build it: no element
// that runs or embeds, no handler, no address that loads or navigates.
func inertTree(t *testing.T, out []byte) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("the sanitised page does not parse: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if dropped[n.DataAtom] || n.Namespace != "" || n.Data == "img" {
				t.Fatalf("sanitised page keeps <%s>: %s", n.Data, out)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "src" || k == "href" || k == "srcset" || k == "action" || k == "formaction" ||
					k == "data" || k == "background" || k == "poster" || k == "style" && remoteCSS(a.Val) {
					t.Fatalf("sanitised page keeps %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
			}
			if n.Data == "style" && remoteCSS(textOf(n)) {
				t.Fatalf("sanitised page keeps a style sheet with a remote reference: %s", out)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func TestSanitiseKeepsTextAndTables(t *testing.T) {
	page := `<html><head><title>报告</title><script>alert(1)</script></head><body>
<table border="1"><tr><td rowspan="2" onclick="x()">申请人情况</td><td>自然人</td></tr><tr><td>5</td></tr></table>
<p style="color:red">一、总体情况</p><a href="http://example.gov.cn/">链接</a><img src="x.png" alt="图"></body></html>`
	out := Sanitise(page)
	inertTree(t, out)
	for _, want := range []string{"<table", `rowspan="2"`, "申请人情况", "一、总体情况", `style="color:red"`, `title="http://example.gov.cn/"`, "[image: 图]"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("sanitised page lost %q: %s", want, out)
		}
	}
}

func FuzzSanitise(f *testing.F) {
	for _, s := range []string{hostilePage, `<svg><script>alert(1)</script></svg>`, `<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
		`<img src=x onerror=alert(1)>`, `<a href="javascript:alert(1)">x</a>`, `<style>@import "http://x/"</style>`,
		`<div style="background:url(http://x/)">`, `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
		`<template><script>alert(1)</script></template>`, `<table><tr><td>1</td></tr></table>`, `<select><style><img src=x></style></select>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, page string) {
		inertTree(t, Sanitise(page))
	})
}
