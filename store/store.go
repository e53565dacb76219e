// Package store keeps the corpus: captures (a document's URL, headers and fetch
// metadata), report records keyed by a stable report id, the crawl's frontier,
// history and indexes in one bbolt file, with a schema version and its
// migrations; and the raw documents beside it, content addressed by SHA-256 and
// gzip-compressed, in a blob.Store (by default the directory FILE.blobs, see
// blobs.go). Every write that belongs together happens in one transaction, and
// the documents it names are durable before it commits, so a killed process
// never leaves a half-written record nor a record naming a missing document.
package store

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/nianbao/nianbao/blob"
	"github.com/nianbao/nianbao/report"
)

// SchemaVersion is the layout version of the store file.
const SchemaVersion = 4

// MaxRawSize bounds what one stored document may decompress to.
const MaxRawSize = 256 << 20

var (
	bucketMeta     = []byte("meta")
	bucketRaw      = []byte("raw") // schema 3 and before: documents inside the file (see MoveRaw)
	bucketCaptures = []byte("captures")
	bucketRecords  = []byte("records")
	bucketPrints   = []byte("prints") // content fingerprint of a document's reading → report id
	keySchema      = []byte("schema_version")
)

// ErrNotFound is returned when a key is not in the store.
var ErrNotFound = errors.New("not found")

// ErrLocked is returned when another process holds the store.
var ErrLocked = errors.New("the store is in use by another nianbao process")

// Store is an open store file.
type Store struct {
	db   *bolt.DB
	path string
	// blobs keeps the raw documents (blobs.go).
	blobs blob.Store
	// gz holds idle gzip writers for the next documents. Not a sync.Pool:
	// a pool is emptied by every garbage collection, and a busy import
	// collects several times per page, so each page paid for new tables.
	gz chan *gzip.Writer
	// snapshot is when the copy read was published, if this is a crawl's
	// published copy rather than the store itself.
	snapshot time.Time
	release  releaser // the file's mapped pages, given back after writes
	// damage is the first ErrDamaged a transaction met: the store takes
	// no writes after it.
	damage atomic.Pointer[error]
}

// idleWriters is how many gzip writers a store keeps (one per concurrent Put).
const idleWriters = 8

// Options tune Open.
type Options struct {
	// LockTimeout is how long to wait for another process to release the file.
	// Zero means do not wait.
	LockTimeout time.Duration
	// ReadOnly opens the file for reading only (several readers may share it).
	ReadOnly bool
	// Snapshot, with ReadOnly, reads the copy a running crawl publishes (see
	// Snapshot) when the crawl holds the file; Snapshotted says when it was
	// published.
	Snapshot bool
	// Blobs keeps the raw documents; nil means the directory beside the
	// file (BlobsPath). Another implementation (an object store) must be
	// given to every command that opens the store.
	Blobs blob.Store
}

// writerMapSize is the address space a writing store maps at once. bbolt
// maps the file again each time it outgrows its map, and then first copies
// every key and value the open write transaction holds out of the old map: a
// burst of heap at each doubling. Mapped address space costs no memory until
// read, so a writer maps 1 GiB up front and remaps only past it.
const writerMapSize = 1 << 30

// pageSize is the page size of a store file made new (bbolt keeps a file's
// page size for good; Compact writes its copy with this one). A record is
// about 3.5 KB compressed, and bbolt gives a value whole pages: with 4 KB
// pages every record took a page or two of its own, 4.2 KB a record on disk
// at 10⁴ documents; with 2 KB pages 3.9 KB, with 1 KB 3.7 KB. Below 2 KB the
// small values lose it again: bbolt leaves at least two keys on each side of
// a split, so a 1 KB page of captures stays half empty, and keys (branch
// pages) take more room. Writes cost the same (10⁴ imports' values written
// with each: 0.75 s).
const pageSize = 2048

