// Package export writes the dataset for people and tools: the wide CSV of
// SCHEMA.md (one row per report, UTF-8 with a BOM so that Excel reads it, cells
// that a spreadsheet would run as a formula neutralised) and JSONL of full records.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// MetaColumns are the CSV's metadata columns, in order.
var MetaColumns = []string{"report_id", "title", "organisation", "region", "admin_code", "year", "template", "published",
	"url", "format", "encoding", "script", "sha256", "fetched_at", "checks_ok", "checks_failed", "warnings"}

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

// CSVWriter writes the wide CSV.
type CSVWriter struct {
	w     *csv.Writer
	cells []string
	n     int
}

// NewCSV writes the BOM and the header.
func NewCSV(w io.Writer) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := &CSVWriter{w: csv.NewWriter(w), cells: report.CSVCells()}
	if err := cw.w.Write(Header()); err != nil {
		return nil, err
	}
	return cw, nil
}

// Write writes one report's row.
func (cw *CSVWriter) Write(e *store.Entry) error {
	r := e.Record
	row := make([]string, 0, len(MetaColumns)+len(cw.cells))
	year := ""
	if r.Year != nil {
		year = strconv.Itoa(*r.Year)
	}
	fetched := ""
	if len(e.Sources) > 0 && !e.Sources[0].FetchedAt.IsZero() {
		fetched = e.Sources[0].FetchedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	okN := 0
	for _, c := range r.Checks {
		if c.OK {
			okN++
		}
	}
	text := func(s string) string { return Neutralise(s) }
	row = append(row,
		text(e.ReportID), text(string(r.Title)), text(string(r.Organisation)), "", "", year, string(r.Template),
		string(r.Published), text(string(r.Source.URL)), r.Source.Format, r.Source.Encoding, r.Source.Script,
		r.Source.SHA256, fetched, strconv.Itoa(okN), text(strings.Join(r.FailedChecks(), ";")), strconv.Itoa(len(r.Warnings)))
	for _, p := range cw.cells {
		v, _ := r.Cell(p)
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

// Flush flushes buffered rows and reports a write error.
func (cw *CSVWriter) Flush() error {
	cw.w.Flush()
	return cw.w.Error()
}

// Rows is how many rows were written.
func (cw *CSVWriter) Rows() int { return cw.n }

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
	w *csv.Writer
}

// NewTable writes the BOM and the header.
func NewTable(w io.Writer, header []string) (*Table, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	t := &Table{w: csv.NewWriter(w)}
	return t, t.w.Write(header)
}

// Write writes one row, neutralising every cell.
func (t *Table) Write(row []string) error {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = Neutralise(c)
	}
	return t.w.Write(out)
}

// Flush flushes buffered rows and reports a write error.
func (t *Table) Flush() error {
	t.w.Flush()
	return t.w.Error()
}
