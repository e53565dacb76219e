package decode

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecode: any bytes under any header decode to valid UTF-8, and clean-up
// keeps the line and cell structure.
func FuzzDecode(f *testing.F) {
	d := newDecoder(f)
	f.Add([]byte(sample), "text/html; charset=utf-8", true)
	f.Add(gbk(f, sample), "", false)
	f.Add([]byte("?。ㄎ澹┍O(jiān)督保障方面\t1\n區(qū)"), "text/plain; charset=gb2312", false)
	f.Add([]byte{0xFF, 0xFE, 0x00, 0xD8}, "text/html;charset=\"", true)
	f.Fuzz(func(t *testing.T, raw []byte, ct string, markup bool) {
		got := d.Bytes(raw, ct, markup)
		if !utf8.ValidString(got.Text) {
			t.Fatalf("invalid UTF-8 from %q", raw)
		}
		cl := d.Clean(got.Text, CleanOptions{StripMarkup: markup})
		if !utf8.ValidString(cl.Text) {
			t.Fatal("clean produced invalid UTF-8")
		}
		if strings.Count(cl.Text, "\n") != strings.Count(got.Text, "\n") {
			t.Fatalf("clean changed the line count of %q: %q", got.Text, cl.Text)
		}
		if !markup && strings.Count(cl.Text, "\t") != strings.Count(got.Text, "\t") {
			t.Fatalf("clean changed the cell count of %q: %q", got.Text, cl.Text)
		}
	})
}
