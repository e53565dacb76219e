package extract

import (
	"context"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

func extractString(t *testing.T, body string) *report.Record {
	t.Helper()
	rec, err := newTestExtractor(t).Extract(context.Background(), Document{Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func cell(t *testing.T, rec *report.Record, path string) *float64 {
	t.Helper()
	v, ok := rec.Cell(path)
	if !ok {
		t.Fatalf("%s: no such cell", path)
	}
	return v
}

func wantCell(t *testing.T, rec *report.Record, path string, want float64) {
	t.Helper()
	v := cell(t, rec, path)
	if v == nil || *v != want {
		t.Errorf("%s = %v, want %v (warnings %v)", path, v, want, rec.Warnings)
	}
}

func wantNull(t *testing.T, rec *report.Record, path string) {
	t.Helper()
	if v := cell(t, rec, path); v != nil {
		t.Errorf("%s = %v, want null", path, *v)
	}
}

// Table 四 printed on its side: three labelled rows of five.
func TestTransposedReviewTable(t *testing.T) {
	rec := extractString(t, `2022年某县人民政府政府信息公开工作年度报告
四、政府信息公开行政复议、行政诉讼情况
	结果维持	结果纠正	其他结果	尚未审结	总计
行政复议	1	0	0	1	2
行政诉讼（未经复议直接起诉）	0	0	0	0	0
行政诉讼（复议后起诉）	3	1	0	0	4
五、存在的主要问题及改进情况
无。`)
	wantCell(t, rec, "review_litigation.review.pending", 1)
	wantCell(t, rec, "review_litigation.suit_after_review.total", 4)
	wantCell(t, rec, "review_litigation.suit_direct.upheld", 0)
}

// A title that starts with its year names the organisation after it.
func TestTitleYearFirst(t *testing.T) {
	rec := extractString(t, "2022年度海淀区人民政府政府信息公开工作年度报告\n一、总体情况\n今年工作平稳。\n")
	if rec.Organisation != "海淀区人民政府" || rec.Year == nil || *rec.Year != 2022 {
		t.Fatalf("organisation %q, year %v", rec.Organisation, rec.Year)
	}
}

// Values on the line after their label, separated by spaces (a common PDF dump).
func TestValuesOnNextLine(t *testing.T) {
	rec := extractString(t, `某局2023年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量
5 1 0 0 0 0 6
二、上年结转政府信息公开申请数量
0 0 0 0 0 0 0
（七）总计
5 / 0 0 0 0 5
`)
	wantCell(t, rec, "requests.new_received.commercial", 1)
	wantCell(t, rec, "requests.new_received.total", 6)
	wantNull(t, rec, "requests.total_processed.commercial")
	if !strings.Contains(strings.Join(rec.Warnings, " "), "placeholder") {
		t.Errorf("placeholder not reported: %v", rec.Warnings)
	}
}

// Too few cells with nothing to place them: the row stays null, with the values in a warning.
func TestShortRowIsNotGuessed(t *testing.T) {
	rec := extractString(t, `某局2023年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 0 0 0 0 0 19
`)
	for _, c := range report.ApplicantCols {
		wantNull(t, rec, "requests.new_received."+c.Key)
	}
	if !strings.Contains(strings.Join(rec.Warnings, " "), "0 0 0 0 0 19") {
		t.Errorf("the printed values are not in a warning: %v", rec.Warnings)
	}
}

// A row with extra cells that are not all zero is not cut to fit.
func TestExtraNonZeroCellsNotCut(t *testing.T) {
	rec := extractString(t, "某局2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n（七）总计\t5\t0\t0\t0\t0\t0\t2\t0\t0\t0\t5\n")
	wantNull(t, rec, "requests.total_processed.natural_person")
	wantNull(t, rec, "requests.total_processed.total")
}

// Numbers with units, notes and full-width digits.
func TestValueForms(t *testing.T) {
	for in, want := range map[string]float64{"１２": 12, "1,234": 1234, "22（其中修订16件）": 22, "83.93万元": 83.93, "-3": -3, "5件": 5, "－2": -2} {
		v := parseValue(in)
		if v.kind != kindNumber || v.num != want {
			t.Errorf("parseValue(%q) = %+v, want %v", in, v, want)
		}
	}
	for _, in := range []string{"/", "—", "无", "——"} {
		if v := parseValue(in); v.kind != kindPlaceholder {
			t.Errorf("parseValue(%q) = %+v, want a placeholder", in, v)
		}
	}
	for _, in := range []string{"1.属于国家秘密", "(2", "5,不计其他情形)", "第二十条", "2022年"} {
		if v := parseValue(in); v.kind != kindText {
			t.Errorf("parseValue(%q) = %+v, want text", in, v)
		}
	}
}

// The distractors of PORTALS.md are not reports.
func TestDistractorIsUnknown(t *testing.T) {
	rec := extractString(t, "<html><head><title>2022年政府工作报告</title></head><body><h1>2022年政府工作报告</h1><p>各位代表：现在，我代表区人民政府向大会报告工作。</p></body></html>")
	if rec.Template != report.TemplateUnknown || rec.Requests != nil || len(rec.Warnings) == 0 {
		t.Fatalf("a 政府工作报告 became a %s record (warnings %v)", rec.Template, rec.Warnings)
	}
}

func TestNoticeTitlesAreNotReports(t *testing.T) {
	for _, title := range []string{
		"关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
		"中华人民共和国政府信息公开工作年度报告格式",
		"2022年度各部门政府信息公开工作年度报告公布情况",
	} {
		if looksLikeReportTitle(title) {
			t.Errorf("%s taken for a report title", title)
		}
	}
	for _, title := range []string{"郑州市人民政府2022年政府信息公开工作年度报告", "2023年度政务公开年报", "XX局2021年信息公开年报"} {
		if !looksLikeReportTitle(title) {
			t.Errorf("%s not taken for a report title", title)
		}
	}
}

// Last year's year copied into the title by mistake.
func TestTitleWithLastYearsYear(t *testing.T) {
	rec := extractString(t, `<html><head><title>某县人民政府2021年政府信息公开工作年度报告</title></head><body>
<h1>某县人民政府2021年政府信息公开工作年度报告</h1><div>发布日期：2023-01-20</div>
<p>根据条例，现公布某县人民政府2022年政府信息公开工作年度报告。</p><p>一、总体情况</p><p>2022年，我县扎实推进政务公开。</p>
<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>`)
	if rec.Year == nil || *rec.Year != 2022 || !strings.Contains(strings.Join(rec.Warnings, " "), "the title says 2021") {
		t.Fatalf("year %v, warnings %v", rec.Year, rec.Warnings)
	}
	// A right title is kept even when the text dwells on the year before.
	rec = extractString(t, `<html><head><title>某县人民政府2022年政府信息公开工作年度报告</title></head><body>
<div>发布日期：2023-01-20</div><p>2021年的问题：2021年整改，2021年总结。</p><p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p></body></html>`)
	if rec.Year == nil || *rec.Year != 2022 {
		t.Fatalf("year %v", rec.Year)
	}
}
