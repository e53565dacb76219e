package extract

import (
	"strings"
	"unicode"
)

// Layout is what every format reader produces: the document as lines of cells, in
// reading order, plus what the markup says outright. Tables from HTML, DOCX or a
// spreadsheet become lines whose cells sit in grid columns; text from a PDF dump
// keeps its tab-separated cells; a paragraph is a line of one cell.
type Layout struct {
	Format    string // html, text, …
	Encoding  string
	Lines     []Line
	Title     string // from <meta name=ArticleTitle>, <h1> or <title>; may be empty
	Published string // from <meta name=PubDate> and the like; may be empty
	Links     []Link // every link with an attachment-like target
	Warnings  []string
}

// Line is one line of a document: a paragraph or a table row.
type Line struct {
	Cells []string
	Table bool // a row of a real table grid (HTML, DOCX, XLSX)
}

// Link is a hyperlink in a document.
type Link struct {
	Text string
	Href string
}

// Text joins a line's cells with spaces.
func (l Line) Text() string {
	if len(l.Cells) == 1 {
		return l.Cells[0]
	}
	var b strings.Builder
	for _, c := range l.Cells {
		if c == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c)
	}
	return b.String()
}

// token is a piece of a line: a label, a value or a blank cell.
type token struct {
	text string
	val  value
	col  int // the cell's index in its line; -1 when split out of a cell by spaces
}

// tokenize splits a line into tokens. A cell that is a label followed by
// space-separated numbers ("规范性文件 7 4 88") gives a label and value tokens.
func tokenize(l Line) []token {
	toks := make([]token, 0, len(l.Cells)+4)
	for i, c := range l.Cells {
		c = strings.TrimSpace(c)
		v := parseValue(c)
		if v.kind != kindText {
			toks = append(toks, token{text: c, val: v, col: i})
			continue
		}
		fields := strings.FieldsFunc(foldWidth(c), unicode.IsSpace)
		// Trailing fields that are values.
		k := len(fields)
		for k > 0 && parseValue(fields[k-1]).isValue() {
			k--
		}
		if k == len(fields) || len(fields) == 1 {
			toks = append(toks, token{text: c, val: v, col: i})
			continue
		}
		if k > 0 {
			toks = append(toks, token{text: strings.Join(fields[:k], " "), val: value{kind: kindText}, col: i})
		}
		for _, f := range fields[k:] {
			toks = append(toks, token{text: f, val: parseValue(f), col: -1})
		}
	}
	return toks
}

// splitRow divides a line's tokens into its label (the text tokens up to the
// last one) and the cells after it.
func splitRow(toks []token) (label string, cells []token) {
	last := -1
	for i, t := range toks {
		if t.val.kind == kindText {
			last = i
		}
	}
	var b strings.Builder
	for i := 0; i <= last; i++ {
		if toks[i].val.kind == kindText {
			b.WriteString(toks[i].text)
		}
	}
	return b.String(), toks[last+1:]
}

func countValues(cells []token) int {
	n := 0
	for _, c := range cells {
		if c.val.isValue() {
			n++
		}
	}
	return n
}
