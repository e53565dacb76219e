package extract

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nianbao/nianbao/pdftext"
	"github.com/nianbao/nianbao/report"
)

// pdfReader lays out a PDF's text layer from character positions: characters
// make lines by their vertical position and cells by the gaps between them; the
// label of a table row that wraps over several lines is joined back to the row
// whose numbers it stands beside; numbers are put in the columns their table's
// rows share, so a blank cell stays blank; page headers and footers (page
// numbers, a running title) are dropped. A PDF without a text layer (a scan) is
// handed to OCR when it is configured, else it gives a layout with a warning.
type pdfReader struct {
	engine *pdftext.Engine
	ocr    OCR
	noOCR  string // why there is no OCR, for the warning
	// ocrPage puts the document's deadline off for each page OCR reads.
	ocrPage time.Duration
}

// OCR reads the text of page images (nil: no OCR).
type OCR interface {
	// PDF returns the OCR'd text of a scanned PDF, one entry per page; with an
	// error, the pages read before it.
	PDF(ctx context.Context, engine *pdftext.Engine, pdf []byte, pages int) ([]string, error)
	// Name says which engine and language data read the text.
	Name() string
}

func (r pdfReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	d, err := r.engine.Read(ctx, doc.Body)
	if errors.Is(err, pdftext.ErrTooManyChars) {
		return nil, &LimitError{What: err.Error() + " (the per-document limit)"}
	}
	if err != nil {
		return nil, err
	}
	lay := &Layout{Format: "pdf", Encoding: "pdf"}
	if d.Truncated {
		lay.Warnings = append(lay.Warnings, fmt.Sprintf("the PDF has %d pages; only the first %d were read", d.PageCount, len(d.Pages)))
	}
	chars := 0
	for _, p := range d.Pages {
		for _, c := range p.Chars {
			if strings.TrimSpace(c.Text) != "" {
				chars++
			}
		}
	}
	if len(d.Pages) > 0 && chars < 20*len(d.Pages) {
		// A scan: pages with (next to) no text.
		if r.ocr == nil {
			why := r.noOCR
			if why == "" {
				why = "no OCR is configured"
			}
			lay.Warnings = append(lay.Warnings, unreadScanStart+why+unreadScanEnd)
			return lay, nil
		}
		pages := len(d.Pages)
		if pl, ok := r.ocr.(interface{ PageLimit() int }); ok && pl.PageLimit() > 0 {
			pages = min(pages, pl.PageLimit())
		}
		doc.deadline.extend(time.Duration(pages) * r.ocrPage)
		texts, err := r.ocr.PDF(ctx, r.engine, doc.Body, len(d.Pages))
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("OCR of a scanned PDF: %w", err)
			}
			lay.Warnings = append(lay.Warnings, fmt.Sprintf("the PDF has no text layer (a scan) and OCR failed: %v", err))
			if len(texts) == 0 {
				return lay, nil
			}
		}
		lay.Format = "pdf-ocr"
		lay.Warnings = append(lay.Warnings, fmt.Sprintf("the PDF has no text layer: its text was read by OCR (%s)", r.ocr.Name()))
		for _, t := range texts {
			lay.Lines = append(lay.Lines, ocrLines(t)...)
		}
		return lay, nil
	}
	if lay.Lines, err = layoutPDF(ctx, d.Pages); err != nil {
		return nil, err
	}
	return lay, nil
}

// seg is a run of characters on one line without a wide gap: a cell's text.
type seg struct {
	text                     string
	left, right, top, bottom float64
	numeric                  bool
	tail                     float64 // where a run of digits that ends the text begins (0: none)
}

func (s seg) center() float64 { return (s.left + s.right) / 2 }

// pline is one printed line.
type pline struct {
	page        int
	top, bottom float64
	segs        []seg
	anchor      bool    // carries numbers: a table row
	attached    []pline // label fragments of the same row printed above or below
	absorbed    bool
}

// rowStartRe is how a row's label begins; the rest of a wrapped label does not.
var rowStartRe = regexp.MustCompile(`^(第[一二三四五六七八九十百\d]+条|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、]|信息内容)`)

var numericRe = regexp.MustCompile(`^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$`)

