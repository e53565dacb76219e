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
}

func (r textReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	d := r.dec.Bytes(doc.Body, doc.ContentType, false)
	if err := ctx.Err(); err != nil {
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
