// Package report defines the report record of SCHEMA.md: the national templates'
// tables, the identities that tie their cells together (checks), and the values those
// identities determine (inferred). It is pure: no I/O, no parsing of documents.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
)

// SchemaVersion is the version of the record's JSON shape.
const SchemaVersion = 1

// Record is one annual report as SCHEMA.md defines it.
type Record struct {
	SchemaVersion    int          `json:"schema_version"`
	Title            Text         `json:"title"`
	Organisation     Text         `json:"organisation"`
	Year             *int         `json:"year"`
	Template         Template     `json:"template"`
	Published        Text         `json:"published"`
	Source           Source       `json:"source"`
	Sections         Sections     `json:"sections"`
	Active           *Table       `json:"active"`
	Requests         *Table       `json:"requests"`
	ReviewLitigation *Table       `json:"review_litigation"`
	Inferred         []Inferred   `json:"inferred"`
	Checks           []Check      `json:"checks"`
	Warnings         []string     `json:"warnings"`
	Attachments      []Attachment `json:"attachments"`
	// Narrative holds the figures the text states in words (受理申请455件, 复议18件):
	// never written into the table cells, compared with them in checks.
	Narrative []Figure `json:"narrative"`
	// Identifiers are the codes the page prints for its publisher, for
	// attribution: 网站标识码 (its first six digits are the site's division) and
	// 统一社会信用代码. Omitted when the page prints none.
	Identifiers *Identifiers `json:"identifiers,omitempty"`
}

// Figure is a number a report's prose states, with the sentence it came from.
type Figure struct {
	Key      string  `json:"key"` // e.g. new_received, review.upheld, fees.processing_yuan
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Sentence string  `json:"sentence"`
}

// Identifiers are codes printed on a report's page.
type Identifiers struct {
	SiteCode   string `json:"site_code,omitempty"`   // 网站标识码, 10 characters
	CreditCode string `json:"credit_code,omitempty"` // 统一社会信用代码, 18 characters
}

// Text is a string that is written as JSON null when empty.
type Text string

// MarshalJSON writes "" as null.
func (t Text) MarshalJSON() ([]byte, error) {
	if t == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(t))
}

// UnmarshalJSON reads null as "".
func (t *Text) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*t = Text(s)
	return nil
}

// Source describes the document a record was read from.
type Source struct {
	URL      Text   `json:"url"`
	Format   string `json:"format"`   // html, text, pdf, pdf-ocr (a scan read by OCR), docx, doc, xlsx, xls, zip/…
	Encoding string `json:"encoding"` // the charset the bytes were decoded from
	Script   string `json:"script"`   // hans or hant: the script of the source
	SHA256   string `json:"sha256"`   // of the raw bytes
}

// Sections holds the text of the six sections 一 to 六.
type Sections struct {
	General  string `json:"general"`
	Active   string `json:"active"`
	Requests string `json:"requests"`
	Review   string `json:"review"`
	Problems string `json:"problems"`
	Other    string `json:"other"`
}

// Inferred is a value the identities determine but the document does not print.
type Inferred struct {
	Cell  string  `json:"cell"`
	Value float64 `json:"value"`
	Rule  string  `json:"rule"`
}

