package main

import (
	"strings"
	"unicode"
)

// terminalSafe is s as it may be printed to a terminal: a control character
// but tab and newline shows as U+FFFD, so that a file name or a document's
// text carrying terminal escapes (ESC [ … m, OSC … BEL) cannot rewrite what
// the user sees.
func terminalSafe(s string) string {
	if !strings.ContainsFunc(s, isUnsafe) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isUnsafe(r) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

func isUnsafe(r rune) bool { return r != '\t' && r != '\n' && unicode.IsControl(r) }
