package decode

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func newDecoder(t testing.TB) *Decoder {
	t.Helper()
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const sample = "一、总体情况\n2022年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息工作稳步推进。"

func gbk(t testing.TB, s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCharsets(t *testing.T) {
	d := newDecoder(t)
	big5, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte("一、總體情況\n2022年，本機關認真貫徹落實《中華人民共和國政府信息公開條例》，主動公開政府信息工作穩步推進。"))
	if err != nil {
		t.Fatal(err)
	}
	metaGBK := append([]byte(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>`), gbk(t, sample)...)
	cases := []struct {
		name, ct string
		raw      []byte
		markup   bool
		enc      string
		warn     string
	}{
		{"utf-8 with BOM", "", append([]byte{0xEF, 0xBB, 0xBF}, sample...), false, "utf-8", ""},
		{"utf-8 undeclared", "", []byte(sample), false, "utf-8", ""},
		{"gbk in header", "text/html; charset=GBK", gbk(t, sample), true, "gb18030", ""},
		{"gb2312 only in meta", "", metaGBK, true, "gb18030", ""},
		{"gbk undeclared", "", gbk(t, sample), false, "gb18030", ""},
		{"header claims utf-8 over gbk", "text/html; charset=utf-8", gbk(t, sample), true, "gb18030", "claims utf-8"},
		{"stale gb2312 meta over utf-8", "", []byte(`<meta charset="gb2312">` + sample), true, "utf-8", "valid utf-8"},
		{"big5 undeclared", "", big5, false, "big5", ""},
		{"iso-8859-1 header over gbk", "text/html; charset=ISO-8859-1", gbk(t, sample), true, "gb18030", "claims iso-8859-1"},
		{"malformed header", "text/html;charset=", gbk(t, sample), true, "gb18030", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := d.Bytes(c.raw, c.ct, c.markup)
			if got.Encoding != c.enc {
				t.Fatalf("encoding = %s, want %s (warnings %v)", got.Encoding, c.enc, got.Warnings)
			}
			if c.enc != "big5" && !strings.Contains(got.Text, "主动公开政府信息工作稳步推进") {
				t.Fatalf("text not decoded: %q", got.Text)
			}
			if c.enc == "big5" && !strings.Contains(got.Text, "主動公開政府信息工作穩步推進") {
				t.Fatalf("big5 text not decoded: %q", got.Text)
			}
			joined := strings.Join(got.Warnings, "; ")
			if c.warn == "" && joined != "" {
				t.Fatalf("unexpected warnings: %s", joined)
			}
			if c.warn != "" && !strings.Contains(joined, c.warn) {
				t.Fatalf("warnings %q lack %q", joined, c.warn)
			}
		})
	}
}

func TestGB18030FourByteUnderGB2312Label(t *testing.T) {
	d := newDecoder(t)
	// 𠀀 (U+20000) exists only in GB18030, as a four-byte sequence.
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("姓名：王𠀀，政府信息公开"))
	if err != nil {
		t.Fatal(err)
	}
	got := d.Bytes(b, "text/html; charset=gb2312", true)
	if !strings.Contains(got.Text, "王𠀀") || len(got.Warnings) > 0 {
		t.Fatalf("four-byte GB18030 character lost under a gb2312 label: %q %v", got.Text, got.Warnings)
	}
}

func TestInvalidBytesAreCounted(t *testing.T) {
	d := newDecoder(t)
	got := d.Bytes([]byte("abc\xff\xfe\xfd"), "text/plain; charset=utf-8", false)
	if len(got.Warnings) == 0 {
		t.Fatalf("undecodable bytes passed silently: %q", got.Text)
	}
}

func TestCleanPinyinAndScript(t *testing.T) {
	d := newDecoder(t)
	in := "番禺區(qū)政務(wù)公開工作，區（qū）政府門戶網站。結果(a)不變。"
	got := d.Clean(in, CleanOptions{})
	if got.Script != "hant" {
		t.Fatalf("script = %s, want hant", got.Script)
	}
	want := "番禺区政务公开工作，区政府门户网站。结果(a)不变。"
	if got.Text != want {
		t.Fatalf("clean = %q, want %q", got.Text, want)
	}
	if got.Unconverted != "番禺區政務公開工作，區政府門戶網站。結果(a)不變。" {
		t.Fatalf("unconverted = %q", got.Unconverted)
	}
}

func TestCleanLeavesSimplifiedAlone(t *testing.T) {
	d := newDecoder(t)
	in := "乾隆年间的著作与干货\t0\t12\n第二行"
	got := d.Clean(in, CleanOptions{})
	if got.Text != in || got.Script != "hans" {
		t.Fatalf("simplified text changed: %q (%s)", got.Text, got.Script)
	}
}

func TestStripMarkup(t *testing.T) {
	d := newDecoder(t)
	got := d.Clean("结\t果<i> </i>) I\n计&nbsp;划 &lt;b&gt;", CleanOptions{StripMarkup: true})
	if got.Text != "结\t果 ) I\n计 划 <b>" {
		t.Fatalf("strip = %q", got.Text)
	}
}

// A reference to a line break or a tab is a space: unescaping never adds a
// line or a cell (FuzzDecode found "&#010A88" made two lines of one).
func TestStripMarkupKeepsLinesAndCells(t *testing.T) {
	d := newDecoder(t)
	for in, want := range map[string]string{
		"&#010A88":                  " A88",
		"申请&#10;数\t12&#9;件\n合计":     "申请 数\t12 件\n合计",
		"a&NewLine;b&Tab;c &amp; d": "a b c & d",
	} {
		if got := d.Clean(in, CleanOptions{StripMarkup: true}); got.Text != want {
			t.Errorf("%q: strip = %q, want %q", in, got.Text, want)
		}
	}
}

// The garbling of seed 004: GBK bytes of traditional text read one byte out of
// step, leaving runs such as 。ㄎ澹┍O(jiān).
func TestRepairMojibake(t *testing.T) {
	d := newDecoder(t)
	orig := "（五）監督保障方面"
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("\u3000" + orig))
	if err != nil {
		t.Fatal(err)
	}
	// Read from the second byte: the first character is lost, the rest out of step.
	garbled, _ := simplifiedchinese.GBK.NewDecoder().Bytes(b[1:])
	g := "?" + string(garbled)
	if countJunk(g) < 2 {
		t.Fatalf("test input is not garbled enough: %q", g)
	}
	got := d.Clean(g, CleanOptions{})
	if !strings.Contains(got.Text, "（五）監督保障方面") { // one traditional character: below the script threshold
		t.Fatalf("repair of %q gave %q (%v)", g, got.Text, got.Warnings)
	}
	if !strings.Contains(strings.Join(got.Warnings, " "), "repaired 1 run") {
		t.Fatalf("repair not reported: %v", got.Warnings)
	}
}

func TestUnrepairableMojibakeIsReported(t *testing.T) {
	d := newDecoder(t)
	got := d.Clean("正常文字┲┳┴ぷ鲗结束", CleanOptions{})
	if !strings.Contains(strings.Join(got.Warnings, " "), "could not be repaired") {
		t.Fatalf("garbled run not reported: %v", got.Warnings)
	}
	if !strings.Contains(got.Text, "正常文字") {
		t.Fatalf("text around the garbled run lost: %q", got.Text)
	}
}

// TestDetectTie: bytes that read as no more common Chinese in GB18030 than in
// Big5 (here: none in either) are left to chardet, and Latin text with no
// declared charset stays Latin.
func TestDetectTie(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade: r\xe9sum\xe9 of the d\xe9j\xe0 vu. " +
		"Les \xe9l\xe8ves \xe9tudient le fran\xe7ais \xe0 l'\xe9cole; o\xf9 est la biblioth\xe8que?")
	got := d.Bytes(raw, "", false)
	if got.Encoding != "windows-1252" || !strings.Contains(got.Text, "Café crème") {
		t.Errorf("latin text: %s, %q", got.Encoding, got.Text)
	}
}

// Decoding into the text's buffer gives what decoding into a slice gave, on
// every real text in GB18030, Big5 and UTF-16, cut mid-character, and on
// random bytes.
func TestFinishEqualsWholeDecoding(t *testing.T) {
	random := make([]byte, 1<<16)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	encs := []struct {
		name string
		enc  encoding.Encoding
	}{
		{"gb18030", simplifiedchinese.GB18030},
		{"big5", traditionalchinese.Big5},
		{"utf-16le", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)},
	}
	for name, text := range realTexts(t) {
		for _, e := range encs {
			raw, err := encoding.ReplaceUnsupported(e.enc.NewEncoder()).Bytes([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range [][]byte{raw, raw[:len(raw)-1], random} {
				want, _ := e.enc.NewDecoder().Bytes(in)
				if got := finish(in, e.enc, e.name, nil).Text; got != strings.ReplaceAll(string(want), "\x00", "") {
					t.Fatalf("%s as %s (%d bytes): text differs at byte %d", name, e.name, len(in), firstDiff(got, string(want)))
				}
			}
		}
	}
}

// tagRe is what stripTags removes, as it was removed before F1.
var tagRe = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(?:[^\S\n\t][^<>\t\n]*)?/?>`)

// stripTags removes what tagRe matches, on every real text and on tags of
// every shape the expression tells apart.
func TestStripTagsEqualsRegexp(t *testing.T) {
	texts := realTexts(t)
	texts["shapes"] = "<b>x</b><br/><br /><p class=\"a\">y</p><a\thref>z</a><a\rb>" +
		"<1a><a <b>c>< a><a/ ><A9 x=1/>\n<i\n>w</i><x\f>< /y><img src=a.png>" +
		"<a href=1<b>tail<a href=2\tx>t2<a b=\"<\">end<a b=\"c\" <"
	removed := 0
	for name, text := range texts {
		want := tagRe.ReplaceAllString(text, "")
		if got := stripTags(text); got != want {
			t.Fatalf("%s: stripped text differs from the expression's at byte %d", name, firstDiff(got, want))
		}
		removed += len(text) - len(want)
	}
	if removed == 0 {
		t.Fatal("no tag was removed: the test proves too little")
	}
}

// FuzzStripTags: on any text stripTags removes what tagRe matches.
func FuzzStripTags(f *testing.F) {
	f.Add("<b>x</b><br/><p class=\"a\">y</p><a\thref>z</a>")
	f.Add("<a <b>c>< a><a/ ><A9 x=1/>\n<i\n>w</i><x\f>")
	f.Add("<a href=1<b>tail<a href=2\tx>t2<a b=\"<\">end")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := stripTags(s), tagRe.ReplaceAllString(s, ""); got != want {
			t.Fatalf("stripTags(%q) = %q, the expression gives %q", s, got, want)
		}
	})
}
