package bulkgc

import (
	"runtime/debug"
	"testing"
)

// Tune sets the bulk collector when the environment does not, leaves it
// alone when it does, and restores what was there.
func TestTuneAndRestore(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	limit := debug.SetMemoryLimit(-1)
	restore := Tune()
	if got := debug.SetGCPercent(Percent); got != Percent {
		t.Errorf("GC percent %d after Tune, want %d", got, Percent)
	}
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit {
		t.Errorf("memory limit %d after Tune, want %d", got, MemoryLimit)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d after restore, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Errorf("memory limit %d after restore, want %d", got, limit)
	}

	t.Setenv("GOGC", "50")
	restore = Tune()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, Tune changed the GC percent to %d", got)
	}
	restore()
}
