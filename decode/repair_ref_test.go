package decode

// The repair of mojibake as it was before it worked a run at a time (F1: its
// map and per-character encodings cost ~50 times a garbled line's size); kept
// only as the reference the present repair must equal (TestRepairEqualsReference).

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// repairMojibakeRef finds runs of characters that are GBK bytes decoded one byte out
// of step (a page cut or re-encoded mid-character) and decodes those bytes again
// in step. A run is replaced only when the realigned text holds no junk at all.
func (d *Decoder) repairMojibakeRef(s string) (string, repairStats) {
	var st repairStats
	if !strings.ContainsFunc(s, junk) {
		return s, st
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if countJunk(line) < 2 {
			continue
		}
		lines[i] = d.repairLineRef(line, &st)
	}
	return strings.Join(lines, "\n"), st
}

// repairLineRef works on the line's GB18030 bytes, keeping a map from byte offsets to
// the original characters so that a repair replaces whole characters.
func (d *Decoder) repairLineRef(line string, st *repairStats) string {
	runes := []rune(line)
	enc := simplifiedchinese.GB18030.NewEncoder()
	var buf []byte
	starts := make([]int, len(runes)+1) // byte offset of each rune
	for i, r := range runes {
		starts[i] = len(buf)
		b, err := enc.Bytes([]byte(string(r)))
		if err != nil {
			return line
		}
		buf = append(buf, b...)
	}
	starts[len(runes)] = len(buf)
	boundary := make(map[int]int, len(runes)+1) // byte offset → rune index
	for i, off := range starts {
		boundary[off] = i
	}

	var out strings.Builder
	i := 0
	for i < len(runes) {
		// A run of non-ASCII characters with at least two junk ones.
		if runes[i] < 0x80 {
			out.WriteRune(runes[i])
			i++
			continue
		}
		j := i
		for j < len(runes) && runes[j] >= 0x80 {
			j++
		}
		if countJunk(string(runes[i:j])) < 2 {
			out.WriteString(string(runes[i:j]))
			i = j
			continue
		}
		repl, end, crossed, ok := realignRef(buf, starts[i]+1, starts[j])
		endRune, aligned := boundary[end]
		if !ok || !aligned || countJunk(repl) > 0 {
			st.unrepaired++
			out.WriteString(string(runes[i:j]))
			i = j
			continue
		}
		st.repaired++
		st.lost++ // the character whose second byte opened the run
		if crossed {
			// The last character took its second byte from past the run: right when
			// the garbling lost nothing there (監 = B1 4F), wrong when it did. Keep it
			// only if it is a frequent character.
			last, size := utf8.DecodeLastRuneInString(repl)
			if !d.common[last] && !d.trad[last] {
				repl = repl[:len(repl)-size]
				st.lost++
			}
		}
		// A '?' just before the run stood for the lost byte pair: drop it.
		if o := out.String(); strings.HasSuffix(o, "?") {
			trimmed := o[:len(o)-1]
			out.Reset()
			out.WriteString(trimmed)
		}
		out.WriteString(repl)
		i = endRune
	}
	return out.String()
}

// realignRef decodes GBK two-byte characters from start until it reaches an ASCII
// byte at or past runEnd; it returns the text and where it stopped. An orphan
// lead byte before an ASCII byte is dropped (counted as lost by the caller).
func realignRef(buf []byte, start, runEnd int) (text string, end int, crossed, ok bool) {
	var out strings.Builder
	dec := simplifiedchinese.GB18030.NewDecoder()
	p := start
	for p < len(buf) {
		c := buf[p]
		if c < 0x80 {
			if p >= runEnd {
				break
			}
			out.WriteByte(c)
			p++
			continue
		}
		if p+1 >= len(buf) {
			p++ // orphan at the end of the line
			break
		}
		t := buf[p+1]
		if c < 0x81 || c == 0xFF || t < 0x40 || t == 0x7F || t == 0xFF {
			if t < 0x80 && p+1 >= runEnd {
				p++ // orphan lead before the ASCII that ends the run
				break
			}
			return "", p, false, false
		}
		if t >= 0x30 && t <= 0x39 { // a four-byte GB18030 sequence: not two-byte mojibake
			return "", p, false, false
		}
		r, err := dec.Bytes(buf[p : p+2])
		if err != nil || !utf8.Valid(r) {
			return "", p, false, false
		}
		out.Write(r)
		crossed = p+1 >= runEnd
		p += 2
		if p >= runEnd {
			break
		}
	}
	return out.String(), p, crossed, out.Len() > 0
}

// garble reads every other line's GBK bytes one byte out of step, as seed 004
// was garbled: the mojibake the repair looks for, in real prose.
func garble(t testing.TB, text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if i%2 == 1 {
			continue
		}
		b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(line))
		if err != nil || len(b) < 2 {
			continue
		}
		g, _ := simplifiedchinese.GBK.NewDecoder().Bytes(b[1:])
		lines[i] = "?" + strings.ToValidUTF8(string(g), "\uFFFD")
	}
	return strings.Join(lines, "\n")
}

// The repair a run at a time gives what the repair of whole lines gave, with
// the same counts, on every real text and on every real text garbled.
func TestRepairEqualsReference(t *testing.T) {
	d := newDecoder(t)
	repaired := 0
	for name, text := range realTexts(t) {
		for i, in := range []string{text, garble(t, text), strings.ReplaceAll(garble(t, text), "\n", " ")} {
			want, wantSt := d.repairMojibakeRef(in)
			got, gotSt := d.repairMojibake(in)
			if got != want || gotSt != wantSt {
				t.Fatalf("%s (form %d): repair differs from the reference at byte %d; counts %+v, want %+v",
					name, i, firstDiff(got, want), gotSt, wantSt)
			}
			repaired += gotSt.repaired
		}
	}
	if repaired == 0 {
		t.Fatal("no run was repaired: the test proves too little")
	}
}

// FuzzRepair: on any valid UTF-8 the repair gives the reference's result.
func FuzzRepair(f *testing.F) {
	d := newDecoder(f)
	f.Add("?。ㄎ澹┍O(jiān)督保障方面\t1\n區(qū)")
	f.Add("正常文字┲┳┴ぷ鲗结束")
	f.Add(garble(f, sample))
	f.Add(garble(f, "（五）監督保障方面\n一、總體情況"))
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		want, wantSt := d.repairMojibakeRef(s)
		got, gotSt := d.repairMojibake(s)
		if got != want || gotSt != wantSt {
			t.Fatalf("repair(%q) = %q %+v, reference %q %+v", s, got, gotSt, want, wantSt)
		}
	})
}
