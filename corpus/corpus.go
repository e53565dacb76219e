// Package corpus runs the operations that touch a whole corpus: importing local
// files (a researcher's own downloads) into the store, and re-extracting every
// record from the stored raw bytes after the extractor improves, without fetching.
package corpus

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// Extractor turns one document into a record.
type Extractor interface {
	Extract(ctx context.Context, doc extract.Document) (*report.Record, error)
}

// Progress is told about each document as it is done.
type Progress func(done, total int, name string, err error)

// Result counts what an operation did.
type Result struct {
	Documents int // documents read
	Records   int // records written
	Failed    int // documents kept but not extracted
	Unchanged int // documents the store already held under the same name and bytes: nothing added
	Errors    []error
}

// Import adds files (and the files under directories) to the store: each file's
// bytes and capture are stored, and its record when extraction succeeds; files
// are committed in groups (see group). A file that cannot be extracted is still stored, so reextract can
// read it later; a file that cannot be read, or is not a regular file (see
// listFiles), is reported by name and skipped. A store that cannot take a
// group (a full disk) ends the import with that error.
func Import(ctx context.Context, st *store.Store, ex Extractor, paths []string, progress Progress) (Result, error) {
	files, err := listFiles(paths)
	if err != nil {
		return Result{}, err
	}
	return importAll(ctx, st, ex, len(files), func(i int) (string, []byte, error) {
		f := files[i]
		if f.err != nil {
			return f.path, nil, f.err
		}
		body, err := readRegular(f.path)
		return f.path, body, err
	}, progress)
}

// stopped ends an import the context stopped after done of total files,
// keeping what was read.
func stopped(g *group, done, total int, err error) error {
	if ferr := g.flush(); ferr != nil {
		return ferr
	}
	return fmt.Errorf("import stopped after %d of %d files: %w", done, total, err)
}

// ReadLimited reads a regular file, refusing one larger than the extractor's
// limit and anything that is not a regular file (readRegular: a named pipe
// would block the reader).
func ReadLimited(path string) ([]byte, error) { return readRegular(path) }

// readOpen reads an open file of size bytes (-1: not known) up to the
// extractor's limit.
func readOpen(f *os.File, path string, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size >= 0 && size < extract.MaxDocumentSize {
		buf.Grow(int(size) + bytes.MinRead) // one allocation, not a doubling series
	}
	_, err := buf.ReadFrom(io.LimitReader(f, extract.MaxDocumentSize+1))
	b := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > extract.MaxDocumentSize {
		return nil, fmt.Errorf("reading %s: larger than the %d-byte limit", path, extract.MaxDocumentSize)
	}
	return b, nil
}

// ImportFS adds the named files of a file system (the embedded samples) to the store.
func ImportFS(ctx context.Context, st *store.Store, ex Extractor, fsys fs.FS, names []string, progress Progress) (Result, error) {
	return importAll(ctx, st, ex, len(names), func(i int) (string, []byte, error) {
		body, err := fs.ReadFile(fsys, names[i])
		return names[i], body, err
	}, progress)
}

// Limits on a group of imported documents that is stored in one transaction.
const (
	groupFiles = 64
	groupBytes = 16 << 20
)

// group extracts imported documents and stores them in groups, one
// transaction (and one fsync) per group rather than per file. A group is
// stored when it is full and when the import ends, however it ends, so a
// document that was read is never dropped; a crash loses at most the group
// in hand, which importing again restores.
type group struct {
	st  *store.Store
	res *Result
	// known holds the name and hash of the files this import read and has
	// not committed yet (the store's index answers for those committed:
	// known held every file before, 10⁶ of them a few hundred MB), and of
	// every imported capture when the store has no index to ask (read once,
	// then kept). The reader adds to it, flush removes from it.
	mu      sync.Mutex
	known   map[string]bool
	scanned bool // known holds the store's imports too
	items   []store.Item
	names   []string
	size    int
	fails   int // of the items, those stored without a record
	// failed is the error of a group the store could not take (a full
	// disk, a damaged file): the import ends with it.
	failed error
}

// seen reports whether a file of this name and SHA-256 was imported before:
// by this import, or into the store (asked of its index, else read once from
// its captures).
func (g *group) seen(name, sha string) (bool, error) {
	key := importKey(name, sha)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.known == nil {
		g.known = map[string]bool{}
	}
	if g.known[key] {
		return true, nil
	}
	if g.scanned {
		return false, nil
	}
	found, ok, err := g.st.Imported(name, sha)
	if err != nil || ok {
		return found, err
	}
	err = g.st.Captures(func(c *store.Capture) error {
		if c.Origin == "import" {
			g.known[importKey(c.Name, c.SHA256)] = true
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("reading the store's imports: %w", err)
	}
	g.scanned = true
	return g.known[key], nil
}

func importKey(name, sha string) string { return name + "\x00" + sha }

// reading notes a file this import read and will store, so that a second
// copy of it in this import is seen before the first is committed.
func (g *group) reading(name, sha string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.known == nil {
		g.known = map[string]bool{}
	}
	g.known[importKey(name, sha)] = true
}

// committed forgets the files of a stored group: the store's index answers
// for them now (unless the store has none: then known is all there is).
func (g *group) committed(items []store.Item) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.scanned {
		return
	}
	for _, it := range items {
		delete(g.known, importKey(it.Capture.Name, it.Capture.SHA256))
	}
}

// keep queues a read document, extracted (its record, or the extraction's
// error), for storing, and stores the group when it is full. The error it
// returns is the extraction's: the document is stored all the same.
func (g *group) keep(j *importJob) error {
	c := &store.Capture{Name: filepath.Base(j.name), FetchedAt: time.Now().UTC(), Origin: "import", SHA256: j.sha, Size: len(j.body)}
	c.ReportID = store.ReportID("", j.sha)
	var e *store.Entry
	if j.exErr == nil {
		e = &store.Entry{ReportID: c.ReportID, Record: j.rec, Extractor: extract.Version, ExtractedAt: time.Now().UTC()}
	} else {
		g.fails++
	}
	g.items = append(g.items, store.Item{Capture: c, Body: j.body, Entry: e})
	g.names = append(g.names, j.name)
	g.size += len(j.body)
	if len(g.items) >= groupFiles || g.size >= groupBytes {
		if err := g.flush(); err != nil {
			return err
		}
	}
	if j.exErr != nil {
		return fmt.Errorf("%s: stored, not extracted: %w", j.name, j.exErr)
	}
	return nil
}

// flush stores the queued documents. A store that cannot take them fails
// the import: the error names the files lost and is kept in failed.
func (g *group) flush() error {
	if len(g.items) == 0 || g.failed != nil {
		return g.failed
	}
	if err := g.st.PutAll(g.items); err != nil {
		g.failed = fmt.Errorf("import: the store %s could not take %d file(s) (%s … %s), and no more were read: %w",
			g.st.Path(), len(g.names), g.names[0], g.names[len(g.names)-1], err)
		return g.failed
	}
	g.committed(g.items)
	g.res.Records += len(g.items) - g.fails
	g.res.Failed += g.fails
	g.items, g.names, g.size, g.fails = g.items[:0], g.names[:0], 0, 0
	return nil
}
