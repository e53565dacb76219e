package extract

import (
	"context"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/simweb"
)

// A 2021-template report as a dump of a page's text nodes prints it, one a
// line (the shape of ../shared/fixtures/real/203.txt and 208.txt), with its
// table 二 row 规章 given by the caller.
func perLineReport(rules []string) string {
	lines := []string{"某某市科学技术局2023年政府信息公开工作年度报告", "一、总体情况", "本年度无。",
		"二、主动公开政府信息情况", "第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章"}
	lines = append(lines, rules...)
	lines = append(lines, "行政规范性文件", "2", "7", "6",
		"第二十条第（五）项", "信息内容", "本年处理决定数量", "行政许可", "46",
		"三、收到和处理政府信息公开申请情况", "申请人情况", "自然人", "法人或其他组织", "总计",
		"一、本年新收政府信息公开申请数量", "12", "0", "1", "0", "0", "0", "13",
		"二、上年结转政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1",
		"三、本年度办理结果", "（一）予以公开", "9", "0", "1", "0", "0", "0", "10",
		"（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "4", "0", "0", "0", "0", "0", "4",
		"（七）总计", "13", "0", "1", "0", "0", "0", "14",
		"四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0",
		"四、政府信息公开行政复议、行政诉讼情况",
		"1", "0", "0", "0", "1", "2", "0", "0", "0", "2", "0", "0", "0", "0", "0",
		"五、存在的主要问题及改进情况", "无。")
	return strings.Join(lines, "\n")
}

