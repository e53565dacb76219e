package extract

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var (
	reportWordRe = regexp.MustCompile(`(信息公开|政务公开).{0,12}(年度报告|年报|工作报告)|(政府信息公开|政务公开)年度报告|信息公开年报`)
	dateRe       = regexp.MustCompile(`((?:19|20)\d\d)\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?`)
	pageDateRe   = regexp.MustCompile(`(发布日期|发布时间|日期|时间|发文日期|成文日期|更新时间)\s*[:：]?\s*((?:19|20)\d\d\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2})`)
	sigDateRe    = regexp.MustCompile(`^((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$`)
	orgSuffixRe  = regexp.MustCompile(`(人民政府|政府|办公室|办公厅|局|委员会|委|厅|办|中心|管委会|管理委员会|办事处|街道|院|署|会|所|队|站|处|镇|乡)$`)
	attachExtRe  = regexp.MustCompile(`(?i)\.(pdf|docx?|wps|xlsx?|et|zip|rar|7z|ofd|ceb)$`)
	headingRe    = regexp.MustCompile(`^[（(]?([一二三四五六七八九十]{1,2})[）)]?\s*[、.．，,]`)
)

// squeeze removes white space between characters: titles in PDF dumps come apart.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// looksLikeReportTitle: a year and the name of an open-government report.
func looksLikeReportTitle(s string) bool {
	s = squeeze(s)
	if utf8.RuneCountInString(s) > 80 || !reportWordRe.MatchString(s) || !(hasYear(s) || strings.Contains(s, "年度")) {
		return false
	}
	// Notices about the reports, the template itself, lists of who published.
	for _, w := range []string{"通知", "编制发布", "公布情况", "发布情况", "报送", "格式", "工作要点", "统计表"} {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// findTitle takes the markup's title if it names a report, else the first line
// near the top that does.
func findTitle(hint string, lines []Line) string {
	if hint != "" {
		for _, sep := range []string{" - ", "_", "|", "——", " — "} {
			if i := strings.Index(hint, sep); i > 0 && looksLikeReportTitle(hint[:i]) {
				hint = hint[:i]
			}
		}
		if looksLikeReportTitle(hint) {
			return squeeze(hint)
		}
	}
	for i := 0; i < len(lines) && i <= 40; i++ {
		// A title may be set over two or three lines (2024 年上海市科委政府信息
		// 公开工作 / 年度报告): the shortest run of lines from here that names a
		// report, unless a later line names one on its own.
		t := stripDumpPrefix(lines[i].Text())
		if strings.TrimSpace(t) == "" {
			continue
		}
		joined := t
		starts := hasYear(t) || strings.Contains(t, "信息公开") || strings.Contains(t, "政务公开")
		for k, j := 0, i; starts && !titleCandidate(joined) && k < 2; k++ {
			next, at := nextLine(lines, j)
			if next == "" || looksLikeReportTitle(next) {
				break
			}
			joined, j = joined+next, at
		}
		if !titleCandidate(joined) {
			if head := headTitle(t); head != "" {
				return head // a flattened dump: the title opens the page's one line
			}
			continue
		}
		// The body's name on the line above a title that does not name it:
		// 洪泽区人民政府 / 2023年政府信息公开工作年度报告.
		if orgFromTitle(squeeze(joined)) == "" {
			if prev := prevText(lines, i); validOrg(squeeze(prev)) {
				return squeeze(prev + joined)
			}
		}
		return squeeze(joined)
	}
	return ""
}

// headTitle: the title at the head of a long line (a page flattened onto one
// line: 平潭综合实验区2019年政府信息公开工作年度报告 根据《…》…): the shortest
// run of the line's first words that names a report and its body, after any
// breadcrumb.
func headTitle(t string) string {
	if utf8.RuneCountInString(t) <= 80 {
		return ""
	}
	fields := strings.Fields(t)
	for i := 0; i < len(fields) && i < 12; i++ {
		joined := ""
		for j := i; j < len(fields) && j < i+6; j++ {
			joined += fields[j]
			if utf8.RuneCountInString(joined) > 80 {
				break
			}
			if titleCandidate(joined) && orgFromTitle(joined) != "" {
				return squeeze(joined)
			}
		}
	}
	return ""
}

func titleCandidate(t string) bool {
	return looksLikeReportTitle(t) && !strings.Contains(t, ">") && !strings.Contains(t, "位置") && !attachExtRe.MatchString(strings.TrimSpace(t))
}

// nextLine and prevText: the nearest non-blank line after or before line i
// (within two lines), with a dump's field prefix removed.
func nextLine(lines []Line, i int) (string, int) {
	for j := i + 1; j < len(lines) && j <= i+2; j++ {
		if t := strings.TrimSpace(lines[j].Text()); t != "" {
			return stripDumpPrefix(t), j
		}
	}
	return "", i
}

func prevText(lines []Line, i int) string {
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		if t := strings.TrimSpace(lines[j].Text()); t != "" {
			return stripDumpPrefix(t)
		}
	}
	return ""
}

// dumpPrefixRe: the field names a crawler's text dump or a page's metadata
// block puts before a value (标题: …, 发布机构：…).
var dumpPrefixRe = regexp.MustCompile(`^\s*(?:标题|题目|文章标题|信息名称|名称|Title|TITLE)\s*[:：]\s*`)

func stripDumpPrefix(t string) string {
	return dumpPrefixRe.ReplaceAllString(t, "")
}

// validOrg: a name of a body, not a fragment: 3 to 40 characters, no
// punctuation or digits, ending in a kind of body or of division with at least
// two characters before it (政府, 人民政府, 区人民政府 are not names).
func validOrg(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 3 || n > 40 || strings.ContainsAny(s, "，。：:；;、,.!！?？《》“”\"") || strings.ContainsFunc(s, unicode.IsDigit) ||
		strings.Contains(s, "报告") || strings.Contains(s, "年报") {
		return false // a column's or a report's name run into the body's
	}
	loc := orgEndRe.FindStringIndex(s)
	if loc == nil {
		return false
	}
	return utf8.RuneCountInString(s[:loc[0]]) >= 2
}

var orgEndRe = regexp.MustCompile(`(人民政府|政府|办公室|办公厅|局|委员会|委|厅|办|中心|管委会|管理委员会|办事处|街道|院|署|会|所|队|站|处|镇|乡|区|县|市|州|盟|旗|省)$`)

var (
	// 本报告由淮安市洪泽区人民政府办公室根据…编制
	compiledByRe = regexp.MustCompile(`本(?:年度)?报告由\s*([^，,。；;：:（(《“\s]{3,40}?)\s*(?:根据|依据|按照|依照|编制|编写|制作|起草|负责)`)
	// 发布机构：平潭综合实验区管委会, ContentSource
	fieldOrgRe = regexp.MustCompile(`^\s*(?:发布机构|发布单位|发布机关|发文机关|信息来源|来源|ContentSource|contentsource)\s*[:：]\s*(\S{3,40})\s*$`)
)

// compiledBy: the body the first paragraph says compiled the report; its
// office (办公室, 办公厅) compiles for the government it belongs to.
func compiledBy(lines []Line) string {
	var b strings.Builder
	for i := 0; i < len(lines) && i < 30 && b.Len() < 1200; i++ {
		b.WriteString(squeeze(lines[i].Text()))
	}
	m := compiledByRe.FindStringSubmatch(b.String())
	if m == nil {
		return ""
	}
	org := m[1]
	for _, office := range []string{"政务公开办公室", "信息公开办公室", "办公室", "办公厅"} {
		if rest := strings.TrimSuffix(org, office); rest != org && strings.HasSuffix(rest, "政府") {
			org = rest
			break
		}
	}
	if !validOrg(org) {
		return ""
	}
	return org
}

// fieldOrg: the 发布机构 (or 来源, ContentSource) a page or dump names near its top.
func fieldOrg(lines []Line) string {
	for i := 0; i < len(lines) && i < 20; i++ {
		if m := fieldOrgRe.FindStringSubmatch(lines[i].Text()); m != nil && validOrg(m[1]) {
			return m[1]
		}
	}
	return ""
}

// findYear: the year in the title; failing that, the year the opening of the body
// names most often.
func findYear(title string, lines []Line) int {
	if y, _, _, ok := firstYear(title); ok {
		return y
	}
	counts := map[int]int{}
	first := map[int]int{}
	pos := 0
	for _, l := range lines {
		t := l.Text()
		yearsIn(t, func(y, start, _ int) bool {
			counts[y]++
			if _, ok := first[y]; !ok {
				first[y] = pos + start
			}
			return true
		})
		pos += len(t) + 1
		if pos > 6000 {
			break
		}
	}
	years := make([]int, 0, len(counts))
	for y := range counts {
		years = append(years, y)
	}
	sort.Ints(years) // a fixed order: the same input always takes the same path
	best := 0
	for _, y := range years {
		if n := counts[y]; best == 0 || n > counts[best] || n == counts[best] && first[y] < first[best] {
			best = y
		}
	}
	return best
}

// validDate formats y-m-d as ISO 8601 if it is a real date.
func validDate(y, m, d string) string {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di {
		return ""
	}
	return t.Format("2006-01-02")
}

func parseDate(s string) string {
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return validDate(m[1], m[2], m[3])
}

// signature finds the closing 发布机关 and date: a date line near the end with an
// organisation name on the line before it.
func signature(lines []Line) (org, date string) {
	seen := 0
	for i := len(lines) - 1; i >= 0 && seen < 25; i-- {
		t := squeeze(lines[i].Text())
		if t == "" {
			continue
		}
		seen++
		m := sigDateRe.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		date = validDate(m[1], m[2], m[3])
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			o := squeeze(lines[j].Text())
			if o == "" {
				continue
			}
			if n := utf8.RuneCountInString(o); n >= 3 && n <= 40 && orgSuffixRe.MatchString(o) && !strings.ContainsAny(o, "，。：:；、") {
				org = o
			}
			break
		}
		return org, date
	}
	return "", ""
}

