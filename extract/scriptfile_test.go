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

// A portal's JavaScript data file (not a page) whose report is a string
// literal assigned to a variable among other declarations, in the shape
// issue 33 reports from a real portal: let content = "<p style='…'>…", the
// markup's attributes in the other quote, its line breaks escaped. Read in
// either quote and with its markup escaped (\u003C), every seed reads as its
// page does.
func TestScriptFileCarriesTheReport(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	defer e.Close()
	exps, _ := filepath.Glob(filepath.Join(seedDir, "*.expected.json"))
	if len(exps) == 0 {
		t.Fatalf("no seeds in %s", seedDir)
	}
	wraps := map[string]func(string) string{
		"double quotes": func(page string) string {
			lit := strings.NewReplacer(`\`, `\\`, `"`, `'`, "\r", `\r`, "\n", `\r\n`).Replace(page)
			return "var pageId = \"4471\";\nvar columnName = \"政府信息公开年报\";\nlet content = \"" + lit + "\";\nvar source = \"办公室\";\n"
		},
		"single quotes, markup escaped": func(page string) string {
			lit := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "<", `\u003C`, ">", `\u003E`).Replace(page)
			return "/* generated */\nwindow.articleData = {id: 4471};\nvar content='" + lit + "', pub='2022-01-20';\n"
		},
	}
	for name, wrap := range wraps {
		for _, exp := range exps {
			base := strings.TrimSuffix(exp, ".expected.json")
			text, err := os.ReadFile(base + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			var want realExpect
			if b, err := os.ReadFile(exp); err != nil || json.Unmarshal(b, &want) != nil {
				t.Fatalf("reading %s", exp)
			}
			js := wrap(samples.WordPasted(string(text)))
			rec, err := e.Extract(context.Background(), Document{Body: []byte(js), Name: "content.js"})
			if err != nil {
				t.Fatal(err)
			}
			r, n, wrong, lost, meta := score(rec, want)
			if r != n || len(meta) > 0 {
				t.Errorf("%s, %s: %d/%d cells, wrong %v, lost %v, metadata %v", name, filepath.Base(base), r, n, wrong, lost, meta)
			}
			if !warned(rec, "the document is a script") {
				t.Errorf("%s, %s: no warning says the report came from a script's literal: %q", name, filepath.Base(base), rec.Warnings)
			}
		}
	}
}

// A page is never taken for a script, whatever its scripts hold.
func TestStartsAsScript(t *testing.T) {
	for text, want := range map[string]bool{
		"var content = \"<p>\";":                   true,
		"\ufeff// data\nlet a=1;":                  true,
		"/* x */ window.data = {};":                true,
		"document.write('<table>');":               true,
		"<html><script>var a = 1;</script></html>": false,
		"<!DOCTYPE html>\n<html>":                  false,
		"一、总体情况\nvar = 1":                          false,
		"jsonpCallback({\"data\": \"<p>年报</p>\"})": true,
		"a == b": false,
	} {
		if got := startsAsScript(text); got != want {
			t.Errorf("startsAsScript(%q) = %v, want %v", text, got, want)
		}
	}
}

// A detail service's JSON answer whose string holds the report's HTML (its
// markup escaped as encoding/json escapes it), titled beside it, reads as the
// page does, for every seed.
func TestJSONCarriesTheReport(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	defer e.Close()
	exps, _ := filepath.Glob(filepath.Join(seedDir, "*.expected.json"))
	if len(exps) == 0 {
		t.Fatalf("no seeds in %s", seedDir)
	}
	for _, exp := range exps {
		base := strings.TrimSuffix(exp, ".expected.json")
		text, err := os.ReadFile(base + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		var want realExpect
		if b, err := os.ReadFile(exp); err != nil || json.Unmarshal(b, &want) != nil {
			t.Fatalf("reading %s", exp)
		}
		title := ""
		for _, l := range strings.Split(string(text), "\n") {
			if l = strings.TrimSpace(l); looksLikeReportTitle(l) && strings.Contains(l, "年政府信息公开") {
				title = l // the report's title, as the service gives it beside the content
				break
			}
		}
		answer, err := json.Marshal(map[string]any{"code": 200, "msg": "success", "data": map[string]any{
			"id": 4471, "title": strings.TrimSpace(title), "pubDate": "2022-01-20", "content": samples.WordPasted(string(text))}})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := e.Extract(context.Background(), Document{Body: answer, Name: "detail.json"})
		if err != nil {
			t.Fatal(err)
		}
		r, n, wrong, lost, meta := score(rec, want)
		if r != n || len(meta) > 0 {
			t.Errorf("%s: %d/%d cells, wrong %v, lost %v, metadata %v", filepath.Base(base), r, n, wrong, lost, meta)
		}
		if !warned(rec, "the document is JSON") {
			t.Errorf("%s: no warning says the report came from a JSON string: %q", filepath.Base(base), rec.Warnings)
		}
	}
}
