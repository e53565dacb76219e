package corpus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// Target is one report to re-extract: the latest capture of the report and,
// when its record was merged from several documents (a page and its
// attachments), those documents.
type Target struct {
	ReportID string
	Latest   *store.Capture
	Parts    []Part // the components of a merged record; nil for one document
	// Err is why the report cannot be rebuilt whatever is extracted (a
	// component's capture is missing from the store).
	Err error
}

// Part is one document of a merged report.
type Part struct {
	Capture    *store.Capture
	Source     store.SourceRef
	Attachment bool
}

// Captures are the documents a target is read from: its latest capture, then
// its parts.
func (t *Target) Captures() []*store.Capture {
	out := []*store.Capture{t.Latest}
	for _, p := range t.Parts {
		out = append(out, p.Capture)
	}
	return out
}

// Plan lists every report of the store with the documents its record is
// rebuilt from, in the order the reports were first stored.
func Plan(st *store.Store) ([]Target, error) {
	latest := map[string]*store.Capture{}
	byID := map[uint64]*store.Capture{}
	var order []string
	err := st.Captures(func(c *store.Capture) error {
		byID[c.ID] = c
		if _, ok := latest[c.ReportID]; !ok {
			order = append(order, c.ReportID)
		}
		latest[c.ReportID] = c // captures come in storage order: the last one wins
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reextract: listing captures: %w", err)
	}
	out := make([]Target, 0, len(order))
	for _, id := range order {
		t := Target{ReportID: id, Latest: latest[id]}
		cur, err := st.Entry(id)
		if err == nil && len(cur.Components) >= 2 { // merged: every component is read again
			for _, c := range cur.Components {
				capt := byID[c.Source.CaptureID]
				if capt == nil {
					t.Err = fmt.Errorf("report %s: the capture %d of a component is missing", id, c.Source.CaptureID)
					t.Parts = nil
					break
				}
				t.Parts = append(t.Parts, Part{Capture: capt, Source: c.Source, Attachment: c.Attachment})
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Reader gives the record of one stored document, or why it has none. The
// error names the document (see ReadError).
type Reader func(ctx context.Context, c *store.Capture) (*report.Record, error)

// Assemble builds a target's entry from the records read gives, exactly as
// a local re-extraction does: one document's record, or the merge of the
// components' records. at is the entry's extraction time.
func (t *Target) Assemble(ctx context.Context, read Reader, at time.Time) (*store.Entry, error) {
	c := t.Latest
	rec, err := read(ctx, c)
	if err != nil {
		return nil, err
	}
	e := &store.Entry{
		ReportID: t.ReportID, Record: rec, Extractor: extract.Version, ExtractedAt: at,
		Sources: []store.SourceRef{{CaptureID: c.ID, URL: c.URL, Name: c.Name, SHA256: c.SHA256, FetchedAt: c.FetchedAt}},
	}
	if t.Err != nil {
		return nil, t.Err
	}
	if len(t.Parts) == 0 {
		return e, nil
	}
	comps := make([]store.Component, len(t.Parts))
	recs := make([]*report.Record, len(t.Parts))
	for i, p := range t.Parts {
		part, err := read(ctx, p.Capture)
		if err != nil {
			return nil, err
		}
		comps[i] = store.Component{Source: p.Source, Attachment: p.Attachment, Record: part}
		recs[i] = part
	}
	merged, best := report.Merge(recs...)
	e.Record, e.Components = merged, comps
	e.Sources = e.Sources[:0]
	for _, c := range comps {
		e.Sources = append(e.Sources, c.Source)
	}
	e.Sources[0], e.Sources[best] = e.Sources[best], e.Sources[0]
	return e, nil
}

// Document is what the extractor is given for a stored capture's bytes.
func Document(c *store.Capture, body []byte) extract.Document {
	ct := c.ContentType
	if ct == "" && c.Header != nil {
		if v := c.Header["Content-Type"]; len(v) > 0 {
			ct = v[0]
		}
	}
	return extract.Document{Body: body, URL: c.URL, Name: c.Name, ContentType: ct}
}

// Describe names a capture in messages: its URL, file name or hash.
func Describe(c *store.Capture) string {
	switch {
	case c.URL != "":
		return c.URL
	case c.Name != "":
		return c.Name
	}
	return c.SHA256
}

// RawMissing is the error for a capture whose bytes the store lacks.
func RawMissing(c *store.Capture, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: raw document missing from the store: %w", Describe(c), err)
	}
	return err
}

// LocalReader extracts each document from the store's raw bytes with ex.
func LocalReader(st *store.Store, ex Extractor) Reader {
	return func(ctx context.Context, c *store.Capture) (*report.Record, error) {
		body, err := st.Raw(c.SHA256)
		if err != nil {
			return nil, RawMissing(c, err)
		}
		rec, err := ex.Extract(ctx, Document(c, body))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Describe(c), err)
		}
		return rec, nil
	}
}

// EntryBatch is how many re-extracted records are written in one transaction.
const EntryBatch = 200

// Writer writes re-extracted records in groups, one transaction each.
type Writer struct {
	st      *store.Store
	pending []*store.Entry
	written int
}

// NewWriter writes to st.
func NewWriter(st *store.Store) *Writer { return &Writer{st: st} }

// Add queues an entry, writing the group when it is full.
func (w *Writer) Add(e *store.Entry) error {
	w.pending = append(w.pending, e)
	if len(w.pending) >= EntryBatch {
		return w.Flush()
	}
	return nil
}

// Pending is how many entries wait to be written.
func (w *Writer) Pending() int { return len(w.pending) }

// Written is how many entries were written.
func (w *Writer) Written() int { return w.written }

// Flush writes the queued entries in one transaction.
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	if err := w.st.PutEntries(w.pending); err != nil {
		return fmt.Errorf("reextract: writing %d records: %w", len(w.pending), err)
	}
	w.written += len(w.pending)
	w.pending = w.pending[:0]
	return nil
}

// Reextract rebuilds every record from the latest stored capture of its report.
// Records are written in batches; a failure to extract one document is counted
// and its old record, if any, is left as it was.
func Reextract(ctx context.Context, st *store.Store, ex Extractor, progress Progress) (Result, error) {
	var res Result
	targets, err := Plan(st)
	if err != nil {
		return res, err
	}
	w := NewWriter(st)
	read := LocalReader(st, ex)
	for i := range targets {
		t := &targets[i]
		if err := ctx.Err(); err != nil {
			ferr := w.Flush()
			res.Records = w.Written()
			if ferr != nil {
				return res, ferr
			}
			return res, fmt.Errorf("reextract stopped after %d of %d reports: %w", i, len(targets), err)
		}
		e, err := t.Assemble(ctx, read, time.Now().UTC())
		res.Documents++
		if err != nil {
			res.Failed++
			res.Errors = append(res.Errors, err)
		} else if werr := w.Add(e); werr != nil {
			res.Records = w.Written()
			return res, werr
		}
		if progress != nil {
			progress(i+1, len(targets), Describe(t.Latest), err)
		}
	}
	err = w.Flush()
	res.Records = w.Written()
	return res, err
}
