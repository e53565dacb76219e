// Package pdftext reads the text layer of PDF files, character by character
// with positions, and renders pages to images (for OCR), through PDFium compiled
// to WebAssembly and run by wazero: pure Go, no cgo, no files outside the
// document. The compiled module is cached on disk, so only the first start on a
// machine pays the compilation (seconds); later starts take a fraction of a
// second. An Engine reads one document at a time; each read is bounded in pages,
// time and WebAssembly memory (a mapping outside the Go heap, see memory.go),
// and a read that overruns is killed; a module that traps (most often out of
// memory) is thrown away and its failure said in words.
package pdftext

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	pdferr "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
)

// Options bound the engine.
type Options struct {
	// CacheDir keeps the compiled PDFium module between runs (default: the
	// user's cache folder, nianbao/wazero; "-" for none).
	CacheDir string
	// MaxPages is the most pages read of one document (default 500); the rest
	// is left out with Document.Truncated set.
	MaxPages int
	// Timeout bounds one document (default 60s).
	Timeout time.Duration
	// MemoryPages bounds the WebAssembly memory in 64 KiB pages (default 16384:
	// 1 GiB).
	MemoryPages uint32
	// MaxChars bounds the characters read of one document (default
	// 1,000,000; a report's fifty pages hold about 150,000, and each costs
	// some 10–14 µs, and 25 KB of garbage, to read): a page that would pass
	// it is not read, and the document is ErrTooManyChars.
	MaxChars int
}

// Char is one character with its box in points, y growing downwards from the
// top of its page.
type Char struct {
	Text                     string
	Left, Top, Right, Bottom float64
}

// Page is one page's characters in content order.
type Page struct {
	Number        int // from 1
	Width, Height float64
	Chars         []Char
}

// Document is what was read of a PDF.
type Document struct {
	PageCount int // pages in the file
	Pages     []Page
	Truncated bool // pages past MaxPages were not read
}

// ErrTimeout is returned when a document takes longer than the time limit.
var ErrTimeout = errors.New("reading the PDF took longer than the limit")

// ErrTooManyChars is returned for a document whose text layer holds more
// characters than MaxChars.
var ErrTooManyChars = errors.New("the PDF's text layer holds more characters than the limit")

// ErrCrashed is returned when PDFium stops inside the WebAssembly module:
// most often it asked for more memory than MemoryPages allow (a content
// stream that inflates to hundreds of megabytes), else the PDF broke it.
var ErrCrashed = errors.New("PDFium stopped reading the PDF")

// Engine is a PDFium instance. It is safe for concurrent use; documents are
// read one at a time.
type Engine struct {
	opt    Options
	mu     sync.Mutex
	pool   pdfium.Pool
	inst   pdfium.Pdfium
	cancel context.CancelFunc // closes the instance's WebAssembly module, stopping a call in flight
}

// New prepares an engine; PDFium starts at the first document.
func New(opt Options) *Engine {
	if opt.MaxPages <= 0 {
		opt.MaxPages = 500
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 60 * time.Second
	}
	if opt.MemoryPages == 0 {
		opt.MemoryPages = 16384
	}
	if opt.MaxChars <= 0 {
		opt.MaxChars = 1_000_000
	}
	if opt.CacheDir == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			opt.CacheDir = filepath.Join(dir, "nianbao", "wazero")
		}
	}
	return &Engine{opt: opt}
}

// start brings PDFium up (the lock is held).
func (e *Engine) start() error {
	if e.inst != nil {
		return nil
	}
	rc := wazero.NewRuntimeConfig().WithMemoryLimitPages(e.opt.MemoryPages).WithCloseOnContextDone(true)
	if e.opt.CacheDir != "" && e.opt.CacheDir != "-" {
		if err := os.MkdirAll(e.opt.CacheDir, 0o755); err == nil {
			if cache, err := wazero.NewCompilationCacheWithDir(e.opt.CacheDir); err == nil {
				rc = rc.WithCompilationCache(cache)
			}
		}
	}
	// No folder of the machine is mounted: PDFium sees only the bytes it is given.
	ctx, cancel := context.WithCancel(withMemory(context.Background()))
	pool, err := webassembly.Init(webassembly.Config{Context: ctx, MinIdle: 1, MaxIdle: 1, MaxTotal: 1, FSConfig: wazero.NewFSConfig(),
		Stdout: io.Discard, Stderr: io.Discard, RuntimeConfig: rc})
	if err != nil {
		cancel()
		return fmt.Errorf("starting PDFium: %w", err)
	}
	inst, err := pool.GetInstance(time.Minute)
	if err != nil {
		pool.Close()
		cancel()
		return fmt.Errorf("starting PDFium: %w", err)
	}
	e.pool, e.inst, e.cancel = pool, inst, cancel
	return nil
}

