// Package export writes the dataset for people and tools: the wide CSV of
// SCHEMA.md (one row per report, UTF-8 with a BOM so that Excel reads it, cells
// that a spreadsheet would run as a formula neutralised) and JSONL of full records.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// MetaColumns are the CSV's metadata columns, in order.
var MetaColumns = []string{"report_id", "title", "organisation", "region", "admin_code", "level", "parent_code", "unit",
	"host", "site_code", "credit_code", "attributed_by", "year", "template", "published",
	"url", "format", "encoding", "script", "sha256", "fetched_at", "checks_ok", "checks_failed", "warnings", "inferred_cells"}

// CellColumn names a cell's CSV column: its path with dots replaced by "__".
func CellColumn(path string) string { return strings.ReplaceAll(path, ".", "__") }

// Header returns every column of the wide CSV.
func Header() []string {
	cols := append([]string(nil), MetaColumns...)
	for _, p := range report.CSVCells() {
		cols = append(cols, CellColumn(p))
	}
	return cols
}

// Neutralise defuses a cell that a spreadsheet would read as a formula (one that
// starts with = + - @, or a tab or carriage return) by putting a ' before it.
// Numbers written by the exporter are never text, so a negative number is not
// touched: this is for text cells only.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Options shape an export.
type Options struct {
	// FillInferred writes a value the identities determine into a cell the
	// document leaves blank, and lists such cells in inferred_cells. Off, a cell
	// holds what the document prints or nothing.
	FillInferred bool
}

// CSVWriter writes the wide CSV.
type CSVWriter struct {
	w     *csv.Writer
	cells []string
	opt   Options
	n     int
}

// NewCSV writes the BOM and the header.
func NewCSV(w io.Writer, opt Options) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := &CSVWriter{w: csv.NewWriter(w), cells: report.CSVCells(), opt: opt}
	if err := cw.w.Write(Header()); err != nil {
		return nil, err
	}
	return cw, nil
}

// inferredValues maps a record's inferred cells to their values.
func inferredValues(r *report.Record) map[string]float64 {
	m := map[string]float64{}
	for _, in := range r.Inferred {
		m[in.Cell] = in.Value
	}
	return m
}

// Write writes one report's row with its attribution.
func (cw *CSVWriter) Write(e *store.Entry, at attrib.Attribution) error {
	meta, cells := wideRow(e, at, cw.opt)
	row := make([]string, 0, len(meta)+len(cells))
	for i, m := range meta {
		if neutralised[MetaColumns[i]] {
			m = Neutralise(m)
		}
		row = append(row, m)
	}
	for _, v := range cells {
		if v == nil {
			row = append(row, "")
		} else {
			row = append(row, report.FormatNumber(*v))
		}
	}
	if err := cw.w.Write(row); err != nil {
		return fmt.Errorf("writing the CSV row of %s: %w", e.ReportID, err)
	}
	cw.n++
	return nil
}

// neutralised are the text columns whose cells may start as a formula does.
var neutralised = map[string]bool{"report_id": true, "title": true, "organisation": true, "region": true,
	"host": true, "site_code": true, "credit_code": true, "url": true, "checks_failed": true}

// wideRow is one report's row of the wide table: the metadata columns as
// text (not neutralised) and the cells, nil where the document prints
// nothing (with FillInferred, the value the identities determine instead,
// named in inferred_cells).
func wideRow(e *store.Entry, at attrib.Attribution, opt Options) (meta []string, cells []*float64) {
	r := e.Record
	year := ""
	if r.Year != nil {
		year = strconv.Itoa(*r.Year)
	}
	fetched := ""
	if len(e.Sources) > 0 && !e.Sources[0].FetchedAt.IsZero() {
		fetched = e.Sources[0].FetchedAt.UTC().Format(timeLayout)
	}
	okN := 0
	for _, c := range r.Checks {
		if c.OK {
			okN++
		}
	}
	inferred := map[string]float64{}
	if opt.FillInferred {
		inferred = inferredValues(r)
	}
	var filled []string
	paths := report.CSVCells()
	cells = make([]*float64, 0, len(paths))
	for _, p := range paths {
		v, _ := r.Cell(p)
		if v == nil && opt.FillInferred && hasKey(inferred, p) {
			x := inferred[p]
			v = &x
			filled = append(filled, p)
		}
		cells = append(cells, v)
	}
	meta = []string{e.ReportID, string(r.Title), string(r.Organisation), at.Region, at.Code, at.Level, at.ParentCode, at.Unit,
		at.Host, at.SiteCode, at.CreditCode, at.By, year, string(r.Template),
		string(r.Published), string(r.Source.URL), r.Source.Format, r.Source.Encoding, r.Source.Script,
		r.Source.SHA256, fetched, strconv.Itoa(okN), strings.Join(r.FailedChecks(), ";"), strconv.Itoa(len(r.Warnings)),
		strings.Join(filled, ";")}
	return meta, cells
}