// linesOf groups a page's characters into lines and cells.
func linesOf(p pdftext.Page) []pline {
	groups, med := groupLines(p)
	var out []pline
	for _, g := range groups {
		if l, ok := lineOf(g, med, p.Number); ok {
			out = append(out, l)
		}
	}
	return out
}

// pchar is a character of a page with its vertical middle and height.
type pchar struct {
	pdftext.Char
	cy, h float64
}

// groupLines groups a page's characters into lines, top to bottom, and
// returns the median character height. A line is the characters whose middles
// lie within 40% of a character's height of the line's first: measured from
// one point, not chained, so the lines of a wrapped cell and the row beside
// them stay apart.
func groupLines(p pdftext.Page) ([][]pchar, float64) {
	var cs []pchar
	var heights []float64
	for _, c := range p.Chars {
		if c.Text == "\r" || c.Text == "\n" || c.Text == "" {
			continue
		}
		h := math.Abs(c.Bottom - c.Top)
		cs = append(cs, pchar{c, (c.Top + c.Bottom) / 2, h})
		if strings.TrimSpace(c.Text) != "" {
			heights = append(heights, h)
		}
	}
	if len(cs) == 0 {
		return nil, 0
	}
	sort.Float64s(heights)
	med := 8.0
	if len(heights) > 0 {
		med = heights[len(heights)/2]
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].cy < cs[j].cy })
	var groups [][]pchar
	for _, c := range cs {
		if n := len(groups); n > 0 && c.cy-groups[n-1][0].cy < med*0.4 {
			groups[n-1] = append(groups[n-1], c)
			continue
		}
		groups = append(groups, []pchar{c})
	}
	return groups, med
}

// lineHeight is the median height of a line's characters other than digits
// and spaces (med, the page's, when it has none).
func lineHeight(g []pchar, med float64) float64 {
	var hs []float64
	for _, c := range g {
		if strings.TrimSpace(c.Text) != "" && !isDigit(c.Text) {
			hs = append(hs, c.h)
		}
	}
	if len(hs) == 0 {
		return med
	}
	sort.Float64s(hs)
	return hs[len(hs)/2]
}

// numberListStarts marks the characters that start a number which a space and
// another number follow (7 4 88): a list of values, not a number in a sentence
// (共发布 849 条).
func numberListStarts(g []pchar) []bool {
	numberList := make([]bool, len(g))
	for i := range g {
		if !isDigit(g[i].Text) || i > 0 && isDigit(g[i-1].Text) {
			continue
		}
		j := i
		for j < len(g) && (isDigit(g[j].Text) || g[j].Text == ".") {
			j++
		}
		numberList[i] = j+1 < len(g) && strings.TrimSpace(g[j].Text) == "" && isDigit(g[j+1].Text)
	}
	return numberList
}

// lineOf makes a line of a group of characters, cut into cells at the gaps;
// false when it has no cell.
func lineOf(g []pchar, med float64, page int) (pline, bool) {
	sort.SliceStable(g, func(i, j int) bool { return g[i].Left < g[j].Left })
	l := pline{page: page, top: math.Inf(1), bottom: math.Inf(-1)}
	var cur *seg
	var prevRight float64
	// Cells are told apart by gaps wider than most of a character of the
	// line's own size (a table's small print has narrow gaps).
	lineH := lineHeight(g, med)
	gap := math.Max(lineH*0.6, 2)
	numberList := numberListStarts(g)
	space := false
	for ci, c := range g {
		if strings.TrimSpace(c.Text) == "" {
			space = true // a space: the gap decides, or that it parts a list of numbers from words
			continue
		}
		limit := gap
		if cur != nil {
			switch a, b := isDigit(cur.text[len(cur.text)-1:]), isDigit(c.Text); {
			case a && b:
				limit = lineH * 0.2 // the digits of one number touch
			case a != b:
				limit = lineH * 0.35
			}
		}
		if cur != nil && space && !isDigit(cur.text[len(cur.text)-1:]) && numberList[ci] {
			limit = 0 // 规范性文件 7 4 88: a printed space between words and a list of values
		}
		space = false
		if cur != nil && c.Left-prevRight > limit {
			l.segs = append(l.segs, *cur)
			cur = nil
		}
		if cur == nil {
			cur = &seg{left: c.Left, top: c.Top, bottom: c.Bottom}
		} else if c.Left-prevRight > lineH*0.25 && isASCIIWord(cur.text) && isASCIIWord(c.Text) {
			cur.text += " " // a space between Latin words or numbers
		}
		switch {
		case !isDigit(c.Text):
			cur.tail = 0
		case cur.text != "" && !isDigit(cur.text[len(cur.text)-1:]) && cur.tail == 0:
			cur.tail = c.Left
		}
		cur.text += c.Text
		cur.right = c.Right
		cur.top, cur.bottom = math.Min(cur.top, c.Top), math.Max(cur.bottom, c.Bottom)
		prevRight = c.Right
	}
	if cur != nil {
		l.segs = append(l.segs, *cur)
	}
	if len(l.segs) == 0 {
		return l, false
	}
	for i := range l.segs {
		l.segs[i].numeric = numericRe.MatchString(l.segs[i].text)
		l.top, l.bottom = math.Min(l.top, l.segs[i].top), math.Max(l.bottom, l.segs[i].bottom)
		l.anchor = l.anchor || l.segs[i].numeric && len(l.segs) > 1
	}
	return l, true
}