// orgFromTitle: the part of a title before its year.
func orgFromTitle(title string) string {
	_, start, end, ok := firstYear(title)
	if !ok {
		return ""
	}
	org := strings.TrimSpace(title[:start])
	if org == "" {
		// "2022年海淀区人民政府政府信息公开工作年度报告": the name follows the year.
		rest := strings.TrimPrefix(title[end:], "度")
		for _, w := range []string{"政府信息公开", "政务公开", "信息公开"} {
			if i := strings.Index(rest, w); i > 0 {
				org = rest[:i]
				break
			}
		}
	}
	org = strings.TrimPrefix(org, "关于")
	org = strings.TrimRight(org, "（(《“\"")
	org = strings.TrimLeft(org, "#＃ ")
	org = afterHeader(squeeze(org))
	if !validOrg(org) {
		return ""
	}
	return org
}

// afterHeader: a title run together with the red header above it
// (海东市乐都区人民政府文件 / 乐都区人民政府 2022 年…) names the header's body
// when that is the fuller form of the title's, else the title's own.
func afterHeader(org string) string {
	i := strings.Index(org, "文件")
	if i <= 0 {
		return org
	}
	header, rest := org[:i], org[i+len("文件"):]
	switch {
	case !orgSuffixRe.MatchString(header):
		return org
	case rest == "" || strings.HasSuffix(header, rest):
		return header
	}
	return rest
}

