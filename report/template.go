package report

// Template names the national table format a report follows.
type Template string

// The templates of SCHEMA.md.
const (
	Template2019    Template = "2019"    // 国办公开办函〔2019〕60号: reports for 2019 and 2020
	Template2021    Template = "2021"    // 国办公开办函〔2021〕30号: reports for 2021 on
	TemplateLegacy  Template = "legacy"  // reports before 2019: free-form, no tables
	TemplateUnknown Template = "unknown" // no template could be recognised
)

// ColSpec is one column of a template table.
type ColSpec struct {
	Key   string
	Label string
}

// RowSpec is one row of a template table with the columns it has.
type RowSpec struct {
	Key   string
	Label string
	Cols  []ColSpec
}

// TableSpec is the shape of one template table.
type TableSpec struct {
	Name  string // "active", "requests" or "review_litigation"
	Label string
	Rows  []RowSpec
}

// Row returns the spec of the row with the given key.
func (t *TableSpec) Row(key string) (RowSpec, bool) {
	for _, r := range t.Rows {
		if r.Key == key {
			return r, true
		}
	}
	return RowSpec{}, false
}

// ApplicantCols are the seven columns of table 三, in printed order.
var ApplicantCols = []ColSpec{
	{"natural_person", "自然人"},
	{"commercial", "商业企业"},
	{"research", "科研机构"},
	{"social_welfare", "社会公益组织"},
	{"legal_services", "法律服务机构"},
	{"other_org", "其他"},
	{"total", "总计"},
}

// OrgCols are the six applicant columns whose sum is the total.
var OrgCols = ApplicantCols[:6]

var (
	cols2021Docs = []ColSpec{{"issued", "本年制发件数"}, {"repealed", "本年废止件数"}, {"in_force", "现行有效件数"}}
	cols2021Dec  = []ColSpec{{"decisions", "本年处理决定数量"}}
	cols2019Docs = []ColSpec{{"made", "本年新制作数量"}, {"published", "本年新公开数量"}, {"total_published", "对外公开总数量"}}
	cols2019Item = []ColSpec{{"prev_items", "上一年项目数量"}, {"change", "本年增/减"}, {"decisions", "处理决定数量"}}
)

// Active2021 is table 二 of the 2021 template.
var Active2021 = &TableSpec{Name: "active", Label: "主动公开政府信息情况", Rows: []RowSpec{
	{"rules", "规章", cols2021Docs},
	{"normative_docs", "行政规范性文件", cols2021Docs},
	{"licensing", "行政许可", cols2021Dec},
	{"punishment", "行政处罚", cols2021Dec},
	{"coercion", "行政强制", cols2021Dec},
	{"fees", "行政事业性收费", []ColSpec{{"amount_10k_yuan", "本年收费金额（单位：万元）"}}},
}}

// Active2019 is table 二 of the 2019 template.
var Active2019 = &TableSpec{Name: "active", Label: "主动公开政府信息情况", Rows: []RowSpec{
	{"rules", "规章", cols2019Docs},
	{"normative_docs", "规范性文件", cols2019Docs},
	{"licensing", "行政许可", cols2019Item},
	{"other_services", "其他对外管理服务事项", cols2019Item},
	{"punishment", "行政处罚", cols2019Item},
	{"coercion", "行政强制", cols2019Item},
	{"fees", "行政事业性收费", cols2019Item[:2]},
	{"procurement", "政府集中采购", []ColSpec{{"count", "采购项目数量"}, {"amount_yuan", "采购总金额（元）"}}},
}}

func reqRows(keysLabels ...string) []RowSpec {
	rows := make([]RowSpec, 0, len(keysLabels)/2)
	for i := 0; i+1 < len(keysLabels); i += 2 {
		rows = append(rows, RowSpec{keysLabels[i], keysLabels[i+1], ApplicantCols})
	}
	return rows
}

