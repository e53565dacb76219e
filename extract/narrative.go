package extract

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao/report"
)

// The numbers the prose of a report states: 受理申请455件, 结转上年度9件, 被行政复议共18件
// 其中结果维持15宗…, 信息处理费20560元. They go to the record's narrative, never into a
// cell; they are compared with the tables in checks and help recover run-together
// digits.

const num = `([0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百]+)`

type figRule struct {
	key  string
	re   *regexp.Regexp
	unit string
	need []string // words of which every match holds one: a sentence without any is not tried
}

var figRules = []figRule{
	{"new_received", regexp.MustCompile(`(?:新收|收到|受理|接收)[^，,、。；;：:]{0,16}?(?:申请|依申请公开)[^，,、。；;：:0-9]{0,8}?` + num + `\s*(?:件|份|条|宗|个|人次)`), "件", []string{"新收", "收到", "受理", "接收"}},
	{"carried_over", regexp.MustCompile(`(?:上年度?|上一年度?)[^，,、。；;]{0,6}?结转[^，,、。；;0-9]{0,16}?` + num + `\s*件`), "件", []string{"结转"}},
	{"carried_over", regexp.MustCompile(`结转上一?年度?[^，,、。；;0-9]{0,16}?` + num + `\s*件`), "件", []string{"结转"}},
	{"carried_forward", regexp.MustCompile(num + `\s*件[^，,、。；;0-9]{0,4}?(?:结转|转结|转入|顺延)(?:到|至)?下一?年`), "件", []string{"结转", "转结", "转入", "顺延"}},
	{"carried_forward", regexp.MustCompile(`(?:结转|转结)(?:到|至)?下一?年度?[^，,、。；;0-9]{0,12}?` + num + `\s*件`), "件", []string{"结转", "转结", "转入", "顺延"}},
	{"granted", regexp.MustCompile(`予以公开[^，,、。；;0-9]{0,4}?` + num + `\s*件`), "件", []string{"予以公开"}},
	{"granted", regexp.MustCompile(num + `\s*件予以公开`), "件", []string{"予以公开"}},
	{"normative_docs.issued", regexp.MustCompile(`(?:制发|制定|印发|出台)[^，,、。；;0-9]{0,10}?规范性文件[^，,、。；;0-9]{0,4}?` + num + `\s*(?:件|个|份)`), "件", []string{"规范性文件"}},
	{"normative_docs.in_force", regexp.MustCompile(`现行有效[^，,、。；;0-9]{0,10}?` + num + `\s*(?:件|个|份)`), "件", []string{"现行有效"}},
	{"fees.processing_yuan", regexp.MustCompile(`信息处理费[^，,、。；;0-9]{0,12}?` + num + `\s*(万元|元)`), "元", []string{"信息处理费"}},
}

var (
	reviewAnchorRe = regexp.MustCompile(`(?:行政复议|复议)[^，,：:。；;0-9]{0,12}?(?:共|计)?\s*` + num + `\s*(?:件|宗|起|次|个)`)
	suitAnchorRe   = regexp.MustCompile(`(?:行政诉讼|诉讼|起诉)[^，,：:。；;0-9]{0,12}?(?:共|计)?\s*` + num + `\s*(?:件|宗|起|次|个)`)
	outcomeRes     = []struct {
		key string
		re  *regexp.Regexp
	}{
		{"upheld", regexp.MustCompile(`(?:结果)?维持[^，,、。；;0-9]{0,6}?` + num + `\s*(?:件|宗|起|个)?`)},
		{"corrected", regexp.MustCompile(`(?:结果)?纠正[^，,、。；;0-9]{0,6}?` + num + `\s*(?:件|宗|起|个)?`)},
		{"other", regexp.MustCompile(`其他结果[^，,、。；;0-9]{0,6}?` + num + `\s*(?:件|宗|起|个)?`)},
		{"pending", regexp.MustCompile(`(?:尚未审结|未审结|正在审理)[^，,、。；;0-9]{0,6}?` + num + `\s*(?:件|宗|起|个)?`)},
	}
	noFeeRe    = regexp.MustCompile(`(?:未|没有|无|不)(?:发生)?(?:收取|产生|收费)[^，,、。；;]{0,20}?(?:信息处理费|处理费|费用)|未收费|不收取(?:任何)?费用`)
	noReviewRe = regexp.MustCompile(`(?:未|没有|无)(?:发生|收到|出现|产生)?[^，,、。；;0-9]{0,10}?(行政复议|行政诉讼)`)
)

// chineseNumber reads 十二, 两, 二十三, 一百零五 and Arabic digits.
func chineseNumber(s string) (float64, bool) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	digits := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	total, cur := 0, 0
	seen := false
	for _, r := range s {
		switch {
		case r == '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur = 0
		case r == '百':
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur = 0
		default:
			d, ok := digits[r]
			if !ok {
				return 0, false
			}
			cur = d
		}
		seen = true
	}
	return float64(total + cur), seen
}