func isDigit(s string) bool { return len(s) == 1 && s[0] >= '0' && s[0] <= '9' }

func isASCIIWord(s string) bool {
	if s == "" {
		return false
	}
	r := s[len(s)-1]
	return r < 0x80 && (r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
}

var pageNumberRe = regexp.MustCompile(`^[-—–\s]*(第\s*)?(\d+)\s*(页|/\s*\d+|共\s*\d+\s*页)?[-—–\s]*$`)

// isPageNumber: "第 3 页", "- 3 -", "3/12", or a bare number close to the
// page's own (a bare number elsewhere may be a table's value).
func isPageNumber(s string, page int) bool {
	m := pageNumberRe.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	if strings.ContainsAny(s, "页/-—–") {
		return true
	}
	n, err := strconv.Atoi(m[2])
	return err == nil && n >= page-2 && n <= page+2
}

// dropFurniture removes page numbers and running headers and footers: lines in
// a page's top or bottom margin that are a page number or repeat on other pages.
func dropFurniture(pages []pdftext.Page, lines [][]pline) {
	digits := regexp.MustCompile(`\d+`)
	count := map[string]int{}
	key := func(l pline) string {
		var b strings.Builder
		for _, s := range l.segs {
			b.WriteString(s.text)
		}
		return digits.ReplaceAllString(b.String(), "#")
	}
	margin := func(p pdftext.Page, l pline) bool { return l.bottom < p.Height*0.08 || l.top > p.Height*0.92 }
	for i, p := range pages {
		for _, l := range lines[i] {
			// Running text that repeats in the margins; a bare number (a table's
			// value that happens to sit there) never counts.
			if k := key(l); margin(p, l) && strings.Trim(k, "#") != "" {
				count[k]++
			}
		}
	}
	for i, p := range pages {
		kept := lines[i][:0]
		for _, l := range lines[i] {
			alone := len(l.segs) == 1 && (math.Abs(l.segs[0].center()-p.Width/2) < p.Width*0.1 || l.segs[0].right > p.Width*0.85)
			if margin(p, l) && (count[key(l)] >= 2 && len(pages) >= 2 || alone && isPageNumber(l.segs[0].text, p.Number)) {
				continue
			}
			kept = append(kept, l)
		}
		lines[i] = kept
	}
}

// layoutPDF turns pages of characters into lines of cells.
func layoutPDF(ctx context.Context, pages []pdftext.Page) ([]Line, error) {
	perPage := make([][]pline, len(pages))
	for i, p := range pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		perPage[i] = linesOf(p)
	}
	dropFurniture(pages, perPage)
	var all []pline
	for _, ls := range perPage {
		all = append(all, ls...)
	}
	joinWrappedLabels(all)
	return emit(all), nil
}

// firstNumber is the left edge of a line's first number.
func firstNumber(l pline) float64 {
	for _, s := range l.segs {
		if s.numeric {
			return s.left
		}
	}
	return math.Inf(1)
}

