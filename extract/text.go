package extract

import (
	"context"
	"strings"

	"github.com/nianbao/nianbao/decode"
)

// textReader reads plain text: PDF and page dumps, OCR output. Tabs separate
// cells and are kept, blanks included, so that a cell stays in its column.
type textReader struct {
	dec *decode.Decoder
	lim Limits
}

func (r textReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	d := r.dec.Bytes(doc.Body, doc.ContentType, false)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := textFits(d.Text, r.lim.withDefaults()); err != nil {
		return nil, err
	}
	return &Layout{Format: "text", Encoding: d.Encoding, Lines: textLines(d.Text), Warnings: d.Warnings}, nil
}

// textLines splits text into lines of tab-separated cells.
func textLines(text string) []Line {
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\v", "\n", "\u2028", "\n", "\u2029", "\n").Replace(text)
	raw := strings.Split(text, "\n")
	lines := make([]Line, len(raw))
	for i, l := range raw {
		lines[i] = Line{Cells: strings.Split(l, "\t")}
	}
	return lines
}

// textFits checks, before text is split into lines and cells, that they keep
// within the limits: a line or a cell costs its slice headers however short
// it is, so 8 MB of line breaks would be gigabytes of lines.
func textFits(text string, lim Limits) error {
	if len(text) > lim.TextBytes {
		return overLimit("the document holds %d bytes of text, over %d", len(text), lim.TextBytes)
	}
	lines, cells, start := 1, 1, 0
	for i := 0; i < len(text); i++ {
		brk := false
		switch text[i] {
		case '\n', '\f', '\v':
			brk = true
		case '\r':
			brk = i+1 == len(text) || text[i+1] != '\n'
		case '\t':
			cells++
		case 0xE2: // U+2028, U+2029
			brk = i+2 < len(text) && text[i+1] == 0x80 && (text[i+2] == 0xA8 || text[i+2] == 0xA9)
		}
		if i-start > lim.LineBytes {
			return overLimit("line %d holds more than %d bytes of text", lines, lim.LineBytes)
		}
		if brk {
			lines++
			cells++
			start = i + 1
		}
	}
	switch {
	case lines > lim.Lines:
		return overLimit("the text has %d lines, over %d", lines, lim.Lines)
	case cells > lim.Cells:
		return overLimit("the text has %d cells, over %d", cells, lim.Cells)
	}
	return nil
}
