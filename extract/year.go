package extract

import "strings"

// yearsIn calls fn with every year a text names — ((?:19|20)\d\d)\s*年: four digits
// from 1900 to 2099, blanks, then 年 — in order and without overlap, with the
// byte offsets of the match (its digits to just past 年); fn returns false to
// stop. It finds each 年 and looks back: a regular expression's scan of every
// position cost several times more on the long lines of a report (the tests
// hold the two to the same answers).
func yearsIn(t string, fn func(year, start, end int) bool) {
	const nian = "年"
	for from := 0; ; {
		i := strings.Index(t[from:], nian)
		if i < 0 {
			return
		}
		i += from
		end := i + len(nian)
		j := i
		for j > from && isBlank(t[j-1]) {
			j--
		}
		if j-4 >= from && isDigitByte(t[j-4]) && isDigitByte(t[j-3]) && isDigitByte(t[j-2]) && isDigitByte(t[j-1]) &&
			(t[j-4] == '1' && t[j-3] == '9' || t[j-4] == '2' && t[j-3] == '0') {
			y := int(t[j-4]-'0')*1000 + int(t[j-3]-'0')*100 + int(t[j-2]-'0')*10 + int(t[j-1]-'0')
			if !fn(y, j-4, end) {
				return
			}
		}
		from = end
	}
}

// firstYear is the first year yearsIn finds, with its offsets; ok is false
// when there is none.
func firstYear(t string) (year, start, end int, ok bool) {
	yearsIn(t, func(y, s, e int) bool {
		year, start, end, ok = y, s, e, true
		return false
	})
	return
}

// hasYear reports whether the text names a year.
func hasYear(t string) bool {
	_, _, _, ok := firstYear(t)
	return ok
}

// isBlank is the regexp package's \s: ASCII space, tab, newline, form feed
// and carriage return.
func isBlank(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }
