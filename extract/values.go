package extract

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// valueKind says what a table cell holds.
type valueKind int

const (
	kindText        valueKind = iota // a label or other text
	kindBlank                        // nothing printed
	kindNumber                       // a number
	kindPlaceholder                  // "/", "—", "无": printed, but not a number
)

// value is a parsed table cell.
type value struct {
	kind      valueKind
	num       float64
	unit      string // 万元, 元, 件, … when printed inside the cell
	annotated bool   // the cell carried a note: 22（其中修订16件）
	ocr       bool   // an OCR letter read as 0 (U)
	printed   string
	// run: digits of several cells run together with a sign between them
	// (2648-18538: 2648 | -18 | 538), never a number of its own; only
	// runtogether.go reads it.
	run bool
}

// foldWidth maps full-width ASCII forms (０-９, （）, ．, －) and the ideographic
// space to their ASCII forms.
func foldWidth(s string) string {
	if isASCII(s) || strings.IndexByte(s, 0xEF) < 0 && !strings.Contains(s, "\u3000") && !strings.Contains(s, "\u00a0") {
		return s // no full-width form (U+FF01–FF5E start with byte EF) and no wide space
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000, r == 0x00A0:
			return ' '
		}
		return r
	}, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

var (
	numRe = regexp.MustCompile(`^([+\-−]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万元|元|件|个|条|项|次|人次|宗|份|家|起|%)?\s*(?:\(([^()]*)\))?$`)
	// Placeholders printed where a number would stand.
	placeholders = map[string]bool{"/": true, "-": true, "--": true, "—": true, "——": true, "–": true,
		"\\": true, "无": true, "/-": true, "—/—": true, "-/-": true, "、": true, "…": true, "……": true, "·": true, "x": true, "×": true}
)

// parseValue reads one table cell. It never guesses: text that is not plainly a
// number, a placeholder or blank is text.
// maxValueBytes bounds a cell read as a number with a unit or a note.
const maxValueBytes = 256

func parseValue(cell string) value {
	s := strings.TrimSpace(foldWidth(cell))
	if s == "" {
		return value{kind: kindBlank}
	}
	if placeholders[s] {
		return value{kind: kindPlaceholder, printed: cell}
	}
	if s == "U" { // OCR of a 0 in some scanned reports
		return value{kind: kindNumber, num: 0, ocr: true, printed: cell}
	}
	if s[0] > '9' && s[0] != '+' && s[0] != '-' && !strings.HasPrefix(s, "−") {
		return value{kind: kindText}
	}
	if plainDigits(s) { // the common cell: a count, read without the pattern
		f, _ := strconv.ParseFloat(s, 64)
		return value{kind: kindNumber, num: f, printed: cell}
	}
	if len(s) > maxValueBytes {
		return value{kind: kindText} // not a number, whatever it ends with: the pattern would cost its length
	}
	m := numRe.FindStringSubmatch(s)
	if m == nil {
		return value{kind: kindText}
	}
	digits := strings.ReplaceAll(m[2], ",", "") + m[3]
	f, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return value{kind: kindText}
	}
	if m[1] == "-" || m[1] == "−" {
		f = -f
	}
	return value{kind: kindNumber, num: f, unit: m[4], annotated: m[5] != "", printed: cell}
}

// plainDigits: 1 to 15 ASCII digits and nothing else.
func plainDigits(s string) bool {
	if len(s) == 0 || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isValue reports whether a cell is part of a row's values (number, placeholder).
func (v value) isValue() bool { return v.kind == kindNumber || v.kind == kindPlaceholder }

// normLabel folds widths, removes white space and stray punctuation from OCR, so
// that labels compare by their characters.
func normLabel(s string) string {
	s = foldWidth(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		switch r {
		case '“', '”', '"', '\'', '‘', '’', '「', '」':
			return -1
		}
		return r
	}, s)
}

// coreLabel keeps only the Han characters of a label: "3. 其他" → "其他", "(七) 总计" → "七总计".
func coreLabel(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Han, r) {
			return r
		}
		return -1
	}, s)
}
