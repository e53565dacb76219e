package export

import (
	"io"
	"strings"

	"github.com/nianbao/nianbao/report"
)

// metaDoc describes the metadata columns: type, Chinese label, meaning.
var metaDoc = map[string][3]string{
	"report_id":      {"text", "报告编号", "stable id of the report in this dataset (from its first URL, or its content for imported files)"},
	"title":          {"text", "标题", "the report's title as printed, in simplified characters"},
	"organisation":   {"text", "发布机关", "the publishing body, from the title or signature"},
	"region":         {"text", "所属行政区划", "the division the report is attributed to, province down: 湖南省长沙市芙蓉区"},
	"admin_code":     {"text", "行政区划代码", "6-digit code of that division (departments and townships: their county)"},
	"level":          {"text", "行政级别", "province, prefecture, county or county_bingtuan: the division's level"},
	"parent_code":    {"text", "上级行政区划代码", "code of the division above"},
	"unit":           {"text", "机关类型", "government, department, township or zone, told by the organisation's name"},
	"host":           {"text", "网站主机", "the host the report was fetched from"},
	"site_code":      {"text", "网站标识码", "the site identification code printed on the page, if any"},
	"credit_code":    {"text", "统一社会信用代码", "the publisher's unified social credit code printed on the page, if any"},
	"attributed_by":  {"text", "归属依据", "how the division was found: site_code, host, credit_code, organisation; empty: not attributed"},
	"year":           {"integer", "报告年度", "the year the report covers"},
	"template":       {"text", "模板", "2019, 2021, legacy or unknown: the national template the tables follow"},
	"published":      {"date", "发布日期", "publication date, YYYY-MM-DD, when printed"},
	"url":            {"text", "来源网址", "the URL the record was read from"},
	"format":         {"text", "文件格式", "html, text, docx, xlsx, …"},
	"encoding":       {"text", "字符编码", "the charset the bytes were decoded from"},
	"script":         {"text", "字体", "hans or hant: the script of the source (all text here is simplified)"},
	"sha256":         {"text", "SHA-256", "hash of the raw document the record was read from"},
	"fetched_at":     {"datetime", "抓取时间", "when that document was fetched (UTC)"},
	"checks_ok":      {"integer", "通过的校验数", "how many template identities hold"},
	"checks_failed":  {"text", "未通过的校验", "the identities the printed numbers break, ; separated"},
	"warnings":       {"integer", "警告数", "how many warnings extraction left (see the JSONL)"},
	"inferred_cells": {"text", "推算单元格", "with --fill-inferred: the cells filled with a value the identities determine, ; separated"},
}

// CodebookColumns are the codebook's columns.
var CodebookColumns = []string{"column", "type", "label_zh", "description"}

// WriteCodebook describes every column of the wide CSV, in order.
func WriteCodebook(w io.Writer) (int, error) {
	t, err := NewTable(w, CodebookColumns)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range MetaColumns {
		d := metaDoc[c]
		if err := t.Write([]string{c, d[0], d[1], d[2]}); err != nil {
			return n, err
		}
		n++
	}
	for _, p := range report.CSVCells() {
		table, _, _, _ := report.SplitPath(p)
		desc := "number as printed; empty where the document prints nothing"
		if strings.HasPrefix(p, "active.fees.amount") {
			desc = "万元 (10,000 yuan) as printed; empty where the document prints nothing"
		}
		if err := t.Write([]string{CellColumn(p), "number", report.CellLabel(p), table + " table: " + desc}); err != nil {
			return n, err
		}
		n++
	}
	return n, t.Flush()
}
