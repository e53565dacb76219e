package extract

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/nianbao/nianbao/report"
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
	var others, skipped, unread []string
	read := 0
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if f.FileInfo().IsDir() {
			continue
		}
		if read == maxZipDocuments {
			unread = append(unread, f.Name)
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
		read++
		rec, lay, err := r.member(ctx, reader, body, f.Name, doc)
		switch {
		case err == nil:
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
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, ErrLimit):
			skipped = append(skipped, fmt.Sprintf("%s (%v)", f.Name, err))
		default:
			skipped = append(skipped, f.Name)
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
		best.Warnings = append(best.Warnings, "archive members not read: "+namesUpTo(skipped, 20))
	}
	if len(unread) > 0 {
		best.Warnings = append(best.Warnings, fmt.Sprintf("archive members not opened, past the %d documents an archive may give (the per-document limit): %s", maxZipDocuments, namesUpTo(unread, 20)))
	}
	return best, nil
}

// member reads one member of the archive doc with its reader, and builds
// its record (for its score).
func (r zipReader) member(ctx context.Context, reader Reader, body []byte, name string, doc Document) (*report.Record, *Layout, error) {
	lay, err := reader.Read(ctx, Document{Body: body, Name: path.Base(name), deadline: doc.deadline})
	if err != nil {
		return nil, nil, err
	}
	rec, err := r.e.Build(ctx, lay, doc.URL, "")
	return rec, lay, err
}

// namesUpTo lists names, the first n of them and how many more.
func namesUpTo(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