// chooseOrg: the title's organisation, extended by a fuller form of the same name
// from the signature, the 文件 header or an attachment (乐都区人民政府 → 海东市乐都区人民政府).
func chooseOrg(candidates ...string) string {
	primary := ""
	for _, c := range candidates {
		if c != "" {
			primary = c
			break
		}
	}
	for _, c := range candidates {
		if len(c) > len(primary) && strings.HasSuffix(c, primary) {
			primary = c
		}
	}
	return primary
}

// headerOrg: "海东市乐都区人民政府文件" at the top of an official document.
func headerOrg(lines []Line) string {
	for i, l := range lines {
		if i > 10 {
			break
		}
		t := squeeze(l.Text())
		if strings.HasSuffix(t, "文件") && utf8.RuneCountInString(t) <= 30 {
			o := strings.TrimSuffix(t, "文件")
			if orgSuffixRe.MatchString(o) {
				return o
			}
		}
	}
	return ""
}

// section keys and the words that name them in a heading.
var sectionWords = []struct {
	key   string
	words []string
}{
	{"general", []string{"总体情况", "概述", "基本情况", "总体", "概况"}},
	{"active", []string{"主动公开"}},
	{"requests", []string{"依申请", "收到和处理", "申请公开"}},
	{"review", []string{"复议", "诉讼"}},
	{"problems", []string{"问题", "改进", "不足"}},
	{"other", []string{"其他需要报告", "其他事项", "其他", "收费", "费用"}},
}

