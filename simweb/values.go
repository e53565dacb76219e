package simweb

import (
	"math/rand/v2"

	"github.com/nianbao/nianbao/report"
)

// Template is the template a report of this year follows.
func (rp *Report) Template() report.Template {
	switch {
	case rp.Year >= 2021:
		return report.Template2021
	case rp.Year >= 2019:
		return report.Template2019
	}
	return report.TemplateLegacy
}

// Tables returns the values the report prints: a record holding the three tables,
// consistent with every identity. Legacy reports carry none. The values depend on
// the report and its version only, so the manifest and the pages always agree.
func (rp *Report) Tables() *report.Record {
	rec := report.New()
	tpl := rp.Template()
	rec.Template = tpl
	if tpl == report.TemplateLegacy {
		return rec
	}
	r := rand.New(rand.NewPCG(rp.seed, uint64(101+rp.Version)))

	act := report.NewTable(report.ActiveSpec(tpl))
	for _, row := range act.Rows {
		for _, c := range row.Cells {
			var v float64
			switch c.Key {
			case "repealed", "change":
				v = float64(r.IntN(4))
			case "in_force", "total_published":
				v = float64(10 + r.IntN(150))
			case "decisions":
				v = float64(r.IntN(3000))
			case "amount_10k_yuan":
				v = float64(r.IntN(10000)) / 100
			case "amount_yuan":
				v = float64(r.IntN(500)) * 1000
			case "prev_items":
				v = float64(r.IntN(200))
			default:
				v = float64(r.IntN(12))
			}
			act.Set(row.Key, c.Key, report.Num(v))
		}
	}
	rec.Active = act

	spec := report.Requests2021
	if tpl == report.Template2019 {
		spec = report.Requests2019
	}
	req := report.NewTable(spec)
	n := len(report.OrgCols)
	processed := make([]float64, n)
	inOutcomes := false
	for _, row := range spec.Rows {
		if row.Key == "granted" {
			inOutcomes = true
		}
		if row.Key == "total_processed" {
			break
		}
		if !inOutcomes {
			continue
		}
		vals := make([]float64, n)
		if r.IntN(3) == 0 {
			for j := range vals {
				if j == 0 || r.IntN(4) == 0 {
					vals[j] = float64(r.IntN(9))
				}
			}
		}
		setRow(req, row.Key, vals)
		for j := range vals {
			processed[j] += vals[j]
		}
	}
	carriedOver := make([]float64, n)
	carriedForward := make([]float64, n)
	newReceived := make([]float64, n)
	for j := range newReceived {
		if j == 0 {
			carriedOver[j] = float64(r.IntN(3))
			carriedForward[j] = float64(r.IntN(3))
		}
		newReceived[j] = processed[j] + carriedForward[j] - carriedOver[j]
		if newReceived[j] < 0 {
			carriedOver[j] += newReceived[j]
			newReceived[j] = 0
		}
	}
	setRow(req, "new_received", newReceived)
	setRow(req, "carried_over", carriedOver)
	setRow(req, "total_processed", processed)
	setRow(req, "carried_forward", carriedForward)
	rec.Requests = req

	rl := report.NewTable(report.ReviewLitigation)
	for _, row := range rl.Rows {
		sum := 0.0
		for _, c := range row.Cells[:4] {
			v := float64(r.IntN(4))
			sum += v
			rl.Set(row.Key, c.Key, report.Num(v))
		}
		rl.Set(row.Key, "total", report.Num(sum))
	}
	rec.ReviewLitigation = rl
	return rec
}

// setRow writes the six applicant columns and their total.
func setRow(t *report.Table, row string, vals []float64) {
	sum := 0.0
	for j, c := range report.OrgCols {
		t.Set(row, c.Key, report.Num(vals[j]))
		sum += vals[j]
	}
	t.Set(row, "total", report.Num(sum))
}

// Cells flattens a record's tables to path → value.
func Cells(rec *report.Record) map[string]float64 {
	out := map[string]float64{}
	for _, t := range []struct {
		name  string
		table *report.Table
	}{{"active", rec.Active}, {"requests", rec.Requests}, {"review_litigation", rec.ReviewLitigation}} {
		if t.table == nil {
			continue
		}
		for _, row := range t.table.Rows {
			for _, c := range row.Cells {
				if c.Value != nil {
					out[t.name+"."+row.Key+"."+c.Key] = *c.Value
				}
			}
		}
	}
	return out
}
