package corpus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/bulkgc"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// cpuTime is the process's user+sys time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImportWordPasted imports 100 Word-pasted report pages (the four
// seed reports with tables, 25 copies each that differ by a comment, so each
// is stored and extracted) into a new store, and reports MB per CPU-second
// (user+sys, as a nightly import on a shared machine is billed). The target
// is at least 30 (issue 37).
func BenchmarkImportWordPasted(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	size := 0
	for k := 0; k < 25; k++ {
		for _, name := range []string{"000_594cca86a0db9b9c", "001_5ddfc993aefd2777", "002_65ae609cbadd49bc", "003_c00c0f458b041d9c"} {
			text, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", name+".txt"))
			if err != nil {
				b.Fatal(err)
			}
			page := fmt.Sprintf("<!-- copy %d -->", k) + samples.WordPasted(string(text))
			p := filepath.Join(dir, fmt.Sprintf("%s-%d.html", name, k))
			if err := os.WriteFile(p, []byte(page), 0o644); err != nil {
				b.Fatal(err)
			}
			paths = append(paths, p)
			size += len(page)
		}
	}
	ex, err := extract.New()
	if err != nil {
		b.Fatal(err)
	}
	defer ex.Close()
	defer bulkgc.Tune()() // the collector as the import command sets it
	b.SetBytes(int64(size))
	var cpu time.Duration
	n := 0
	for b.Loop() {
		st, err := store.Open(filepath.Join(b.TempDir(), "n.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		start := cpuTime(b)
		res, err := Import(context.Background(), st, ex, paths, nil)
		cpu += cpuTime(b) - start
		n++
		if err != nil || res.Records != len(paths) {
			b.Fatalf("import: %v (%d records of %d)", err, res.Records, len(paths))
		}
		st.Close()
	}
	b.ReportMetric(float64(size*n)/1e6/cpu.Seconds(), "MB/cpu-s")
}
