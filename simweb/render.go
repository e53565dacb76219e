package simweb

import (
	"fmt"
	"html"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/nianbao/nianbao/report"
)

// Distractor titles: pages that look like reports and must not enter the dataset.
var distractorTitles = []string{
	"%d年政府网站工作年度报表", "%d年法治政府建设年度报告", "住房公积金%d年年度报告", "%d年国民经济和社会发展统计公报",
	"%d年政府工作报告", "%d年部门决算", "%d年行政执法数据年报", "%d年政务新媒体工作年度报表",
	"关于做好%d年政府信息公开工作年度报告编制发布工作的通知", "%d年度政府信息公开工作年度报告公布情况",
}

// Distractor is a page listed beside the reports that is not one.
type Distractor struct {
	Host  *Host
	Path  string
	Title string
	Year  int
}

// distractors of a host's column, fixed by the seed.
func (w *World) distractors(h *Host, column string) []Distractor {
	r := rngFor("distractors", w.cfg.Seed, h.Name, column)
	var out []Distractor
	for i := 0; i < 3; i++ {
		y := w.cfg.FirstYear + r.IntN(w.cfg.LastYear-w.cfg.FirstYear+1)
		t := distractorTitles[r.IntN(len(distractorTitles))]
		out = append(out, Distractor{Host: h, Year: y, Title: fmt.Sprintf(t, y),
			Path: fmt.Sprintf("/xxgk/%s/qt/t%d0115_%d.html", column, y+1, 500000+r.IntN(400000))})
	}
	return out
}

func esc(s string) string { return html.EscapeString(s) }

// pageShell wraps a body in the markup of a government site.
func (h *Host) pageShell(title, body string) string {
	return h.shell(title, body, true)
}

// shell is a page of the host: its charset <meta> as the host declares it,
// and, with furniture, the site's navigation and footer links.
func (h *Host) shell(title, body string, furniture bool) string {
	meta := ""
	if h.Charset == "meta" {
		meta = fmt.Sprintf(`<meta http-equiv="Content-Type" content="text/html; charset=%s">`, charsetLabel(h.Encoding))
	}
	if !furniture {
		return fmt.Sprintf("<!DOCTYPE html>\n<html><head>%s<title>%s</title></head>\n<body>\n%s\n</body></html>\n", meta, esc(title), body)
	}
	code := h.Division.Code + fmt.Sprintf("%04d", h.rng%10000)
	return fmt.Sprintf(`<!DOCTYPE html>
<html><head>%s<title>%s</title><meta name="SiteName" content="%s"></head>
<body><div class="header"><a href="/">首页</a> <a href="/xxgk/">政府信息公开</a> <a href="/xwzx/">新闻中心</a></div>
%s
<div class="footer">主办单位：%s人民政府办公室　网站标识码：%s　<a href="/sitemap.html">网站地图</a></div>
</body></html>
`, meta, esc(title), esc(h.Division.Name), body, esc(h.Division.Name), code)
}

func charsetLabel(enc string) string {
	if enc == "gbk" {
		return "gb2312"
	}
	return "utf-8"
}

