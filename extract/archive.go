package extract

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
)

// zipReader reads a ZIP attachment: each member that is a document is read by
// its own reader (within the archive's limits on count, size and ratio), and
// the member that gives the most complete report is the archive's layout; the
// others are named in a warning. Archives inside archives are not opened.
type zipReader struct{ e *Extractor }

func (r zipReader) Read(ctx context.Context, doc Document) (*Layout, error) {
	zr, err := openZip(doc.Body)
	if err != nil {
		return nil, err
	}
	budget := int64(maxUnpackedSize)
	var best *Layout
	bestScore, bestName := -1, ""
	var others, skipped []string
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if f.FileInfo().IsDir() {
			continue
		}
		body, err := readMember(zr, f.Name, &budget)
		if err != nil {
			if errors.Is(err, ErrUnpackLimit) {
				return nil, err
			}
			skipped = append(skipped, f.Name)
			continue
		}
		format := Sniff(body)
		reader, ok := r.e.readers[format]
		if !ok || format == "zip" {
			skipped = append(skipped, f.Name)
			continue
		}
		lay, err := reader.Read(ctx, Document{Body: body, Name: path.Base(f.Name)})
		if err != nil {
			skipped = append(skipped, f.Name)
			continue
		}
		rec, err := r.e.Build(ctx, lay, doc.URL, "")
		if err != nil {
			return nil, err
		}
		score := rec.Active.Filled() + rec.Requests.Filled() + rec.ReviewLitigation.Filled()
		if rec.Template != "unknown" {
			score += 1000
		}
		if score > bestScore {
			if best != nil {
				others = append(others, bestName)
			}
			best, bestScore, bestName = lay, score, f.Name
		} else {
			others = append(others, f.Name)
		}
	}
	if best == nil {
		return nil, fmt.Errorf("the archive holds no document this build reads (%d member(s))", len(zr.File))
	}
	best.Format = "zip/" + best.Format
	best.Warnings = append(best.Warnings, fmt.Sprintf("read from %s in the archive", bestName))
	if len(others) > 0 {
		best.Warnings = append(best.Warnings, "other documents in the archive, not read into this record: "+strings.Join(others, ", "))
	}
	if len(skipped) > 0 {
		best.Warnings = append(best.Warnings, "archive members not read: "+strings.Join(skipped, ", "))
	}
	return best, nil
}
