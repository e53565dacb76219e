package extract

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Merged blocks are resolved by a sweep down the rows: each block is added
// when the sweep reaches its first row and taken away past its last, as a
// count per column of the blocks that cover it. The cost is the blocks times
// the columns each covers (at most the sheet's width) plus the rows times
// the width. Testing every block on every row cost rows × blocks: a 6 MB
// workbook of tens of thousands of merged blocks took minutes.

// ctxEvery is how many rows a sheet's reader lays out between looks at its
// context.
const ctxEvery = 1024

// mergeSweep says, row after row in increasing order, which columns merged
// blocks cover to the right of their first column.
type mergeSweep struct {
	starts []mergeRange // by first row
	next   int
	ends   endHeap // the blocks added, by last row
	count  []int32 // per column up to the width: blocks covering it
}

// newMergeSweep prepares a sweep over merges for rows of up to width
// columns; nil when there are none.
func newMergeSweep(merges []mergeRange, width int) *mergeSweep {
	if len(merges) == 0 {
		return nil
	}
	s := &mergeSweep{starts: append([]mergeRange(nil), merges...), count: make([]int32, width)}
	sort.Slice(s.starts, func(i, j int) bool { return s.starts[i].r1 < s.starts[j].r1 })
	return s
}

// at is the count per column for row rn; rn never decreases between calls.
func (s *mergeSweep) at(rn int) []int32 {
	if s == nil {
		return nil
	}
	for ; s.next < len(s.starts) && s.starts[s.next].r1 <= rn; s.next++ {
		m := s.starts[s.next]
		if m.r2 < rn {
			continue // ended above: rows it covered were not asked for
		}
		s.mark(m, 1)
		heap.Push(&s.ends, m)
	}
	for len(s.ends) > 0 && s.ends[0].r2 < rn {
		s.mark(heap.Pop(&s.ends).(mergeRange), -1)
	}
	return s.count
}

// mark adds d to the columns m covers to the right of its first, up to the
// width.
func (s *mergeSweep) mark(m mergeRange, d int32) {
	for c := max(m.c1+1, 0); c <= m.c2 && c < len(s.count); c++ {
		s.count[c] += d
	}
}

// endHeap holds merged blocks, the one that ends first on top.
type endHeap []mergeRange

func (h endHeap) Len() int           { return len(h) }
func (h endHeap) Less(i, j int) bool { return h[i].r2 < h[j].r2 }
func (h endHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)        { *h = append(*h, x.(mergeRange)) }
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// gridRows lays out a sheet's rows, given as row numbers and their cells in
// their columns (row numbers in any order), as lines in the order given,
// with merged blocks resolved; it stops when ctx ends, or when a line passes
// the budget (nil: none).
func gridRows(ctx context.Context, nums []int, cells func(i int) []string, merges []mergeRange, width int, b *budget) ([]Line, error) {
	order := make([]int, len(nums))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return nums[order[a]] < nums[order[b]] })
	sweep := newMergeSweep(merges, width)
	out := make([]Line, len(nums))
	kept := make([]bool, len(nums))
	for k, i := range order {
		if k%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i], kept[i] = gridLine(cells(i), sweep.at(nums[i]))
		if b != nil && kept[i] {
			if err := b.line(out[i]); err != nil {
				return nil, err
			}
		}
	}
	lines := out[:0]
	for i, l := range out {
		if kept[i] {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// decodeSheet reads a worksheet's rows and merged blocks as xml.Unmarshal
// would into sh, element by element, looking at ctx every ctxEvery elements:
// a sheet of hundreds of megabytes is minutes of parsing. Cells past the
// 200th column are not kept; every row, cell and block kept is charged to
// bud, so that a sheet of millions of cells stops at the budget, not after.
func decodeSheet(ctx context.Context, b []byte, sh *xlsxSheet, bud *budget) error {
	return eachElement(ctx, b, func(d *xml.Decoder, se xml.StartElement, parent string) error {
		switch {
		case se.Name.Local == "row" && parent == "sheetData":
			var row xlsxRow
			for _, a := range se.Attr {
				if a.Name.Local != "r" {
					continue
				}
				if v := strings.TrimSpace(a.Value); v != "" {
					n, err := strconv.Atoi(v)
					if err != nil {
						return fmt.Errorf("row number %q: %w", a.Value, err)
					}
					row.R = n
				}
			}
			sh.Rows = append(sh.Rows, row)
			if err := bud.decoded(1); err != nil {
				return err
			}
			return errDescend // its cells, one by one
		case se.Name.Local == "c" && parent == "row":
			var c xlsxCell
			if err := d.DecodeElement(&c, &se); err != nil {
				return err
			}
			if col := columnIndex(c.Ref); col < 0 || col > maxSheetColumns {
				return nil
			}
			r := &sh.Rows[len(sh.Rows)-1]
			r.Cells = append(r.Cells, c)
			return bud.decoded(1)
		case se.Name.Local == "mergeCell" && parent == "mergeCells":
			var m xlsxMerge
			if err := d.DecodeElement(&m, &se); err != nil {
				return err
			}
			sh.Merges = append(sh.Merges, m)
			return bud.decoded(1)
		}
		return errDescend
	})
}

// errDescend, returned by eachElement's fn, reads on into the element.
var errDescend = errors.New("descend")

// eachElement calls fn with every element of an XML document and the name
// of its parent; fn decodes or skips the element, or returns errDescend to
// have its children met too. ctx is looked at every ctxEvery elements.
func eachElement(ctx context.Context, b []byte, fn func(d *xml.Decoder, se xml.StartElement, parent string) error) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []string
	for n := 0; ; n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			switch err := fn(d, t, parent); {
			case errors.Is(err, errDescend):
				stack = append(stack, t.Name.Local)
			case err != nil:
				return err
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}
