package extract

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/nianbao/nianbao/report"
)

// parse fills a record from clean lines: metadata, sections, template, tables,
// checks and inferred values. It stops when ctx ends (the passes over the
// lines look at it line by line; the record is then incomplete and the
// error is ctx's); resegmented lines past maxLines are an error.
func parse(ctx context.Context, rec *report.Record, lines []Line, titleHint, publishedHint string, simplifyName func(string) string, maxLines int) error {
	lines, err := resegment(ctx, lines, maxLines)
	if err != nil {
		return err
	}
	title, year := parseMeta(rec, lines, titleHint, publishedHint, simplifyName)
	if err := ctx.Err(); err != nil {
		return err
	}
	heads := findHeadings(lines)
	fillSections(rec, lines, heads)
	if err := ctx.Err(); err != nil {
		return err
	}
	if rec.Narrative, err = narrativeFigures(ctx, lines); err != nil {
		return err
	}
	if len(rec.Narrative) > maxFigures {
		rec.Warnf("the text states %d figures; only the first %d were read (the per-document limit)", len(rec.Narrative), maxFigures)
		rec.Narrative = rec.Narrative[:maxFigures]
	}

	isReport := title != "" || len(heads) >= 3
	if year != 0 && year < 2019 {
		if isReport {
			rec.Template = report.TemplateLegacy
		} else {
			rec.Warnf("no annual report recognised: no report title and no template sections")
		}
		return nil
	}
	return parseTables(ctx, rec, lines, heads, year, isReport)
}

// maxFigures bounds the figures of the text a record keeps: a report states
// tens. Figures only confirm readings, so one left out never changes a cell
// that is written, it can only leave one null.
const maxFigures = 1000

// parseMeta fills the title, organisation, publication date, identifiers and
// year; it returns the title and the year (0 when none is plausible).
func parseMeta(rec *report.Record, lines []Line, titleHint, publishedHint string, simplifyName func(string) string) (string, int) {
	title := findTitle(titleHint, lines)
	rec.Title = report.Text(title)

	year := findYear(title, lines)

	sigOrg, sigDate := signature(lines)
	parseOrganisation(rec, lines, title, sigOrg, simplifyName)

	published := publicationDate(lines, publishedHint, sigDate)
	rec.Published = report.Text(published)
	rec.Identifiers = identifiers(lines)

	// A title that carries last year's year by mistake: the body and the date of
	// publication (the following year) agree on another year.
	if title != "" && published != "" {
		if body := findYear("", lines); body != 0 && body != year && atoiPrefix(published) == body+1 {
			rec.Warnf("the title says %d; the text and the publication date (%s) say %d, which is kept", year, published, body)
			year = body
		}
	}
	if year >= 1990 && year <= time.Now().Year()+1 {
		y := year
		rec.Year = &y
	} else {
		year = 0
	}
	return title, year
}

// parseOrganisation fills the organisation. In order of trust: the title, the
// first paragraph's 本报告由…编制, the page's 发布机构 field, the signature; a
// fuller form of the same name from the others, the 文件 header or an
// attachment extends it.
func parseOrganisation(rec *report.Record, lines []Line, title, sigOrg string, simplifyName func(string) string) {
	var attOrg string
	for _, a := range rec.Attachments {
		name := simplifyName(strings.TrimSuffix(a.Name, pathExt(a.Name)))
		if looksLikeReportTitle(name) {
			attOrg = orgFromTitle(squeeze(name))
			break
		}
	}
	if !validOrg(sigOrg) {
		sigOrg = ""
	}
	rec.Organisation = report.Text(chooseOrg(orgFromTitle(title), compiledBy(lines), fieldOrg(lines), sigOrg, headerOrg(lines), attOrg))
	if rec.Organisation == "" && title != "" {
		rec.Warnf("organisation: none of the title, the first paragraph, the page's fields or the signature names a body; left null")
	}
}

