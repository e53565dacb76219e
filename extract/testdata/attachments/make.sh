#!/bin/sh
# Makes the attachment fixtures once, from the seed reports' text beside the
# project (../shared/fixtures/seeds), with LibreOffice and poppler:
#   NAME.pdf   the report as a PDF with a text layer
#   NAME.docx  the report as Word 2007+ (tables as tables)
#   NAME.doc   the report as Word 97
#   003.xlsx   seed 003's tables as a workbook (Excel 2007+)
#   003.xls    the same as Excel 97 (BIFF8)
#   003_scan.pdf  seed 003's pages as images only (no text layer)
# Lines with tabs become table rows, other lines paragraphs; in the tables
# printed to PDF a row's numbers sit in the table's last columns, as printed. Cells do not wrap,
# so a table row prints on one line. Run from this folder; needs soffice,
# pdftoppm and python3. The outputs are committed; this script is their recipe.
set -eu
seeds=../../../../shared/fixtures/seeds
work=$(mktemp -d)
for txt in "$seeds"/*.txt; do
	name=$(basename "$txt" .txt | cut -c1-3)
	for variant in faithful aligned; do
	python3 - "$txt" $variant > "$work/$name-$variant.html" <<'PY'
import html, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
out = ['<html><head><meta charset="utf-8"><style>body{font-family:"WenQuanYi Zen Hei";font-size:9pt}'
       'table{border-collapse:collapse;font-size:6pt}td{border:1px solid #000;padding:1pt 3pt;white-space:nowrap;text-align:left}</style></head><body>']
import re
aligned = sys.argv[2] == "aligned"
num = re.compile(r"^[-+]?[\d,]+(\.\d+)?%?$")
width, block = {}, 0
for l in lines:
    if "\t" in l:
        c = l.split("\t")
        while c and not c[-1].strip():
            c.pop()
        width[block] = max(width.get(block, 0), len(c))
    else:
        block += 1
block = 0
table = False
for l in lines:
    if "\t" not in l:
        block += 1
    if "\t" in l:
        if not table:
            out.append("<table>"); table = True
        c = l.split("\t")
        if aligned:
            # As the table was printed: a row's numbers in the table's last
            # columns, under their headings, whatever label cells it has.
            while c and not c[-1].strip():
                c.pop()
            k = next((i for i, x in enumerate(c) if i > 0 and num.match(x.strip())), None)
            # (A row split over two lines keeps its cells where they are.)
            if k is not None and (sum(1 for x in c[k:] if num.match(x.strip())) >= 3 or len(c) >= width[block] - 1):
                c = c[:k] + [""] * (width[block] - len(c)) + c[k:]
        out.append("<tr>" + "".join("<td>%s</td>" % html.escape(x) for x in c) + "</tr>")
        continue
    if table:
        out.append("</table>"); table = False
    if l.strip():
        out.append("<p>%s</p>" % html.escape(l))
if table:
    out.append("</table>")
out.append("</body></html>")
print("\n".join(out))
PY
	done
done
cd "$work"
# The PDFs are printed from the aligned tables, the Word files keep the cells
# as the text has them.
for f in *-aligned.html; do mv "$f" "pdf-${f%-aligned.html}.html"; done
for f in *-faithful.html; do mv "$f" "${f%-faithful.html}.html"; done
soffice --headless --infilter="HTML (StarWriter)" --convert-to pdf pdf-*.html >/dev/null
for f in pdf-*.pdf; do mv "$f" "${f#pdf-}"; done
rm pdf-*.html
soffice --headless --infilter="HTML (StarWriter)" --convert-to "docx:MS Word 2007 XML" *.html >/dev/null
soffice --headless --infilter="HTML (StarWriter)" --convert-to "doc:MS Word 97" *.html >/dev/null
soffice --headless --infilter="HTML (StarCalc)" --convert-to xlsx 003.html >/dev/null
soffice --headless --infilter="HTML (StarCalc)" --convert-to "xls:MS Excel 97" 003.html >/dev/null
# The scan: seed 003's pages as 200 dpi black-and-white images, one per PDF
# page, as an office scanner makes them.
pdftoppm -r 200 -mono 003.pdf scan
cd - >/dev/null
cp "$work"/*.pdf "$work"/*.docx "$work"/*.doc "$work"/003.xlsx "$work"/003.xls .
go run ./scan2pdf 200 "$work"/scan-*.pbm > 003_scan.pdf
rm -rf "$work"
