package decode

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Cleaned is text after clean-up, with what was done to it.
type Cleaned struct {
	Text   string
	Script string // hans or hant: the script of the input
	// Unconverted is the text after every clean-up but the script conversion:
	// file names must be kept in the script the server uses.
	Unconverted string
	Warnings    []string
}

// CleanOptions says which clean-ups apply.
type CleanOptions struct {
	// StripMarkup removes tags and entities left in text (a PDF or page dump).
	StripMarkup bool
}

// Clean repairs mojibake, removes pinyin annotations (區(qū) → 區) and stray markup,
// and converts traditional characters to simplified ones. Tabs and newlines are
// kept exactly, so a document's cell and line structure survives.
func (d *Decoder) Clean(text string, opt CleanOptions) Cleaned {
	var warns []string
	if opt.StripMarkup {
		text = stripMarkup(text)
	}
	text, rep := d.repairMojibake(text)
	if rep.repaired > 0 {
		warns = append(warns, fmt.Sprintf("mojibake: repaired %d run(s) of GBK bytes read out of step (%d character(s) lost)", rep.repaired, rep.lost))
	}
	if rep.unrepaired > 0 {
		warns = append(warns, fmt.Sprintf("mojibake: %d run(s) of garbled characters could not be repaired", rep.unrepaired))
	}
	var n int
	text, n = removePinyin(text)
	if n > 0 {
		warns = append(warns, fmt.Sprintf("removed %d pinyin annotation(s) after characters", n))
	}
	script := "hans"
	unconverted := text
	if d.isTraditional(text) {
		script = "hant"
		conv, err := d.toSimplified(text)
		if err != nil {
			warns = append(warns, fmt.Sprintf("converting traditional to simplified: %v", err))
		} else {
			text = conv
		}
	}
	return Cleaned{Text: text, Script: script, Unconverted: unconverted, Warnings: warns}
}

// ToSimplified converts a short string (a name, a title) when it is traditional.
func (d *Decoder) ToSimplified(s string) string {
	if !d.hasTraditional(s) {
		return s
	}
	if conv, err := d.toSimplified(s); err == nil {
		return conv
	}
	return s
}

func (d *Decoder) hasTraditional(s string) bool {
	for _, r := range s {
		if d.trad[r] {
			return true
		}
	}
	return false
}

// isTraditional: at least three traditional-only characters, and at least 1% of
// the Han characters.
func (d *Decoder) isTraditional(s string) bool {
	han, trad := 0, 0
	for _, r := range s {
		if r >= 0x3400 && unicode.Is(unicode.Han, r) {
			han++
			if d.trad[r] {
				trad++
			}
		}
	}
	return trad >= 3 && trad*100 >= han
}

func stripMarkup(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	s = stripTags(s)
	if strings.Contains(s, "&") {
		s = unescapeInCells(s)
		s = strings.ReplaceAll(s, "\u00a0", " ")
	}
	return s
}

// stripTags removes what the regular expression
// </?[A-Za-z][A-Za-z0-9]*(?:[^\S\n\t][^<>\t\n]*)?/?> matches (a tag within one
// line and one cell: TestStripTagsEqualsRegexp holds it to the expression) into
// one buffer the size of the text: the expression's ReplaceAllString grew its
// buffer by quarters and copied it, 6 times the text in allocations.
func stripTags(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b once a tag was found
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		start := i + j
		end := tagEnd(s, start)
		if end < 0 {
			i = start + 1
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:start])
		done, i = end, end
	}
	if b.Cap() == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// tagEnd gives the end of the tag that opens at s[i] ('<'), or -1.
func tagEnd(s string, i int) int {
	i++
	if i < len(s) && s[i] == '/' {
		i++
	}
	if i >= len(s) || !isASCIILetter(s[i]) {
		return -1
	}
	for i++; i < len(s) && (isASCIILetter(s[i]) || s[i] >= '0' && s[i] <= '9'); i++ {
	}
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '>':
		return i + 1
	case '/':
		if i+1 < len(s) && s[i+1] == '>' {
			return i + 2
		}
	case ' ', '\f', '\r': // attributes: up to the first of < > tab newline, which must be >
		if k := strings.IndexAny(s[i:], "<>\t\n"); k >= 0 && s[i+k] == '>' {
			return i + k + 1
		}
	}
	return -1
}

func isASCIILetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// unescapeInCells unescapes the HTML references of each cell of each line on
// its own, never joining or splitting lines or cells: a reference to a line
// break or a tab (&#10;, &#9;, &NewLine;) becomes a space.
func unescapeInCells(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexAny(s, "\n\t")
		piece := s
		if i >= 0 {
			piece = s[:i]
		}
		if strings.Contains(piece, "&") {
			b.WriteString(strings.Map(func(r rune) rune {
				if r == '\n' || r == '\t' {
					return ' '
				}
				return r
			}, html.UnescapeString(piece)))
		} else {
			b.WriteString(piece)
		}
		if i < 0 {
			return b.String()
		}
		b.WriteByte(s[i])
		s = s[i+1:]
	}
}

// removePinyin drops a pinyin annotation after a Han character (區(qū) → 區,
// the annotation maybe on the next line): 1–7 pinyin letters in brackets, at
// least one with a tone mark. It looks only where a bracket opens, so a page
// without annotations costs one pass over its brackets.
func removePinyin(s string) (string, int) {
	if !strings.ContainsAny(s, "(（") {
		return s, 0
	}
	var b strings.Builder
	n, last := 0, 0
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], "(（")
		if j < 0 {
			break
		}
		open := i + j
		_, w := utf8.DecodeRuneInString(s[open:])
		end, ok := pinyinAt(s, open+w)
		if ok && hanBefore(s, open) {
			b.WriteString(s[last:open])
			last = end
			n++
		}
		i = open + w
	}
	if n == 0 {
		return s, 0
	}
	b.WriteString(s[last:])
	return b.String(), n
}

// pinyinAt reads 1–7 pinyin letters from i and the closing bracket; it gives
// the offset after the bracket and whether a tone mark was among them.
func pinyinAt(s string, i int) (int, bool) {
	letters, tone := 0, false
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ')' || r == '）':
			return i + w, letters >= 1 && tone
		case r >= 'a' && r <= 'z':
		case strings.ContainsRune("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ", r):
			tone = true
		case strings.ContainsRune("üê", r):
		default:
			return 0, false
		}
		if letters++; letters > 7 {
			return 0, false
		}
		i += w
	}
	return 0, false
}

// hanBefore: a Han character ends s[:i], maybe with one line break after it.
func hanBefore(s string, i int) bool {
	if i > 0 && s[i-1] == '\n' {
		i--
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.Is(unicode.Han, r)
}

// junk reports characters that real report prose almost never holds but that GBK
// bytes read one byte out of step produce: box drawing, kana, bopomofo, Greek,
// Cyrillic, private use, ⒈-style numbers, and the replacement character.
func junk(r rune) bool {
	switch {
	case r >= 0x2500 && r <= 0x257F, r >= 0x3040 && r <= 0x30FF, r >= 0x3100 && r <= 0x312F,
		r >= 0x0370 && r <= 0x03FF, r >= 0x0400 && r <= 0x04FF, r >= 0xE000 && r <= 0xF8FF,
		r >= 0x2488 && r <= 0x249B, r == 0xFFFD:
		return true
	}
	return false
}

type repairStats struct{ repaired, unrepaired, lost int }

// repairMojibake finds runs of characters that are GBK bytes decoded one byte out
// of step (a page cut or re-encoded mid-character) and decodes those bytes again
// in step. A run is replaced only when the realigned text holds no junk at all.
// It works a line at a time and copies the text only when a line changes, so
// its memory is the text's result and one garbled run's bytes (F1).
func (d *Decoder) repairMojibake(s string) (string, repairStats) {
	var st repairStats
	if !strings.ContainsFunc(s, junk) {
		return s, st
	}
	var r repairer
	var b strings.Builder
	done, changed := 0, false // s[:done] is in b once a line has changed
	for start := 0; start <= len(s); {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		if line := s[start:end]; countJunk(line) >= 2 {
			if fixed, ok := d.repairLine(line, &r, &st); ok {
				if !changed {
					b.Grow(len(s))
					changed = true
				}
				b.WriteString(s[done:start])
				b.Write(fixed)
				done = end
			}
		}
		start = end + 1
	}
	if !changed {
		return s, st
	}
	b.WriteString(s[done:])
	return b.String(), st
}

func countJunk(s string) int {
	n := 0
	for _, r := range s {
		if junk(r) {
			n++
		}
	}
	return n
}

func countJunkBytes(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if junk(r) {
			n++
		}
		b = b[size:]
	}
	return n
}