// narrativeFigures finds the figures in prose lines (not table rows); it
// stops when ctx ends.
func narrativeFigures(ctx context.Context, lines []Line) ([]report.Figure, error) {
	var out []report.Figure
	add := func(key string, v float64, unit, sentence string) {
		out = append(out, report.Figure{Key: key, Value: v, Unit: unit, Sentence: sentence})
	}
	for _, l := range lines {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if l.Table && len(l.Cells) > 1 {
			continue
		}
		text := foldWidth(l.Text())
		if utf8.RuneCountInString(text) < 8 || strings.Count(text, "\t") > 0 {
			continue
		}
		for _, sent := range sentences(text) {
			sent = strings.TrimSpace(sent)
			if !strings.ContainsAny(sent, "0123456789零〇一二两三四五六七八九十未无没") {
				continue
			}
			for _, fr := range figRules {
				if !containsAny(sent, fr.need) {
					continue
				}
				for _, m := range fr.re.FindAllStringSubmatch(sent, -1) {
					v, ok := chineseNumber(m[1])
					if !ok {
						continue
					}
					unit := fr.unit
					if len(m) > 2 && m[2] == "万元" {
						v *= 10000
					}
					add(fr.key, v, unit, sent)
				}
			}
			if strings.Contains(sent, "费") && noFeeRe.MatchString(sent) {
				add("fees.processing_yuan", 0, "元", sent)
			}
			reviewFigures(sent, add)
		}
	}
	return out, nil
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// sentences cuts text at the marks that end a sentence (。；;！？!? and line ends).
func sentences(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		switch r {
		case '。', '；', ';', '！', '？', '!', '?', '\n':
			return true
		}
		return false
	})
}

// reviewFigures reads 行政复议/行政诉讼 counts and their outcomes; an outcome belongs
// to the nearest anchor before it in the sentence.
func reviewFigures(sent string, add func(key string, v float64, unit, sentence string)) {
	if !strings.Contains(sent, "复议") && !strings.Contains(sent, "诉") {
		return // every anchor names one or the other
	}
	type anchor struct {
		group string
		at    int
	}
	var anchors []anchor
	for _, m := range reviewAnchorRe.FindAllStringSubmatchIndex(sent, -1) {
		whole := sent[m[0]:m[1]]
		if strings.Contains(whole, "起诉") || strings.Contains(whole, "诉讼") {
			continue // 复议后起诉 is litigation
		}
		if v, ok := chineseNumber(sent[m[2]:m[3]]); ok {
			add("review.total", v, "件", sent)
			anchors = append(anchors, anchor{"review", m[1]})
		}
	}
	for _, m := range suitAnchorRe.FindAllStringSubmatchIndex(sent, -1) {
		if v, ok := chineseNumber(sent[m[2]:m[3]]); ok {
			add("litigation.total", v, "件", sent)
			anchors = append(anchors, anchor{"litigation", m[1]})
		}
	}
	if len(anchors) == 0 {
		if m := noReviewRe.FindAllStringSubmatch(sent, -1); m != nil {
			if strings.Contains(sent, "行政复议") {
				add("review.total", 0, "件", sent)
			}
			if strings.Contains(sent, "行政诉讼") {
				add("litigation.total", 0, "件", sent)
			}
		}
		return
	}
	for _, o := range outcomeRes {
		for _, m := range o.re.FindAllStringSubmatchIndex(sent, -1) {
			best, bestAt := "", -1
			for _, a := range anchors {
				if a.at <= m[0] && a.at > bestAt {
					best, bestAt = a.group, a.at
				}
			}
			if best == "" {
				continue
			}
			if v, ok := chineseNumber(sent[m[2]:m[3]]); ok {
				add(best+"."+o.key, v, "件", sent)
			}
		}
	}
}

// figureValue returns a narrative figure's value when every mention agrees.
func figureValue(figs []report.Figure, key string) (float64, bool) {
	found := false
	var v float64
	for _, f := range figs {
		if f.Key != key {
			continue
		}
		if found && f.Value != v {
			return 0, false
		}
		v, found = f.Value, true
	}
	return v, found
}

// narrativeCells maps figure keys to the table cells whose sum they state.
func narrativeCells(tpl report.Template) map[string][]string {
	m := map[string][]string{
		"new_received":    {"requests.new_received.total"},
		"carried_over":    {"requests.carried_over.total"},
		"carried_forward": {"requests.carried_forward.total"},
		"granted":         {"requests.granted.total"},
	}
	for _, o := range []string{"total", "upheld", "corrected", "other", "pending"} {
		m["review."+o] = []string{"review_litigation.review." + o}
		m["litigation."+o] = []string{"review_litigation.suit_direct." + o, "review_litigation.suit_after_review." + o}
	}
	switch tpl {
	case report.Template2021:
		m["normative_docs.issued"] = []string{"active.normative_docs.issued"}
		m["normative_docs.in_force"] = []string{"active.normative_docs.in_force"}
	case report.Template2019:
		m["normative_docs.issued"] = []string{"active.normative_docs.made"}
	}
	return m
}

// narrativeRule prefixes the rule of a check of a figure against its cells.
const narrativeRule = "narrative."

// NarrativeCells are the cells a narrative check (a figure the text states,
// compared with the sum of its cells) compares, for a record of template tpl;
// nil when the rule is not a narrative check.
func NarrativeCells(tpl report.Template, rule string) []string {
	key, ok := strings.CutPrefix(rule, narrativeRule)
	if !ok {
		return nil
	}
	return narrativeCells(tpl)[key]
}

// compareNarrative adds a check for every figure whose table cells are printed.
func compareNarrative(rec *report.Record) {
	cells := narrativeCells(rec.Template)
	done := map[string]bool{}
	for _, f := range rec.Narrative {
		paths, ok := cells[f.Key]
		if !ok || done[f.Key] {
			continue
		}
		v, agree := figureValue(rec.Narrative, f.Key)
		if !agree {
			continue
		}
		sum, all := 0.0, true
		for _, p := range paths {
			c, ok := rec.Cell(p)
			if !ok || c == nil {
				all = false
				break
			}
			sum += *c
		}
		if !all {
			continue
		}
		done[f.Key] = true
		rec.Checks = append(rec.Checks, report.Check{
			Rule: narrativeRule + f.Key, OK: sum == v,
			Detail: "text " + report.FormatNumber(v) + " vs table " + report.FormatNumber(sum) + " (" + strings.Join(paths, "+") + ")",
		})
	}
}
