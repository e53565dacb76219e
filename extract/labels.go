package extract

import (
	"strings"
	"unicode/utf8"
)

// matcher recognises one template row by the meaning of its label: any of the
// keyword groups (every keyword of the group present), none of the excluded words.
// A generic matcher counts only when no specific one does (（六）其他处理 printed
// beside its sub-row). A weak label matches only as the exact core of a label
// right after one of the rows in after (3.其他 after the 其他处理 sub-rows).
type matcher struct {
	key     string
	any     [][]string
	none    []string
	generic bool
	weak    string
	after   []string
}

func kw(groups ...string) [][]string {
	out := make([][]string, len(groups))
	for i, g := range groups {
		out[i] = strings.Split(g, "+")
	}
	return out
}

var outcomeKeys = []string{"granted", "partially_granted", "denied_state_secret", "denied_prohibited_by_law",
	"denied_security_stability", "denied_third_party", "denied_internal_affairs", "denied_process_info",
	"denied_enforcement_files", "denied_administrative_query", "unavailable_not_held", "unavailable_needs_creation",
	"unavailable_unclear", "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_mass_repetitive",
	"rejected_confirm_or_reissue", "other_processing", "other_no_correction", "other_fee_unpaid", "other_other"}

// requestMatchers, in the order the rows are printed.
var requestMatchers = []matcher{
	{key: "new_received", any: kw("新收", "本年收到+申请数量")},
	{key: "carried_over", any: kw("上年+结转", "上年度+结转"), none: []string{"下年"}},
	{key: "granted", any: kw("予以公开", "以公开"), none: []string{"不予", "部分", "分公开"}},
	{key: "partially_granted", any: kw("部分公开", "分公开")},
	{key: "denied_state_secret", any: kw("国家秘密")},
	{key: "denied_prohibited_by_law", any: kw("禁止公", "法律行政法规")},
	{key: "denied_security_stability", any: kw("三安全", "一稳定")},
	{key: "denied_third_party", any: kw("第三方")},
	{key: "denied_internal_affairs", any: kw("内部事务")},
	{key: "denied_process_info", any: kw("过程性")},
	{key: "denied_enforcement_files", any: kw("执法案卷")},
	{key: "denied_administrative_query", any: kw("行政查询")},
	{key: "unavailable_not_held", any: kw("不掌握")},
	{key: "unavailable_needs_creation", any: kw("另行制作", "没有现成", "现成信息")},
	{key: "unavailable_unclear", any: kw("仍不明确", "补正后")},
	{key: "rejected_petition", any: kw("信访", "举报投诉")},
	{key: "rejected_duplicate", any: kw("重复申请")},
	{key: "rejected_publication", any: kw("出版物")},
	{key: "rejected_mass_repetitive", any: kw("大量反复")},
	{key: "rejected_confirm_or_reissue", any: kw("重新出具", "确认或")},
	{key: "other_processing", any: kw("其他处理"), generic: true},
	{key: "other_no_correction", any: kw("不补正")},
	{key: "other_fee_unpaid", any: kw("缴纳费用", "收费通知")},
	{key: "other_other", weak: "其他", after: []string{"other_no_correction", "other_fee_unpaid"}},
	{key: "total_processed", any: kw("(七)总计", "七)总计", "(七)合计"), weak: "总计", after: outcomeKeys},
	{key: "carried_forward", any: kw("结转下年", "下年度继续", "继续办理")},
}

var activeMatchers = []matcher{
	{key: "rules", any: kw("规章"), none: []string{"规范性"}},
	{key: "normative_docs", any: kw("规范性文件")},
	{key: "licensing", any: kw("行政许可")},
	{key: "other_services", any: kw("对外管理服务")},
	{key: "punishment", any: kw("行政处罚")},
	{key: "coercion", any: kw("行政强制")},
	{key: "fees", any: kw("事业性收费")},
	{key: "procurement", any: kw("集中采购")},
}

// plausibleLabel rejects sentences: a row label has no full stop and is short.
func plausibleLabel(norm string) bool {
	return norm != "" && !strings.ContainsAny(norm, "。；;") && utf8.RuneCountInString(norm) <= 90
}

func (m matcher) strong(norm string) bool {
	for _, no := range m.none {
		if strings.Contains(norm, no) {
			return false
		}
	}
	for _, group := range m.any {
		all := true
		for _, k := range group {
			if !strings.Contains(norm, k) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// stripNumerals removes the leading 一二三… of a core label.
func stripNumerals(core string) string {
	return strings.TrimLeft(core, "一二三四五六七八九十")
}

// match returns the row a label names, given the rows already matched and the
// row matched last. filled rows are not matched again (a duplicated fragment).
func match(ms []matcher, label string, last string, filled map[string]bool) (key string, dup bool) {
	norm := normLabel(label)
	if !plausibleLabel(norm) {
		return "", false
	}
	var generic string
	for _, m := range ms {
		if len(m.any) == 0 || !m.strong(norm) {
			continue
		}
		if m.generic {
			if generic == "" {
				generic = m.key
			}
			continue
		}
		if filled[m.key] {
			return m.key, true
		}
		return m.key, false
	}
	if generic != "" {
		return generic, filled[generic]
	}
	core := stripNumerals(coreLabel(norm))
	for _, m := range ms {
		if m.weak == "" || core != m.weak {
			continue
		}
		for _, a := range m.after {
			if a == last {
				return m.key, filled[m.key]
			}
		}
	}
	return "", false
}