// Open opens or creates a store file and migrates it to the current schema.
func Open(path string, opt Options) (*Store, error) {
	timeout := opt.LockTimeout
	if timeout <= 0 {
		timeout = 50 * time.Millisecond
	}
	bo := &bolt.Options{Timeout: timeout, ReadOnly: opt.ReadOnly, PageSize: pageSize}
	if !opt.ReadOnly && strconv.IntSize == 64 {
		bo.InitialMmapSize = writerMapSize
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, bo)
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			if opt.ReadOnly && opt.Snapshot {
				if s, serr := openSnapshot(path, blobsFor(path, opt)); serr == nil {
					return s, nil
				} else if !errors.Is(serr, os.ErrNotExist) {
					return nil, serr
				}
			}
			return nil, fmt.Errorf("opening store %s: %w", path, ErrLocked)
		}
		if errors.Is(err, ErrDamaged) {
			return nil, err // it names the file
		}
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	s := &Store{db: db, path: path, gz: make(chan *gzip.Writer, idleWriters), blobs: blobsFor(path, opt)}
	if opt.ReadOnly {
		if err := s.checkVersion(); err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.BuildIndexes(); err != nil {
		db.Close()
		return nil, err
	}
	if p, ok := s.blobs.(interface{ Prepare() error }); ok {
		if err := p.Prepare(); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store file's path.
func (s *Store) Path() string { return s.path }

// migrations[i] takes a store from schema version i to i+1.
var migrations = []func(tx *bolt.Tx) error{
	func(tx *bolt.Tx) error { // 0 → 1: the first layout
		for _, b := range [][]byte{bucketRaw, bucketCaptures, bucketRecords} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	func(tx *bolt.Tx) error { // 1 → 2: URL states across runs, generations, versions, changes
		for _, b := range [][]byte{bucketDocs, bucketRuns, bucketVersions, bucketChanges} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		// The visited set is now kept per generation: what a version 1 store had
		// seen belongs to its first (and only) generation.
		seen := tx.Bucket(bucketSeen)
		if seen == nil {
			return nil
		}
		c := seen.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := seen.Put(k, u64(1)); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyGeneration, u64(1))
	},
	func(tx *bolt.Tx) error { // 2 → 3: reports found by their content
		if _, err := tx.CreateBucketIfNotExists(bucketPrints); err != nil {
			return err
		}
		return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			e := &Entry{}
			if err := decodeRecord(v, e); err != nil {
				return fmt.Errorf("decoding record %s: %w", k, err)
			}
			return indexPrints(tx, e, report.Fingerprint)
		})
	},
	func(tx *bolt.Tx) error { // 3 → 4: new documents go beside the file
		// The documents a store holds already stay in the raw bucket, read
		// from there, until MoveRaw (nianbao migrate) moves them: a move of
		// gigabytes is not made behind the back of whatever command opened
		// the store. An empty bucket (a new store) goes now.
		if raw := tx.Bucket(bucketRaw); raw != nil && isEmpty(raw) {
			return tx.DeleteBucket(bucketRaw)
		}
		return nil
	},
}

func isEmpty(b *bolt.Bucket) bool {
	k, _ := b.Cursor().First()
	return k == nil
}

func readVersion(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keySchema)
	if v == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, fmt.Errorf("reading the store's schema version %q: %w", v, err)
	}
	return n, nil
}

func (s *Store) checkVersion() error {
	return s.view(func(tx *bolt.Tx) error {
		v, err := readVersion(tx)
		if err != nil {
			return err
		}
		if v != SchemaVersion {
			return fmt.Errorf("store %s has schema version %d, this nianbao reads %d; open it once read-write to migrate (nianbao migrate does, and moves its documents out of the file)", s.path, v, SchemaVersion)
		}
		return nil
	})
}

// migrate applies the migrations the file needs, all in one transaction.
func (s *Store) migrate() error {
	return s.update(func(tx *bolt.Tx) error {
		v, err := readVersion(tx)
		if err != nil {
			return err
		}
		if v > SchemaVersion {
			return fmt.Errorf("store %s has schema version %d, newer than this nianbao (%d)", s.path, v, SchemaVersion)
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		for ; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrating store %s from schema %d to %d: %w", s.path, v, v+1, err)
			}
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	})
}

// Version returns the store's schema version.
func (s *Store) Version() (int, error) {
	var v int
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		v, err = readVersion(tx)
		return err
	})
	return v, err
}

// Capture is one stored document and how it was obtained.
type Capture struct {
	ID          uint64              `json:"id"`
	ReportID    string              `json:"report_id"`
	URL         string              `json:"url,omitempty"`
	FinalURL    string              `json:"final_url,omitempty"`
	Name        string              `json:"name,omitempty"` // file name of an import
	Status      int                 `json:"status,omitempty"`
	Header      map[string][]string `json:"header,omitempty"`
	ContentType string              `json:"content_type,omitempty"`
	FetchedAt   time.Time           `json:"fetched_at"`
	Duration    time.Duration       `json:"duration,omitempty"`
	Size        int                 `json:"size"`
	SHA256      string              `json:"sha256"`
	Origin      string              `json:"origin"` // import or fetch
}

// Entry is a report record with where it came from.
type Entry struct {
	ReportID    string         `json:"report_id"`
	Record      *report.Record `json:"record"`
	Sources     []SourceRef    `json:"sources"`
	Extractor   string         `json:"extractor"`
	ExtractedAt time.Time      `json:"extracted_at"`
	// Components are the documents a merged record was read from (the page
	// first, then its attachments), each with its own record; empty when the
	// record comes from one document.
	Components []Component `json:"components,omitempty"`
}

// Component is one document of a merged report.
type Component struct {
	Source     SourceRef      `json:"source"`
	Attachment bool           `json:"attachment,omitempty"`
	Record     *report.Record `json:"record"`
}