// publicationDate is the date the report was published: the page's date (the
// hint), a 发布日期/时间 line near the top, or the signature's date.
func publicationDate(lines []Line, hint, sigDate string) string {
	if hint != "" {
		if d := parseDate(hint); d != "" {
			return d
		}
	}
	for i, l := range lines {
		if i > 40 {
			break
		}
		t := l.Text()
		if !strings.Contains(t, "日期") && !strings.Contains(t, "时间") {
			continue // every label pageDateRe knows ends in one of these
		}
		if m := pageDateRe.FindStringSubmatch(t); m != nil {
			if d := parseDate(m[2]); d != "" {
				return d
			}
		}
	}
	return sigDate
}

// parseTables reads the three tables of a report of 2019 or later, tells its
// template, and fills the tables, checks and inferred values.
func parseTables(ctx context.Context, rec *report.Record, lines []Line, heads []heading, year int, isReport bool) error {
	spans := spansOf(heads, len(lines))
	tpl := templateEvidence(lines, spans.get("active", len(lines)))

	// Table 二 needs the template for its column count.
	activeTpl := tpl
	if activeTpl == "" {
		activeTpl = templateByYear(year)
	}
	activeSpec := report.ActiveSpec(activeTpl)
	if activeSpec == nil {
		activeSpec = report.Active2021
	}
	perLine := onePerLine(lines)
	ap := readActive(ctx, rec, lines, spans, activeSpec, perLine)
	rp := readRequests(ctx, rec, lines, spans, perLine)
	rv := readReview(ctx, rec, lines, spans, rp, perLine)
	if err := ctx.Err(); err != nil {
		return err // what was read is incomplete
	}

	if tpl == "" && rp.seen > 0 && subItems(rp) {
		tpl = report.Template2021
	}
	if tpl == "" {
		tpl = templateByYear(year)
	}
	hasTables := ap.seen > 0 || rp.seen > 0 || rv.done
	switch {
	case !hasTables && !isReport:
		rec.Template = report.TemplateUnknown
		rec.Warnf("no annual report recognised: no report title, no template sections, no template tables")
		return nil
	case tpl == "":
		rec.Template = report.TemplateUnknown
		rec.Warnf("the template could not be told: no year and no template headers")
		return nil
	}
	rec.Template = tpl

	if ap.seen > 0 {
		if spec := report.ActiveSpec(tpl); spec != activeSpec {
			// The headers and the year disagreed; read the rows again with the right widths.
			ap = readActive(ctx, rec, lines, spans, spec, perLine)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec.Active = ap.fill(report.ActiveSpec(tpl))
	}
	if rp.seen > 0 {
		rec.Requests = fillRequests(rec, rp, tpl)
	}
	if rv.done || rp.seen > 0 || rv.glued != "" || rv.parts != nil {
		rec.ReviewLitigation = rv.table()
		if !rv.done && rv.glued == "" && rv.parts == nil && rv.short == "" {
			rec.Warnf("review_litigation: the row of 15 cells was not found")
		}
	}
	resolveRunTogether(rec, gluedRows(rec, ap, rp, rv))
	if err := ctx.Err(); err != nil {
		return err
	}
	if !hasTables {
		rec.Warnf("no template tables in the document")
	}
	report.Evaluate(rec)
	compareNarrative(rec)
	return nil
}

// readReview reads table 四's row, under its heading or after table 三. It
// stops when ctx ends (the caller looks at ctx).
func readReview(ctx context.Context, rec *report.Record, lines []Line, spans spanMap, rp *rowParser, perLine bool) *reviewParser {
	rv := &reviewParser{rec: rec, perLine: perLine}
	revSpan := spans.get("review", len(lines))
	if _, ok := spans.m["review"]; !ok && len(rp.rows) > 0 {
		// No heading 四: table 四 follows table 三.
		revSpan = span{from: rp.lastLine + 1, to: len(lines)}
	}
	for i := revSpan.from; i < revSpan.to && ctx.Err() == nil; i++ {
		rv.feed(lines[i], i)
	}
	rv.finish()
	return rv
}

// readActive reads table 二's rows with the widths of spec.
// It stops when ctx ends (the caller looks at ctx).
func readActive(ctx context.Context, rec *report.Record, lines []Line, spans spanMap, spec *report.TableSpec, perLine bool) *rowParser {
	ap := newRowParser("active", activeMatchers, widthFrom(spec), rec)
	ap.perLine = perLine
	for i := spans.get("active", len(lines)).from; i < spans.get("active", len(lines)).to && ctx.Err() == nil; i++ {
		ap.feed(lines[i], i)
	}
	ap.flush()
	return ap
}

// readRequests reads table 三's rows (seven cells each), aligned first when
// the section is known. It stops when ctx ends (the caller looks at ctx).
func readRequests(ctx context.Context, rec *report.Record, lines []Line, spans spanMap, perLine bool) *rowParser {
	rp := newRowParser("requests", requestMatchers, func(key string) int {
		if _, ok := report.Requests2021.Row(key); ok {
			return 7
		}
		if _, ok := report.Requests2019.Row(key); ok {
			return 7
		}
		return 0
	}, rec)
	rp.perLine = perLine
	reqSpan := spans.get("requests", len(lines))
	reqLines := lines
	if _, ok := spans.m["requests"]; ok {
		reqLines = alignRequests(rec, lines, reqSpan)
	}
	for i := reqSpan.from; i < reqSpan.to && ctx.Err() == nil; i++ {
		rp.feed(reqLines[i], i)
	}
	rp.flush()
	return rp
}

// subItems reports whether table 三 has the 2021 template's sub-items of 其他处理.
func subItems(rp *rowParser) bool {
	return rp.filled["other_no_correction"] || rp.filled["other_fee_unpaid"] || rp.filled["other_other"]
}

// fillRequests is table 三 in the layout its rows show: the 2021 one, or the
// 2019 one under a 2019 template (or a 2021 report that kept the old rows).
func fillRequests(rec *report.Record, rp *rowParser, tpl report.Template) *report.Table {
	spec := report.Requests2021
	sub := subItems(rp)
	if tpl == report.Template2019 && !sub || tpl == report.Template2021 && !sub && rp.filled["other_processing"] {
		spec = report.Requests2019
	}
	if rp.subtotal >= 0 {
		rec.Warnf("requests: a 法人或其他组织小计 column was read past")
	}
	return rp.fill(spec)
}

// gluedRows turns the rows printed as one run of digits into readings to resolve.
func gluedRows(rec *report.Record, ap, rp *rowParser, rv *reviewParser) []*runTogether {
	var out []*runTogether
	add := func(table, row string, cells []string, g gluedRow) {
		rt, truncated := newRunTogether(table, row, cells, g, rec.Template)
		if truncated {
			where := table
			if row != "" {
				where += "." + row
			}
			rec.Warnf("%s: %s %q have more than %d readings; left null", where, rt.what, rt.digits, maxReadings)
			return
		}
		out = append(out, rt)
	}
	addRows := func(table string, spec *report.TableSpec, glued []gluedRow) {
		for _, g := range glued {
			rs, ok := spec.Row(g.key)
			if !ok {
				continue
			}
			cells := make([]string, len(rs.Cols))
			for i, c := range rs.Cols {
				cells[i] = table + "." + g.key + "." + c.Key
			}
			add(table, g.key, cells, g)
		}
	}
	if rec.Active != nil {
		addRows("active", report.ActiveSpec(rec.Template), ap.glued)
	}
	if rec.Requests != nil {
		spec := report.Requests2021
		if !rec.Requests.Has("other_no_correction") {
			spec = report.Requests2019
		}
		addRows("requests", spec, rp.glued)
	}
	if rec.ReviewLitigation != nil && !rv.done && (rv.glued != "" || rv.parts != nil) {
		var cells []string
		for _, r := range report.ReviewLitigation.Rows {
			for _, c := range r.Cols {
				cells = append(cells, "review_litigation."+r.Key+"."+c.Key)
			}
		}
		add("review_litigation", "", cells, gluedRow{digits: rv.glued, parts: rv.parts})
	}
	return out
}

func widthFrom(spec *report.TableSpec) func(string) int {
	return func(key string) int {
		if r, ok := spec.Row(key); ok {
			return len(r.Cols)
		}
		return 0
	}
}

func templateByYear(year int) report.Template {
	switch {
	case year >= 2021:
		return report.Template2021
	case year >= 2019:
		return report.Template2019
	case year > 0:
		return report.TemplateLegacy
	}
	return ""
}

// templateEvidence reads table 二's column headers: the 2021 template's 制发/废止/
// 现行有效 and 收费金额, or the 2019 template's 新制作/新公开/上一年项目/集中采购.
func templateEvidence(lines []Line, s span) report.Template {
	var n2019, n2021 int
	for i := s.from; i < s.to; i++ {
		t := normLabel(lines[i].Text())
		for _, w := range []string{"制发", "废止", "现行有效", "本年收费金额", "本年处理决定"} {
			if strings.Contains(t, w) {
				n2021++
			}
		}
		for _, w := range []string{"新制作", "新公开", "对外公开总数", "上一年项目", "增/减", "增减", "集中采购"} {
			if strings.Contains(t, w) {
				n2019++
			}
		}
	}
	switch {
	case n2021 > n2019:
		return report.Template2021
	case n2019 > n2021:
		return report.Template2019
	}
	return ""
}

type span struct{ from, to int }

type spanMap struct {
	m     map[string]span
	found bool
}

// spans gives each table's lines: the section's own lines when headings were
// found, all lines when not.
func spansOf(heads []heading, n int) spanMap {
	out := spanMap{found: len(heads) > 0, m: map[string]span{}}
	canonical := map[string]bool{}
	for i, h := range heads {
		end := n
		if i+1 < len(heads) {
			end = heads[i+1].line
		}
		// The first heading of a section, unless a later one is the template's
		// own title and the first is not (a narrative section 三、主动公开工作情况
		// before the tables' 一、主动公开政府信息情况).
		if _, dup := out.m[h.key]; !dup || h.canonical && !canonical[h.key] {
			out.m[h.key] = span{from: h.line + 1, to: end}
			canonical[h.key] = h.canonical
		}
	}
	return out
}

func (s spanMap) get(key string, n int) span {
	if sp, ok := s.m[key]; ok {
		return sp
	}
	return span{from: 0, to: n}
}

func fillSections(rec *report.Record, lines []Line, heads []heading) {
	for i, h := range heads {
		end := len(lines)
		if i+1 < len(heads) {
			end = heads[i+1].line
		}
		var b strings.Builder
		for j := h.line + 1; j < end; j++ {
			t := strings.TrimSpace(lines[j].Text())
			if t == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(t)
		}
		text := b.String()
		s := &rec.Sections
		var dst *string
		switch h.key {
		case "general":
			dst = &s.General
		case "active":
			dst = &s.Active
		case "requests":
			dst = &s.Requests
		case "review":
			dst = &s.Review
		case "problems":
			dst = &s.Problems
		case "other":
			dst = &s.Other
		}
		if *dst != "" {
			*dst += "\n"
		}
		*dst += text
	}
}

func pathExt(name string) string {
	if m := attachExtRe.FindString(name); m != "" {
		return m
	}
	return ""
}

// atoiPrefix reads the year of an ISO date.
func atoiPrefix(date string) int {
	n := 0
	for i := 0; i < len(date) && i < 4; i++ {
		if date[i] < '0' || date[i] > '9' {
			return 0
		}
		n = n*10 + int(date[i]-'0')
	}
	return n
}

var (
	siteCodeRe   = regexp.MustCompile(`网站标识码\s*[：:]?\s*([0-9A-Za-z]{10})\b`)
	creditCodeRe = regexp.MustCompile(`统一社会信用代码\s*[：:]?\s*([0-9A-HJ-NPQRTUWXY]{18})\b`)
)

// identifiers finds the 网站标识码 and 统一社会信用代码 a page prints (usually in
// its footer), or nil.
func identifiers(lines []Line) *report.Identifiers {
	var id report.Identifiers
	for _, l := range lines {
		t := l.Text()
		if id.SiteCode == "" {
			if m := siteCodeRe.FindStringSubmatch(t); m != nil {
				id.SiteCode = m[1]
			}
		}
		if id.CreditCode == "" {
			if m := creditCodeRe.FindStringSubmatch(t); m != nil {
				id.CreditCode = m[1]
			}
		}
	}
	if id == (report.Identifiers{}) {
		return nil
	}
	return &id
}
