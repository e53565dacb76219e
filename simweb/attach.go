package simweb

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io/fs"
	"strings"
	"unicode/utf16"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/samples"
)

// The world writes PDF, DOCX and XLSX attachments itself. DOC and scanned PDF it
// cannot write: those attachments carry one fixed sample report (made once with
// LibreOffice from samples/2019_zhengzhou_jinshui.html, and its pages rasterised),
// and the manifest gives that sample's values for them.
//
//go:embed assets
var assets embed.FS

// fixedSample is the sample carried by DOC and scanned-PDF attachments.
const fixedSample = "2019_zhengzhou_jinshui"

// fixedTables reads the fixed sample's values.
func fixedTables() *report.Record {
	rec := report.New()
	b, err := fs.ReadFile(samples.FS(), fixedSample+".expected.json")
	if err != nil {
		return rec
	}
	var exp map[string]json.RawMessage
	if json.Unmarshal(b, &exp) != nil {
		return rec
	}
	rec.Template = report.Template2019
	for name, dst := range map[string]**report.Table{"active": &rec.Active, "requests": &rec.Requests, "review_litigation": &rec.ReviewLitigation} {
		var t report.Table
		if raw, ok := exp[name]; ok && json.Unmarshal(raw, &t) == nil {
			tt := t
			*dst = &tt
		}
	}
	return rec
}

// Carried returns the values a report's document carries: its own tables, or the
// fixed sample's for DOC and scanned-PDF attachments.
func (rp *Report) Carried() *report.Record {
	if rp.Format == "doc" || rp.Format == "scanned_pdf" {
		return fixedTables()
	}
	return rp.Tables()
}

// rows lays a report out as lines of cells, the way every writer below prints it.
func (rp *Report) rows() [][]string {
	rec := rp.Tables()
	u := rp.Unit
	out := [][]string{
		{rp.Title},
		{fmt.Sprintf("%s　%s", u.Name, rp.Date)},
		{"一、总体情况"},
		{fmt.Sprintf("%d年，%s扎实推进政府信息公开工作。", rp.Year, u.Name)},
	}
	if rec.Template == report.TemplateLegacy {
		return append(out, []string{fmt.Sprintf("全年共受理政府信息公开申请%d件，均已按期答复。", int(rp.seed%30))})
	}
	cells := func(t *report.Table, row string) []string {
		var vs []string
		for _, r := range t.Rows {
			if r.Key != row {
				continue
			}
			for _, c := range r.Cells {
				vs = append(vs, num(c.Value))
			}
		}
		return vs
	}
	out = append(out, []string{"二、主动公开政府信息情况"})
	spec := report.ActiveSpec(rec.Template)
	for _, rs := range spec.Rows {
		var head []string
		for _, c := range rs.Cols {
			head = append(head, c.Label)
		}
		out = append(out, append([]string{"信息内容"}, head...))
		out = append(out, append([]string{rs.Label}, cells(rec.Active, rs.Key)...))
	}
	out = append(out, []string{"三、收到和处理政府信息公开申请情况"})
	var head []string
	for _, c := range report.ApplicantCols {
		head = append(head, c.Label)
	}
	out = append(out, append([]string{"申请人情况"}, head...))
	for _, r := range rec.Requests.Rows {
		spec := report.Requests2021
		if !rec.Requests.Has("other_no_correction") {
			spec = report.Requests2019
		}
		rs, _ := spec.Row(r.Key)
		out = append(out, append([]string{rs.Label}, cells(rec.Requests, r.Key)...))
	}
	out = append(out, []string{"四、政府信息公开行政复议、行政诉讼情况"})
	var vals []string
	for _, r := range rec.ReviewLitigation.Rows {
		vals = append(vals, cells(rec.ReviewLitigation, r.Key)...)
	}
	out = append(out, []string{"行政复议 结果维持 结果纠正 其他结果 尚未审结 总计 行政诉讼 未经复议直接起诉 复议后起诉"}, vals)
	out = append(out, []string{"五、存在的主要问题及改进情况"}, []string{"政策解读形式较为单一。"}, []string{"六、其他需要报告的事项"}, []string{"无。"})
	return out
}

// attachmentBytes returns an attachment and its Content-Type.
func (w *World) attachmentBytes(rp *Report) ([]byte, string) {
	switch rp.Format {
	case "docx":
		return docx(rp.rows()), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case "xlsx":
		return xlsx(rp.rows()), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "doc":
		b, _ := fs.ReadFile(assets, "assets/sample_2019.doc")
		return b, "application/msword"
	case "scanned_pdf":
		return scannedPDF(), "application/pdf"
	}
	return textPDF(rp.rows()), "application/pdf"
}

func xmlEsc(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func zipOf(files [][2]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, _ := zw.Create(f[0])
		w.Write([]byte(f[1]))
	}
	zw.Close()
	return buf.Bytes()
}

