package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// mergedWorkbook writes an XLSX of rows rows: each row's A and B merged
// (B is blank, A holds the label), values in C and D, and one block E:F
// merged down every row. ECMA-376 Part 1, 18.3.1.55 (mergeCell) and
// 18.3.1.73 (row); the members are the ones Excel writes.
func mergedWorkbook(t testing.TB, rows int) []byte {
	t.Helper()
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r := 1; r <= rows; r++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>第%d行</t></is></c><c r="C%d"><v>%d</v></c><c r="D%d"><v>%d</v></c>`+
			`<c r="E%d" t="inlineStr"><is><t>合并</t></is></c><c r="G%d"><v>7</v></c></row>`, r, r, r, r, r, r, 2*r, r, r)
	}
	sheet.WriteString(`</sheetData><mergeCells count="` + fmt.Sprint(rows+1) + `">`)
	for r := 1; r <= rows; r++ {
		fmt.Fprintf(&sheet, `<mergeCell ref="A%d:B%d"/>`, r, r)
	}
	fmt.Fprintf(&sheet, `<mergeCell ref="E1:F%d"/></mergeCells></worksheet>`, rows)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	} {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(m.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A workbook of as many merged blocks as rows is laid out with every block
// resolved: each row keeps its label, values and the tall block's first
// column, and loses the columns its blocks cover.
func TestManyMergedCellsResolved(t *testing.T) {
	t.Parallel()
	const rows = 40000
	b := mergedWorkbook(t, rows)
	lay, err := xlsxReader{}.Read(context.Background(), Document{Body: b, Name: "merged.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	if len(lay.Lines) != rows {
		t.Fatalf("%d lines, want %d", len(lay.Lines), rows)
	}
	for _, r := range []int{1, 2, rows / 2, rows} {
		want := []string{fmt.Sprintf("第%d行", r), fmt.Sprint(r), fmt.Sprint(2 * r), "合并", "7"}
		if got := lay.Lines[r-1].Cells; !slices.Equal(got, want) {
			t.Errorf("row %d: %q, want %q", r, got, want)
		}
	}
}

// countdown is a context that ends after its Err has been asked n times:
// whether a reader looks at its context inside its loops, told without
// timing.
type countdown struct {
	context.Context
	left atomic.Int64
}

func (c *countdown) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func (c *countdown) Done() <-chan struct{} { return nil }

func (c *countdown) Deadline() (time.Time, bool) { return time.Time{}, false }

// A sheet's reader looks at its context while it lays out rows, not only
// between sheets: Ctrl-C does not wait for a whole sheet.
func TestSheetLayoutHonoursItsContext(t *testing.T) {
	t.Parallel()
	b := mergedWorkbook(t, 20000)
	ctx := &countdown{Context: context.Background()}
	ctx.left.Store(3)
	if _, err := (xlsxReader{}).Read(ctx, Document{Body: b}); err != context.Canceled {
		t.Errorf("reading a 20,000-row sheet with a context that ends on its third look: %v, want it stopped", err)
	}
}

// The sweep resolves merged blocks as testing every block on every row
// does, on random sheets (rows given in any order, blocks overlapping,
// reaching past the row, above and below every row).
func TestMergeSweepAsEveryBlockOnEveryRow(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for range 300 {
		nums := make([]int, r.IntN(30))
		cells := make([][]string, len(nums))
		for i := range nums {
			nums[i] = r.IntN(40)
			for c := range r.IntN(12) {
				cells[i] = append(cells[i], fmt.Sprint(i, c, r.IntN(3)))
			}
		}
		var merges []mergeRange
		for range r.IntN(8) {
			r1, c1 := r.IntN(45), r.IntN(14)
			merges = append(merges, mergeRange{r1, c1, r1 + r.IntN(6), c1 + r.IntN(5)})
		}
		got, err := gridRows(context.Background(), nums, func(i int) []string { return cells[i] }, merges, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []Line
		for i, rn := range nums {
			var kept []string
			for c, v := range cells[i] {
				covered := false
				for _, m := range merges {
					if rn >= m.r1 && rn <= m.r2 && c > m.c1 && c <= m.c2 && c < 10 {
						covered = true
					}
				}
				if !covered {
					kept = append(kept, v)
				}
			}
			if l, ok := gridLine(kept, nil); ok {
				want = append(want, l)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rows %v, merges %v:\n got %v\nwant %v", nums, merges, got, want)
		}
	}
}