// timeLayout is how fetched_at is written.
const timeLayout = "2006-01-02T15:04:05Z"

// parseTime reads a fetched_at value as milliseconds since 1970 (UTC).
func parseTime(s string) (int64, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}

func hasKey(m map[string]float64, k string) bool { _, ok := m[k]; return ok }

// Flush flushes buffered rows and reports a write error.
func (cw *CSVWriter) Flush() error {
	cw.w.Flush()
	return cw.w.Error()
}

// Rows is how many rows were written.
func (cw *CSVWriter) Rows() int { return cw.n }

// LongColumns are the long (tidy) CSV's columns.
var LongColumns = []string{"report_id", "table", "row", "column", "value", "inferred"}

// LongWriter writes the long CSV: one row per cell of every table a report has,
// value empty where the document prints nothing; a value the identities
// determine for such a cell is given with inferred = true.
type LongWriter struct {
	t *Table
	n int
}

// NewLong writes the BOM and the header.
func NewLong(w io.Writer) (*LongWriter, error) {
	t, err := NewTable(w, LongColumns, "value")
	return &LongWriter{t: t}, err
}

// Write writes one report's cells.
func (lw *LongWriter) Write(e *store.Entry) error {
	r := e.Record
	inferred := inferredValues(r)
	for c := range r.AllCells() {
		value, inf := "", "false"
		if c.Value != nil {
			value = report.FormatNumber(*c.Value)
		} else if v, ok := inferred[c.Path()]; ok {
			value, inf = report.FormatNumber(v), "true"
		}
		if err := lw.t.Write([]string{e.ReportID, c.Table, c.Row, c.Col, value, inf}); err != nil {
			return fmt.Errorf("writing the cells of %s: %w", e.ReportID, err)
		}
		lw.n++
	}
	return nil
}

// Flush flushes buffered rows and reports a write error.
func (lw *LongWriter) Flush() error { return lw.t.Flush() }

// Rows is how many cell rows were written.
func (lw *LongWriter) Rows() int { return lw.n }

// WriteJSONL writes one full entry per line.
func WriteJSONL(w io.Writer, e *store.Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", e.ReportID, err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// Table writes any text table as CSV the way the dataset is written: UTF-8 with
// a BOM, every cell neutralised.
type Table struct {
	w       *csv.Writer
	numeric []bool // columns of numbers the exporter formats
}

// NewTable writes the BOM and the header. The numeric columns hold numbers
// the exporter writes itself (report.FormatNumber): a negative number there is
// a number, not a formula, and is written as it is (-4, not '-4).
func NewTable(w io.Writer, header []string, numeric ...string) (*Table, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	t := &Table{w: csv.NewWriter(w), numeric: make([]bool, len(header))}
	for i, h := range header {
		t.numeric[i] = slices.Contains(numeric, h)
	}
	return t, t.w.Write(header)
}

// Write writes one row, neutralising every text cell.
func (t *Table) Write(row []string) error {
	out := make([]string, len(row))
	for i, c := range row {
		if i < len(t.numeric) && t.numeric[i] {
			out[i] = c
			continue
		}
		out[i] = Neutralise(c)
	}
	return t.w.Write(out)
}

// Flush flushes buffered rows and reports a write error.
func (t *Table) Flush() error {
	t.w.Flush()
	return t.w.Error()
}
