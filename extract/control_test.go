package extract

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// hostile puts terminal escapes around and inside a title: a colour (CSI),
// a window title set by OSC ended with BEL, a link ended with ST, a C1 CSI,
// a bell and a backspace-over-text spoof (no NUL: a text with one is binary).
func hostile(title string) string {
	head, tail := title[:9], title[9:] // 云浮市
	return "\x1b[31m\x1b]0;pwned\x07\x1b]8;;http://evil.example/\x1b\\" + head + "\u009b2J\a" + tail + "\x08\x08"
}

// Control characters and escape sequences in a document's title and text,
// whether bytes or character references, never reach the record: each is
// removed whole (no "[31m" left behind) and their number said in a warning;
// tabs and newlines stay, and the report reads as it did.
func TestControlCharactersNeverReachTheRecord(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	text, err := os.ReadFile(filepath.Join(seedDir, "000_594cca86a0db9b9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(text), "\n", 3)
	plain, err := e.Extract(context.Background(), Document{Body: text, Name: "plain.txt"})
	if err != nil {
		t.Fatal(err)
	}
	hostileText := hostile(lines[0]) + "\n" + lines[1] + "\x1b[2J\x1b[H\n" + strings.ReplaceAll(lines[2], "年度报告", "年度\x1b[8m报告\x1b[0m")
	page := "<html><head><title>&#x1b;]0;pwned&#x7;&#0;" + lines[0] + "&#x9b;1m</title></head><body><h1>" + lines[0] +
		"\x1b]0;owned\x1b\\</h1><p>" + strings.ReplaceAll(lines[2], "\n", "</p><p>\x7f") + "</p>" +
		`<a href="/nb/2021.pdf">附件&#x1b;[5m：年度报告</a></body></html>`
	for _, doc := range []Document{
		{Body: []byte(hostileText), Name: "hostile.txt"},
		{Body: []byte(page), Name: "hostile.html", URL: "https://www.example.gov.cn/nb/2021.html"},
	} {
		rec, err := e.Extract(context.Background(), doc)
		if err != nil {
			t.Fatalf("%s: %v", doc.Name, err)
		}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var strs []string
		collectStrings(t, b, &strs)
		for _, s := range strs {
			for _, r := range s {
				if r != '\t' && r != '\n' && unicode.IsControl(r) {
					t.Errorf("%s: %U in the record: %q", doc.Name, r, s)
				}
			}
			if strings.Contains(s, "[31m") || strings.Contains(s, "pwned") || strings.Contains(s, "owned\\") || strings.Contains(s, "[2J") {
				t.Errorf("%s: an escape sequence's rest in the record: %q", doc.Name, s)
			}
		}
		if !strings.Contains(strings.Join(rec.Warnings, "\n"), "control character(s) or terminal escape sequence(s)") {
			t.Errorf("%s: no warning counts what was removed: %q", doc.Name, rec.Warnings)
		}
		if doc.Name == "hostile.txt" && (rec.Title != plain.Title || rec.Organisation != plain.Organisation) {
			t.Errorf("%s: title %q, organisation %q; want %q, %q as without the escapes", doc.Name, rec.Title, rec.Organisation, plain.Title, plain.Organisation)
		}
		if rec.Template != plain.Template || *rec.Year != *plain.Year || rec.Requests == nil {
			t.Errorf("%s: the report no longer reads as itself: %s %v", doc.Name, rec.Template, rec.Year)
		}
	}
	for _, w := range plain.Warnings {
		if strings.Contains(w, "control character") {
			t.Errorf("a plain report warns of controls: %q", w)
		}
	}
}

// collectStrings gathers every string of a JSON value.
func collectStrings(t *testing.T, b []byte, out *[]string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			*out = append(*out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				*out = append(*out, k)
				walk(e)
			}
		}
	}
	walk(v)
}

// Each escape sequence is removed whole, up to its end and no further.
func TestEscapeSequencesRemovedWhole(t *testing.T) {
	for in, want := range map[string]string{
		"a\x1b[1;31mb":             "ab",
		"a\x1b]0;title\x07b":       "ab",
		"a\x1b]0;title\x1b\\b":     "ab",
		"a\x1b]0;unterminated\nb":  "a\nb",
		"a\u009b31mb":              "ab",
		"a\u009d0;t\u009cb":        "ab",
		"a\x1bcb":                  "ab",
		"a\x00b\x7fc\u0085d\r\n\t": "abcd\n\t",
		"年度报告":                     "年度报告",
		"\x1b":                     "",
	} {
		var c controls
		if got := c.clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
