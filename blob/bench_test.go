package blob

import (
	"context"
	"encoding/binary"
	"syscall"
	"testing"
	"time"
)

func cpuTime(b *testing.B) (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// BenchmarkDirPut writes 20 KB objects (a compressed page) one after another
// and reports the CPU (user and system) and the wall time of each.
func BenchmarkDirPut(b *testing.B) {
	d := NewDir(b.TempDir(), 1<<20)
	z := make([]byte, 20<<10)
	ctx := context.Background()
	u0, s0 := cpuTime(b)
	n := 0
	for b.Loop() {
		binary.BigEndian.PutUint64(z, uint64(n))
		if err := d.Put(ctx, key(z), z); err != nil {
			b.Fatal(err)
		}
		n++
	}
	u1, s1 := cpuTime(b)
	b.ReportMetric(float64((u1-u0).Microseconds())/float64(n), "user_µs/put")
	b.ReportMetric(float64((s1-s0).Microseconds())/float64(n), "sys_µs/put")
}