// homePage links to the disclosure portal, the mobile host and, on some hosts,
// the clone site and the traps.
func (w *World) homePage(h *Host) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<h1>%s</h1><ul class="nav">`, esc(h.Division.Name+"人民政府门户网站"))
	b.WriteString(`<li><a href="/xxgk/">政府信息公开</a></li><li><a href="/xwzx/">新闻中心</a></li><li><a href="/hdjl/">互动交流</a></li>`)
	if h.Dialect == Gkmlpt {
		fmt.Fprintf(&b, `<li><a href="%s/gkmlpt/index">政府信息公开目录</a></li>`, h.gkPrefix())
	}
	b.WriteString(`</ul>`)
	if h.Big5Gate {
		fmt.Fprintf(&b, `<a href="/gate/big5/%s/">繁體</a> `, h.Name)
	}
	if h.WAP && strings.HasPrefix(h.Name, "www.") {
		fmt.Fprintf(&b, `<a href="http://m.%s/">手机版</a> `, strings.TrimPrefix(h.Name, "www."))
	}
	if h.Traps {
		b.WriteString(`<a href="/search.jsp?currpage=1">站内搜索</a> <a href="/calendar/?d=2023-01-01">活动日历</a>`)
	}
	if h.rng%5 == 0 {
		fmt.Fprintf(&b, ` <a href="http://%s/%s/">政务公开资料汇编（转载）</a>`, w.Clone, h.Name)
	}
	b.WriteString(` <a href="javascript:void(0)">收藏本站</a> <a href="mailto:zwgk@example.gov.cn">联系我们</a>`)
	return h.pageShell(h.Division.Name+"人民政府门户网站", b.String())
}

// kinds lists the unit kinds present on a host, in a fixed order.
func (h *Host) kinds() []string {
	seen := map[string]bool{}
	for _, u := range h.Units {
		seen[u.Kind] = true
	}
	var out []string
	for _, k := range []string{KindGovernment, KindDepartment, KindTownship, KindZone} {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

var kindColumn = map[string]string{KindGovernment: "zfxxgknb", KindDepartment: "bmxxgknb", KindTownship: "xzjd", KindZone: "kfq"}
var kindName = map[string]string{KindGovernment: "政府信息公开年报", KindDepartment: "部门信息公开年报", KindTownship: "乡镇（街道）年报", KindZone: "开发区年报"}

// disclosurePage: the 政府信息公开 portal with its columns.
func (w *World) disclosurePage(h *Host) string {
	var b strings.Builder
	b.WriteString(`<h2>政府信息公开</h2><ul>`)
	b.WriteString(`<li><a href="/xxgk/zcwj/">政策文件</a></li><li><a href="/xxgk/tjxx/">统计信息</a></li>`)
	for i, k := range h.kinds() {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, h.columnEntry(k, i), kindName[k])
	}
	b.WriteString(`<li><a href="/xxgk/zfgzbg/">政府工作报告</a></li><li><a href="/xxgk/tzgg/">通知公告</a></li></ul>`)
	// Departments with their own sub-domain are linked out (in scope: gov.cn).
	for _, other := range w.Hosts {
		if other != h && other.Division.Code == h.Division.Code && strings.HasSuffix(other.Name, strings.TrimPrefix(h.Name, "www.")) {
			fmt.Fprintf(&b, `<p><a href="%s/">%s</a></p>`, other.base(), esc(other.Units[0].Name))
		}
	}
	return h.pageShell("政府信息公开", b.String())
}

// columnEntry is where a kind's report column starts in the host's dialect.
func (h *Host) columnEntry(kind string, i int) string {
	if p, ok := h.vendorEntry(kind, i); ok {
		return p
	}
	switch h.Dialect {
	case Hanweb:
		return fmt.Sprintf("/col/col%d/index.html", h.ColumnID+i)
	case Gkmlpt:
		return fmt.Sprintf("%s/gkmlpt/annualreport#%d", h.gkPrefix(), h.ColumnID+i)
	case Tabs:
		return "/opennessAnnualReport/?branch_id=0"
	case PageIndex:
		return fmt.Sprintf("/content/column/%d?pageIndex=1", h.ColumnID+i)
	case YearDir:
		return "/zfxxgk/ndbg/"
	case JSList:
		return fmt.Sprintf("/xxgk/ndbg/%s/index.html", kindColumn[kind])
	case Legacy:
		return "/pub/gknb/index.htm"
	}
	return fmt.Sprintf("/xxgk/%s/index.html", kindColumn[kind])
}

// item is one line of a list.
type item struct {
	Title, Path, Date string
	Report            *Report
}

// listItems are a kind's reports (published, in this epoch) and distractors,
// newest first.
func (w *World) listItems(h *Host, kind string) []item {
	var items []item
	for _, u := range h.Units {
		if kind != "" && u.Kind != kind {
			continue
		}
		for _, rp := range u.Reports {
			if !rp.Published || rp.Drift == "new" && w.cfg.Epoch == 0 {
				continue
			}
			path := rp.Path
			if rp.Drift == "migrated" {
				path = rp.MovedPath // a migrated site's lists point at the new ids
			}
			items = append(items, item{Title: rp.Title, Path: path, Date: rp.Date, Report: rp})
		}
	}
	if kind == "" || kind == KindGovernment {
		for _, d := range w.distractors(h, kindColumn[KindGovernment]) {
			items = append(items, item{Title: d.Title, Path: d.Path, Date: fmt.Sprintf("%d-01-15", d.Year+1)})
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].Date != items[j].Date {
			return items[i].Date > items[j].Date
		}
		return items[i].Path < items[j].Path
	})
	return items
}

func listHTML(items []item) string {
	var b strings.Builder
	b.WriteString(`<ul class="list">`)
	for _, it := range items {
		fmt.Fprintf(&b, `<li><a href="%s" title="%s">%s</a><span>%s</span></li>`, it.Path, esc(it.Title), esc(it.Title), it.Date)
	}
	b.WriteString(`</ul>`)
	return b.String()
}

func pageSlice(items []item, page, per int) []item {
	from := page * per
	if from >= len(items) {
		return nil
	}
	return items[from:min(len(items), from+per)]
}

func pages(n, per int) int {
	if n == 0 {
		return 1
	}
	return (n + per - 1) / per
}

// reportBody renders a report page's article: sections and the three tables in
// the template of its year, or the free-form text of a pre-2019 report, or a
// pointer to the attachment.
func (w *World) reportBody(rp *Report) string {
	u := rp.Unit
	rec := rp.Tables()
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="article"><h1>%s</h1><div class="info">发布日期：%s　来源：%s</div><div class="TRS_Editor">`, esc(rp.Title), rp.Date, esc(u.Name))
	p := func(s string) { fmt.Fprintf(&b, "<p>%s</p>\n", esc(s)) }
	p(fmt.Sprintf("根据《中华人民共和国政府信息公开条例》，现公布%s%d年政府信息公开工作年度报告。", u.Name, rp.Year))
	if rp.Format != "html" {
		p("本报告全文及统计表详见附件。")
		name := fmt.Sprintf("%s%d年政府信息公开工作年度报告.%s", u.Name, rp.Year, extOf(rp.Attach))
		fmt.Fprintf(&b, `<p>附件：<a href="%s">%s</a></p>`, rp.Attach, esc(name))
		if rp.Format == "pdf" {
			fmt.Fprintf(&b, `<iframe src="/pdfjs/web/viewer.html?file=%s" width="100%%"></iframe>`, rp.Attach)
		}
		b.WriteString(`</div></div>`)
		return b.String()
	}
	if rec.Template == report.TemplateLegacy {
		p("一、概述")
		p(fmt.Sprintf("%d年，%s认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息%d条。", rp.Year, u.Name, 100+int(rp.seed%900)))
		p("二、主动公开政府信息的情况")
		p("通过政府网站、政府公报等渠道主动公开政府信息。")
		p("三、依申请公开政府信息情况")
		p(fmt.Sprintf("全年共受理政府信息公开申请%d件，均已按期答复。", int(rp.seed%30)))
		p("四、政府信息公开的收费及减免情况")
		p("本年度未收取任何费用。")
		p("五、因政府信息公开申请行政复议、提起行政诉讼的情况")
		p("本年度未发生政府信息公开行政复议和行政诉讼案件。")
		p("六、政府信息公开工作存在的主要问题及改进情况")
		p("公开内容还不够全面，下一步将加强培训。")
	} else {
		p("一、总体情况")
		p(fmt.Sprintf("%d年，%s坚持以公开为常态、不公开为例外，扎实推进政府信息公开工作。", rp.Year, u.Name))
		p("二、主动公开政府信息情况")
		b.WriteString(activeTable(rec))
		p("三、收到和处理政府信息公开申请情况")
		b.WriteString(requestsTable(rec))
		p("四、政府信息公开行政复议、行政诉讼情况")
		b.WriteString(reviewTable(rec))
		p("五、存在的主要问题及改进情况")
		p("政策解读形式较为单一。下一步将丰富解读形式，提升公开质量。")
		p("六、其他需要报告的事项")
		p("本年度未收取信息处理费。")
	}
	fmt.Fprintf(&b, `<p style="text-align:right">%s</p><p style="text-align:right">%s年%d月%d日</p>`, esc(u.Name), rp.Date[:4], atoi(rp.Date[5:7]), atoi(rp.Date[8:10]))
	b.WriteString(`</div></div>`)
	if rp.alone {
		return b.String()
	}
	if rp.Unit.Host.WAP {
		fmt.Fprintf(&b, `<a href="%s">手机版</a>`, strings.Replace(rp.Path, ".html", "_wap.html", 1))
	}
	fmt.Fprintf(&b, ` <a href="%s?print=1">打印本页</a>`, rp.Path) // a print duplicate
	return b.String()
}

