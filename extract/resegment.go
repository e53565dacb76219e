package extract

import (
	"context"
	"regexp"
	"sort"
	"strings"
)

// Rows found by the template, not by line breaks. A crawler's text dump of a
// portal page puts the whole report on one line, its tables' cells run
// together (规章000规范性文件898989第二十条第（五）项…); a PDF conversion may join
// a few rows on one line. The national templates fix what starts a row: the
// section headings 一、…六、, the ordinals of table 三 (一、, （一）, 1.), the
// row labels of table 二 followed by their numbers, and 第二十条第（N）项. A line
// that holds two or more of them is cut before each, so that every row stands
// on a line of its own and the row parser reads it as if it had been printed
// so. A row's ordinal glued to the digits of the row before
// (…国家秘密00000002.其他法律…) is told from them by the ordinal the template
// expects next. A line of several cells (a grid row, a tab-separated dump
// row) is a row already and is never cut.

var (
	// A section heading: 二、主动公开政府信息情况; cut before and after it.
	sectionHeadRe = regexp.MustCompile(`[一二三四五六七八][、.．][^。；;，,：:\d０-９]{1,24}?(?:情况|事项)`)
	// Ordinals of table 三's rows and groups.
	cnOrdinalRe    = regexp.MustCompile(`[一二三四][、]`)
	parenOrdinalRe = regexp.MustCompile(`[（(][一二三四五六七八九十]{1,2}[）)]`)
	// The same, only where the text starts.
	parenOrdinalStartRe = regexp.MustCompile(`^[（(][一二三四五六七八九十]{1,2}[）)]`)
	// An arabic ordinal 1.–8. before the label words that follow one in table 三.
	arabicOrdinalRe = regexp.MustCompile(`([0-9０-９]+)\s*[.．、]\s*(属于|其他法律|危及|保护第三方|本机关|没有现成|补正后|信访|重复申请|要求|无正当理由|申请人|其他)`)
	// Table 二: a row label directly followed by its numbers, and the article heads.
	// A count in prose (现行有效行政规范性文件698件) is no row: the unit after it tells.
	activeLabelRe = regexp.MustCompile(`(?:行政规范性文件|规范性文件|规章|行政许可|其他对外管理服务事项|行政处罚|行政强制|行政事业性收费|政府集中采购)\s*[0-9０-９\-−][0-9０-９.．\s\-−]*([件条个项次份人家宗起]?)`)
	articleRe     = regexp.MustCompile(`第二十条第\s*[（(][一二三四五六七八九十]{1,2}[）)]\s*项`)
)

// segmentWords are what a heading's text must name to be a section heading.
var segmentWords = []string{"总体", "主动公开", "收到和处理", "依申请", "复议", "诉讼", "问题", "改进", "其他需要报告", "其他事项"}

// resegment cuts every line that holds several template rows or headings into
// one line per row, keeping the text (only white space at a cut goes). A
// document whose tables came as rows of cells is left as it is. It stops
// when ctx ends, and when the lines it would give pass maxLines.
func resegment(ctx context.Context, lines []Line, maxLines int) ([]Line, error) {
	rows := 0
	for _, l := range lines {
		if len(l.Cells) > 1 {
			rows++
		}
	}
	if rows >= 10 {
		return lines, nil // the tables are laid out in cells: nothing ran together
	}
	var out []Line
	changed := false
	for _, l := range lines {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(out) > maxLines {
			return nil, overLimit("the text cut at its template rows gives more than %d lines", maxLines)
		}
		if len(l.Cells) != 1 {
			out = append(out, l) // cells in their columns: a row already
			continue
		}
		text := l.Cells[0]
		cuts := cutPoints(text)
		if len(cuts) == 0 {
			out = append(out, l)
			continue
		}
		changed = true
		prev := 0
		for _, c := range append(cuts, len(text)) {
			if piece := strings.TrimSpace(text[prev:c]); piece != "" {
				out = append(out, Line{Cells: []string{piece}, Table: l.Table})
			}
			prev = c
		}
	}
	if !changed {
		return lines, nil
	}
	return out, nil
}

