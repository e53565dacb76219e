package extract

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/samples"
)

// wordHTML is a seed's text as a Word-pasted page body (samples.WordPasted).
func wordHTML(text string) string {
	page := samples.WordPasted(text)
	body := page[strings.Index(page, "<body>")+len("<body>"):]
	return strings.TrimSuffix(body, "</body></html>")
}

// jsQuote writes s as a single-quoted JavaScript literal, as the portals do:
// backslash-escaped quotes and backslashes, line breaks as \n.
func jsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", "").Replace(s) + "'"
}

// TestScriptCarriedHTML: a seed report shipped inside a page's script, as a
// let content = '…' string, as a JSON value with \u003C escapes, and as a
// literal cut into pieces joined by +, gives the seed's hand-read cells.
func TestScriptCarriedHTML(t *testing.T) {
	e := newTestExtractor(t)
	for _, name := range []string{"000_594cca86a0db9b9c", "003_c00c0f458b041d9c"} {
		text, err := os.ReadFile(filepath.Join(seedDir, name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		var want seedExpect
		b, _ := os.ReadFile(filepath.Join(seedDir, name+".expected.json"))
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		body := wordHTML(string(text))
		jsonBody, _ := json.Marshal(map[string]string{"title": "年度报告", "content": body}) // Go escapes < as \u003c
		half := len(body) / 2
		for strings.IndexByte(body[half:], '<') != 0 {
			half++
		}
		chrome := `<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div><div id="zoom"></div>`
		pages := map[string]string{
			"let content":  chrome + `<script>let content = ` + jsQuote(body) + `;document.getElementById('zoom').innerHTML = content;</script></body></html>`,
			"json \\u003C": chrome + `<script type="text/javascript">var data = ` + string(jsonBody) + `; render(data.content);</script></body></html>`,
			"concatenated": chrome + "<script>\n// the article\nvar html = " + jsQuote(body[:half]) + "\n  + " + jsQuote(body[half:]) + ";\n$('#zoom').html(html);</script></body></html>",
		}
		for variant, page := range pages {
			t.Run(name+"/"+variant, func(t *testing.T) {
				rec, err := e.Extract(context.Background(), Document{Body: []byte(page), Name: "page.html"})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(strings.Join(rec.Warnings, "\n"), "script string literal") {
					t.Errorf("no warning that the report was read from a script string: %v", rec.Warnings)
				}
				compareTable(t, "active", rec.Active, want.Active)
				compareTable(t, "requests", rec.Requests, want.Requests)
				compareTable(t, "review_litigation", rec.ReviewLitigation, want.ReviewLitigation)
				if string(rec.Organisation) != want.Organisation || rec.Year == nil || *rec.Year != want.Year {
					t.Errorf("organisation %q year %v, want %q %d", rec.Organisation, rec.Year, want.Organisation, want.Year)
				}
			})
		}
	}
}

func TestJSStrings(t *testing.T) {
	for src, want := range map[string][]string{
		`let a = 'it\'s'; var b = "say \"hi\"";`:          {"it's", `say "hi"`},
		`x = '\u003Cp\u003E' + "\x3C/p>" // c 'no'`:       {"<p></p>"},
		"/* 'no' */ f(`tpl`, '\\uD83D\\uDE00', 'a\\\nb')": {"tpl", "😀", "ab"},
		`s = 'unterminated`:                               {"unterminated"},
		`s = '\`:                                          {`\`},
	} {
		got := jsStrings(src)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("jsStrings(%q) = %q, want %q", src, got, want)
		}
	}
}

// A page whose own markup holds the report is read from its markup, even when
// a script carries some HTML too.
func TestScriptHTMLOnlyWhenLarger(t *testing.T) {
	w := &htmlWalker{lines: []Line{{Cells: []string{strings.Repeat("政府信息公开", 400)}}}}
	page := `<script>var t = '<p>政府信息公开</p><p>a</p><p>b</p><table><tr><td>` + strings.Repeat("x", 300) + `</td></tr></table>';</script>`
	if _, ok, _ := scriptCarried(page, w); ok {
		t.Error("a script string shorter than the page's own text was read instead of it")
	}
	if _, ok, _ := scriptCarried(page, &htmlWalker{}); !ok {
		t.Error("a script string on a page with no text of its own was not read")
	}
}