func extOf(p string) string {
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[i+1:]
	}
	return ""
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return report.FormatNumber(*v)
}

func td(s string, attrs string) string {
	return fmt.Sprintf("<td%s>%s</td>", attrs, s)
}

// block is one 第二十条 block of table 二: caption, column headers, rows.
type block struct {
	caption string
	header  []string
	rows    []string
}

func activeTable(rec *report.Record) string {
	var b strings.Builder
	b.WriteString(`<table border="1" cellspacing="0">`)
	get := func(row, col string) string { v, _ := rec.Active.Get(row, col); return num(v) }
	var blocks []block
	if rec.Template == report.Template2021 {
		blocks = append(blocks,
			block{"第二十条第（一）项", []string{"本年制发件数", "本年废止件数", "现行有效件数"}, []string{"rules", "normative_docs"}},
			block{"第二十条第（五）项", []string{"本年处理决定数量"}, []string{"licensing"}},
			block{"第二十条第（六）项", []string{"本年处理决定数量"}, []string{"punishment", "coercion"}},
			block{"第二十条第（八）项", []string{"本年收费金额（单位：万元）"}, []string{"fees"}})
	} else {
		item := []string{"上一年项目数量", "本年增/减", "处理决定数量"}
		blocks = append(blocks,
			block{"第二十条第（一）项", []string{"本年新制作数量", "本年新公开数量", "对外公开总数量"}, []string{"rules", "normative_docs"}},
			block{"第二十条第（五）项", item, []string{"licensing", "other_services"}},
			block{"第二十条第（六）项", item, []string{"punishment", "coercion"}},
			block{"第二十条第（八）项", item[:2], []string{"fees"}},
			block{"第二十条第（九）项", []string{"采购项目数量", "采购总金额（元）"}, []string{"procurement"}})
	}
	spec := report.ActiveSpec(rec.Template)
	for _, bl := range blocks {
		fmt.Fprintf(&b, `<tr><td colspan="4">%s</td></tr><tr><td>信息内容</td>`, bl.caption)
		span := ""
		if len(bl.header) < 3 {
			span = fmt.Sprintf(` colspan="%d"`, 4-len(bl.header))
		}
		for i, h := range bl.header {
			a := ""
			if i == len(bl.header)-1 {
				a = span
			}
			b.WriteString(td(h, a))
		}
		b.WriteString(`</tr>`)
		for _, row := range bl.rows {
			rs, _ := spec.Row(row)
			fmt.Fprintf(&b, `<tr><td>%s</td>`, rs.Label)
			for i, c := range rs.Cols {
				a := ""
				if i == len(rs.Cols)-1 {
					a = span
				}
				b.WriteString(td(get(row, c.Key), a))
			}
			b.WriteString(`</tr>`)
		}
	}
	b.WriteString(`</table>`)
	return b.String()
}