// cutPoints gives the byte offsets where a line is cut, or nil when it holds
// fewer than two template rows or headings (a line that is one row already).
func cutPoints(text string) []int {
	if len(text) < 48 || digitCount(text) < 2 {
		return nil // every row of a table holds digits
	}
	set := map[int]bool{}
	rows := 0
	for _, m := range sectionHeadRe.FindAllStringIndex(text, -1) {
		if !namesSection(text[m[0]:m[1]]) {
			continue
		}
		set[m[0]] = true
		set[m[1]] = true
		rows++
	}
	for _, re := range []*regexp.Regexp{cnOrdinalRe, parenOrdinalRe, articleRe, activeLabelRe} {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			if len(m) > 2 && m[3] > m[2] {
				continue // a unit after the number: prose
			}
			if !set[m[0]] {
				set[m[0]] = true
				rows++
			}
		}
	}
	rows += arabicCuts(text, set)
	if rows < 2 {
		return nil
	}
	// The ordinal inside an article head (第二十条第（五）项) is no cut.
	articles := articleRe.FindAllStringIndex(text, -1)
	out := make([]int, 0, len(set))
	for c := range set {
		inside := false
		for _, a := range articles {
			if c > a[0] && c < a[1] {
				inside = true
			}
		}
		if c > 0 && c < len(text) && !inside {
			out = append(out, c)
		}
	}
	sort.Ints(out)
	return dropInside(text, out)
}

func namesSection(h string) bool {
	for _, w := range segmentWords {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}

// arabicCuts adds the cuts before arabic ordinals. A run of digits before the
// ordinal's point is the row before's values with the ordinal at its end: the
// ordinal is the number the template expects next (one more than the last, 1
// after a group), else the run's last digit.
func arabicCuts(text string, set map[int]bool) int {
	n := 0
	expect := 1
	groups := parenOrdinalRe.FindAllStringIndex(text, -1)
	gi := 0
	for _, m := range arabicOrdinalRe.FindAllStringSubmatchIndex(text, -1) {
		for gi < len(groups) && groups[gi][0] < m[0] {
			expect = 1
			gi++
		}
		run := foldWidth(text[m[2]:m[3]])
		start := m[2]
		if len(run) > 1 {
			want := itoa(expect)
			cut := len(run) - 1 // the last digit
			if strings.HasSuffix(run, want) && len(want) < len(run) {
				cut = len(run) - len(want)
			}
			start = m[2] + byteOffsetOfDigit(text[m[2]:m[3]], cut)
			run = run[cut:]
		}
		if v := atoiPrefix(run); v >= 1 && v <= 9 {
			expect = v + 1
		}
		if !set[start] {
			set[start] = true
			n++
		}
	}
	return n
}

// byteOffsetOfDigit: the byte offset of the i-th digit of a run of ASCII or
// full-width digits.
func byteOffsetOfDigit(run string, i int) int {
	k := 0
	for off := range run {
		if k == i {
			return off
		}
		k++
	}
	return len(run)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// dropInside removes cuts that would split a parenthesised note of a label
// (（区分处理的，只计这一情形…）). A bracket left open for more than 40
// characters is no note: the cuts after it stand.
func dropInside(text string, cuts []int) []int {
	var out []int
	depth, opened, ci := 0, 0, 0
	runes := 0
	for off, r := range text {
		for ci < len(cuts) && cuts[ci] <= off {
			if cuts[ci] == off && depth == 0 {
				out = append(out, cuts[ci])
			}
			ci++
		}
		runes++
		if depth > 0 && runes-opened > 40 {
			depth = 0
		}
		switch r {
		case '（', '(':
			if !parenOrdinalAt(text, off) {
				if depth == 0 {
					opened = runes
				}
				depth++
			}
		case '）', ')':
			if depth > 0 {
				depth--
			}
		}
	}
	return append(out, cuts[ci:]...)
}

func parenOrdinalAt(text string, off int) bool {
	return parenOrdinalStartRe.MatchString(text[off:]) // anchored: not a search of the rest
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n + strings.Count(s, "０")
}
