package extract

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/nianbao/nianbao/samples"
)

func benchExtract(b *testing.B, body []byte) {
	e := newTestExtractor(b)
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec, err := e.Extract(ctx, Document{Body: body})
		if err != nil || rec.Requests == nil {
			b.Fatalf("extraction failed: %v", err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkExtractWordHTML: a 270 KB Word-exported report page (the target is
// at least 15 MB/s of HTML per core).
func BenchmarkExtractWordHTML(b *testing.B) {
	body, err := fs.ReadFile(samples.FS(), "2022_word_export_large.html")
	if err != nil {
		b.Fatal(err)
	}
	benchExtract(b, body)
}

// BenchmarkExtractGBKHTML: a plain GBK page with the charset only in <meta>.
func BenchmarkExtractGBKHTML(b *testing.B) {
	body, err := fs.ReadFile(samples.FS(), "2021_gbk_meta.html")
	if err != nil {
		b.Fatal(err)
	}
	benchExtract(b, body)
}

// BenchmarkExtractSeedText: seed 000, OCR'd PDF text with tab-separated cells.
func BenchmarkExtractSeedText(b *testing.B) {
	body, err := os.ReadFile(filepath.Join(seedDir, "000_594cca86a0db9b9c.txt"))
	if err != nil {
		b.Fatal(err)
	}
	benchExtract(b, body)
}

// BenchmarkExtractWordPasted: the real seed reports as a portal's Word-pasted
// page (MsoNormal paragraphs in styled spans, bordered tables), one after the
// other; the target is at least 15 MB/s of HTML per core.
func BenchmarkExtractWordPasted(b *testing.B) {
	var pages [][]byte
	size := 0
	for _, name := range []string{"000_594cca86a0db9b9c", "001_5ddfc993aefd2777", "002_65ae609cbadd49bc", "003_c00c0f458b041d9c"} {
		text, err := os.ReadFile(filepath.Join(seedDir, name+".txt"))
		if err != nil {
			b.Fatal(err)
		}
		page := []byte(samples.WordPasted(string(text)))
		pages = append(pages, page)
		size += len(page)
	}
	e := newTestExtractor(b)
	ctx := context.Background()
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			if rec, err := e.Extract(ctx, Document{Body: p}); err != nil || rec.Requests == nil {
				b.Fatalf("extraction failed: %v", err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkDecodeGBKHTML: the decoding a crawler shares with the extraction of
// the page (Document.Decoded), which the extraction then does not repeat.
func BenchmarkDecodeGBKHTML(b *testing.B) {
	body, err := fs.ReadFile(samples.FS(), "2021_gbk_meta.html")
	if err != nil {
		b.Fatal(err)
	}
	e := newTestExtractor(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		e.dec.Bytes(body, "", true)
	}
}
