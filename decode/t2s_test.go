package decode

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/liuzl/gocc"
	"github.com/nianbao/nianbao/samples"
)

// realTexts gives every real text the project holds, decoded: the real
// fixtures and seeds beside the project (../shared/fixtures; the PDF's text
// layer is left to the extractor's tests) and the samples.
func realTexts(t *testing.T) map[string]string {
	t.Helper()
	d := newDecoder(t)
	out := map[string]string{}
	for _, dir := range []string{"../../shared/fixtures/real", "../../shared/fixtures/seeds"} {
		paths, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			switch filepath.Ext(p) {
			case ".txt", ".md", ".html":
			default:
				continue
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[p] = d.Bytes(raw, "", filepath.Ext(p) == ".html").Text
		}
	}
	for _, name := range samples.Documents() {
		raw, err := fs.ReadFile(samples.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		out["samples/"+name] = d.Bytes(raw, "", true).Text
	}
	if len(out) < 20 {
		t.Fatalf("found only %d real texts: is ../shared/fixtures beside the project?", len(out))
	}
	return out
}

// The converter gives, on every real text, exactly what gocc's Convert gives:
// on the text as it is (one of them Big5, traditional), on its traditional
// rendering (gocc s2t: a text dense in the phrases t2s converts as one), and
// on that rendering's lines joined into one line.
func TestConvertEqualsOpenCC(t *testing.T) {
	t2s, err := gocc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	s2t, err := gocc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	texts := realTexts(t)
	// Phrases that begin with a shorter phrase: the longest must win.
	texts["phrases"] = "乾坤大挪移，乾隆年間反覆思量的幺麼小丑；一目瞭然，乾坤；藉藉无名；覆盆子；酒逢知己千鍾少話不投機半句多"
	phrases := 0
	for name, text := range texts {
		trad, err := s2t.Convert(text)
		if err != nil {
			t.Fatal(err)
		}
		for i, in := range []string{text, trad, strings.ReplaceAll(trad, "\n", "")} {
			want, err := t2s.Convert(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := convert(t2s, in); got != want {
				t.Fatalf("%s (form %d): converted text differs from gocc's at byte %d", name, i, firstDiff(got, want))
			}
		}
		for _, p := range []string{"資訊", "瞭解", "乾淨", "於是"} {
			phrases += strings.Count(trad, p)
		}
	}
	if phrases == 0 {
		t.Fatal("the traditional renderings hold no phrase the dictionaries convert as one: the test proves too little")
	}
}

// isControl reports whether r is a C0 control character (a byte below 0x20).
func isControl(r rune) bool { return r < 0x20 }

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// FuzzConvert: on any valid UTF-8 the converter gives gocc's result, but
// for control characters, which it keeps where gocc may drop one after a
// key or write the next character twice: with them, the text between them
// converts as gocc converts it alone, and they are kept in place.
func FuzzConvert(f *testing.F) {
	t2s, err := gocc.New("t2s")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("一目瞭然，不瞭解；上鍊")
	f.Add("本機關政府資訊公開工作年度報告\n依據條例規定編製")
	f.Add("乾乾淨淨乾隆於是於")
	f.Add("乾坤大挪移乾隆年間反覆性藉藉无名")
	f.Add("a\tb 瞭\n解")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		parts := strings.FieldsFunc(s, isControl)
		var want strings.Builder
		k := 0
		for i := 0; i < len(s); {
			if isControl(rune(s[i])) {
				want.WriteByte(s[i])
				i++
				continue
			}
			w, err := t2s.Convert(parts[k])
			if err != nil {
				t.Skip(err)
			}
			want.WriteString(w)
			i += len(parts[k])
			k++
		}
		if got := convert(t2s, s); got != want.String() {
			t.Fatalf("convert(%q) = %q, gocc gives %q", s, got, want.String())
		}
	})
}

// BenchmarkConvert: the converter against gocc's Convert on 1 MB of
// traditional report prose (bytes/s and allocations a run).
func BenchmarkConvert(b *testing.B) {
	t2s, err := gocc.New("t2s")
	if err != nil {
		b.Fatal(err)
	}
	line := "本機關政府資訊公開工作年度報告，依據條例規定編製，內容包括總體情況與處理申請情況。\n"
	text := strings.Repeat(line, (1<<20)/len(line))
	b.Run("nianbao", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			convert(t2s, text)
		}
	})
	b.Run("gocc", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := t2s.Convert(text); err != nil {
				b.Fatal(err)
			}
		}
	})
}