// reset throws an instance away after a timeout or a crash (the lock is held,
// and no call is in flight).
func (e *Engine) reset() {
	if e.cancel != nil {
		e.cancel()
	}
	if e.inst != nil {
		e.inst.Kill()
	}
	if e.pool != nil {
		e.pool.Close()
	}
	e.pool, e.inst, e.cancel = nil, nil, nil
}

// Close stops PDFium.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reset()
	return nil
}

// run calls fn with a live instance, within the time limit: an instance that
// overruns is killed and replaced at the next call; a panic inside PDFium's
// bindings becomes an error.
func (e *Engine) run(ctx context.Context, fn func(pdfium.Pdfium) error) (err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.start(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, e.opt.Timeout)
	defer cancel()
	done := make(chan error, 1)
	inst := e.inst
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("PDFium failed: %v", r)
			}
		}()
		done <- fn(inst)
	}()
	select {
	case err = <-done:
		switch {
		case trapped(err):
			e.reset() // a module that trapped is not trusted again, and its memory is given back
			return e.crashed(err)
		case err != nil && strings.Contains(err.Error(), "PDFium failed"):
			e.reset()
		}
		return err
	case <-ctx.Done():
		e.cancel() // closes the module: the call in flight returns with an error
		<-done
		e.reset()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w (%s)", ErrTimeout, e.opt.Timeout)
		}
		return ctx.Err()
	}
}

// trapped reports whether err is the WebAssembly module's: a trap (PDFium
// aborts with "unreachable" when an allocation fails) or a panic of the
// bindings, with wazero's stack trace in its text.
func trapped(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "wasm error") || strings.Contains(s, "wasm stack trace")
}

// crashed says a trap in words: what was being done, the memory the module
// was allowed, and the trap's first line, not its stack.
func (e *Engine) crashed(err error) error {
	first, _, _ := strings.Cut(err.Error(), "\n")
	first = strings.TrimSuffix(strings.TrimSpace(first), ":")
	return fmt.Errorf("%w: it ran out of the %d MiB of memory it is allowed (a content stream or image that inflates past it), or the PDF is malformed enough to crash it (%s)",
		ErrCrashed, uint64(e.opt.MemoryPages)*64/1024, first)
}

// inWords says what PDFium's numbered errors ("3: incorrect format") mean for
// the document, keeping the original in the chain.
func inWords(err error) error {
	for _, m := range []struct {
		code  error
		words string
	}{
		{pdferr.ErrFormat, "truncated or damaged PDF (its structure cannot be read)"},
		{pdferr.ErrPage, "damaged page (a broken or cyclic page tree)"},
		{pdferr.ErrPassword, "the PDF is password-protected"},
		{pdferr.ErrSecurity, "the PDF's encryption is not supported"},
		{pdferr.ErrFile, "the PDF cannot be read"},
		{pdferr.ErrUnknown, "PDFium could not read the PDF"},
	} {
		if errors.Is(err, m.code) || err.Error() == m.code.Error() {
			return fmt.Errorf("%s: %w", m.words, err)
		}
	}
	return err
}

