package jslit

import "testing"

func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{
		`'it\'s'`:              "it's",
		`"\u003Cp\u003E"`:      "<p>",
		"`tpl`":                "tpl",
		`'\x3C/p>'`:            "</p>",
		`'\uD83D\uDE00'`:       "😀",
		`'\u{1F600}'`:          "😀",
		"'a\\\nb'":             "ab",
		`'%u4FE1%u606F'`:       "%u4FE1%u606F", // not a JS escape: kept for the caller
		`bare`:                 "bare",
		`'/art/2026/9/11/a.h'`: "/art/2026/9/11/a.h",
	} {
		if got := Unquote(in); got != want {
			t.Errorf("Unquote(%q) = %q, want %q", in, got, want)
		}
	}
}