var groupLabel = map[string]string{
	"denied": "（三）不予公开", "unavailable": "（四）无法提供", "rejected": "（五）不予处理", "other": "（六）其他处理",
}

func requestsTable(rec *report.Record) string {
	var b strings.Builder
	t := rec.Requests
	b.WriteString(`<table border="1" cellspacing="0">`)
	b.WriteString(`<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>`)
	b.WriteString(`<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>`)
	b.WriteString(`<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>`)
	cells := func(row string) string {
		var s strings.Builder
		for _, c := range report.ApplicantCols {
			v, _ := t.Get(row, c.Key)
			s.WriteString(td(num(v), ""))
		}
		return s.String()
	}
	spec := report.Requests2021
	if !t.Has("other_no_correction") {
		spec = report.Requests2019
	}
	outcomes := 0
	groupSize := map[string]int{}
	for _, rs := range spec.Rows {
		if k := groupOf(rs.Key); k != "" {
			groupSize[k]++
		}
		if rs.Key != "new_received" && rs.Key != "carried_over" && rs.Key != "carried_forward" {
			outcomes++
		}
	}
	started := map[string]bool{}
	first := true
	for _, rs := range spec.Rows {
		label := rs.Label
		if i := strings.LastIndex(label, " "); i >= 0 {
			label = label[i+1:]
		}
		switch rs.Key {
		case "new_received", "carried_over", "carried_forward":
			fmt.Fprintf(&b, `<tr><td colspan="3">%s</td>%s</tr>`, label, cells(rs.Key))
			continue
		}
		lead := ""
		if first {
			lead = fmt.Sprintf(`<td rowspan="%d">三、本年度办理结果</td>`, outcomes)
			first = false
		}
		g := groupOf(rs.Key)
		switch {
		case g == "" || rs.Key == "other_processing":
			if rs.Key == "partially_granted" {
				label = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
			}
			fmt.Fprintf(&b, `<tr>%s<td colspan="2">%s</td>%s</tr>`, lead, label, cells(rs.Key))
		case !started[g]:
			started[g] = true
			fmt.Fprintf(&b, `<tr>%s<td rowspan="%d">%s</td><td>%s</td>%s</tr>`, lead, groupSize[g], groupLabel[g], label, cells(rs.Key))
		default:
			fmt.Fprintf(&b, `<tr>%s<td>%s</td>%s</tr>`, lead, label, cells(rs.Key))
		}
	}
	b.WriteString(`</table>`)
	return b.String()
}