// joinWrappedLabels attaches a line that holds only label text to the table
// row whose numbers it stands beside: a label cell that wraps prints its
// lines above and below the row's numbers.
func joinWrappedLabels(all []pline) {
	mid := func(l pline) float64 { return (l.top + l.bottom) / 2 }
	for i := range all {
		l := &all[i]
		if l.anchor {
			continue
		}
		h := math.Max(l.bottom-l.top, 1)
		starts := rowStartRe.MatchString(l.segs[0].text)
		// The nearest row above and below on the page, within three lines.
		above, below := -1, -1
		for j := i - 1; j >= max(0, i-6); j-- {
			if all[j].anchor && all[j].page == l.page && mid(*l)-mid(all[j]) < 3.2*h {
				above = j
				break
			}
		}
		for j := i + 1; j < min(len(all), i+7); j++ {
			if all[j].anchor && all[j].page == l.page && mid(all[j])-mid(*l) < 3.2*h {
				below = j
				break
			}
		}
		// A label's first line begins like a row (一、 （二） 3. 第二十条…) and
		// belongs to the row below; a line that does not is the rest of the
		// label above, unless the row below has no label start of its own.
		best := -1
		switch {
		case starts:
			best = below
		case above >= 0 && below >= 0:
			best = above
			if !labelStarts(all[below]) && mid(all[below])-mid(*l) < mid(*l)-mid(all[above]) {
				best = below
			}
		case above >= 0:
			best = above
		default:
			best = below
		}
		if best < 0 {
			continue
		}
		edge := firstNumber(all[best])
		labelOnly := true
		for _, s := range l.segs {
			labelOnly = labelOnly && !s.numeric && s.right < edge-1
		}
		if labelOnly {
			all[best].attached = append(all[best].attached, *l)
			l.absorbed = true
		}
	}
}

// labelStarts says whether a row's own label begins like a row.
func labelStarts(l pline) bool {
	return len(l.segs) > 0 && !l.segs[0].numeric && rowStartRe.MatchString(l.segs[0].text)
}

// emit writes lines: a table row's labels joined from their fragments, its
// numbers in the columns of its table.
func emit(all []pline) []Line {
	var out []Line
	// Tables: runs of lines between single-cell lines that are not rows.
	start := 0
	flush := func(end int) {
		grids := gridsOf(all[start:end])
		for k, l := range all[start:end] {
			cols := grids[k]
			if l.absorbed {
				continue
			}
			if l.anchor && len(l.attached) == 0 && allNumeric(l) && !onGrid(l, cols) {
				if cells, ok := underHeadings(l, all[:start+k]); ok {
					out = append(out, Line{Cells: cells, Table: true})
					continue
				}
			}
			if !l.anchor {
				cells := make([]string, len(l.segs))
				for i, s := range l.segs {
					cells[i] = s.text
				}
				out = append(out, Line{Cells: cells})
				continue
			}
			out = append(out, Line{Cells: rowCells(l, cols), Table: true})
		}
		start = end
	}
	for i, l := range all {
		if !l.anchor && !l.absorbed && len(l.segs) == 1 {
			flush(i)
		}
	}
	flush(len(all))
	return out
}