var reqHead = []string{
	"new_received", "一、本年新收政府信息公开申请数量",
	"carried_over", "二、上年结转政府信息公开申请数量",
	"granted", "（一）予以公开",
	"partially_granted", "（二）部分公开",
	"denied_state_secret", "（三）不予公开 1.属于国家秘密",
	"denied_prohibited_by_law", "2.其他法律行政法规禁止公开",
	"denied_security_stability", "3.危及“三安全一稳定”",
	"denied_third_party", "4.保护第三方合法权益",
	"denied_internal_affairs", "5.属于三类内部事务信息",
	"denied_process_info", "6.属于四类过程性信息",
	"denied_enforcement_files", "7.属于行政执法案卷",
	"denied_administrative_query", "8.属于行政查询事项",
	"unavailable_not_held", "（四）无法提供 1.本机关不掌握相关政府信息",
	"unavailable_needs_creation", "2.没有现成信息需要另行制作",
	"unavailable_unclear", "3.补正后申请内容仍不明确",
	"rejected_petition", "（五）不予处理 1.信访举报投诉类申请",
	"rejected_duplicate", "2.重复申请",
	"rejected_publication", "3.要求提供公开出版物",
	"rejected_mass_repetitive", "4.无正当理由大量反复申请",
	"rejected_confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息",
}

var reqTail = []string{
	"total_processed", "（七）总计",
	"carried_forward", "四、结转下年度继续办理",
}

// Requests2021 is table 三 of the 2021 template (25 rows).
var Requests2021 = &TableSpec{Name: "requests", Label: "收到和处理政府信息公开申请情况", Rows: reqRows(concat(reqHead, []string{
	"other_no_correction", "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
	"other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
	"other_other", "3.其他",
}, reqTail)...)}

// Requests2019 is table 三 of the 2019 template (23 rows): （六）其他处理 is one row.
// Some later reports keep this table under a 2021 table 二.
var Requests2019 = &TableSpec{Name: "requests", Label: "收到和处理政府信息公开申请情况", Rows: reqRows(concat(reqHead, []string{
	"other_processing", "（六）其他处理",
}, reqTail)...)}

var outcomeCols = []ColSpec{
	{"upheld", "结果维持"}, {"corrected", "结果纠正"}, {"other", "其他结果"}, {"pending", "尚未审结"}, {"total", "总计"},
}

// ReviewLitigation is table 四, the same in both templates.
var ReviewLitigation = &TableSpec{Name: "review_litigation", Label: "政府信息公开行政复议、行政诉讼情况", Rows: []RowSpec{
	{"review", "行政复议", outcomeCols},
	{"suit_direct", "行政诉讼 未经复议直接起诉", outcomeCols},
	{"suit_after_review", "行政诉讼 复议后起诉", outcomeCols},
}}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ActiveSpec returns table 二's spec for a template (nil for legacy and unknown).
func ActiveSpec(t Template) *TableSpec {
	switch t {
	case Template2019:
		return Active2019
	case Template2021:
		return Active2021
	}
	return nil
}

// CSVCells lists every cell path that a CSV row carries, in a stable order: the
// union of both templates' cells, table by table.
func CSVCells() []string {
	var out []string
	seen := map[string]bool{}
	add := func(spec *TableSpec) {
		for _, r := range spec.Rows {
			for _, c := range r.Cols {
				p := spec.Name + "." + r.Key + "." + c.Key
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
	}
	add(Active2021)
	add(Active2019)
	add(Requests2021)
	add(Requests2019)
	add(ReviewLitigation)
	return out
}

// CellLabel returns the Chinese labels of a cell path ("requests.granted.total"
// → "（一）予以公开 / 总计"), for codebooks and readable output.
func CellLabel(path string) string {
	for _, spec := range []*TableSpec{Active2021, Active2019, Requests2021, Requests2019, ReviewLitigation} {
		for _, r := range spec.Rows {
			for _, c := range r.Cols {
				if spec.Name+"."+r.Key+"."+c.Key == path {
					return spec.Label + " / " + r.Label + " / " + c.Label
				}
			}
		}
	}
	return ""
}