// Read reads every page's characters, up to MaxPages.
func (e *Engine) Read(ctx context.Context, pdf []byte) (*Document, error) {
	var out Document
	err := e.run(ctx, func(p pdfium.Pdfium) error {
		doc, err := p.OpenDocument(&requests.OpenDocument{File: &pdf})
		if err != nil {
			return fmt.Errorf("opening the PDF: %w", inWords(err))
		}
		defer p.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
		n, err := p.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
		if err != nil {
			return fmt.Errorf("counting the PDF's pages: %w", err)
		}
		out.PageCount = n.PageCount
		chars := 0
		for i := 0; i < n.PageCount; i++ {
			if i >= e.opt.MaxPages {
				out.Truncated = true
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			pg, err := readPage(p, doc.Document, i, e.opt.MaxChars-chars)
			if err != nil {
				return fmt.Errorf("page %d: %w", i+1, inWords(err))
			}
			chars += len(pg.Chars)
			out.Pages = append(out.Pages, *pg)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// readPage reads one page's characters, unless it holds more than left.
func readPage(p pdfium.Pdfium, doc references.FPDF_DOCUMENT, index, left int) (*Page, error) {
	page := requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: index}}
	w, err := p.FPDF_GetPageWidthF(&requests.FPDF_GetPageWidthF{Page: page})
	if err != nil {
		return nil, err
	}
	h, err := p.FPDF_GetPageHeightF(&requests.FPDF_GetPageHeightF{Page: page})
	if err != nil {
		return nil, err
	}
	tp, err := p.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: page})
	if err != nil {
		return nil, err
	}
	defer p.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	n, err := p.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
	if err != nil {
		return nil, err
	}
	if n.Count > left {
		return nil, fmt.Errorf("%w: %d characters on this page, where %d were left of the document's", ErrTooManyChars, n.Count, left)
	}
	height := float64(h.PageHeight)
	out := &Page{Number: index + 1, Width: float64(w.PageWidth), Height: height}
	for i := 0; i < n.Count; i++ {
		u, err := p.FPDFText_GetUnicode(&requests.FPDFText_GetUnicode{TextPage: tp.TextPage, Index: i})
		if err != nil || u.Unicode == 0 {
			continue
		}
		// The loose box spans the font's ascent to descent: every character of
		// one printed line shares it, whatever its glyph's shape.
		b, err := p.FPDFText_GetLooseCharBox(&requests.FPDFText_GetLooseCharBox{TextPage: tp.TextPage, Index: i})
		if err != nil {
			continue
		}
		r := b.Rect
		out.Chars = append(out.Chars, Char{Text: string(rune(u.Unicode)), Left: float64(r.Left), Right: float64(r.Right),
			Top: height - float64(r.Top), Bottom: height - float64(r.Bottom)})
	}
	return out, nil
}

// MaxRenderPixels bounds a rendered page: a page larger than this at the asked
// resolution is drawn at a lower one (an A4 page at 300 dpi is 8.7 million).
const MaxRenderPixels = 24_000_000

// Render draws one page (from 1) in grey at the given resolution, for OCR, or
// at a lower one if the page would be over MaxRenderPixels.
func (e *Engine) Render(ctx context.Context, pdf []byte, page, dpi int) (image.Image, error) {
	var img image.Image
	err := e.run(ctx, func(p pdfium.Pdfium) error {
		doc, err := p.OpenDocument(&requests.OpenDocument{File: &pdf})
		if err != nil {
			return fmt.Errorf("opening the PDF: %w", inWords(err))
		}
		defer p.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
		ref := requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: page - 1}}
		size, err := p.GetPageSizeInPixels(&requests.GetPageSizeInPixels{Page: ref, DPI: dpi})
		if err != nil {
			return fmt.Errorf("measuring page %d: %w", page, err)
		}
		if px := float64(size.Width) * float64(size.Height); px > MaxRenderPixels {
			dpi = max(1, int(float64(dpi)*math.Sqrt(MaxRenderPixels/px)))
		}
		r, err := p.RenderPageInDPI(&requests.RenderPageInDPI{Page: ref, DPI: dpi, ImageFormat: requests.RenderImageFormatGrayscale})
		if err != nil {
			return fmt.Errorf("rendering page %d: %w", page, err)
		}
		defer r.Cleanup()
		// The image lives in the instance's memory until Cleanup: copy it.
		src := r.Result.RenderedImage
		if src == nil {
			return fmt.Errorf("rendering page %d: no image", page)
		}
		img = copyGray(src)
		return nil
	})
	return img, err
}

// copyGray copies an image into memory of its own as grey: row by row when it
// is grey already (a page is millions of pixels), else by drawing it.
func copyGray(src image.Image) *image.Gray {
	cp := image.NewGray(src.Bounds())
	g, ok := src.(*image.Gray)
	if !ok {
		draw.Draw(cp, cp.Bounds(), src, src.Bounds().Min, draw.Src)
		return cp
	}
	w := g.Rect.Dx()
	for y := 0; y < g.Rect.Dy(); y++ {
		copy(cp.Pix[y*cp.Stride:y*cp.Stride+w], g.Pix[y*g.Stride:y*g.Stride+w])
	}
	return cp
}
