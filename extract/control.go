package extract

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A document's text may carry control characters: stray bytes of a broken
// converter, or a hostile page's terminal escapes (ESC [ … m colours, OSC
// sequences that retitle or rewrite a terminal), which would reach whoever
// prints a record's title, a CSV opened in a terminal, a log. Every text
// enters a record through Build, so Build removes them there, from the
// layout's title, date, links and warnings, and from its lines once the
// decoder has cleaned them (mojibake repair reads every character), and
// counts them in a warning: C0 controls but tab and newline, DEL and C1 controls, each escape
// sequence whole. A carriage return, a line ending's remnant, is removed
// without being counted.

// controls removes control characters from text, as above.
type controls struct {
	removed int // characters and escape sequences, carriage returns apart
}

// clean returns s without control characters.
func (c *controls) clean(s string) string {
	if !hasControl(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\t' || r == '\n':
			b.WriteRune(r)
		case r == '\r':
		case r == 0x1b || r == 0x9b || r == 0x9d || r == 0x90 || r == 0x9e || r == 0x9f || r == 0x98:
			c.removed++
			size = escapeLen(s[i:])
		case unicode.IsControl(r):
			c.removed++
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// hasControl reports whether s holds a character clean removes.
func hasControl(s string) bool {
	for _, r := range s {
		if r != '\t' && r != '\n' && unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// escapeLen is the length of the escape sequence s starts with (ESC or one
// of the C1 introducers): a CSI sequence to its final byte; an OSC, DCS,
// SOS, PM or APC string to its terminator (BEL or ST) or the line's end; an
// ESC and the one character after it otherwise.
func escapeLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	kind := r
	if r == 0x1b {
		if len(s) < 2 {
			return 1
		}
		switch s[1] {
		case '[':
			kind = 0x9b
		case ']':
			kind = 0x9d
		case 'P', 'X', '^', '_':
			kind = 0x9d // strings, all ended alike
		default:
			if s[1] >= 0x20 && s[1] < 0x7f {
				return 2
			}
			return 1
		}
		n = 2
	}
	if kind == 0x9b { // parameters, intermediates, one final byte
		i := n
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
			i++
		}
		if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
			i++
		}
		return i
	}
	for i := n; i < len(s); i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == '\n' || strings.HasPrefix(s[i:], "\u009c"):
			if s[i] != '\n' {
				return i + len("\u009c")
			}
			return i
		}
	}
	return len(s)
}

// lines returns ls without control characters, sharing nothing it changed
// with ls.
func (c *controls) lines(ls []Line) []Line {
	out := ls
	for i, l := range ls {
		for j, cell := range l.Cells {
			if !hasControl(cell) {
				continue
			}
			if &out[0] == &ls[0] {
				out = append([]Line(nil), ls...)
			}
			if &out[i].Cells[0] == &ls[i].Cells[0] {
				out[i].Cells = append([]string(nil), l.Cells...)
			}
			out[i].Cells[j] = c.clean(cell)
		}
	}
	return out
}

// strings returns ss without control characters.
func (c *controls) strings(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = c.clean(s)
	}
	return out
}

// links returns ls without control characters.
func (c *controls) links(ls []Link) []Link {
	out := make([]Link, len(ls))
	for i, l := range ls {
		out[i] = Link{Text: c.clean(l.Text), Href: c.clean(l.Href)}
	}
	return out
}

// warning is the warning that says what was removed; empty when nothing was.
func (c *controls) warning() string {
	if c.removed == 0 {
		return ""
	}
	return fmt.Sprintf("removed %d control character(s) or terminal escape sequence(s) from the document's text", c.removed)
}
