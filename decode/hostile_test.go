package decode

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// A large traditional-script text (a big5 gateway copy, or a hostile page of
// 60 MB under max_bytes) is converted to simplified in bounded memory. gocc's
// Convert of the whole text allocated over 100 times its size and the heap's
// peak grew by about 35 times (8 MB: 276 MB; a 60 MB page: 1.8 GB RSS in
// `nianbao extract`, 1.67 GB in a crawl whose memory_budget is 512 MiB: F1).
// The conversion now allocates its result and no more.
func TestHostileLargeTraditionalText(t *testing.T) {
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
	// HeapSys seldom shrinks: its growth is the peak of the heap the cleaning
	// needed (the text, its result and what converting held at once).
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*uint64(len(text)) {
		t.Errorf("cleaning %d MB of traditional text allocated %d MB (over 4 times the text)", len(text)>>20, alloc>>20)
	}
	if grew := heapGrowth(&before, &after); grew > 16*uint64(len(text)) {
		t.Errorf("cleaning %d MB of traditional text grew the heap by %d MB (over 16 times the text; %d MB allocated)",
			len(text)>>20, grew>>20, (after.TotalAlloc-before.TotalAlloc)>>20)
	}
}

// Hostile text of other shapes costs a few times its size, not tens of times:
// random bytes after an HTML prefix (decoded as GB18030 into 1.3 times their
// size, garbled everywhere, tags stripped: 233 times its size in allocations
// before F1's fix; 393 MB of RSS for 8 MB in `nianbao extract`),
// one 4 MB line of traditional text, a line of nothing but traditional-only
// characters, and garbled lines, one huge or many (the repair of mojibake made
// a map entry and an encoding per character of a garbled line: 54 times).
// The verdict is on bytes allocated (TotalAlloc, whatever the machine's speed)
// and on the heap's growth.
func TestHostileShapesBoundedMemory(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	d.Clean("政府資訊公開", CleanOptions{}) // loads the dictionaries outside the measure
	const size = 4 << 20
	random := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	cases := []struct {
		name  string
		raw   []byte
		times uint64 // allocations at most this many times the input
	}{
		{"random bytes after <html>", append([]byte("<html><body>"), random...), 16},
		{"one line of traditional text", []byte(fill("本機關政府資訊公開工作年度報告，依據條例規定編製，內容包括總體情況與處理申請情況。")), 4},
		{"traditional-only characters", []byte(fill("們國會這個為與來時說對發經過還進學開關問應實業務區體後當從")), 4},
		{"one garbled line", []byte(fill("┲┳┴ぷ鲗结束正常文字")), 8},
		{"garbled lines", []byte(fill("?。ㄎ澹┍O督保障方面\t1\n")), 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			dec := d.Bytes(c.raw, "", true)
			cl := d.Clean(dec.Text, CleanOptions{StripMarkup: true})
			runtime.ReadMemStats(&after)
			if cl.Text == "" {
				t.Fatal("no text")
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d MB: %.1f times its size allocated, heap grew %d MB", len(c.raw)>>20,
				float64(alloc)/float64(len(c.raw)), heapGrowth(&before, &after)>>20)
			if alloc > c.times*uint64(len(c.raw)) {
				t.Errorf("decoding and cleaning %d MB allocated %d MB: over %d times the input", len(c.raw)>>20, alloc>>20, c.times)
			}
			if grew := heapGrowth(&before, &after); grew > 16*uint64(len(c.raw)) {
				t.Errorf("decoding and cleaning %d MB grew the heap by %d MB: over 16 times the input", len(c.raw)>>20, grew>>20)
			}
		})
	}
}

// heapGrowth is how much HeapSys grew; it can shrink (the runtime's accounting
// moves spans out of it), which is no growth.
func heapGrowth(before, after *runtime.MemStats) uint64 {
	if after.HeapSys < before.HeapSys {
		return 0
	}
	return after.HeapSys - before.HeapSys
}