func groupOf(key string) string {
	switch {
	case strings.HasPrefix(key, "denied_"):
		return "denied"
	case strings.HasPrefix(key, "unavailable_"):
		return "unavailable"
	case strings.HasPrefix(key, "rejected_"):
		return "rejected"
	case key == "other_no_correction", key == "other_fee_unpaid", key == "other_other":
		return "other"
	}
	return ""
}

func reviewTable(rec *report.Record) string {
	var b strings.Builder
	b.WriteString(`<table border="1" cellspacing="0"><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr><tr>`)
	for _, h := range []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"} {
		fmt.Fprintf(&b, `<td rowspan="2">%s</td>`, h)
	}
	b.WriteString(`<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr><tr>`)
	for range 2 {
		for _, h := range []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"} {
			b.WriteString(td(h, ""))
		}
	}
	b.WriteString(`</tr><tr>`)
	for _, row := range rec.ReviewLitigation.Rows {
		for _, c := range row.Cells {
			b.WriteString(td(num(c.Value), ""))
		}
	}
	b.WriteString(`</tr></table>`)
	return b.String()
}

// distractorBody renders a page that is not a report.
func distractorBody(d Distractor) string {
	return fmt.Sprintf(`<div class="article"><h1>%s</h1><div class="info">发布日期：%d-01-15</div><p>现将%s予以公布。</p><table border="1"><tr><td>指标</td><td>数值</td></tr><tr><td>总数</td><td>%d</td></tr></table></div>`,
		esc(d.Title), d.Year+1, esc(d.Title), 10+d.Year%17)
}

// wafBody is what a challenge or block page holds.
func wafBody(f Fault, r *rand.Rand) string {
	switch f {
	case FaultWAF412:
		return fmt.Sprintf(`<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><script>var $_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=%d;$_ts.cd="qEcqrrAlDqWkq%d";</script><script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js"></script></head><body></body></html>`, r.IntN(99999), r.IntN(999))
	case FaultWAF521, FaultWAF512:
		return fmt.Sprintf(`<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+('n')+('c')+('e')+('=%d|-1|'+'%x');location.href=location.pathname+location.search</script>`, r.IntN(1<<30), r.Uint32())
	case FaultWAF418:
		return `<html><head><title>访问被拦截</title></head><body><h1>访问被拦截</h1><p>您的访问请求可能对网站造成安全威胁，请求已被拦截。</p></body></html>`
	case FaultWAF202:
		return `<html><body><script>setTimeout(function(){location.reload()},1000)</script></body></html>`
	case FaultShell:
		return `<html><head><script src="/static/app.js"></script></head><body><div id="app"></div></body></html>`
	}
	return ""
}
