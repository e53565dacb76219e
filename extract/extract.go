// Package extract turns one document (an HTML page, a text dump, and the formats
// that follow) into one report record: a format reader lays the document out as
// lines of cells, the decoder cleans the text, and the template parser maps labels
// to the national template's rows and columns, finds the metadata and sections, and
// evaluates the identities.
package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/pdftext"
	"github.com/nianbao/nianbao/report"
	"golang.org/x/net/html"
)

// Version names the extractor's behaviour; records carry it so that a corpus can
// say which extractor produced it. Bump it when output changes.
const Version = "nianbao-extract/0.1.0"

// MaxDocumentSize is the largest document read; larger input is an error, never
// silently cut.
const MaxDocumentSize = 64 << 20

// Document is one fetched or imported file.
type Document struct {
	Body        []byte
	URL         string // where it came from, if known
	Name        string // a file name, if known
	ContentType string // the HTTP Content-Type header, if known
	SHA256      string // the body's SHA-256 in hex, if the caller has it already
	// Decoded is the body as decode.Bytes(Body, ContentType, true) gives it,
	// if the caller decoded it already (a crawler reads a page's links from
	// it): an HTML page is then read from it, not decoded a second time.
	Decoded *decode.Decoded
	// Tree is Decoded's text as html.Parse gives it, if the caller parsed it
	// already (for its links): an HTML page is then read from it, not parsed
	// a second time. It is only read, and only with Decoded.
	Tree *html.Node

	deadline *deadline // set by Extract
}

// Reader lays out one format as lines of cells. Readers decode the bytes
// themselves (charsets are format business) but leave text clean-up to the caller.
type Reader interface {
	Read(ctx context.Context, doc Document) (*Layout, error)
}

// ErrUnsupported is returned for formats this build cannot read.
var ErrUnsupported = errors.New("unsupported document format")

// Extractor turns documents into records. It is safe for concurrent use.
type Extractor struct {
	lim     Limits // with its defaults
	dec     *decode.Decoder
	readers map[string]Reader
	owned   *pdftext.Engine // started by New, stopped by Close
}

// New builds an extractor with every reader: HTML, text, DOCX, XLSX, DOC/WPS,
// XLS, ZIP and PDF (without OCR: see Options).
func New() (*Extractor, error) { return NewWithOptions(Options{}) }

// Options shape an extractor.
type Options struct {
	// PDF is the engine that reads PDFs' text layer; nil gives each extractor
	// its own, started at its first PDF (see package pdftext).
	PDF *pdftext.Engine
	// NoPDF leaves PDFs unread (ErrUnsupported): no PDFium at all.
	NoPDF bool
	// OCR reads scanned PDFs (package ocr); nil leaves a scan unread, with a
	// warning that gives NoOCR as the reason.
	OCR   OCR
	NoOCR string
	// Antiword is the antiword command for Word files older than Word 97
	// (the DOC reader's fallback): "" looks it up on PATH, "-" has none.
	Antiword string
	// Limits bound each document: its deadline, and the lines, cells and
	// bytes of text it may lay out as (zero fields: the defaults).
	Limits Limits
}

// NewWithOptions builds an extractor.
func NewWithOptions(opt Options) (*Extractor, error) {
	dec, err := decode.New()
	if err != nil {
		return nil, err
	}
	switch opt.Antiword {
	case "":
		opt.Antiword, _ = exec.LookPath("antiword")
	case "-":
		opt.Antiword = ""
	}
	lim := opt.Limits.withDefaults()
	e := &Extractor{lim: lim, dec: dec, readers: map[string]Reader{
		"html":     htmlReader{dec: dec, lim: lim},
		"text":     textReader{dec: dec, lim: lim},
		"markdown": markdownReader{dec: dec, lim: lim},
		"docx":     docxReader{lim: lim},
		"xlsx":     xlsxReader{lim: lim},
	}}
	e.readers["zip"] = zipReader{e: e}
	e.readers["ole"] = oleReader{doc: docReader{antiword: opt.Antiword, lim: lim}, lim: lim}
	if !opt.NoPDF {
		if opt.PDF == nil {
			opt.PDF = pdftext.New(pdftext.Options{})
			e.owned = opt.PDF
		}
		e.readers["pdf"] = pdfReader{engine: opt.PDF, ocr: opt.OCR, noOCR: opt.NoOCR, ocrPage: lim.OCRPage}
	}
	return e, nil
}

// Close stops the PDF engine the extractor started, if any.
func (e *Extractor) Close() error {
	if e.owned != nil {
		return e.owned.Close()
	}
	return nil
}

// Decoder returns the extractor's decoder.
func (e *Extractor) Decoder() *decode.Decoder { return e.dec }

// pageTags open a whole page; fragmentTags a piece of markup (which markdown
// may carry too, so they are looked for after it).
var (
	pageTags     = []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<title"}
	fragmentTags = []string{"<table", "<div", "<p>", "<p "}
)