// SourceRef names a capture a record was read from.
type SourceRef struct {
	CaptureID uint64    `json:"capture_id"`
	URL       string    `json:"url,omitempty"`
	Name      string    `json:"name,omitempty"`
	SHA256    string    `json:"sha256"`
	FetchedAt time.Time `json:"fetched_at"`
}

// ReportID derives a stable id: from the URL when there is one, otherwise from the
// content, so that the same document imported twice is one report.
func ReportID(url, sha string) string {
	if url != "" {
		sum := sha256.Sum256([]byte("url:" + url))
		return hex.EncodeToString(sum[:8])
	}
	if len(sha) >= 16 {
		return sha[:16]
	}
	return sha
}

// SHA256 hashes a document.
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// compress gzips a document at the fastest level, with a writer the store
// keeps for the next one (a new writer's tables cost more than a small page).
func (s *Store) compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	var zw *gzip.Writer
	select {
	case zw = <-s.gz:
		zw.Reset(&buf)
	default:
		var err error
		if zw, err = gzip.NewWriterLevel(&buf, gzip.BestSpeed); err != nil {
			return nil, err
		}
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	select {
	case s.gz <- zw:
	default:
	}
	return buf.Bytes(), nil
}

func decompress(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxRawSize+1))
	if err != nil {
		return nil, err
	}
	if len(out) > MaxRawSize {
		return nil, fmt.Errorf("stored document decompresses past %d bytes", MaxRawSize)
	}
	return out, nil
}

// Put stores a document, its capture and (when extraction succeeded) its entry in
// one transaction. It fills in the capture's ID, SHA256 and Size, and the entry's
// source reference to it.
func (s *Store) Put(c *Capture, body []byte, e *Entry) error {
	return s.PutAll([]Item{{Capture: c, Body: body, Entry: e}})
}

// Item is one document for PutAll: its capture, its bytes and, when extraction
// succeeded, its entry. A capture whose SHA256 and Size are set already (the
// caller hashed the body to name its report) keeps them; otherwise PutAll
// fills them in.
type Item struct {
	Capture *Capture
	Body    []byte
	Entry   *Entry
}

// PutAll stores several documents as Put does, all in one transaction, so a
// bulk import pays for one commit (and one fsync) per group, not per file:
// either every item is stored or none is.
//
// The documents are written beside the file first, each durable before the
// transaction that names them begins (keepBodies): a kill in between leaves
// documents no capture names, which verify --repair removes.
func (s *Store) PutAll(items []Item) error {
	for _, it := range items {
		if it.Capture.SHA256 == "" || it.Capture.Size != len(it.Body) {
			it.Capture.SHA256 = SHA256(it.Body)
		}
		it.Capture.Size = len(it.Body)
	}
	if err := s.keepBodies(items); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, it := range items {
			if err := putItem(tx, it.Capture, it.Entry); err != nil {
				return err
			}
		}
		return nil
	})
}

// putItem writes one document's capture and its entry.
func putItem(tx *bolt.Tx, c *Capture, e *Entry) error {
	caps := tx.Bucket(bucketCaptures)
	id, err := caps.NextSequence()
	if err != nil {
		return err
	}
	c.ID = id
	cb, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := caps.Put(u64(id), cb); err != nil {
		return fmt.Errorf("storing capture of %s: %w", c.SHA256, err)
	}
	if err := indexCapture(tx, c); err != nil {
		return err
	}
	if e == nil {
		return nil
	}
	e.Sources = []SourceRef{{CaptureID: id, URL: c.URL, Name: c.Name, SHA256: c.SHA256, FetchedAt: c.FetchedAt}}
	return putEntry(tx, e)
}

func putEntry(tx *bolt.Tx, e *Entry) error {
	return putEntryPrints(tx, e, report.Fingerprint)
}

// putEntryPrints writes an entry and indexes it by the fingerprints fp gives
// (report.Fingerprint, or a commit's memo of it).
func putEntryPrints(tx *bolt.Tx, e *Entry, fp func(*report.Record) string) error {
	b, err := encodeRecord(e)
	if err != nil {
		return fmt.Errorf("encoding record %s: %w", e.ReportID, err)
	}
	if err := tx.Bucket(bucketRecords).Put([]byte(e.ReportID), b); err != nil {
		return fmt.Errorf("storing record %s: %w", e.ReportID, err)
	}
	if err := indexEntry(tx, e); err != nil {
		return err
	}
	return indexPrints(tx, e, fp)
}

// readings are the records of a report's documents, each as read on its own:
// its components, or its one record.
func (e *Entry) readings() []*report.Record {
	if len(e.Components) == 0 {
		return []*report.Record{e.Record}
	}
	out := make([]*report.Record, 0, len(e.Components))
	for _, c := range e.Components {
		out = append(out, c.Record)
	}
	return out
}