// repairer holds the buffers of one repair, reused from run to run.
type repairer struct {
	enc      *encoding.Encoder
	dec      *encoding.Decoder
	src, buf []byte // a run and its GB18030 bytes
	repl     []byte // the run realigned
	out      []byte // the line repaired
}

// repairLine works on each run of non-ASCII characters holding two junk ones
// or more: on the run's GB18030 bytes and the byte after it (the run ends at an
// ASCII character, one byte, or at the line's end). It gives the repaired line
// (r's buffer, good until the next call) when it changed it.
func (d *Decoder) repairLine(line string, r *repairer, st *repairStats) ([]byte, bool) {
	if r.enc == nil {
		r.enc = simplifiedchinese.GB18030.NewEncoder()
		r.dec = simplifiedchinese.GB18030.NewDecoder()
	}
	out := slices.Grow(r.out[:0], len(line))
	changed := false
	for i := 0; i < len(line); {
		if line[i] < utf8.RuneSelf {
			out = append(out, line[i])
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] >= utf8.RuneSelf {
			j++
		}
		run := line[i:j]
		if countJunk(run) < 2 {
			out = append(out, run...)
			i = j
			continue
		}
		// Invalid bytes are U+FFFD, as they were when the line was read as runes.
		r.src = append(r.src[:0], strings.ToValidUTF8(run, "\uFFFD")...)
		buf, _, err := transform.Append(r.enc, r.buf[:0], r.src)
		r.buf = buf
		if err != nil {
			return nil, false
		}
		runEnd := len(buf)
		if j < len(line) {
			buf = append(buf, line[j]) // the ASCII byte after the run
			r.buf = buf
		}
		repl, end, crossed, ok := realign(r.dec, r.repl, buf, 1, runEnd)
		r.repl = repl
		if !ok || end < runEnd || end > len(buf) || countJunkBytes(repl) > 0 {
			st.unrepaired++
			out = append(out, run...)
			i = j
			continue
		}
		st.repaired++
		st.lost++ // the character whose second byte opened the run
		if crossed {
			// The last character took its second byte from past the run: right when
			// the garbling lost nothing there (監 = B1 4F), wrong when it did. Keep it
			// only if it is a frequent character.
			last, size := utf8.DecodeLastRune(repl)
			if !d.common[last] && !d.trad[last] {
				repl = repl[:len(repl)-size]
				st.lost++
			}
		}
		// A '?' just before the run stood for the lost byte pair: drop it.
		if n := len(out); n > 0 && out[n-1] == '?' {
			out = out[:n-1]
		}
		out = append(out, repl...)
		i = j + (end - runEnd) // past the ASCII byte when the last character took it
		changed = true
	}
	r.out = out
	return out, changed
}