func containsTag(lower []byte, tags []string) bool {
	for _, tag := range tags {
		if bytes.Contains(lower, []byte(tag)) {
			return true
		}
	}
	return false
}

// sniffUTF16 tells a UTF-16 document's format by its text: HTML, else text
// (the readers decode it by its byte order or its NULs).
func sniffUTF16(head []byte, order string) string {
	var ascii []byte
	start := 0
	if order == "utf-16be" {
		start = 1
	}
	for i := start; i < len(head); i += 2 {
		if c := head[i]; c != 0 && c < 0x80 {
			ascii = append(ascii, c)
		}
	}
	lower := bytes.ToLower(ascii)
	if containsTag(lower, pageTags) || containsTag(lower, fragmentTags) {
		return "html"
	}
	return "text"
}

// Sniff names a document's format from its first bytes, not its name.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		head := b
		if len(head) > 64<<10 {
			head = head[:64<<10]
		}
		switch {
		case bytes.Contains(head, []byte("word/")):
			return "docx"
		case bytes.Contains(head, []byte("xl/")):
			return "xlsx"
		}
		return "zip"
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "ole" // DOC, XLS, WPS
	case bytes.HasPrefix(b, []byte(`{\rtf`)):
		return "rtf"
	case bytes.HasPrefix(b, []byte{0x89, 'P', 'N', 'G'}), bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}), bytes.HasPrefix(b, []byte("GIF8")):
		return "image"
	}
	head := b
	if len(head) > 2048 {
		head = head[:2048]
	}
	if order := decode.UTF16(head); order != "" {
		return sniffUTF16(head, order)
	}
	lower := bytes.ToLower(head)
	if containsTag(lower, pageTags) {
		return "html"
	}
	if looksBinary(head) {
		return "binary"
	}
	// Markdown may carry HTML tables (converters write merged cells so);
	// markup with neither headings nor pipe tables is a page's fragment.
	if looksMarkdown(b) {
		return "markdown"
	}
	if containsTag(lower, fragmentTags) {
		return "html"
	}
	return "text"
}

// looksBinary: NUL or many control bytes, which no text of ours has.
func looksBinary(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return false // UTF-16 text
	}
	ctl := 0
	for _, c := range b {
		if c == 0 {
			return true
		}
		if c < 0x09 || c > 0x0D && c < 0x20 {
			ctl++
		}
	}
	return ctl*20 > len(b)
}