func extractText(t *testing.T, text, name string) *report.Record {
	t.Helper()
	e := newTestExtractor(t)
	defer e.Close()
	rec, err := e.Extract(context.Background(), Document{Body: []byte(text), Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func cellIs(t *testing.T, rec *report.Record, path string, want *float64) {
	t.Helper()
	got, _ := rec.Cell(path)
	switch {
	case want == nil && got != nil:
		t.Errorf("%s = %v, want null", path, *got)
	case want != nil && got == nil:
		t.Errorf("%s = null, want %v", path, *want)
	case want != nil && *got != *want:
		t.Errorf("%s = %v, want %v", path, *got, *want)
	}
}

func f64(v float64) *float64 { return &v }

func warned(rec *report.Record, parts ...string) bool {
	for _, w := range rec.Warnings {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(w, p)
		}
		if all {
			return true
		}
	}
	return false
}

// In a one-value-per-line dump a row printed 1810 | 1810 | 1810 whose dump
// dropped repeated lines is one line 1810: fewer lines than cells, which is
// never split as run-together digits nor spread by position.
func TestCollapsedRowStaysNull(t *testing.T) {
	rec := extractText(t, perLineReport([]string{"1", "0", "7"}), "dump.txt")
	cellIs(t, rec, "active.rules.issued", f64(1))
	cellIs(t, rec, "active.rules.in_force", f64(7))
	cellIs(t, rec, "requests.granted.total", f64(10))

	rec = extractText(t, perLineReport([]string{"1810"}), "dump.txt")
	for _, c := range []string{"issued", "repealed", "in_force"} {
		cellIs(t, rec, "active.rules."+c, nil)
	}
	if !warned(rec, "active.rules", "dropped repeated lines", "left null") {
		t.Errorf("no warning says why active.rules is null: %q", rec.Warnings)
	}
	cellIs(t, rec, "active.normative_docs.in_force", f64(6))
}

// A cell's digits split over two lines (13 printed as 1 / 3) make a row of
// more lines than cells: the one merge its identity allows is read.
func TestSplitCellMergedByIdentity(t *testing.T) {
	text := strings.Replace(perLineReport([]string{"1", "0", "7"}), "0\n0\n0\n13\n", "0\n0\n0\n1\n3\n", 1)
	rec := extractText(t, text, "dump.txt")
	cellIs(t, rec, "requests.new_received.total", f64(13))
	cellIs(t, rec, "requests.new_received.natural_person", f64(12))
	if !warned(rec, "requests.new_received", "split over lines", "[12 0 1 0 0 0 13]") {
		t.Errorf("no warning names the merge: %q", rec.Warnings)
	}
	// Without an identity to choose, the merge stays undecided.
	text = strings.Replace(perLineReport([]string{"1", "0", "7"}), "行政规范性文件\n2\n7\n6", "行政规范性文件\n2\n7\n1\n6", 1)
	rec = extractText(t, text, "dump.txt")
	for _, c := range []string{"issued", "repealed", "in_force"} {
		cellIs(t, rec, "active.normative_docs."+c, nil)
	}
	if !warned(rec, "active.normative_docs", "left null") {
		t.Errorf("no warning says why active.normative_docs is null: %q", rec.Warnings)
	}
}

// Digits run together on the label's line (规章1810) have several readings;
// the row's inequality (现行有效 ≥ 本年制发) leaves one, which no identity
// confirms: null, with the readings named.
func TestRunTogetherNeedsAnIdentity(t *testing.T) {
	text := strings.Join([]string{"某某市科学技术局2023年政府信息公开工作年度报告", "二、主动公开政府信息情况",
		"第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数",
		"规章1810", "行政规范性文件 2 7 6", "三、收到和处理政府信息公开申请情况"}, "\n")
	rec := extractText(t, text, "dump.txt")
	for _, c := range []string{"issued", "repealed", "in_force"} {
		cellIs(t, rec, "active.rules."+c, nil)
	}
	if !warned(rec, "active.rules", "[1 8 10]", "no identity") {
		t.Errorf("no warning says why active.rules is null: %q", rec.Warnings)
	}
	cellIs(t, rec, "active.normative_docs.in_force", f64(6))
}

// A row label set over two lines, its values after the second half on the
// same line, as a PDF's text or a dump sets a long label.
func TestLabelOverTwoLines(t *testing.T) {
	base := strings.Join([]string{"某某县人民政府2022年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
		"申请人情况 自然人 法人或其他组织 总计",
		"一、本年新收政府信息公开申请数量 9 0 0 0 0 0 9",
		"二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
		"三、本年度办理结果", "（一）予以公开 5 0 0 0 0 0 5", "%s",
		"（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0",
		"（七）总计 9 0 0 0 0 0 9", "四、结转下年度继续办理 0 0 0 0 0 0 0"}, "\n")
	for _, split := range []string{
		"（二）部分公开（区分处理的，只计这一情形，不\n计其他情形） 2 0 0 0 0 0 2",
		"（二）部分公开（区分处理的，只计这一情形，不\n计其他情形）\n2 0 0 0 0 0 2",
		"（二）部分公开（区分处理的，只计这一情形，\n不计其他情形） 2 0 0 0 0 0 2",
	} {
		rec := extractText(t, strings.Replace(base, "%s", split, 1), "report.txt")
		cellIs(t, rec, "requests.partially_granted.natural_person", f64(2))
		cellIs(t, rec, "requests.partially_granted.total", f64(2))
		cellIs(t, rec, "requests.denied_state_secret.total", f64(0))
	}
	// A line that starts with an ordinal is a row of its own, not the rest of
	// a label, even when no row's words name it.
	rec := extractText(t, strings.Replace(base, "%s", "（二）部分公开（区分处理的，只计这一情形，不\n（八）另外一行 2 0 0 0 0 0 2", 1), "report.txt")
	cellIs(t, rec, "requests.partially_granted.natural_person", nil)
}

// The same in a markdown conversion's pipe table: the label's halves in two
// rows, the values in either, or under a bracketed note of their own.
func TestMarkdownLabelOverTwoRows(t *testing.T) {
	head := "# 某某县人民政府2022年政府信息公开工作年度报告\n\n## 三、收到和处理政府信息公开申请情况\n\n" +
		"| 本列数据的勾稽关系 | 申请人情况 | | | | | | |\n|---|---|---|---|---|---|---|---|\n" +
		"| | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n" +
		"| 一、本年新收政府信息公开申请数量 | 9 | 0 | 0 | 0 | 0 | 0 | 9 |\n" +
		"| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n" +
		"| 三、本年度办理结果 （一）予以公开 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |\n"
	tail := "| （三）不予公开 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n" +
		"| （七）总计 | 9 | 0 | 0 | 0 | 0 | 0 | 9 |\n| 四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
	for _, rows := range []string{
		"| （二）部分公开（区分处理的，只计这一情形，不 | | | | | | | |\n| 计其他情形） | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n",
		"| （二）部分公开（区分处理的，只计这一情形，不 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n| 计其他情形） | | | | | | | |\n",
		"| （二）部分公开 | | | | | | | |\n| （区分处理的，只计这一情形，不计其他情形） | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n",
		"| （二）部分公开（区分处理的，只计这一情形，不 | | | | | | | |\n| | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n| 计其他情形） | | | | | | | |\n",
	} {
		rec := extractText(t, head+rows+tail, "report.md")
		cellIs(t, rec, "requests.partially_granted.natural_person", f64(2))
		cellIs(t, rec, "requests.partially_granted.total", f64(2))
		cellIs(t, rec, "requests.total_processed.total", f64(9))
	}
}

// The same in a PDF's text layer, the label's second half and the values on
// the lines after its first (the PDF is written with the simulated web's
// plain CJK writer, one line per row, cells in columns).
func TestPDFLabelOverTwoLines(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PDFium")
	}
	head := [][]string{{"某某县人民政府2022年政府信息公开工作年度报告"}, {"三、收到和处理政府信息公开申请情况"},
		{"申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"},
		{"一、本年新收政府信息公开申请数量", "9", "0", "0", "0", "0", "0", "9"},
		{"二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0"},
		{"三、本年度办理结果 （一）予以公开", "5", "0", "0", "0", "0", "0", "5"}}
	tail := [][]string{{"（三）不予公开 1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"},
		{"（七）总计", "9", "0", "0", "0", "0", "0", "9"}, {"四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0"}}
	values := []string{"2", "0", "0", "0", "0", "0", "2"}
	for _, split := range [][][]string{
		{{"（二）部分公开（区分处理的，只计这一情形，不"}, {"计其他情形）"}, append([]string{""}, values...)},
		{{"（二）部分公开（区分处理的，只计这一情形，不"}, append([]string{"计其他情形）"}, values...)},
	} {
		rows := append(append(append([][]string{}, head...), split...), tail...)
		rec := extractText(t, string(simweb.TextPDF(rows)), "report.pdf")
		cellIs(t, rec, "requests.partially_granted.natural_person", f64(2))
		cellIs(t, rec, "requests.partially_granted.total", f64(2))
		cellIs(t, rec, "requests.total_processed.total", f64(9))
	}
}

// A table-三 row printed with more cells than columns (a PDF's empty or
// subtotal column) is read as its first six and its last only when the extra
// ones are blank or 0 and the row's identity then holds.
func TestExtraCellsReadOnlyUnderTheIdentity(t *testing.T) {
	text := func(row string) string {
		return strings.Join([]string{"某某县人民政府2022年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
			"一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5", row, "（七）总计 5 0 0 0 0 0 5"}, "\n")
	}
	rec := extractText(t, text("三、本年度办理结果 （一）予以公开 5 0 0 0 0 0 0 5"), "report.txt")
	cellIs(t, rec, "requests.granted.total", f64(5))
	rec = extractText(t, text("三、本年度办理结果 （一）予以公开 4 0 0 0 0 0 0 5"), "report.txt")
	cellIs(t, rec, "requests.granted.natural_person", nil)
	cellIs(t, rec, "requests.granted.total", nil)
	if !warned(rec, "requests.granted", "identity") {
		t.Errorf("no warning says why requests.granted is null: %q", rec.Warnings)
	}
}