// docx writes single-cell lines as paragraphs and longer ones as table rows.
func docx(rows [][]string) []byte {
	var body strings.Builder
	inTable := false
	for _, r := range rows {
		if len(r) == 1 {
			if inTable {
				body.WriteString("</w:tbl>")
				inTable = false
			}
			fmt.Fprintf(&body, "<w:p><w:r><w:t>%s</w:t></w:r></w:p>", xmlEsc(r[0]))
			continue
		}
		if !inTable {
			body.WriteString("<w:tbl>")
			inTable = true
		}
		body.WriteString("<w:tr>")
		for _, c := range r {
			fmt.Fprintf(&body, "<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>", xmlEsc(c))
		}
		body.WriteString("</w:tr>")
	}
	if inTable {
		body.WriteString("</w:tbl>")
	}
	return zipOf([][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`},
	})
}

func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// xlsx writes every line as a sheet row: labels as inline strings, numbers as numbers.
func xlsx(rows [][]string) []byte {
	var sheet strings.Builder
	for i, r := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, i+1)
		for j, c := range r {
			ref := fmt.Sprintf("%s%d", colName(j), i+1)
			if c == "" {
				continue
			}
			if isNumber(c) {
				fmt.Fprintf(&sheet, `<c r="%s"><v>%s</v></c>`, ref, c)
			} else {
				fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, xmlEsc(c))
			}
		}
		sheet.WriteString(`</row>`)
	}
	return zipOf([][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="年报" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheet.String() + `</sheetData></worksheet>`},
	})
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	dot := false
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		case c == '-' && i == 0 && len(s) > 1:
		default:
			return false
		}
	}
	return true
}

// pdfBuilder writes a PDF's objects and cross-reference table.
type pdfBuilder struct {
	buf     bytes.Buffer
	offsets []int
}

func (p *pdfBuilder) obj(body string) int {
	p.offsets = append(p.offsets, p.buf.Len())
	n := len(p.offsets)
	fmt.Fprintf(&p.buf, "%d 0 obj\n%s\nendobj\n", n, body)
	return n
}

func (p *pdfBuilder) stream(dict string, data []byte) int {
	p.offsets = append(p.offsets, p.buf.Len())
	n := len(p.offsets)
	fmt.Fprintf(&p.buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", n, dict, len(data))
	p.buf.Write(data)
	p.buf.WriteString("\nendstream\nendobj\n")
	return n
}

func (p *pdfBuilder) finish(root int) []byte {
	xref := p.buf.Len()
	fmt.Fprintf(&p.buf, "xref\n0 %d\n0000000000 65535 f \n", len(p.offsets)+1)
	for _, o := range p.offsets {
		fmt.Fprintf(&p.buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&p.buf, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(p.offsets)+1, root, xref)
	return p.buf.Bytes()
}

// ucs2 encodes text for the UniGB-UCS2-H CMap.
func ucs2(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// textPDF writes the rows with the standard CJK font STSong-Light (not embedded;
// every PDF reader and pdfium know it), one line per row, cells in columns.
func textPDF(rows [][]string) []byte {
	p := &pdfBuilder{}
	p.buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Object numbers: 1 catalog, 2 pages, 3 font, 4 descendant font, then pages.
	const perPage = 40
	npages := (len(rows) + perPage - 1) / perPage
	pageObjs := make([]int, npages)
	for i := range pageObjs {
		pageObjs[i] = 5 + 2*i
	}
	var kids []string
	for _, n := range pageObjs {
		kids = append(kids, fmt.Sprintf("%d 0 R", n))
	}
	p.obj("<< /Type /Catalog /Pages 2 0 R >>")
	p.obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), npages))
	p.obj("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>")
	p.obj("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >> /DW 1000 >>")
	for pg := 0; pg < npages; pg++ {
		var c strings.Builder
		c.WriteString("BT /F1 9 Tf\n")
		y := 800
		for _, r := range rows[pg*perPage : min(len(rows), (pg+1)*perPage)] {
			for i, cell := range r {
				if cell == "" {
					continue
				}
				x := 40
				if i > 0 {
					x = 250 + (i-1)*45
				}
				fmt.Fprintf(&c, "1 0 0 1 %d %d Tm <%s> Tj\n", x, y, ucs2(cell))
			}
			y -= 19
		}
		c.WriteString("ET")
		p.obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", pageObjs[pg]+1))
		p.stream("", []byte(c.String()))
	}
	return p.finish(1)
}

// scannedPDF wraps the fixed sample's page images in a PDF with no text layer.
func scannedPDF() []byte {
	var imgs [][]byte
	for i := 1; i <= 5; i++ {
		b, err := fs.ReadFile(assets, fmt.Sprintf("assets/sample_2019_scan_%d.jpg", i))
		if err == nil {
			imgs = append(imgs, b)
		}
	}
	p := &pdfBuilder{}
	p.buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	var kids []string
	for i := range imgs {
		kids = append(kids, fmt.Sprintf("%d 0 R", 3+3*i))
	}
	p.obj("<< /Type /Catalog /Pages 2 0 R >>")
	p.obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(imgs)))
	for i, img := range imgs {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			continue
		}
		p.obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im%d %d 0 R >> >> /Contents %d 0 R >>", i, 4+3*i, 5+3*i))
		p.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", cfg.Width, cfg.Height), img)
		p.stream("", []byte(fmt.Sprintf("q 595 0 0 842 0 0 cm /Im%d Do Q", i)))
	}
	return p.finish(1)
}

// AttachmentBytes returns a report's attachment as the world serves it.
func AttachmentBytes(w *World, rp *Report) ([]byte, string) { return w.attachmentBytes(rp) }