// Extract reads one document into a record. It fails only when the input cannot
// be read at all (empty, too large, a format this build does not read) or
// passes one of its limits (the deadline among them: see Limits); a
// readable document that holds no report gives a record with template "unknown".
func (e *Extractor) Extract(ctx context.Context, doc Document) (*report.Record, error) {
	if len(doc.Body) == 0 {
		return nil, errors.New("extracting: the document is empty")
	}
	if len(doc.Body) > MaxDocumentSize {
		return nil, fmt.Errorf("extracting: the document is %d bytes, over the %d-byte limit", len(doc.Body), MaxDocumentSize)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx, dl, release, explain := withDeadline(ctx, e.lim.Deadline)
	defer release()
	rec, format, err := e.extract(ctx, doc, dl)
	switch {
	case err == nil:
		return rec, nil
	case format == "":
		return nil, fmt.Errorf("extracting %s: %w", describe(doc), explain(err))
	}
	return nil, fmt.Errorf("extracting %s as %s: %w", describe(doc), format, explain(err))
}

// extract is Extract within the document's deadline; it returns the format
// read ("" for one this build does not read), for the error.
func (e *Extractor) extract(ctx context.Context, doc Document, dl *deadline) (*report.Record, string, error) {
	sha := doc.SHA256
	if sha == "" {
		sum := sha256.Sum256(doc.Body)
		sha = hex.EncodeToString(sum[:])
	}
	format := Sniff(doc.Body)
	var carried string
	if (format == "text" || format == "html") && mayStartAsScript(doc.Body) && startsAsScript(string(doc.Body[:min(len(doc.Body), 4096)])) {
		// A script file whose report is a string literal among its
		// declarations: the literal is the document.
		d := e.dec.Bytes(doc.Body, doc.ContentType, true)
		if lit := reportLiteral(d.Text); lit != "" { // its start was checked on the bytes
			doc = Document{Body: []byte(lit), URL: doc.URL, Name: doc.Name, ContentType: "text/html; charset=utf-8", SHA256: doc.SHA256}
			format, carried = "html", "the document is a script; its report is HTML in a string literal, read as HTML"
		}
	}
	if (format == "text" || format == "html") && carried == "" {
		// A detail service's JSON whose string holds the report's HTML.
		if markup, title, ok := JSONReport(doc.Body); ok {
			doc = Document{Body: jsonPage(markup, title), URL: doc.URL, Name: doc.Name, ContentType: "text/html; charset=utf-8", SHA256: doc.SHA256}
			format, carried = "html", "the document is JSON; its report is HTML in a string, read as HTML"
		}
	}
	r, ok := e.readers[format]
	if !ok {
		return nil, "", fmt.Errorf("%w: %s", ErrUnsupported, format)
	}
	doc.deadline = dl // a reader may put it off (OCR)
	lay, err := r.Read(ctx, doc)
	if err != nil {
		return nil, format, err
	}
	if carried != "" {
		lay.Warnings = append(lay.Warnings, carried)
	}
	rec, err := e.Build(ctx, lay, doc.URL, sha)
	return rec, format, err
}

func describe(doc Document) string {
	switch {
	case doc.URL != "":
		return doc.URL
	case doc.Name != "":
		return doc.Name
	}
	return "the document"
}

// Build cleans a layout's text and parses it into a record. A layout past
// the extractor's limits on lines, cells and text is an error (see Limits);
// Build stops when ctx ends.
func (e *Extractor) Build(ctx context.Context, lay *Layout, url, sha string) (*report.Record, error) {
	if err := newBudget(e.lim).layout(lay); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ctl controls // see control.go
	rec := report.New()
	rec.Source = report.Source{URL: report.Text(ctl.clean(url)), Format: lay.Format, Encoding: lay.Encoding, Script: "hans", SHA256: sha}
	rec.Warnings = append(rec.Warnings, ctl.strings(lay.Warnings)...)
	title, published := ctl.clean(lay.Title), ctl.clean(lay.Published)

	lines, unconverted, script, warns := e.cleanLines(lay.Lines, lay.Format == "text" || lay.Format == "markdown")
	lines, unconverted = ctl.lines(lines), (&controls{}).lines(unconverted) // the same text: counted once
	links := ctl.links(lay.Links)
	if w := ctl.warning(); w != "" {
		warns = append(warns, w)
	}
	// Attachment names are kept in the script printed: they name files on the server.
	atts := attachmentsFrom(links, unconverted)
	rec.Source.Script = script
	rec.Warnings = append(rec.Warnings, warns...)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, a := range atts {
		rec.Attachments = append(rec.Attachments, report.Attachment{Name: a.name, URL: report.Text(a.url)})
	}
	if err := parse(ctx, rec, lines, e.dec.ToSimplified(title), published, e.dec.ToSimplified, e.lim.Lines); err != nil {
		return nil, err
	}
	if lay.Format == "pdf-ocr" {
		distrustOCR(rec)
	}
	return rec, nil
}

// distrustOCR keeps of an OCR'd record only the cells that an identity which
// holds vouches for: OCR misreads digits (0 as 9, 4 as 14) into numbers that
// look right, and the identities are the only check on them. Every other cell
// the OCR read is nulled and named in a warning with what was read, and every
// template cell left without a value is named as unreadable; the identities are
// then evaluated again, so a nulled cell may come back as inferred.
func distrustOCR(rec *report.Record) {
	unconfirmed := report.Unconfirmed(rec)
	if len(unconfirmed) > 0 {
		var read []string
		for _, p := range unconfirmed {
			v, _ := rec.Cell(p)
			read = append(read, fmt.Sprintf("%s (read %s)", p, strconv.FormatFloat(*v, 'f', -1, 64)))
			table, rest, _ := strings.Cut(p, ".")
			row, col, _ := strings.Cut(rest, ".")
			rec.Table(table).Set(row, col, nil)
		}
		rec.Warnf("OCR: %d cell(s) read but confirmed by no identity that holds, so left null: %s", len(unconfirmed), strings.Join(read, ", "))
	}
	var missing []string
	for _, name := range []string{"active", "requests", "review_litigation"} {
		if rec.Table(name) == nil {
			missing = append(missing, name+" (the whole table)")
		}
	}
	for c := range rec.AllCells() {
		if p := c.Path(); c.Value == nil && !slices.Contains(unconfirmed, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		rec.Warnf("OCR: %d cell(s) with no value read (blank or unreadable): %s", len(missing), strings.Join(missing, ", "))
	}
	report.Evaluate(rec)
}

// cleanLines runs the decoder's clean-up over all lines at once, keeping the line
// and cell structure (tabs and newlines are never touched by it).
func (e *Extractor) cleanLines(lines []Line, stripMarkup bool) (clean, unconverted []Line, script string, warns []string) {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, c := range l.Cells {
			if j > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(c)
		}
	}
	cl := e.dec.Clean(b.String(), decode.CleanOptions{StripMarkup: stripMarkup})
	return splitLines(cl.Text, lines), splitLines(cl.Unconverted, lines), cl.Script, cl.Warnings
}

// splitLines cuts cleaned text back into the lines and cells it was joined from;
// where clean-up changed a line's shape (it never should) the original stands.
func splitLines(text string, orig []Line) []Line {
	parts := strings.Split(text, "\n")
	out := make([]Line, len(orig))
	for i := range orig {
		out[i] = orig[i]
		if len(parts) != len(orig) {
			continue
		}
		if cells := strings.Split(parts[i], "\t"); len(cells) == len(orig[i].Cells) {
			out[i] = Line{Cells: cells, Table: orig[i].Table}
		}
	}
	return out
}
