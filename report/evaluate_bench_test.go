package report

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomRecord is a 2019 or 2021 record with tables partly printed, partly
// blank, mostly consistent and sometimes not: what Evaluate meets.
func randomRecord(r *rand.Rand) *Record {
	rec := New()
	spec := Requests2021
	rec.Template = Template2021
	if r.IntN(2) == 0 {
		spec, rec.Template = Requests2019, Template2019
	}
	rec.Requests = NewTable(spec)
	for _, row := range spec.Rows {
		for _, c := range row.Cols {
			if r.IntN(5) > 0 {
				rec.Requests.Set(row.Key, c.Key, Num(float64(r.IntN(3))))
			}
		}
	}
	rec.ReviewLitigation = NewTable(ReviewLitigation)
	for _, row := range ReviewLitigation.Rows {
		for _, c := range row.Cols {
			if r.IntN(4) > 0 {
				rec.ReviewLitigation.Set(row.Key, c.Key, Num(float64(r.IntN(2))))
			}
		}
	}
	return rec
}

// printedByIdentity is the printed map as Evaluate built it before it read
// the tables directly: every identity cell that holds a value.
func printedByIdentity(r *Record) map[string]float64 {
	printed := map[string]float64{}
	for _, id := range Identities(r) {
		for p := range id.cells() {
			if v, ok := r.Cell(p); ok && v != nil {
				printed[p] = *v
			}
		}
	}
	return printed
}

func TestPrintedCellsAsTheIdentitiesRead(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 300 {
		rec := randomRecord(r)
		got := printedCells(rec)
		for p, v := range printedByIdentity(rec) {
			if w, ok := got[p]; !ok || w != v {
				t.Fatalf("%s: %v, %v; identities read %v", p, w, ok, v)
			}
		}
		a, b := *rec, *rec
		a.Checks, b.Checks = nil, nil
		Evaluate(&a)
		evaluateWith(&b, printedByIdentity(&b))
		if !reflect.DeepEqual(a.Checks, b.Checks) || !reflect.DeepEqual(a.Inferred, b.Inferred) || !reflect.DeepEqual(a.Warnings, b.Warnings) {
			t.Fatalf("Evaluate differs from the identity-cell reading")
		}
	}
}

func TestSharedIdentitiesAreTheRecordsOwn(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for range 50 {
		rec := randomRecord(r)
		if !reflect.DeepEqual(identitiesOf(rec), Identities(rec)) {
			t.Fatal("the shared identities of a template's shape differ from the record's")
		}
	}
	// A table of another shape gets its own.
	rec := randomRecord(r)
	rec.Requests.Rows = rec.Requests.Rows[:10]
	if !reflect.DeepEqual(identitiesOf(rec), Identities(rec)) {
		t.Fatal("a short table's identities")
	}
}

func BenchmarkEvaluate(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	recs := make([]*Record, 64)
	for i := range recs {
		recs[i] = randomRecord(r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		rec := recs[i%len(recs)]
		rec.Warnings = rec.Warnings[:0]
		Evaluate(rec)
	}
}
