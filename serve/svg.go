package serve

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// The charts are SVG written here, so the pages need no script and no
// library; only numbers and fixed words go into them.

// sparkline draws a series (nil: no value that year) as a small line.
func sparkline(series []*float64) string {
	const w, h, pad = 120.0, 28.0, 3.0
	lo, hi, n := 0.0, 0.0, 0
	for _, v := range series {
		if v == nil {
			continue
		}
		lo, hi = min(lo, *v), max(hi, *v)
		n++
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="trend">`, w, h, w, h)
	if n == 0 {
		b.WriteString(`</svg>`)
		return b.String()
	}
	span := max(hi-lo, 1)
	step := (w - 2*pad) / float64(max(len(series)-1, 1))
	var pts []string
	for i, v := range series {
		if v == nil {
			continue
		}
		x, y := pad+float64(i)*step, h-pad-(*v-lo)/span*(h-2*pad)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2"/>`, x, y)
	}
	fmt.Fprintf(&b, `<polyline points="%s"/></svg>`, strings.Join(pts, " "))
	return b.String()
}

// failureChart draws, for each year, the share of reports with checks that
// break at least one identity.
func failureChart(rows []row) string {
	type tally struct{ checked, failed int }
	by := map[int]*tally{}
	for _, w := range rows {
		if w.Year == 0 || w.Checks == 0 {
			continue
		}
		if by[w.Year] == nil {
			by[w.Year] = &tally{}
		}
		by[w.Year].checked++
		if w.Failed > 0 {
			by[w.Year].failed++
		}
	}
	years := yearsOf(rows)
	const bar, gap, h, top, bottom = 36.0, 14.0, 160.0, 18.0, 22.0
	width := 40 + float64(len(years))*(bar+gap)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="identity failures by year">`, width, h, width, h)
	fmt.Fprintf(&b, `<line class="axis" x1="30" y1="%g" x2="%g" y2="%g"/>`, h-bottom, width, h-bottom)
	for i, y := range years {
		t := by[y]
		x := 36 + float64(i)*(bar+gap)
		share := 0.0
		label := "—"
		if t != nil && t.checked > 0 {
			share = float64(t.failed) / float64(t.checked)
			label = fmt.Sprintf("%.0f%%", 100*share)
		}
		bh := share * (h - top - bottom)
		fmt.Fprintf(&b, `<rect class="bar" x="%g" y="%.1f" width="%g" height="%.1f"><title>%d: %s of reports with checks break an identity</title></rect>`,
			x, h-bottom-bh, bar, bh, y, label)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="middle">%s</text>`, x+bar/2, h-bottom-bh-4, label)
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%d</text>`, x+bar/2, h-6, y)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func numberOf(c cellView) *float64 {
	if c.Text == "" {
		return nil
	}
	v, err := strconv.ParseFloat(c.Text, 64)
	if err != nil {
		return nil
	}
	return &v
}

// funcs are the templates' helpers: svg marks the charts drawn above (never
// text from a report) as safe to insert.
var funcs = template.FuncMap{
	"svg": func(s string) template.HTML { return template.HTML(s) },
}
