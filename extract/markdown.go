package extract

import (
	"bytes"
	"context"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/nianbao/nianbao/decode"
)

// markdownReader reads markdown, the output of PDF→markdown conversion tools
// that researchers bring: ATX headings lose their marks, pipe tables become
// lines of cells in their columns (the delimiter rows go), and emphasis marks
// go. A table the converter split into fragments (one pipe table per row
// group, placeholder headers such as 数据1…6) is just more table lines: the
// template parser finds rows by their labels and the template's order, not
// by the headers a converter invented.
type markdownReader struct {
	dec *decode.Decoder
	lim Limits
}

func (r markdownReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	d := r.dec.Bytes(doc.Body, doc.ContentType, false)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lim := r.lim.withDefaults()
	if err := textFits(d.Text, lim); err != nil {
		return nil, err
	}
	lay := &Layout{Format: "markdown", Encoding: d.Encoding, Warnings: d.Warnings}
	// One walker reads every HTML table, so that they share the page's
	// grid limit; every line is charged to one budget.
	w := &htmlWalker{ctx: ctx, b: newBudget(lim)}
	var block []string // an HTML table the converter wrote as it is
	for i, raw := range textLines(d.Text) {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if w.err != nil {
			return nil, w.err
		}
		s := strings.Join(raw.Cells, "\t")
		if block != nil || htmlTableStartRe.MatchString(s) {
			block = append(block, s)
			if htmlTableEndRe.MatchString(s) || len(block) > maxHTMLBlockLines {
				lay.Lines = append(lay.Lines, w.block(strings.Join(block, "\n"))...)
				block = nil
			}
			continue
		}
		for _, l := range markdownLine(s) {
			w.emit(l)
		}
		lay.Lines = append(lay.Lines, w.lines...)
		w.lines = w.lines[:0]
	}
	if block != nil {
		lay.Lines = append(lay.Lines, w.block(strings.Join(block, "\n"))...)
	}
	if w.err != nil {
		return nil, w.err
	}
	lay.Warnings = append(lay.Warnings, w.cutWarnings()...)
	return lay, nil // the title comes from the parser's search of the first lines
}

// maxHTMLBlockLines bounds an HTML table block that never closes.
const maxHTMLBlockLines = 2000

var (
	htmlTableStartRe = regexp.MustCompile(`(?i)<table[\s>]`)
	htmlTableEndRe   = regexp.MustCompile(`(?i)</table\s*>`)
)

// block reads an HTML table inside markdown (as MinerU and other
// converters write tables with merged cells) as the HTML reader does: a grid
// with its rowspans and colspans resolved. It returns the block's lines.
func (w *htmlWalker) block(block string) []Line {
	w.lines = nil
	if countTags(block, w.b.lim.Tags) > w.b.lim.Tags {
		w.err = overLimit("an HTML table in the markdown has more than %d tags", w.b.lim.Tags)
		return nil
	}
	root, err := html.Parse(strings.NewReader(slimHTML(block)))
	if err != nil {
		w.emit(Line{Cells: []string{block}})
	} else {
		w.walk(root, 0)
		w.flush()
	}
	lines := w.lines
	w.lines = nil
	return lines
}

var (
	mdHeadingRe   = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	mdDelimiterRe = regexp.MustCompile(`^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$`)
	mdEmphasisRe  = regexp.MustCompile(`\*\*|__|~~`)
	mdBreakRe     = regexp.MustCompile(`(?i)<br\s*/?>`)
)

// markdownLine turns one markdown line into zero or one layout line.
func markdownLine(s string) []Line {
	if mdDelimiterRe.MatchString(s) && strings.Contains(s, "-") {
		return nil
	}
	if m := mdHeadingRe.FindStringSubmatch(s); m != nil {
		return []Line{{Cells: []string{mdText(m[1])}}}
	}
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "|") && strings.Count(t, "|") >= 2 {
		return []Line{{Cells: pipeCells(t), Table: true}}
	}
	t = strings.TrimPrefix(t, "> ")
	return []Line{{Cells: []string{mdText(t)}}}
}

// pipeCells splits a pipe-table row; an escaped \| stays in its cell.
func pipeCells(t string) []string {
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = t[:len(t)-1]
	}
	var cells []string
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] == '\\' && i+1 < len(t) && t[i+1] == '|':
			b.WriteByte('|')
			i++
		case t[i] == '|':
			cells = append(cells, mdText(b.String()))
			b.Reset()
		default:
			b.WriteByte(t[i])
		}
	}
	return append(cells, mdText(b.String()))
}

func mdText(s string) string {
	s = mdBreakRe.ReplaceAllString(s, " ")
	s = mdEmphasisRe.ReplaceAllString(s, "")
	return strings.TrimSpace(s)
}

// looksMarkdown: text with a pipe table's delimiter row, or several ATX
// headings, in its first 256 KB.
func looksMarkdown(b []byte) bool {
	if len(b) > 256<<10 {
		b = b[:256<<10]
	}
	headings, rows := 0, 0
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimRight(line, "\r")
		switch {
		case bytes.Contains(line, []byte("|")) && bytes.Contains(line, []byte("--")) && mdDelimiterRe.Match(line):
			rows++
		case bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("#")) && mdHeadingRe.Match(line):
			headings++
		}
		if rows >= 1 || headings >= 3 {
			return true
		}
	}
	return false
}
