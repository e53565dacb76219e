package extract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Every document is read within bounds that hold on every path, whatever its
// format: a deadline for reading and building it, and a budget of lines,
// cells and bytes that its layout (and what a reader decodes on the way to
// it) may take. Past a bound the document is an error that says which bound
// it passed; a table cut by a reader's own bound (see html.go) is left out
// whole, with a warning, never read in part. See docs/extraction.md, Limits.

// Limits bound the work and memory one document may cost. A zero field takes
// its default.
type Limits struct {
	// Deadline bounds one document's extraction, reading and building
	// together (default 60 s).
	Deadline time.Duration
	// Lines bounds the lines a document lays out as (default 50,000).
	Lines int
	// Cells bounds the cells of those lines, blank ones included, and
	// separately the cells a spreadsheet reader decodes (default 500,000).
	Cells int
	// LineBytes bounds the text of one line (default 1 MiB).
	LineBytes int
	// TextBytes bounds the text of all lines together (default 8 MiB).
	TextBytes int
	// Tags bounds the tags of an HTML page parsed into a tree (default
	// 500,000).
	Tags int
	// OCRPage puts the deadline off for each page of a scan read by OCR
	// (default 30 s; tesseract takes about 4 s a page).
	OCRPage time.Duration
}

// Default limits.
const (
	DefaultDeadline  = 60 * time.Second
	DefaultOCRPage   = 30 * time.Second
	defaultLines     = 50_000
	defaultCells     = 500_000
	defaultLineBytes = 1 << 20
	defaultTextBytes = 8 << 20
	defaultTags      = 500_000
	// maxZipDocuments bounds the members of a ZIP that are read as
	// documents; the others are named in a warning.
	maxZipDocuments = 32
)

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	set := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.Deadline <= 0 {
		l.Deadline = DefaultDeadline
	}
	if l.OCRPage <= 0 {
		l.OCRPage = DefaultOCRPage
	}
	set(&l.Lines, defaultLines)
	set(&l.Cells, defaultCells)
	set(&l.LineBytes, defaultLineBytes)
	set(&l.TextBytes, defaultTextBytes)
	set(&l.Tags, defaultTags)
	return l
}

// ErrLimit matches (errors.Is) every error of a document past one of its
// limits, the deadline included.
var ErrLimit = errors.New("past a per-document limit")

// LimitError is a document past one of its limits; its text says which.
type LimitError struct{ What string }

func (e *LimitError) Error() string { return e.What }

// Is makes errors.Is(err, ErrLimit) hold.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

func overLimit(format string, args ...any) error {
	return &LimitError{What: fmt.Sprintf(format, args...) + " (the per-document limit)"}
}

// deadlineError is the cause of a document's context when its deadline
// passes.
func deadlineError(d time.Duration) error {
	return &LimitError{What: fmt.Sprintf("gave up after %s (the per-document limit)", d)}
}

// deadline is one document's deadline: a timer that cancels the document's
// context with deadlineError as its cause. A reader may put it off for work
// its limits give more time (a scan's pages read by OCR).
type deadline struct {
	mu     sync.Mutex
	at     time.Time
	total  time.Duration
	timer  *time.Timer
	cancel context.CancelCauseFunc
}

// withDeadline returns ctx bounded by the document deadline d, the deadline
// (to put off), a function that releases it, and a function that turns an
// error met under it into the deadline's own error when it was the
// deadline, not the caller, that stopped the work.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, *deadline, func(), func(error) error) {
	dctx, cancel := context.WithCancelCause(ctx)
	dl := &deadline{at: time.Now().Add(d), total: d, cancel: cancel}
	dl.timer = time.AfterFunc(d, dl.fire)
	release := func() {
		dl.timer.Stop()
		cancel(context.Canceled)
	}
	explain := func(err error) error {
		if err == nil || ctx.Err() != nil || dctx.Err() == nil {
			return err
		}
		var le *LimitError
		if cause := context.Cause(dctx); errors.As(cause, &le) && !errors.As(err, &le) {
			return cause
		}
		return err
	}
	return dctx, dl, release, explain
}

func (dl *deadline) fire() {
	dl.mu.Lock()
	total := dl.total
	dl.mu.Unlock()
	dl.cancel(deadlineError(total))
}

// extend puts the deadline off by d, unless it has passed; nil has none.
func (dl *deadline) extend(d time.Duration) {
	if dl == nil || d <= 0 {
		return
	}
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if !dl.timer.Stop() {
		return // passed (or being fired): too late
	}
	dl.at, dl.total = dl.at.Add(d), dl.total+d
	dl.timer.Reset(time.Until(dl.at))
}

// budget counts what one document has taken of its limits. Readers charge
// it as they go, so that a hostile document is stopped before it has taken
// the memory, not after.
type budget struct {
	lim   Limits
	lines int // lines laid out
	cells int // cells of those lines
	bytes int // their text
	read  int // cells a spreadsheet reader decoded
}

func newBudget(lim Limits) *budget { return &budget{lim: lim.withDefaults()} }

// line charges one line of a layout.
func (b *budget) line(l Line) error {
	n := 0
	for _, c := range l.Cells {
		n += len(c)
	}
	return b.add(len(l.Cells), n)
}

// add charges a line of cells cells and n bytes.
func (b *budget) add(cells, n int) error {
	b.lines++
	b.cells += cells
	b.bytes += n
	switch {
	case b.lines > b.lim.Lines:
		return overLimit("the document lays out as more than %d lines", b.lim.Lines)
	case b.cells > b.lim.Cells:
		return overLimit("the document lays out as more than %d cells", b.lim.Cells)
	case n > b.lim.LineBytes:
		return overLimit("line %d holds %d bytes of text, over %d", b.lines, n, b.lim.LineBytes)
	case b.bytes > b.lim.TextBytes:
		return overLimit("the document holds more than %d bytes of text", b.lim.TextBytes)
	}
	return nil
}

// decoded charges n cells a spreadsheet reader decoded (before they are
// laid out).
func (b *budget) decoded(n int) error {
	b.read += n
	if b.read > b.lim.Cells {
		return overLimit("the workbook holds more than %d cells", b.lim.Cells)
	}
	return nil
}

// layout charges every line of lay: the check Build's input passes.
func (b *budget) layout(lay *Layout) error {
	for _, l := range lay.Lines {
		if err := b.line(l); err != nil {
			return err
		}
	}
	return nil
}
