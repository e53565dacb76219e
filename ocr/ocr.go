// Package ocr reads the text of scanned PDF pages with tesseract: each page is
// drawn by the PDF engine (package pdftext) and handed to the tesseract
// command with Simplified Chinese data (chi_sim), one page at a time, each
// with a time limit. Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim.
package ocr

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/nianbao/nianbao/pdftext"
)

// Defaults.
const (
	DefaultDPI         = 200 // what tesseract reads printed Chinese tables well at
	DefaultMaxPages    = 40
	DefaultPageTimeout = 2 * time.Minute
	maxTextPerPage     = 1 << 20
)

// ErrMissing is returned by Find when tesseract or its Chinese data is absent.
var ErrMissing = errors.New("OCR unavailable")

// Tesseract runs the tesseract command.
type Tesseract struct {
	Command     string        // the tesseract executable
	Lang        string        // chi_sim
	DPI         int           // the resolution pages are drawn at
	MaxPages    int           // pages read; the rest are left, with an error saying so
	PageTimeout time.Duration // per page
	version     string

	// The texts of the last scans read, by the PDF's SHA-256: one scan is
	// often linked from several pages (a page and its mobile copy).
	mu      sync.Mutex
	cache   map[scanKey][]string
	order   []scanKey
	reading map[scanKey]chan struct{} // scans being read, closed when done
}

type scanKey struct {
	sum   [32]byte
	pages int
}

// cacheSize is how many scans' texts are kept.
const cacheSize = 32

// Find looks tesseract up on PATH and checks that it has the chi_sim data.
func Find(ctx context.Context) (*Tesseract, error) {
	cmd, err := exec.LookPath("tesseract")
	if err != nil {
		return nil, fmt.Errorf("%w: tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)", ErrMissing)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, cmd, "--list-langs").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%w: running %s --list-langs: %v", ErrMissing, cmd, err)
	}
	if !hasLang(string(out), "chi_sim") {
		return nil, fmt.Errorf("%w: tesseract has no chi_sim data (Debian: apt-get install tesseract-ocr-chi-sim)", ErrMissing)
	}
	t := &Tesseract{Command: cmd, Lang: "chi_sim", DPI: DefaultDPI, MaxPages: DefaultMaxPages, PageTimeout: DefaultPageTimeout}
	if v, err := exec.CommandContext(ctx, cmd, "--version").CombinedOutput(); err == nil {
		t.version = strings.TrimSpace(strings.SplitN(string(v), "\n", 2)[0])
	}
	return t, nil
}

func hasLang(list, lang string) bool {
	for _, l := range strings.Fields(list) {
		if l == lang {
			return true
		}
	}
	return false
}

// PageLimit is the most pages of one scan read (0: every page); the
// extractor gives a scan's document that many pages' more time.
func (t *Tesseract) PageLimit() int { return t.MaxPages }

// Name says which engine and data read the text, for the record.
func (t *Tesseract) Name() string {
	v := t.version
	if v == "" {
		v = "tesseract"
	}
	return v + " " + t.Lang
}

// PDF reads pages 1 to pages of a scanned PDF, one text per page. A page that
// fails gives an error naming it; the pages read before it are returned too.
// A scan read in full is remembered, so the same bytes are read once, and a
// caller asking for a scan another is reading waits for that reading.
func (t *Tesseract) PDF(ctx context.Context, engine *pdftext.Engine, pdf []byte, pages int) ([]string, error) {
	key := scanKey{sha256.Sum256(pdf), pages}
	for {
		t.mu.Lock()
		if texts, ok := t.cache[key]; ok {
			t.mu.Unlock()
			return append([]string(nil), texts...), nil
		}
		wait, busy := t.reading[key]
		if !busy {
			if t.reading == nil {
				t.reading = map[scanKey]chan struct{}{}
			}
			done := make(chan struct{})
			t.reading[key] = done
			t.mu.Unlock()
			return t.readOnce(ctx, engine, pdf, key, done)
		}
		t.mu.Unlock()
		select {
		case <-wait: // read (look in the cache again) or failed (read it here)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// readOnce reads a scan nobody else is reading and remembers its texts.
func (t *Tesseract) readOnce(ctx context.Context, engine *pdftext.Engine, pdf []byte, key scanKey, done chan struct{}) ([]string, error) {
	texts, err := t.read(ctx, engine, pdf, key.pages)
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.reading, key)
	close(done)
	if err != nil {
		return texts, err
	}
	if t.cache == nil {
		t.cache = map[scanKey][]string{}
	}
	if _, ok := t.cache[key]; !ok {
		t.cache[key] = texts
		t.order = append(t.order, key)
		if len(t.order) > cacheSize {
			delete(t.cache, t.order[0])
			t.order = t.order[1:]
		}
	}
	return append([]string(nil), texts...), nil
}

func (t *Tesseract) read(ctx context.Context, engine *pdftext.Engine, pdf []byte, pages int) ([]string, error) {
	n := pages
	if t.MaxPages > 0 && n > t.MaxPages {
		n = t.MaxPages
	}
	var out []string
	for p := 1; p <= n; p++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		img, err := engine.Render(ctx, pdf, p, t.DPI)
		if err != nil {
			return out, fmt.Errorf("drawing page %d for OCR: %w", p, err)
		}
		enc, err := encodePage(img)
		if err != nil {
			return out, fmt.Errorf("encoding page %d for OCR: %w", p, err)
		}
		text, err := t.Image(ctx, enc)
		if err != nil {
			return out, fmt.Errorf("OCR of page %d: %w", p, err)
		}
		out = append(out, text)
	}
	if n < pages {
		return out, fmt.Errorf("OCR stopped after %d of %d pages (the limit)", n, pages)
	}
	return out, nil
}

// encodePage gives a drawn page in a form tesseract reads: a grey page as
// PGM, its pixels as they are (compressing millions of pixels for a pipe costs
// more than the pipe), anything else as PNG.
func encodePage(img image.Image) ([]byte, error) {
	if g, ok := img.(*image.Gray); ok {
		w, h := g.Rect.Dx(), g.Rect.Dy()
		head := fmt.Sprintf("P5\n%d %d\n255\n", w, h)
		out := make([]byte, 0, len(head)+w*h)
		out = append(out, head...)
		for y := 0; y < h; y++ {
			out = append(out, g.Pix[y*g.Stride:y*g.Stride+w]...)
		}
		return out, nil
	}
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	return buf.Bytes(), err
}

// Image reads one page image (PGM, PNG, JPEG or TIFF bytes).
func (t *Tesseract) Image(ctx context.Context, img []byte) (string, error) {
	if t.PageTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.PageTimeout)
		defer cancel()
	}
	// --psm 6: the page is one block of text, which keeps a table's rows as
	// lines. One thread: the caller decides how many documents run at once.
	cmd := exec.CommandContext(ctx, t.Command, "stdin", "stdout", "-l", t.Lang, "--psm", "6", "--dpi", fmt.Sprint(t.DPI))
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdin = bytes.NewReader(img)
	var stdout, stderr capped
	stdout.max, stderr.max = maxTextPerPage, 4096
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("tesseract: %w", ctx.Err())
		}
		return "", fmt.Errorf("tesseract: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// capped keeps at most max bytes of a command's output.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
