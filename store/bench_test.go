package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkBeginNight opens a new generation in a store that knows 200,000
// URLs, a tenth of them due: the nightly cost of finding what to ask again.
func BenchmarkBeginNight(b *testing.B) {
	const known, dueEvery = 200_000, 10
	s := openTemp(b)
	night := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	for lo := 0; lo < known; lo += 10_000 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i := lo; i < lo+10_000; i++ {
				u := fmt.Sprintf("http://www%d.example.gov.cn/art/2024/%d.html", i%2000, i)
				next := night.Add(24 * time.Hour)
				if i%dueEvery == 0 {
					next = night.Add(-time.Hour)
				}
				d := &DocState{URL: u, Kind: "report", State: DocOK, FirstSeen: night.Add(-72 * time.Hour), NextVisit: next,
					ETag: `"abc"`, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ReportID: fmt.Sprint(i), Generation: 1}
				if err := putDoc(tx, docKey("GET", u, nil), d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	f, err := s.Frontier()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		run, _, err := f.Begin(night, Schedule{}, nil)
		if err != nil || run.Revisits != known/dueEvery {
			b.Fatalf("%+v %v", run, err)
		}
		b.StopTimer()
		for f.Pending() > 0 { // empty the queue for the next night
			q, err := f.Next(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Commit(Commit{Done: q}); err != nil {
				b.Fatal(err)
			}
			f.Release(q.Host, time.Time{})
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(known), "known_urls")
}