// indexPrints lets the report be found by the content of any of its documents.
// The report read from a document (its tables' document) takes the document's
// entry over a report that only merged it among others (a page that attached
// it), and a report that merged it does not take the entry from another that
// still holds it: one file attached to many pages leads to the report it is.
func indexPrints(tx *bolt.Tx, e *Entry, fingerprint func(*report.Record) string) error {
	b := tx.Bucket(bucketPrints)
	for _, r := range e.readings() {
		if r == nil || r.Template == report.TemplateUnknown {
			continue
		}
		fp := fingerprint(r)
		if fp == "" {
			continue
		}
		if prev := b.Get([]byte(fp)); prev != nil && string(prev) != e.ReportID {
			h, err := entryWithContent(tx, fp)
			if err != nil {
				return err
			}
			if h != nil && (!readingOf(e, fp) || readingOf(h, fp)) {
				continue // the first report read from it keeps it
			}
		}
		if err := b.Put([]byte(fp), []byte(e.ReportID)); err != nil {
			return fmt.Errorf("indexing record %s: %w", e.ReportID, err)
		}
	}
	return nil
}

// readingOf reports whether the report's record is read from a document
// that reads as fp.
func readingOf(e *Entry, fp string) bool {
	if len(e.Components) == 0 || len(e.Sources) == 0 {
		return report.Fingerprint(e.Record) == fp
	}
	for _, c := range e.Components {
		if c.Source.SHA256 == e.Sources[0].SHA256 && report.Fingerprint(c.Record) == fp {
			return true
		}
	}
	return false
}

// entryWithContent is the record of the report one of whose documents reads
// as fp, if it still does (an index entry outlives a revision); nil when none.
func entryWithContent(tx *bolt.Tx, fp string) (*Entry, error) {
	id := tx.Bucket(bucketPrints).Get([]byte(fp))
	if id == nil {
		return nil, nil
	}
	e, err := getEntry(tx, string(id))
	if err != nil || e == nil {
		return nil, err
	}
	for _, r := range e.readings() {
		if report.Fingerprint(r) == fp {
			return e, nil
		}
	}
	return nil, nil
}

// PutEntries writes many entries in one transaction.
func (s *Store) PutEntries(es []*Entry) error {
	return s.update(func(tx *bolt.Tx) error {
		for _, e := range es {
			if err := putEntry(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// Entry returns one record by report id.
func (s *Store) Entry(id string) (*Entry, error) {
	return readJSON[Entry](s, bucketRecords, []byte(id), "record "+id)
}

// readJSON decodes one value of a bucket; what names it in the error.
func readJSON[T any](s *Store, bucket, key []byte, what string) (*T, error) {
	var out T
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get(key)
		if v == nil {
			return fmt.Errorf("%s: %w", what, ErrNotFound)
		}
		return decodeRecord(v, &out) // a record compressed, any other value JSON
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Entries calls fn for every record in report-id order.
func (s *Store) Entries(fn func(*Entry) error) error {
	return s.view(func(tx *bolt.Tx) error {
		return s.forEachReleasing(tx, tx.Bucket(bucketRecords), func(k, v []byte) error {
			var e Entry
			if err := decodeRecord(v, &e); err != nil {
				return fmt.Errorf("decoding record %s: %w", k, err)
			}
			return fn(&e)
		})
	})
}

// EntriesAfter calls fn for up to max records whose report ids come after
// after (all from the first when after is ""), in report-id order, and
// returns the last id read and whether records remain: a reader that must
// not hold the file long reads it page by page, closing it between pages.
func (s *Store) EntriesAfter(after string, max int, fn func(*Entry) error) (last string, more bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRecords).Cursor()
		k, v := c.First()
		if after != "" {
			if k, v = c.Seek([]byte(after)); k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		for n := 0; k != nil; k, v = c.Next() {
			if n == max {
				more = true
				return nil
			}
			var e Entry
			if err := decodeRecord(v, &e); err != nil {
				return fmt.Errorf("decoding record %s: %w", k, err)
			}
			if err := fn(&e); err != nil {
				return err
			}
			last, n = string(k), n+1
		}
		return nil
	})
	return last, more, err
}

// Captures calls fn for every capture in the order they were stored.
func (s *Store) Captures(fn func(*Capture) error) error {
	return s.view(func(tx *bolt.Tx) error {
		return s.forEachReleasing(tx, tx.Bucket(bucketCaptures), func(k, v []byte) error {
			var c Capture
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decoding capture %x: %w", k, err)
			}
			return fn(&c)
		})
	})
}

// Capture returns one capture by its id.
func (s *Store) Capture(id uint64) (*Capture, error) {
	return readJSON[Capture](s, bucketCaptures, u64(id), fmt.Sprintf("capture %d", id))
}