// onGrid says whether every number of a row sits in a column of its table's grid.
func onGrid(l pline, cols []float64) bool {
	if len(cols) == 0 {
		return false
	}
	for _, s := range l.segs {
		found := false
		for _, c := range cols {
			if math.Abs(c-s.center()) < 6 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func allNumeric(l pline) bool {
	for _, s := range l.segs {
		if !s.numeric {
			return false
		}
	}
	return len(l.segs) > 0
}

// underHeadings places the numbers of a row that has no label by the column
// headings printed above it: the left edges of the heading lines back to the
// previous table row or section heading are the table's columns, and when each
// number starts at one of them, the columns before and between the numbers are
// blank cells. A table whose first group is blank in its only data row (a
// review/litigation table with no reviews) prints nothing else that says which
// columns its numbers are in. ok is false when the headings do not account for
// every number.
func underHeadings(l pline, above []pline) ([]string, bool) {
	var lefts []float64
	for i := len(above) - 1; i >= 0; i-- {
		h := above[i]
		if h.anchor || h.page != l.page && len(lefts) > 0 {
			break
		}
		if h.absorbed {
			continue
		}
		if len(h.segs) > 0 && rowStartRe.MatchString(h.segs[0].text) && strings.Contains(h.segs[0].text, "、") {
			break // the section heading
		}
		for _, s := range h.segs {
			lefts = append(lefts, s.left)
		}
	}
	if len(lefts) == 0 {
		return nil, false
	}
	sort.Float64s(lefts)
	var cols []float64
	for _, x := range lefts {
		if k := len(cols) - 1; k >= 0 && x-cols[k] < 4 {
			continue
		}
		cols = append(cols, x)
	}
	cells := make([]string, 0, len(cols))
	next := 0
	for _, n := range l.segs {
		k := next
		for k < len(cols) && math.Abs(cols[k]-n.left) >= 4 {
			k++
		}
		if k == len(cols) {
			return nil, false
		}
		for ; next < k; next++ {
			cells = append(cells, "")
		}
		cells = append(cells, n.text)
		next = k + 1
	}
	return cells, true
}

// gridsOf gives each line of a table the number columns of the rows around it:
// rows that share their numbers' positions make one grid, and a row whose
// numbers sit elsewhere (the next table, printed with other widths) starts
// another.
func gridsOf(ls []pline) [][]float64 {
	centres := func(l pline) []float64 {
		var xs []float64
		for _, s := range l.segs {
			if s.numeric {
				xs = append(xs, s.center())
			}
		}
		return xs
	}
	out := make([][]float64, len(ls))
	var run []int // indexes of the current grid's lines
	var seen []float64
	close := func() {
		if len(run) == 0 {
			return
		}
		var rows []pline
		for _, i := range run {
			rows = append(rows, ls[i])
		}
		cols := numberColumns(rows)
		for _, i := range run {
			out[i] = cols
		}
		run, seen = nil, nil
	}
	for i, l := range ls {
		if !l.anchor || l.absorbed {
			run = append(run, i)
			continue
		}
		xs := centres(l)
		match := 0
		for _, x := range xs {
			for _, c := range seen {
				if math.Abs(x-c) < 5 {
					match++
					break
				}
			}
		}
		if len(seen) > 0 && match*2 < len(xs) {
			close()
		}
		run = append(run, i)
		seen = append(seen, xs...)
	}
	close()
	return out
}

// numberColumns clusters the centres of a table's numbers into columns and
// keeps those that several of its rows use: a table's real grid.
func numberColumns(ls []pline) []float64 {
	var xs []float64
	rows := 0
	for _, l := range ls {
		if !l.anchor || l.absorbed {
			continue
		}
		rows++
		for _, s := range l.segs {
			if s.numeric {
				xs = append(xs, s.center())
			}
		}
	}
	sort.Float64s(xs)
	var cols []float64
	var n []int
	for _, x := range xs {
		if k := len(cols) - 1; k >= 0 && x-cols[k] < 5 {
			cols[k] = (cols[k]*float64(n[k]) + x) / float64(n[k]+1)
			n[k]++
			continue
		}
		cols = append(cols, x)
		n = append(n, 1)
	}
	var real []float64
	for k, c := range cols {
		if n[k] >= 2 && float64(n[k]) >= 0.3*float64(rows) {
			real = append(real, c)
		}
	}
	return real
}

// gridSlots puts each number in its grid column: the nearest column within 6
// points, every one a different column, left to right; false when the grid
// does not take them all.
func gridSlots(numbers []seg, cols []float64) ([]int, bool) {
	slot := make([]int, len(numbers))
	if len(cols) == 0 {
		return slot, false
	}
	used := map[int]bool{}
	for i, s := range numbers {
		best := -1
		for k, c := range cols {
			if math.Abs(c-s.center()) < 6 && (best < 0 || math.Abs(c-s.center()) < math.Abs(cols[best]-s.center())) {
				best = k
			}
		}
		if best < 0 || used[best] || i > 0 && best <= slot[i-1] {
			return slot, false
		}
		slot[i], used[best] = best, true
	}
	return slot, true
}

// rowCells builds a table row: label cells (each joined from the fragments in
// its column, top to bottom), then its numbers. When every number sits in a
// column of the table's grid, a column the row leaves empty gives a blank cell,
// so the numbers keep their columns; otherwise the numbers follow in order.
func rowCells(l pline, cols []float64) []string {
	edge := firstNumber(l)
	var labels, numbers []seg
	for _, s := range l.segs {
		if s.left < edge {
			// A label printed so close to the first number that they touch:
			// the digits that end it and sit in a number column are that number.
			if s.tail > 0 && len(cols) > 0 {
				c := (s.tail + s.right) / 2
				for _, x := range cols {
					if math.Abs(x-c) < 6 {
						i := len(s.text)
						for i > 0 && isDigit(s.text[i-1:i]) {
							i--
						}
						num := seg{text: s.text[i:], left: s.tail, right: s.right, top: s.top, bottom: s.bottom, numeric: true}
						s.text, s.right, s.tail = s.text[:i], s.tail, 0
						labels = append(labels, s)
						numbers = append(numbers, num)
						s.text = ""
						break
					}
				}
				if s.text == "" {
					continue
				}
			}
			labels = append(labels, s)
		} else {
			numbers = append(numbers, s)
		}
	}
	sort.SliceStable(numbers, func(i, j int) bool { return numbers[i].left < numbers[j].left })
	for _, a := range l.attached {
		labels = append(labels, a.segs...)
	}
	// Label columns by left edge; fragments top to bottom within each.
	sort.SliceStable(labels, func(i, j int) bool { return labels[i].left < labels[j].left })
	var groups [][]seg
	for _, s := range labels {
		if k := len(groups) - 1; k >= 0 && s.left-groups[k][0].left < 10 {
			groups[k] = append(groups[k], s)
			continue
		}
		groups = append(groups, []seg{s})
	}
	var cells []string
	for _, g := range groups {
		sort.SliceStable(g, func(i, j int) bool { return g[i].top < g[j].top })
		var b strings.Builder
		for _, s := range g {
			b.WriteString(s.text)
		}
		cells = append(cells, b.String())
	}
	slot, ok := gridSlots(numbers, cols)
	if !ok {
		for _, s := range numbers {
			cells = append(cells, s.text)
		}
		return cells
	}
	from := 0
	if len(numbers) > 0 && slot[0] > 0 && len(cells) == 0 {
		from = slot[0] // no label: nothing to keep the numbers apart from
	}
	last := slot[len(slot)-1]
	nums := make([]string, last-from+1)
	for i, s := range numbers {
		nums[slot[i]-from] = s.text
	}
	return append(cells, nums...)
}

// ocrZeros is a word of digits in which OCR took some zeros for letters O.
var ocrZeros = regexp.MustCompile(`^[0-9OoＯ〇]+$`)

// ocrLines turns OCR output into lines: words separated by two or more spaces
// (or a number) become cells.
func ocrLines(text string) []Line {
	var out []Line
	for _, raw := range strings.Split(text, "\n") {
		fields := strings.Fields(raw)
		if len(fields) == 0 {
			continue
		}
		// Tesseract separates CJK characters by single spaces: join runs of
		// non-numbers, keep numbers as their own cells.
		var cells []string
		var cur strings.Builder
		for _, f := range fields {
			if ocrZeros.MatchString(f) {
				f = strings.NewReplacer("O", "0", "o", "0", "Ｏ", "0", "〇", "0").Replace(f)
			}
			if numericRe.MatchString(f) {
				if cur.Len() > 0 {
					cells = append(cells, cur.String())
					cur.Reset()
				}
				cells = append(cells, f)
				continue
			}
			cur.WriteString(f)
		}
		if cur.Len() > 0 {
			cells = append(cells, cur.String())
		}
		out = append(out, Line{Cells: cells})
	}
	return out
}

// The warning of a scan left unread (no OCR configured, or OCR left to
// workers): its words are the contract UnreadScan reads.
const (
	unreadScanStart = "the PDF has no text layer (a scan) and "
	unreadScanEnd   = ": no text was read"
)

// UnreadScan reports whether a record is a scan whose text was not read
// (OCR off, or left to the workers of a distributed run): a document that
// may well be a report, kept to be read later rather than dropped.
func UnreadScan(rec *report.Record) bool {
	if rec == nil {
		return false
	}
	for _, w := range rec.Warnings {
		if strings.HasPrefix(w, unreadScanStart) && strings.HasSuffix(w, unreadScanEnd) {
			return true
		}
	}
	return false
}
