package extract

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkWithinLimits reads documents just within the per-document limits
// (limits.go): what the most a document may cost comes to, in time and bytes
// allocated. Run once each: go test ./extract -run '^$' -bench WithinLimits -benchtime 1x
func BenchmarkWithinLimits(b *testing.B) {
	e := newTestExtractor(b)
	docs := []struct {
		name string
		body func(b *testing.B) []byte
	}{
		{"text_49000_lines", func(*testing.B) []byte {
			return []byte("三、收到和处理政府信息公开申请情况\n" + numbers(49_000, "一、本年新收政府信息公开申请数量 %d\t%d\t行政规范性文件公开2件。\n"))
		}},
		{"text_7_lines_of_1MB_digits", func(*testing.B) []byte {
			return []byte("三、收到和处理政府信息公开申请情况\n" + strings.Repeat("一、本年新收政府信息公开申请数量"+strings.Repeat("1234567890", 100_000)+"\n", 7))
		}},
		{"html_table_19000_rows", func(*testing.B) []byte {
			var s strings.Builder
			s.WriteString("<html><body><p>2021年度政府信息公开工作年度报告</p><table>")
			for i := range 19_000 {
				fmt.Fprintf(&s, "<tr><td>第%d行</td>%s</tr>", i, strings.Repeat(fmt.Sprintf("<td>%d</td>", i), 9))
			}
			return []byte(s.String() + "</table></body></html>")
		}},
		{"xlsx_45000_rows_of_5_cells", func(b *testing.B) []byte {
			return sheet(b, numbers(45_000, `<row><c r="A1" t="inlineStr"><is><t>行%d</t></is></c><c r="B1"><v>%d</v></c><c r="C1"><v>3</v></c><c r="D1"><v>4</v></c><c r="E1"><v>5</v></c></row>`))
		}},
	}
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			body := d.body(b)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Extract(context.Background(), Document{Body: body, Name: d.name}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
