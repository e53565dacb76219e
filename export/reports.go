package export

import (
	"bufio"
	"fmt"
	"io"
	"reflect"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/store"
)

// Request says which reports WriteReports writes and in which form.
type Request struct {
	Format  string // "csv" (the default) or "jsonl"
	Long    bool   // the long CSV: one row per cell
	Options Options
	Filter  Filter
	Attrib  *attrib.Attributor // nil: reports are written unattributed
	// Also, when set, narrows the selection further (the browser's search).
	Also func(*store.Entry, attrib.Attribution) bool
	// Warn, when set, is told what an export could not write as it is
	// (Parquet: a cell its column's type cannot hold).
	Warn func(string)
}

// SourceURL is the address a report is attributed by: its record's source,
// else its first stored source.
func SourceURL(e *store.Entry) string {
	if src := string(e.Record.Source.URL); src != "" {
		return src
	}
	if len(e.Sources) > 0 {
		return e.Sources[0].URL
	}
	return ""
}

// EntrySource gives records in report-id order: a store, or the browser's
// reader of a store in pages.
type EntrySource interface {
	Entries(fn func(*store.Entry) error) error
}

// SelectingSource is an EntrySource that can give only the records whose
// facts match (store.EntriesWhere): a narrow export reads little more than
// the facts rows.
type SelectingSource interface {
	EntrySource
	EntriesWhere(match func(*store.Fact) bool, fn func(*store.Entry) error) error
}

// FactsOfFact is a report's filter facts from its facts row.
func FactsOfFact(f *store.Fact, at attrib.Attribution) Facts {
	return Facts{Code: at.Code, Level: at.Level, Unit: at.Unit, Template: f.Template, Failed: len(f.Failed), Year: f.Year}
}

// WriteReports writes the selected records of a store, in report-id order,
// and returns how many it wrote. The export command and the browser's
// download both write through it, so the same filter gives the same bytes.
func WriteReports(w io.Writer, st EntrySource, req Request) (int, error) {
	if req.Attrib == nil {
		req.Attrib = attrib.New(nil)
	}
	bw := bufio.NewWriter(w)
	n := 0
	var write func(*store.Entry, attrib.Attribution) error
	flush := func() error { return nil }
	switch {
	case req.Format == "parquet":
		pw := NewParquet(bw, req.Options)
		write = pw.Write
		flush = func() error {
			if len(pw.Unwritable) > 0 && req.Warn != nil {
				req.Warn(fmt.Sprintf("Parquet: %d cell(s) not storable in their column's type written null (they are in the CSV and JSONL as printed): %v", sumCounts(pw.Unwritable), pw.Unwritable))
			}
			return pw.Close()
		}
	case req.Format == "jsonl":
		write = func(e *store.Entry, _ attrib.Attribution) error { return WriteJSONL(bw, e) }
	case req.Long:
		lw, err := NewLong(bw)
		if err != nil {
			return 0, err
		}
		write = func(e *store.Entry, _ attrib.Attribution) error { return lw.Write(e) }
		flush = lw.Flush
	default:
		cw, err := NewCSV(bw, req.Options)
		if err != nil {
			return 0, err
		}
		write, flush = cw.Write, cw.Flush
	}
	each := func(e *store.Entry) error {
		at := req.Attrib.Attribute(e.Record, SourceURL(e))
		if !req.Filter.Match(e, at) || req.Also != nil && !req.Also(e, at) {
			return nil
		}
		n++
		return write(e, at)
	}
	var err error
	if sel, ok := st.(SelectingSource); ok && !reflect.DeepEqual(req.Filter, Filter{}) {
		err = sel.EntriesWhere(func(f *store.Fact) bool {
			return req.Filter.MatchFacts(FactsOfFact(f, req.Attrib.Attribute(f.AttributionInput(), f.SourceURL)))
		}, each)
	} else {
		err = st.Entries(each)
	}
	if err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
