package ocr

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/pdftext"
)

const scan = "../extract/testdata/attachments/003_scan.pdf"

func find(t *testing.T) *Tesseract {
	t.Helper()
	tess, err := Find(context.Background())
	if err != nil {
		if !errors.Is(err, ErrMissing) {
			t.Fatalf("Find: %v, not ErrMissing", err)
		}
		if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return tess
}

// A scanned page drawn by PDFium and read by tesseract gives its Chinese text;
// the same scan again comes from the cache, without running tesseract.
func TestReadScanOnce(t *testing.T) {
	tess := find(t)
	if !strings.Contains(tess.Name(), "tesseract") || !strings.HasSuffix(tess.Name(), "chi_sim") {
		t.Errorf("name %q", tess.Name())
	}
	b, err := os.ReadFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	tess.MaxPages = 1
	texts, err := tess.PDF(context.Background(), eng, b, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != 1 || !strings.Contains(texts[0], "政府信息公开") {
		t.Fatalf("page 1 read as %q", texts)
	}
	tess.Command = "/nonexistent/tesseract" // a second run would fail
	again, err := tess.PDF(context.Background(), eng, b, 1)
	if err != nil || len(again) != 1 || again[0] != texts[0] {
		t.Fatalf("the same scan was not taken from the cache: %v", err)
	}
	// More pages than the limit: the pages up to it, and an error saying so
	// (what is read does not matter here, only how much: a stand-in reads).
	tess.Command, _ = standIn(t, "第一页")
	texts, err = tess.PDF(context.Background(), eng, b, 3)
	if err == nil || !strings.Contains(err.Error(), "1 of 3 pages") || len(texts) != 1 {
		t.Fatalf("over the page limit: %d pages, %v", len(texts), err)
	}
}

// A page that takes longer than the time limit stops tesseract with an error.
func TestPageTimeout(t *testing.T) {
	tess := find(t)
	b, err := os.ReadFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	tess.PageTimeout = 50 * time.Millisecond
	tess.DPI = 50 // what is read does not matter, only that tesseract is stopped
	start := time.Now()
	_, err = tess.PDF(context.Background(), eng, b, 1)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("no timeout: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("stopping took %s", d)
	}
}

func TestFindNamesThePackages(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Find(context.Background())
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "apt-get install tesseract-ocr tesseract-ocr-chi-sim") {
		t.Fatalf("%v", err)
	}
	if _, err := exec.LookPath("tesseract"); err == nil {
		t.Fatal("PATH not cleared")
	}
}

// BenchmarkOCRPage draws one scanned page and reads it with tesseract: the
// cost of OCR per page.
func BenchmarkOCRPage(b *testing.B) {
	tess, err := Find(context.Background())
	if err != nil {
		b.Skip(err)
	}
	pdf, err := os.ReadFile(scan)
	if err != nil {
		b.Fatal(err)
	}
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	tess.MaxPages = 1
	for b.Loop() {
		if _, err := tess.read(context.Background(), eng, pdf, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// standIn writes a command that takes tesseract's place: it reads the image
// from standard input, prints text and counts its runs in the file it names
// (the real one takes seconds a page, which tests of what is asked of it need
// not spend).
func standIn(t *testing.T, text string) (command, runs string) {
	t.Helper()
	dir := t.TempDir()
	runs = filepath.Join(dir, "runs")
	command = filepath.Join(dir, "tesseract")
	script := "#!/bin/sh\ncat > /dev/null\necho run >> '" + runs + "'\necho '" + text + "'\n"
	if err := os.WriteFile(command, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return command, runs
}

// Several workers asking for one scan at once (one file linked from several
// pages) run tesseract for it once: the others wait for that reading.
func TestConcurrentReadersShareOneReading(t *testing.T) {
	tess := find(t)
	b, err := os.ReadFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	var count string
	tess.Command, count = standIn(t, "政府信息公开")
	tess.MaxPages = 1
	tess.DPI = 50 // a stand-in reads: the page need not be sharp
	eng := pdftext.New(pdftext.Options{})
	defer eng.Close()
	var wg sync.WaitGroup
	texts := make([][]string, 4)
	errs := make([]error, 4)
	for i := range texts {
		wg.Go(func() { texts[i], errs[i] = tess.PDF(t.Context(), eng, b, 1) })
	}
	wg.Wait()
	for i := range texts {
		if errs[i] != nil || len(texts[i]) != 1 || texts[i][0] != texts[0][0] {
			t.Fatalf("reader %d: %v, %d texts", i, errs[i], len(texts[i]))
		}
	}
	runs, err := os.ReadFile(count)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(runs), "run"); n != 1 {
		t.Errorf("tesseract ran %d times for one page of one scan read by 4 workers", n)
	}
}
