// Package decode turns the raw bytes of a government page or document into clean
// simplified-Chinese text: it finds the charset (BOM, HTTP header, <meta>, then
// validation and detection), repairs or reports mojibake, removes pinyin annotations
// and stray markup, and converts traditional characters to simplified ones.
package decode

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"github.com/liuzl/gocc"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Decoder decodes and cleans documents. It is safe for concurrent use.
type Decoder struct {
	common map[rune]bool // frequent characters, both scripts: scores a decoding
	trad   map[rune]bool // characters that exist only in traditional script
	// The traditional → simplified dictionaries (embedded in the binary) take
	// megabytes once loaded: they are loaded at the first traditional text.
	t2sOnce sync.Once
	t2s     *gocc.OpenCC
	t2sErr  error
}

// New prepares a decoder.
func New() (*Decoder, error) {
	return &Decoder{common: runeSet(commonChars), trad: runeSet(tradOnlyChars)}, nil
}

// toSimplified converts traditional text, loading the dictionaries the first
// time. Its memory is the text and its conversion (convert, t2s.go).
func (d *Decoder) toSimplified(text string) (string, error) {
	d.t2sOnce.Do(func() {
		if d.t2s, d.t2sErr = gocc.New("t2s"); d.t2sErr != nil {
			d.t2sErr = fmt.Errorf("loading the OpenCC t2s dictionaries: %w", d.t2sErr)
		}
	})
	if d.t2sErr != nil {
		return "", d.t2sErr
	}
	return convert(d.t2s, text), nil
}

// Decoded is the text of a document in UTF-8 with how it was found.
type Decoded struct {
	Text     string
	Encoding string   // utf-8, gb18030, big5, utf-16le, …
	Warnings []string // e.g. a header that claimed the wrong charset
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)`)

// CharsetFromContentType returns the charset parameter of a Content-Type header.
func CharsetFromContentType(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Real servers send things like "text/html;charset=gbk;": take what is readable.
		lower := strings.ToLower(contentType) // may differ in length from the original
		if i := strings.Index(lower, "charset="); i >= 0 {
			fields := strings.FieldsFunc(lower[i+len("charset="):], func(r rune) bool { return r == ';' || r == ' ' })
			if len(fields) == 0 {
				return ""
			}
			return strings.ToLower(strings.Trim(fields[0], `"'`))
		}
		return ""
	}
	return strings.ToLower(strings.Trim(params["charset"], `"' `))
}

// MetaCharset returns the charset a document declares in a <meta> tag within its
// first 4 KiB, or "".
func MetaCharset(raw []byte) string {
	head := raw
	if len(head) > 4096 {
		head = head[:4096]
	}
	m := metaCharset.FindSubmatch(head)
	if m == nil {
		return ""
	}
	return strings.ToLower(string(m[1]))
}

type family int

const (
	famNone family = iota
	famUTF8
	famGB
	famBig5
	famSingleByte
	famOther
)

