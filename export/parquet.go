package export

import (
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/store"
)

// The wide table as Parquet, for pandas, R arrow, DuckDB and Polars: the
// CSV's rows and columns in the CSV's order, typed by the codebook. Counts
// are 64-bit integers, money (本年收费金额 in 万元, 采购总金额 in 元) exact
// decimals with six places, text UTF-8 strings (not neutralised: Parquet is
// read by programs, not spreadsheets), fetched_at a UTC timestamp, and every
// cell the document leaves blank a null.

// moneyScale is the decimal places kept for money; printed amounts have at
// most six (24252.311082 万元).
const moneyScale = 6

// colKind is how a column is stored.
type colKind int

const (
	colText colKind = iota
	colInt
	colTime
	colMoney
)

// kindOf types a column by the codebook: its metadata type, or for a cell,
// money or a count.
func kindOf(col string) colKind {
	if d, ok := metaDoc[col]; ok {
		switch d[0] {
		case "integer":
			return colInt
		case "datetime":
			return colTime
		}
		return colText
	}
	if isMoney(col) {
		return colMoney
	}
	return colInt
}

// isMoney: a cell that holds an amount of money, not a count.
func isMoney(col string) bool { return strings.Contains(col, "amount") }

// orderedGroup is a Parquet group whose fields keep the order given
// (parquet.Group, a map, sorts them by name).
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

type namedField struct {
	parquet.Node
	name string
}

func (f namedField) Name() string { return f.name }

func (f namedField) Value(base reflect.Value) reflect.Value {
	if base.Kind() == reflect.Map {
		return base.MapIndex(reflect.ValueOf(f.name))
	}
	return reflect.Value{}
}

// parquetSchema is the wide table's schema, columns in the CSV's order.
func parquetSchema() (*parquet.Schema, []colKind) {
	header := Header()
	g := orderedGroup{Group: parquet.Group{}}
	kinds := make([]colKind, len(header))
	for i, col := range header {
		var n parquet.Node
		switch kinds[i] = kindOf(col); kinds[i] {
		case colInt:
			n = parquet.Int(64)
		case colTime:
			n = parquet.TimestampAdjusted(parquet.Millisecond, true)
		case colMoney:
			n = parquet.Decimal(moneyScale, 18, parquet.Int64Type)
		default:
			n = parquet.String()
		}
		n = parquet.Optional(n)
		g.Group[col] = n
		g.fields = append(g.fields, namedField{Node: n, name: col})
	}
	return parquet.NewSchema("nianbao_reports", g), kinds
}

// ParquetWriter writes the wide table as Parquet.
type ParquetWriter struct {
	w     *parquet.GenericWriter[any]
	kinds []colKind
	opt   Options
	n     int
	// Unwritable counts the cells that could not be stored in their column's
	// type (a count printed with decimals, money with more than six places):
	// they are null here and as printed in the CSV and JSONL.
	Unwritable map[string]int
}

// NewParquet starts a Parquet file on w.
func NewParquet(w io.Writer, opt Options) *ParquetWriter {
	schema, kinds := parquetSchema()
	pw := parquet.NewGenericWriter[any](w, schema, parquet.Compression(&zstd.Codec{}), parquet.CreatedBy("nianbao", "", ""))
	return &ParquetWriter{w: pw, kinds: kinds, opt: opt, Unwritable: map[string]int{}}
}

// Write writes one report's row with its attribution.
func (pw *ParquetWriter) Write(e *store.Entry, at attrib.Attribution) error {
	meta, cells := wideRow(e, at, pw.opt)
	header := Header()
	row := make(parquet.Row, 0, len(header))
	for i := range header {
		var v parquet.Value
		var ok bool
		if i < len(meta) {
			v, ok = pw.metaValue(i, meta[i])
		} else {
			v, ok = pw.cellValue(header[i], i, cells[i-len(meta)])
		}
		if ok {
			row = append(row, v.Level(0, 1, i))
		} else {
			row = append(row, parquet.NullValue().Level(0, 0, i))
		}
	}
	if _, err := pw.w.WriteRows([]parquet.Row{row}); err != nil {
		return fmt.Errorf("writing the Parquet row of %s: %w", e.ReportID, err)
	}
	pw.n++
	return nil
}

func (pw *ParquetWriter) metaValue(i int, s string) (parquet.Value, bool) {
	if s == "" {
		return parquet.Value{}, false
	}
	switch pw.kinds[i] {
	case colInt:
		n, err := strconv.ParseInt(s, 10, 64)
		return parquet.Int64Value(n), err == nil
	case colTime:
		t, err := parseTime(s)
		return parquet.Int64Value(t), err == nil
	}
	return parquet.ByteArrayValue([]byte(s)), true
}

func (pw *ParquetWriter) cellValue(col string, i int, v *float64) (parquet.Value, bool) {
	if v == nil {
		return parquet.Value{}, false
	}
	if pw.kinds[i] == colMoney {
		d, ok := scaled(*v, moneyScale)
		if !ok {
			pw.Unwritable[col]++
		}
		return parquet.Int64Value(d), ok
	}
	if *v != math.Trunc(*v) || math.Abs(*v) > 1<<53 {
		pw.Unwritable[col]++
		return parquet.Value{}, false
	}
	return parquet.Int64Value(int64(*v)), true
}

// scaled is v with scale decimal places as an integer, exact: from the
// shortest decimal that reads back as v, never through a multiplication.
func scaled(v float64, scale int) (int64, bool) {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > scale {
		return 0, false
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", scale-len(frac)), 10, 64)
	if err != nil || n > 999_999_999_999_999_999 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// Close writes the file's footer.
func (pw *ParquetWriter) Close() error { return pw.w.Close() }

// Rows is how many rows were written.
func (pw *ParquetWriter) Rows() int { return pw.n }