// Check is one identity evaluated on printed values.
type Check struct {
	Rule   string `json:"rule"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Attachment is a file the report names or links.
type Attachment struct {
	Name string `json:"name"`
	URL  Text   `json:"url"`
}

// New returns an empty record of the current schema version.
func New() *Record {
	return &Record{SchemaVersion: SchemaVersion, Template: TemplateUnknown,
		Inferred: []Inferred{}, Checks: []Check{}, Warnings: []string{}, Attachments: []Attachment{}, Narrative: []Figure{}}
}

// Warnf adds a warning to the record.
func (r *Record) Warnf(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// Table returns the record's table with the given name ("active", "requests",
// "review_litigation"), or nil.
func (r *Record) Table(name string) *Table {
	switch name {
	case "active":
		return r.Active
	case "requests":
		return r.Requests
	case "review_litigation":
		return r.ReviewLitigation
	}
	return nil
}

// Cell returns the printed value at a path such as "requests.granted.total".
func (r *Record) Cell(path string) (*float64, bool) {
	table, row, col, ok := SplitPath(path)
	if !ok {
		return nil, false
	}
	t := r.Table(table)
	if t == nil {
		return nil, false
	}
	return t.Get(row, col)
}

// SplitPath splits "table.row.col".
func SplitPath(path string) (table, row, col string, ok bool) {
	var parts [3]string
	n := 0
	start := 0
	for i := 0; i <= len(path); i++ {
		if i == len(path) || path[i] == '.' {
			if n == 3 {
				return "", "", "", false
			}
			parts[n] = path[start:i]
			n++
			start = i + 1
		}
	}
	if n != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// Table holds the cells of one template table in template order. A nil value is a
// cell the document does not print.
type Table struct {
	Rows []Row
}

// Row is one table row.
type Row struct {
	Key   string
	Cells []Cell
}

// Cell is one table cell.
type Cell struct {
	Key   string
	Value *float64
}

// NewTable returns a table of the spec's shape with every cell null.
func NewTable(spec *TableSpec) *Table {
	t := &Table{Rows: make([]Row, len(spec.Rows))}
	for i, rs := range spec.Rows {
		t.Rows[i].Key = rs.Key
		t.Rows[i].Cells = make([]Cell, len(rs.Cols))
		for j, c := range rs.Cols {
			t.Rows[i].Cells[j].Key = c.Key
		}
	}
	return t
}

// Get returns a cell's value; ok is false when the table has no such cell.
func (t *Table) Get(row, col string) (*float64, bool) {
	if t == nil {
		return nil, false
	}
	for i := range t.Rows {
		if t.Rows[i].Key != row {
			continue
		}
		for j := range t.Rows[i].Cells {
			if t.Rows[i].Cells[j].Key == col {
				return t.Rows[i].Cells[j].Value, true
			}
		}
	}
	return nil, false
}

// Has reports whether the table has the row.
func (t *Table) Has(row string) bool {
	if t == nil {
		return false
	}
	for i := range t.Rows {
		if t.Rows[i].Key == row {
			return true
		}
	}
	return false
}

// Set sets a cell's value; it reports false when the table has no such cell.
func (t *Table) Set(row, col string, v *float64) bool {
	for i := range t.Rows {
		if t.Rows[i].Key != row {
			continue
		}
		for j := range t.Rows[i].Cells {
			if t.Rows[i].Cells[j].Key == col {
				t.Rows[i].Cells[j].Value = v
				return true
			}
		}
	}
	return false
}

// Filled counts the cells that hold a value.
func (t *Table) Filled() int {
	if t == nil {
		return 0
	}
	n := 0
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			if c.Value != nil {
				n++
			}
		}
	}
	return n
}

// FormatNumber writes a value as the shortest decimal that reads back the same.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// MarshalJSON writes {"row": {"col": value, …}, …} in template order.
func (t *Table) MarshalJSON() ([]byte, error) {
	if t == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, r := range t.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(r.Key))
		b.WriteString(":{")
		for j, c := range r.Cells {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(c.Key))
			b.WriteByte(':')
			if c.Value == nil {
				b.WriteString("null")
			} else {
				b.WriteString(FormatNumber(*c.Value))
			}
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the object form back, keeping the order it was written in.
func (t *Table) UnmarshalJSON(data []byte) error { return scanTable(t, data) }

// Num returns a pointer to v, for building tables.
func Num(v float64) *float64 { return &v }

// CellRef is one cell of a record's tables, with where it is.
type CellRef struct {
	Table, Row, Col string
	Value           *float64
}

// Path is the cell's path, as in checks and inferred: "requests.granted.total".
func (c CellRef) Path() string { return c.Table + "." + c.Row + "." + c.Col }

// AllCells yields every cell of the record's tables that are present, in
// table, row and column order.
func (r *Record) AllCells() iter.Seq[CellRef] {
	return func(yield func(CellRef) bool) {
		for _, name := range []string{"active", "requests", "review_litigation"} {
			t := r.Table(name)
			if t == nil {
				continue
			}
			for _, row := range t.Rows {
				for _, c := range row.Cells {
					if !yield(CellRef{Table: name, Row: row.Key, Col: c.Key, Value: c.Value}) {
						return
					}
				}
			}
		}
	}
}