func classify(label string) family {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "":
		return famNone
	case "utf-8", "utf8", "unicode-1-1-utf-8":
		return famUTF8
	case "gb2312", "gbk", "gb18030", "gb-18030", "x-gbk", "cp936", "windows-936", "euc-cn", "csgb2312", "chinese", "iso-ir-58", "gb_2312-80", "hz-gb-2312":
		return famGB
	case "big5", "big-5", "cn-big5", "x-x-big5", "csbig5", "big5-hkscs", "cp950":
		return famBig5
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "us-ascii", "ascii", "iso8859-1", "iso_8859-1":
		return famSingleByte
	}
	return famOther
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// Bytes decodes raw bytes to UTF-8. contentType is the HTTP header (may be empty);
// markup says whether a <meta> charset may be honoured. The result never fails on
// bad input: undecodable bytes become U+FFFD and are counted in a warning.
func (d *Decoder) Bytes(raw []byte, contentType string, markup bool) Decoded {
	// 1. A byte order mark decides.
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		return finish(raw[3:], nil, "utf-8", nil)
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		return finish(raw[2:], unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", nil)
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		return finish(raw[2:], unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", nil)
	}

	// UTF-16 without a mark: NULs in every other byte of the ASCII text.
	switch UTF16(raw) {
	case "utf-16le":
		return finish(raw, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", []string{"utf-16 without a byte order mark, told by its NULs"})
	case "utf-16be":
		return finish(raw, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", []string{"utf-16 without a byte order mark, told by its NULs"})
	}

	// 2. The header, then the <meta>, are claims to be checked against the bytes.
	label := CharsetFromContentType(contentType)
	from := "the HTTP header"
	if label == "" && markup {
		label = MetaCharset(raw)
		from = "the <meta> tag"
	}
	var warns []string
	validUTF8 := utf8.Valid(raw)
	high := hasHighBytes(raw)
	mostly, strays := false, 0
	if !validUTF8 && high {
		mostly, strays = mostlyUTF8(raw)
	}
	switch classify(label) {
	case famUTF8:
		if validUTF8 {
			return finish(raw, nil, "utf-8", nil)
		}
		if mostly { // a stray byte in a UTF-8 page: replaced, not the whole page re-read
			return finish(raw, nil, "utf-8", []string{strayWarning(strays)})
		}
		enc, name := d.detect(raw)
		warns = append(warns, fmt.Sprintf("%s claims utf-8 but the bytes are not utf-8; decoded as %s", from, name))
		return finish(raw, enc, name, warns)
	case famGB:
		if validUTF8 && high {
			warns = append(warns, fmt.Sprintf("%s claims %s but the bytes are valid utf-8; decoded as utf-8", from, label))
			return finish(raw, nil, "utf-8", warns)
		}
		if mostly {
			warns = append(warns, fmt.Sprintf("%s claims %s but the bytes are utf-8", from, label), strayWarning(strays))
			return finish(raw, nil, "utf-8", warns)
		}
		// Every GB label is decoded as GB18030: GBK cannot decode its 4-byte characters.
		return finish(raw, simplifiedchinese.GB18030, "gb18030", nil)
	case famBig5:
		if validUTF8 && high {
			warns = append(warns, fmt.Sprintf("%s claims %s but the bytes are valid utf-8; decoded as utf-8", from, label))
			return finish(raw, nil, "utf-8", warns)
		}
		return finish(raw, traditionalchinese.Big5, "big5", nil)
	case famSingleByte:
		if !high {
			return finish(raw, nil, "utf-8", nil)
		}
		if validUTF8 {
			return finish(raw, nil, "utf-8", []string{fmt.Sprintf("%s claims %s but the bytes are valid utf-8; decoded as utf-8", from, label)})
		}
		enc, name := d.detect(raw)
		if name != "windows-1252" {
			warns = append(warns, fmt.Sprintf("%s claims %s but the bytes read as %s", from, label, name))
		}
		return finish(raw, enc, name, warns)
	case famOther:
		warns = append(warns, fmt.Sprintf("%s names charset %q, which is not used for Chinese reports; detecting instead", from, label))
	}

	// 3. No usable claim: validate and detect.
	if validUTF8 {
		return finish(raw, nil, "utf-8", warns)
	}
	if mostly {
		return finish(raw, nil, "utf-8", append(warns, strayWarning(strays)))
	}
	enc, name := d.detect(raw)
	return finish(raw, enc, name, warns)
}

// UTF16 tells UTF-16 text by its byte order mark or, without one, by its
// NULs: in the first 1,024 bytes, at least a third of the odd (little-endian)
// or even (big-endian) bytes NUL and next to none of the others. It returns
// "utf-16le", "utf-16be" or "".
func UTF16(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return "utf-16le"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return "utf-16be"
	}
	if len(b) > 1024 {
		b = b[:1024]
	}
	if len(b) < 16 {
		return ""
	}
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(b) / 2
	switch {
	case odd*3 >= half && even*20 <= half:
		return "utf-16le"
	case even*3 >= half && odd*20 <= half:
		return "utf-16be"
	}
	return ""
}

// mostlyUTF8: bytes that are UTF-8 but for a few stray ones (a page's one
// 0xFF, a truncated character): at least 20 well-formed multi-byte characters
// and no more than one stray byte for every 50 of them. GB18030 or Big5 text
// never looks so: its byte pairs seldom form UTF-8's three-byte sequences.
func mostlyUTF8(raw []byte) (bool, int) {
	multi, strays := 0, 0
	for i := 0; i < len(raw); {
		if raw[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && n == 1 {
			strays++
		} else {
			multi++
		}
		i += n
	}
	return multi >= 20 && strays*50 <= multi, strays
}

func strayWarning(n int) string {
	return fmt.Sprintf("the bytes are utf-8 but for %d stray byte(s), replaced with U+FFFD; decoded as utf-8", n)
}

// detect picks GB18030 or Big5 (or windows-1252 for text with no Chinese at all)
// by which decoding yields more common Chinese characters, and, on a tie, by
// chardet. (chardet used to be asked first, but its answer only ever counted
// on a tie: it is the costly part, so it is asked only then.)
func (d *Decoder) detect(raw []byte) (encoding.Encoding, string) {
	sample := raw
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	gb, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(sample)
	b5, err := traditionalchinese.Big5.NewDecoder().Bytes(sample)
	if err != nil {
		b5 = nil
	}
	gbScore, b5Score := d.commonScore(gb), d.commonScore(b5)
	switch {
	case b5Score > gbScore:
		return traditionalchinese.Big5, "big5"
	case gbScore > b5Score:
		return simplifiedchinese.GB18030, "gb18030"
	}
	if res, err := chardet.NewTextDetector().DetectBest(sample); err == nil && res.Confidence >= 50 {
		switch classify(res.Charset) {
		case famGB:
			return simplifiedchinese.GB18030, "gb18030"
		case famBig5:
			return traditionalchinese.Big5, "big5"
		}
	}
	if gbScore > 0 {
		return simplifiedchinese.GB18030, "gb18030"
	}
	return charmap.Windows1252, "windows-1252"
}

// commonScore counts characters of the most frequent Chinese ones, in either script.
func (d *Decoder) commonScore(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if d.common[r] {
			n++
		}
	}
	return n
}

func finish(raw []byte, enc encoding.Encoding, name string, warns []string) Decoded {
	var text string
	if enc == nil {
		text = string(raw)
	} else {
		// Decoded straight into the text's one buffer: two bytes of GB18030, Big5
		// or UTF-16 are at most three of UTF-8 (decoding into a slice, then
		// copying it into a string, allocated four times the bytes).
		var b strings.Builder
		b.Grow(len(raw)/2*3 + 16)
		if _, err := io.Copy(&b, transform.NewReader(bytes.NewReader(raw), enc.NewDecoder())); err != nil {
			// x/text decoders replace bad input; an error here means the input was cut.
			warns = append(warns, fmt.Sprintf("decoding as %s: %v", name, err))
		}
		text = b.String()
	}
	if bad := strings.Count(text, "\uFFFD"); bad > 0 {
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		warns = append(warns, fmt.Sprintf("%d byte sequence(s) could not be decoded as %s", bad, name))
	} else if !utf8.ValidString(text) {
		n := len(text)
		text = strings.ToValidUTF8(text, "\uFFFD")
		warns = append(warns, fmt.Sprintf("invalid utf-8 replaced in a %d-byte document", n))
	}
	if n := strings.Count(text, "\x00"); n > 0 {
		text = strings.ReplaceAll(text, "\x00", "")
		warns = append(warns, fmt.Sprintf("dropped %d NUL byte(s)", n))
	}
	return Decoded{Text: text, Encoding: name, Warnings: warns}
}

// The most frequent characters of Chinese government prose, simplified and traditional.
const commonChars = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往历市克何除消构府称太准精值号率族维划选标写存候毛亲快效院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严們國會這個為與來時說對發經過還進學開關問應實業務區體後當從動將點現種樣氣電長門間東車馬見記語讓認論議證識讀變邊運選遠陽際隨難雙領頭題願類飛養館黨萬專嚴舉義鄉書買亂爭於產親價眾優傳內寫軍農決況減幾劃則創別劇辦勞勢區醫華協單衛廳歷壓縣參號員團園圍圖圓場壞塊聲處備復夠奪婦學寧實審憲寬對導將層屬歲幣師帶幫幹廣慶庫廢異張彎歸錄態懷戰戶據掃揚換損擔擁擇擊擴敵數斷無舊時書會機殺權條極構標樓檔檢樹歡漢溝沒滅濟滿營環畫發監蓋盡盤確禮離種稱穩窮競築範節簡類糧緊紀約級紅組細織終經結給絡絕統網綜綠總績續維編罰羅習聯職聽腦臺興藝華藥葉蘇術補裝製複見觀規視覺計認訊討訓議記講許論設訪證評識訴詞試話該詳語誤說請調談謀謂變貝負財責質貨購貿費資賽轉輪輕載較輔輸辦達遷過運還這進違連適選遺郵醫釋鎮長門問間關隊陽陣際陸險隨難電靜項順須預領頻題額願顧顯風飛館體點黨齡"

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, len(s)/3)
	for _, r := range s {
		m[r] = true
	}
	return m
}
