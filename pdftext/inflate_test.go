package pdftext

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// inflatingPDF writes a one-page PDF whose one content stream is
// FlateDecode'd (ISO 32000-1, 7.4.4) and inflates to n bytes: a line of text,
// then n blanks. A few hundred kilobytes on disk, hundreds of megabytes once
// PDFium decodes the stream, which it does whole before parsing it.
func inflatingPDF(t testing.TB, n int64) []byte {
	t.Helper()
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(zw, "BT /F1 12 Tf 72 720 Td (Page 1) Tj ET\n")
	if _, err := io.CopyN(zw, blanks{}, n); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var offsets []int
	obj := func(s string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), s)
	}
	out.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>")
	obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()))
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.Bytes()
}

// blanks reads as endless spaces.
type blanks struct{}

func (blanks) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// A PDF whose content inflates past the module's memory fails with an error
// in words that names the limit, not a WebAssembly stack trace, and the
// engine reads the next document with a fresh module.
// The module's memory is not the Go heap's: growing it to its limit
// allocates next to nothing there (appending to a slice allocated every
// growth anew, and kept the copies until a collection).
func TestInflatingPDFFailsInWords(t *testing.T) {
	e := engine(t, Options{MemoryPages: 1024}) // 64 MiB
	pdf := inflatingPDF(t, 256<<20)
	if _, err := e.Read(context.Background(), makePDF(1)); err != nil { // the module up
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := e.Read(context.Background(), pdf)
	runtime.ReadMemStats(&after)
	if runtime.GOOS == "linux" {
		if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
			t.Errorf("reading up to the 64 MiB limit allocated %d MiB on the Go heap", n>>20)
		}
	}
	if err == nil {
		t.Fatal("a 256 MB content stream read within 64 MiB")
	}
	msg := err.Error()
	if !errors.Is(err, ErrCrashed) || !strings.Contains(msg, "64 MiB") || strings.Contains(msg, "stack trace") || strings.Contains(msg, "\n") {
		t.Errorf("the error is not in words: %q", msg)
	}
	if d, err := e.Read(context.Background(), makePDF(1)); err != nil || len(d.Pages) != 1 {
		t.Errorf("the next document: %v", err)
	}
}