// realign decodes GBK two-byte characters from start until it reaches an ASCII
// byte at or past runEnd; it returns the text (in out's array, reused) and
// where it stopped. An orphan lead byte before an ASCII byte is dropped (counted
// as lost by the caller).
func realign(dec *encoding.Decoder, out, buf []byte, start, runEnd int) (text []byte, end int, crossed, ok bool) {
	out = slices.Grow(out[:0], (runEnd-start)/2*3+8) // two bytes give at most three
	var one [8]byte
	p := start
	for p < len(buf) {
		c := buf[p]
		if c < 0x80 {
			if p >= runEnd {
				break
			}
			out = append(out, c)
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
			return out, p, false, false
		}
		if t >= 0x30 && t <= 0x39 { // a four-byte GB18030 sequence: not two-byte mojibake
			return out, p, false, false
		}
		dec.Reset()
		n, _, err := dec.Transform(one[:], buf[p:p+2], true)
		if err != nil || !utf8.Valid(one[:n]) {
			return out, p, false, false
		}
		out = append(out, one[:n]...)
		crossed = p+1 >= runEnd
		p += 2
		if p >= runEnd {
			break
		}
	}
	return out, p, crossed, len(out) > 0
}

// tradOnlyChars are frequent characters that exist only in traditional script.
const tradOnlyChars = "們國會這個為與來時說對發經過還進學開關問應實業務區體後當從動將點現種樣氣電長門間東車馬見記語讓認論議證識讀變邊運選遠陽陰際隨難雙雜雞離韓頁順須領頭題願類飛養館髮鬥鳥麗麼黨齊龍萬專叢絲兩嚴喪臨舉義樂習鄉書買亂爭虧雲亞產畝親億僅倉儀價眾優傘偉傳傷倫偽餘傭償兒兌蘭興獸內岡冊寫軍農馮衝決況凍淨涼減湊凜幾鳳憑凱擊鑿劃劉則剛創刪別劑劇勸辦勵勁勞勢勛匯醫華協單賣盧衛卻廠廳歷厲壓厭縣參敘疊葉號嘆嚇嗎啟員吳聽呂嗚鹹響啞團園圍圖圓聖場壞塊堅壇壩墳墜壘壯聲殼壺處備復夠誇夾奪奮奧婦媽嬌孫寧寶寵審憲宮寬賓寢尋導壽爾塵層屬屆歲豈嶼幣帥師帳帶幫幹並廣慶庫廟廢異棄張彌彎彙歸錄徹徑態懷憶憂懲愛惡戀戰戲戶拋挾捨據掃揀揚換揮損搖搶攜擔擁擇擋擠擴攔攝敵數齋斷無舊曠曉暫曆樸機殺權條楊極構標樓欄櫃檔檢樹橋櫻歡漢湯溝沒滅澤潔灑灘濃淚瀉潑洶濟滬漁漸漲灣濕滿濾瀏濤燈災爐煉爛熱燒煙營爺牆牽犧獄獲獨獻瑪環琺瓊瓏畫畢療瘡癥盜盞監蓋盡盤睜瞞矯礦碼確礎禮禍禪稱穩窮窩竄竊競筆築範節簡籌簽籃糧緊糾紀約級紅紋納紐純紗紙紛線練組細織終綁結繞給絡絕統綱網綜綠緒總縮績續繩維綿緩編緣縫纖罰罷羅羨聯聰職肅腸膚腫脅脈腦臟臉臘臺艦艙艱藝蘆蘋荊莊莖莢薦藥蔣蓮蕭蘇蘊蟲蝦雖蠶蠻術補裝製複褲襲觀規視覽覺觸謝計訂訊討訓講許設訪評識訴診詞譯試詩誠話誕該詳誤請諸誰調談諒謀謊謎謂謹譜警讚豐豬貝負貢財責賢敗賬貨質販貪貧購貯貫貿費賀賊資賈賄賞賠賴賺賽贈贊趕趙躍蹤軌軟轉輪輕載較輔輛輩輸辭遼達遷過邁違連遲適遺郵鄰鄭醜釋裡鑒針釘鐘鋼鈴鐵鑄鍋錯鍵鎮鏡閃閉闖閒閘閱隊陣陸陳險隱隸霧靜靈韋頂項預頑頓頗頻額顏顧顯風颱飄飢飯飲飼飽飾駐駕駛騎驗驚驅鬆鬧魚鮮鳴鴨鵝鷹鹽麥黃齒齡龜"
