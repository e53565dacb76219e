package decode

import (
	"runtime"
	"strings"
	"testing"
)

// A large traditional-script text (a big5 gateway copy, or a hostile page of
// 60 MB under max_bytes) is converted to simplified in bounded memory.
// Today gocc's Convert of the whole text allocates over 100 times its size
// and the heap's peak grows by about 35 times (8 MB: 276 MB; a 60 MB page: 1.8 GB RSS in `nianbao extract`, 1.67 GB in a crawl whose
// memory_budget is 512 MiB), far past what the crawl's memory bounds allow.
func TestHostileLargeTraditionalText(t *testing.T) {
	t.Skip("finding: converting a large traditional text costs ~35x its size in memory (redteam-findings.md F1)")
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	d.Clean("政府資訊公開", CleanOptions{}) // loads the dictionaries outside the measure
	line := strings.Repeat("本機關政府資訊公開工作年度報告，依據條例規定編製，內容包括總體情況與處理申請情況。", 3) + "\n"
	text := strings.Repeat(line, (8<<20)/len(line))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := d.Clean(text, CleanOptions{})
	runtime.ReadMemStats(&after)
	if c.Script != "hant" {
		t.Fatalf("script %s, want hant", c.Script)
	}
	// HeapSys never shrinks: its growth is the peak of the heap the cleaning
	// needed (the text, its result and what converting held at once).
	if grew := after.HeapSys - before.HeapSys; grew > 16*uint64(len(text)) {
		t.Errorf("cleaning %d MB of traditional text grew the heap by %d MB (over 16 times the text; %d MB allocated)",
			len(text)>>20, grew>>20, (after.TotalAlloc-before.TotalAlloc)>>20)
	}
}
