// Package jslit decodes JavaScript string literals ('…', "…", `…` without
// substitutions) as a browser would read them: \n, \xHH, \uHHHH, \u{…},
// surrogate pairs, line continuations. Page scripts are read, never run; the
// extractor (HTML carried in script strings) and discovery (URLs in scripts)
// both read their literals through it.
package jslit

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unquote decodes a whole literal with its quotes ('a\'b' → a'b); a string
// that is not quoted comes back as it is.
func Unquote(lit string) string {
	if len(lit) < 2 || (lit[0] != '\'' && lit[0] != '"' && lit[0] != '`') {
		return lit
	}
	s, _ := Read(lit, 0, len(lit))
	return s
}

// Read decodes the literal that starts with the quote at src[i] and returns
// it with the offset after its closing quote (or the end, or the line end of
// an unterminated one). At most limit bytes of it are kept.
func Read(src string, i, limit int) (string, int) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == q:
			return b.String(), j + 1
		case c == '\n' && q != '`':
			return b.String(), j // an unterminated literal ends at the line
		case c == '\\' && j+1 < len(src):
			r, n := escape(src[j+1:])
			b.WriteString(r)
			j += 1 + n
			continue
		default:
			if b.Len() < limit {
				b.WriteByte(c)
			}
		}
		j++
	}
	return b.String(), j
}

// escape decodes one escape after a backslash: the text it stands for and
// how many bytes it took.
func escape(s string) (string, int) {
	switch s[0] {
	case 'n':
		return "\n", 1
	case 't':
		return "\t", 1
	case 'r':
		return "", 1
	case 'b', 'f', 'v':
		return " ", 1
	case '0':
		return "", 1
	case 'x':
		if len(s) >= 3 {
			if v, err := strconv.ParseUint(s[1:3], 16, 8); err == nil {
				return string(rune(v)), 3
			}
		}
	case 'u':
		if len(s) >= 2 && s[1] == '{' {
			if k := strings.IndexByte(s, '}'); k > 2 && k < 10 {
				if v, err := strconv.ParseUint(s[2:k], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					return string(rune(v)), k + 1
				}
			}
		}
		if len(s) >= 5 {
			if v, err := strconv.ParseUint(s[1:5], 16, 16); err == nil {
				r := rune(v)
				// A surrogate pair: \uD83D\uDE00.
				if r >= 0xD800 && r < 0xDC00 && len(s) >= 11 && s[5] == '\\' && s[6] == 'u' {
					if lo, err := strconv.ParseUint(s[7:11], 16, 16); err == nil && lo >= 0xDC00 && lo < 0xE000 {
						return string((r-0xD800)<<10 + (rune(lo) - 0xDC00) + 0x10000), 11
					}
				}
				if utf8.ValidRune(r) {
					return string(r), 5
				}
				return "\uFFFD", 5
			}
		}
	case '\n':
		return "", 1 // a line continuation
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(r), n
}
