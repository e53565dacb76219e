package extract

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/nianbao/nianbao/samples"
)

// The seeds (real reports) in the other shapes they circulate in: flattened
// onto one line by a crawler's dump (cells run together, or space-separated),
// as markdown pipe tables, as HTML a script writes into the page, as text with
// its columns set apart by spaces. Whatever a shape loses, no cell may hold a
// wrong number and no organisation, year or template may be wrong; the
// shapes that lose nothing must read every cell.
func TestSeedsReshaped(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	defer e.Close()
	exps, _ := filepath.Glob(filepath.Join(seedDir, "*.expected.json"))
	if len(exps) == 0 {
		t.Fatalf("no seeds in %s", seedDir)
	}
	for _, sh := range []struct {
		name    string
		reshape func(string) string
		file    string
		mark    float64
	}{
		{"flattened, cells run together", func(s string) string { return flattenLines(s, "") }, "dump.txt", 0.8},
		{"flattened, cells spaced", func(s string) string { return flattenLines(s, " ") }, "dump.txt", 0.8},
		{"markdown", toMarkdown, "report.md", 1},
		{"markdown with HTML tables", toMarkdownHTML, "report.md", 1},
		{"HTML in a script string", inScript, "page.html", 1},
		{"HTML nested past the parser's depth", nestedDeep, "page.html", 1},
		{"HTML in UTF-16LE with a byte order mark", func(s string) string { return utf16Page(s, false, true) }, "page.html", 1},
		{"HTML in UTF-16BE without one", func(s string) string { return utf16Page(s, true, false) }, "page.html", 1},
		{"columns set apart by spaces", func(s string) string { return strings.ReplaceAll(s, "\t", "   ") }, "report.txt", 0.9},
	} {
		right, total := 0, 0
		for _, exp := range exps {
			base := strings.TrimSuffix(exp, ".expected.json")
			body, err := os.ReadFile(base + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			var want realExpect
			b, err := os.ReadFile(exp)
			if err == nil {
				err = json.Unmarshal(b, &want)
			}
			if err != nil {
				t.Fatal(err)
			}
			rec, err := e.Extract(context.Background(), Document{Body: []byte(sh.reshape(string(body))), Name: sh.file})
			if err != nil {
				t.Fatalf("%s, %s: %v", sh.name, filepath.Base(base), err)
			}
			r, n, wrong, _, meta := score(rec, want)
			right, total = right+r, total+n
			if rec.Organisation == "" && len(meta) == 1 && meta[0] == "organisation " {
				meta = nil // left null: lost with the page's lines, not wrong
			}
			if len(wrong) > 0 || len(meta) > 0 {
				t.Errorf("%s, %s: wrong cells %v, wrong metadata %v", sh.name, filepath.Base(base), wrong, meta)
			}
		}
		t.Logf("%s: %d/%d cells", sh.name, right, total)
		if float64(right) < sh.mark*float64(total) {
			t.Errorf("%s: %d/%d cells, under %.0f%%", sh.name, right, total, 100*sh.mark)
		}
	}
}

// flattenLines puts a report on one line as page dumps do: cells joined by sep,
// lines by a space.
func flattenLines(s, sep string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, strings.ReplaceAll(l, "\t", sep))
	}
	return strings.Join(out, " ")
}

// toMarkdown sets a report's tab-separated rows as pipe tables (the first
// row of each as the header) and its section headings as headings.
func toMarkdown(s string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "\t") {
			cells := strings.Split(l, "\t")
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			if !in {
				b.WriteString("|" + strings.Repeat(" --- |", len(cells)) + "\n")
				in = true
			}
			continue
		}
		if in {
			b.WriteString("\n")
			in = false
		}
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "一、") || strings.HasPrefix(t, "二、") || strings.HasPrefix(t, "三、") || strings.HasPrefix(t, "四、") {
			b.WriteString("## " + t + "\n\n")
			continue
		}
		b.WriteString(l + "\n\n")
	}
	return b.String()
}

// toMarkdownHTML writes a report as PDF→markdown converters that keep merged
// cells do (MinerU and others): headings marked, each table one line of HTML.
func toMarkdownHTML(s string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "\t") {
			if !in {
				b.WriteString("<table>")
				in = true
			}
			b.WriteString("<tr><td>" + strings.Join(strings.Split(html.EscapeString(l), "\t"), "</td><td>") + "</td></tr>")
			continue
		}
		if in {
			b.WriteString("</table>\n\n")
			in = false
		}
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "一、") || strings.HasPrefix(t, "二、") || strings.HasPrefix(t, "三、") || strings.HasPrefix(t, "四、") || strings.HasPrefix(t, "五、") {
			b.WriteString("# " + t + "\n\n")
			continue
		}
		b.WriteString(l + "\n\n")
	}
	if in {
		b.WriteString("</table>\n")
	}
	return b.String()
}

// nestedDeep wraps a report's Word-pasted page in 2,000 nested <div>s, past
// the 512 open elements x/net/html builds a tree for.
func nestedDeep(s string) string {
	page := samples.WordPasted(s)
	at := strings.Index(page, "<body>") + len("<body>")
	return page[:at] + strings.Repeat("<div>", 2000) + page[at:]
}

// utf16Page encodes a report's Word-pasted page as UTF-16 (as some Windows
// tools save pages), with or without a byte order mark.
func utf16Page(s string, bigEndian, bom bool) string {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
		if bigEndian {
			b = []byte{0xFE, 0xFF}
		}
	}
	for _, u := range utf16.Encode([]rune(strings.Replace(samples.WordPasted(s), `<meta charset="utf-8">`, "", 1))) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// inScript carries a report's Word-pasted page in a script's string literal
// that the page writes into itself.
func inScript(s string) string {
	h := samples.WordPasted(s)
	h = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(h)
	return `<html><head><title>政府信息公开</title></head><body><div id="c"></div><script>let content = '` + h +
		`'; document.getElementById("c").innerHTML = content;</script></body></html>`
}

// A UTF-8 page with one stray byte (0xFF in a paragraph, as real pages carry)
// is still read as UTF-8, whether the charset is in the header, in <meta> or
// nowhere: every cell, the byte replaced and counted in a warning.
func TestStrayByteKeepsThePage(t *testing.T) {
	e := newTestExtractor(t)
	defer e.Close()
	exps, _ := filepath.Glob(filepath.Join(seedDir, "*.expected.json"))
	for _, declared := range []string{"header", "meta", "none"} {
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
			page := samples.WordPasted(string(text))
			ct := ""
			switch declared {
			case "header":
				ct = "text/html; charset=utf-8"
				page = strings.Replace(page, `<meta charset="utf-8">`, "", 1)
			case "none":
				page = strings.Replace(page, `<meta charset="utf-8">`, "", 1)
			}
			at := strings.Index(page, "一、")
			body := []byte(page[:at] + "\xff" + page[at:])
			rec, err := e.Extract(context.Background(), Document{Body: body, Name: "page.html", ContentType: ct})
			if err != nil {
				t.Fatal(err)
			}
			r, n, wrong, _, meta := score(rec, want)
			if r != n || len(wrong) > 0 || len(meta) > 0 || rec.Source.Encoding != "utf-8" {
				t.Errorf("charset in %s, %s: %d/%d cells, wrong %v %v, read as %s", declared, filepath.Base(base), r, n, wrong, meta, rec.Source.Encoding)
			}
			if !strings.Contains(strings.Join(rec.Warnings, "\n"), "stray byte") {
				t.Errorf("charset in %s, %s: the stray byte is not in the warnings", declared, filepath.Base(base))
			}
		}
	}
}
