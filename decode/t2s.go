package decode

import (
	"strings"
	"unicode/utf8"

	"github.com/liuzl/gocc"
)

// convert does what gocc's (*OpenCC).Convert does, in bounded memory: for each
// group of the conversion chain, from each position the longest key of the
// first dictionary of the group that has a key there is replaced by its first
// value, and a position no dictionary knows keeps its character. gocc's own
// Convert allocates a map and a string for every character and holds a slice of
// tokens as long as the text (over 100 times the text's size in allocations,
// ~35 times at its peak: redteam-findings.md F1); this walks the same tries
// without allocating and writes into one buffer the size of the text, so the
// peak is the text and its conversion. TestConvertEqualsOpenCC holds it to
// gocc's result on every real text.
//
// Unlike gocc, a byte that is not UTF-8 is kept as it is (gocc writes U+FFFD
// and skips the next two bytes; decoded text is always valid UTF-8), and so
// is a control character (gocc may drop one after a key, see longestKey).
func convert(cc *gocc.OpenCC, in string) string {
	for _, g := range cc.DictChains {
		in = convertGroup(g, in)
	}
	return in
}

func convertGroup(g *gocc.Group, in string) string {
	var b strings.Builder
	b.Grow(len(in) + len(in)/16) // a few characters may grow a byte: never double the buffer for them
	for i := 0; i < len(in); {
		if n, tok, ok := longestKey(g, in[i:]); ok {
			b.WriteString(tok)
			i += n
			continue
		}
		_, w := utf8.DecodeRuneInString(in[i:])
		b.WriteString(in[i : i+w])
		i += w
	}
	return b.String()
}

// longestKey finds, in the first dictionary of g holding a key that s starts
// with, the longest such key: it gives its length in bytes and its first value.
// The walk is cedar's PrefixMatch without its slice of matches.
func longestKey(g *gocc.Group, s string) (int, string, bool) {
	var one [1]byte
	for _, d := range g.Dicts {
		n, val := 0, -1
		// A control character ends the walk: no key holds one, and the
		// trie answers for some after a key as if they were part of it (a
		// NUL after 乾隆, \x01 after 工), so they were dropped with the key's
		// replacement; gocc drops them too, or writes the next character
		// twice (the fuzzer's "乾隆\x00" and "開工作\x01\x01\x01報").
		for from, i := 0, 0; i < len(s) && s[i] >= 0x20; i++ {
			one[0] = s[i]
			to, err := d.Trie.Jump(one[:], from)
			if err != nil {
				break
			}
			if v, err := d.Trie.Value(to); err == nil {
				n, val = i+1, v
			}
			from = to
		}
		if val >= 0 && val < len(d.Values) && len(d.Values[val]) > 0 {
			return n, d.Values[val][0], true
		}
	}
	return 0, "", false
}