type heading struct {
	line      int
	key       string
	num       int
	canonical bool // the template's own title of a table section
}

// canonicalSection names a table section by the template's own title, which
// a report may print under its own numbering (一、… again after 六、).
func canonicalSection(rest string) string {
	switch {
	case strings.Contains(rest, "主动公开政府信息情况"):
		return "active"
	case strings.Contains(rest, "收到和处理政府信息公开申请"):
		return "requests"
	case strings.Contains(rest, "复议") && strings.Contains(rest, "诉讼") && strings.HasSuffix(rest, "情况"):
		return "review"
	}
	return ""
}

var numerals = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

// findHeadings finds the section headings 一、… in increasing order.
func findHeadings(lines []Line) []heading {
	var hs []heading
	lastNum := 0
	for i, l := range lines {
		if l.Table && len(l.Cells) > 1 {
			continue
		}
		t := squeeze(foldWidth(l.Text()))
		if utf8.RuneCountInString(t) > 50 {
			continue
		}
		m := headingRe.FindStringSubmatch(t)
		if m == nil || strings.HasPrefix(t, "(") {
			continue
		}
		num := numerals[m[1]]
		rest := t[len(m[0]):]
		if c := canonicalSection(rest); c != "" && num <= lastNum {
			hs = append(hs, heading{line: i, key: c, num: num, canonical: true})
			lastNum = num
			continue
		}
		if num <= lastNum {
			continue
		}
		key := ""
		for _, sw := range sectionWords {
			for _, w := range sw.words {
				if strings.Contains(rest, w) {
					key = sw.key
					break
				}
			}
			if key != "" {
				break
			}
		}
		if key == "" || strings.Contains(rest, "数量") || strings.Contains(rest, "办理结果") || strings.Contains(rest, "继续办理") {
			continue
		}
		hs = append(hs, heading{line: i, key: key, num: num, canonical: canonicalSection(rest) == key})
		lastNum = num
	}
	return hs
}

// attachmentsFrom finds attachment names: links to files, and lines that are a
// file name (the last line of a page naming its PDF).
func attachmentsFrom(links []Link, lines []Line) []attachment {
	var out []attachment
	seen := map[string]bool{}
	add := func(name, url string) {
		name = strings.TrimSpace(name)
		key := name + "\x00" + url
		if name == "" || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, attachment{name: name, url: url})
	}
	for _, l := range links {
		href := strings.TrimSpace(l.Href)
		p := href
		if i := strings.IndexAny(p, "?#"); i >= 0 {
			p = p[:i]
		}
		text := strings.TrimSpace(l.Text)
		switch {
		case attachExtRe.MatchString(p):
			if !attachExtRe.MatchString(text) {
				if text == "" || utf8.RuneCountInString(text) > 120 {
					text = path.Base(p)
				} else if ext := attachExtRe.FindString(p); ext != "" && !strings.HasSuffix(strings.ToLower(text), strings.ToLower(ext)) {
					text += ext
				}
			}
			add(text, href)
		case attachExtRe.MatchString(text):
			add(text, href)
		}
	}
	for _, l := range lines {
		t := strings.TrimSpace(l.Text())
		for _, prefix := range []string{"附件：", "附件:", "附件"} {
			t = strings.TrimPrefix(t, prefix)
		}
		t = strings.TrimSpace(t)
		if utf8.RuneCountInString(t) <= 120 && attachExtRe.MatchString(t) && !strings.ContainsAny(t, "，。；") {
			dup := false
			for _, a := range out {
				if a.name == t {
					dup = true
				}
			}
			if !dup {
				add(t, "")
			}
		}
	}
	return out
}

type attachment struct{ name, url string }

// LooksLikeReportTitle reports whether a title or link text names an annual report
// on open government information (and not a notice about such reports).
func LooksLikeReportTitle(s string) bool { return looksLikeReportTitle(s) }
