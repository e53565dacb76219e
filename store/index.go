package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/nianbao/nianbao/report"
)

// The store keeps indexes beside its buckets so that a lookup reads what it
// finds, not the whole file: the lookup bucket answers "which URL states,
// changes, records or imports belong to this address, report or file", and
// the facts bucket holds a small row per record (what the browser lists and
// filters, and what stats counts). Both are written in the transaction that
// writes what they index, through putDoc, addChange, putEntryPrints and
// putItem, so a killed process never leaves them behind the data.
//
// A lookup entry only ever points: every reader loads the value it names and
// checks it still matches (a URL state's report can change, a record can be
// revised away from a source), so an entry left over by a change is skipped,
// never believed. Facts rows are replaced and deleted with their records.
//
// A store written before the indexes existed has them built once when it is
// opened for writing (BuildIndexes); until then Indexed is false and the
// readers fall back to reading every value, as before.

// IndexVersion is the layout of the lookup and facts buckets; a store whose
// meta index_version differs has them built again when opened for writing.
const IndexVersion = 2

var (
	bucketLookup = []byte("lookup") // typed prefix, a name's hash, a target → nothing
	bucketFacts  = []byte("facts")  // report id → encoded Fact
	keyIndex     = []byte("index_version")
	keyIndexTx   = []byte("index_tx") // the last transaction that kept the indexes
)

// Lookup key kinds: the first byte of a lookup key.
const (
	lookDocURL    = 'u' // a URL state's URL, 0, its docKey
	lookDocKey    = 'k' // a URL state's page key (when not its URL), 0, its docKey
	lookDocReport = 'r' // a URL state's report id, 0, its docKey
	lookChange    = 'c' // a change's report id, 0, its seq
	lookSource    = 's' // a record's source URL, 0, its report id
	lookImport    = 'i' // an imported file's name, 0, its SHA-256
)

// lookupKey is kind, the first 16 bytes of the SHA-256 of name, and target.
// A name is a URL or a file's path, often 100 bytes: kept whole, it made
// the keys long, and the branch pages that hold keys many (at 10⁴ imports
// with 1 KB pages, 823 branch pages for 2,673 leaves). Every entry is
// checked against the value it leads to (see above), so two names of one
// hash would cost a look, never a wrong answer.
func lookupKey(kind byte, name string, target []byte) []byte {
	sum := sha256.Sum256([]byte(name))
	k := make([]byte, 0, 1+lookupHash+len(target))
	k = append(append(k, kind), sum[:lookupHash]...)
	return append(k, target...)
}

// lookupHash is how many bytes of a name's SHA-256 a lookup key holds.
const lookupHash = 16

// lookupTargets calls fn with the target of every lookup entry of kind and
// name.
func lookupTargets(tx *bolt.Tx, kind byte, name string, fn func(target []byte) error) error {
	b := tx.Bucket(bucketLookup)
	if b == nil {
		return nil
	}
	prefix := lookupKey(kind, name, nil)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := fn(k[len(prefix):]); err != nil {
			return err
		}
	}
	return nil
}

func putLookup(tx *bolt.Tx, kind byte, name string, target []byte) error {
	b := tx.Bucket(bucketLookup)
	if b == nil || name == "" {
		return nil // not indexed yet: BuildIndexes reads it
	}
	if err := b.Put(lookupKey(kind, name, target), nil); err != nil {
		return fmt.Errorf("indexing %q: %w", name, err)
	}
	return nil
}

// indexDoc indexes a URL state under its URL, its page key and its report.
func indexDoc(tx *bolt.Tx, key []byte, d *DocState) error {
	if err := putLookup(tx, lookDocURL, d.URL, key); err != nil {
		return err
	}
	if d.Key != "" && d.Key != d.URL {
		if err := putLookup(tx, lookDocKey, d.Key, key); err != nil {
			return err
		}
	}
	return putLookup(tx, lookDocReport, d.ReportID, key)
}

// indexChange indexes a change under its report.
func indexChange(tx *bolt.Tx, c *ReportChange) error {
	return putLookup(tx, lookChange, c.ReportID, u64(c.Seq))
}

// indexCapture indexes an imported file by its name and bytes.
func indexCapture(tx *bolt.Tx, c *Capture) error {
	if c.Origin != "import" {
		return nil
	}
	return putLookup(tx, lookImport, c.Name, []byte(c.SHA256))
}

// indexEntry writes a record's facts row and indexes it by its sources'
// URLs.
func indexEntry(tx *bolt.Tx, e *Entry) error {
	fb := tx.Bucket(bucketFacts)
	if fb == nil {
		return nil
	}
	f := FactOf(e)
	if err := fb.Put([]byte(e.ReportID), f.encode()); err != nil {
		return fmt.Errorf("storing the facts of record %s: %w", e.ReportID, err)
	}
	for _, src := range e.Sources {
		if err := putLookup(tx, lookSource, src.URL, []byte(e.ReportID)); err != nil {
			return err
		}
	}
	return nil
}

// unindexEntry drops the facts row of a deleted record (its lookup entries
// are checked by their readers).
func unindexEntry(tx *bolt.Tx, id string) error {
	if fb := tx.Bucket(bucketFacts); fb != nil {
		if err := fb.Delete([]byte(id)); err != nil {
			return fmt.Errorf("dropping the facts of record %s: %w", id, err)
		}
	}
	return nil
}

// indexed reports whether the transaction's file has current indexes: of
// this version, and kept by the last transaction that wrote the file (a
// nianbao without indexes may have written it since: then they are built
// again).
func indexed(tx *bolt.Tx) bool {
	m := tx.Bucket(bucketMeta)
	if m == nil || tx.Bucket(bucketLookup) == nil || tx.Bucket(bucketFacts) == nil ||
		string(m.Get(keyIndex)) != strconv.Itoa(IndexVersion) {
		return false
	}
	last := uint64(tx.ID())
	if tx.Writable() {
		last-- // the transaction being written is not the last committed
	}
	v := m.Get(keyIndexTx)
	return len(v) == 8 && binary.BigEndian.Uint64(v) == last
}

// pageFill is how full a write fills the pages it splits in a bucket whose
// keys only grow. bbolt splits an overfull page at half by default, and
// there no key comes back to fill the other half: at 10⁴ imported documents
// the captures took 47 % of their pages. Not for buckets of keys in no
// order (records, the indexes by report): a page split at 95 % leaves its
// sibling nearly empty, and random keys then leave the pages 36 % used
// against 72 % at half (TestWritesFillPages).
const pageFill = 0.95

// appendOnly are the buckets whose keys are a sequence.
var appendOnly = [][]byte{bucketCaptures, bucketFetches, bucketChanges, bucketVersions, bucketRuns}

// fillPages sets the append-only buckets of a write transaction to fill
// their pages to pageFill. A transaction keeps one handle a bucket, so every
// write of the transaction splits so.
func fillPages(tx *bolt.Tx) {
	for _, name := range appendOnly {
		if b := tx.Bucket(name); b != nil {
			b.FillPercent = pageFill
		}
	}
}

// keepIndexed runs a write transaction's fn and, when the indexes were
// current before it, records that they still are after it (every write
// keeps them: see indexDoc and the others).
func keepIndexed(tx *bolt.Tx, fn func(*bolt.Tx) error) error {
	fillPages(tx)
	current := indexed(tx)
	if err := fn(tx); err != nil {
		return err
	}
	if !current {
		return nil
	}
	return markIndexed(tx)
}

// markIndexed records that the indexes are current as of this transaction.
func markIndexed(tx *bolt.Tx) error {
	m := tx.Bucket(bucketMeta)
	if err := m.Put(keyIndex, []byte(strconv.Itoa(IndexVersion))); err != nil {
		return err
	}
	return m.Put(keyIndexTx, u64(uint64(tx.ID())))
}

// Indexed reports whether the store's indexes are built and current. A
// store opened read-only before it was ever opened for writing by this
// version reads every value for its lookups instead.
func (s *Store) Indexed() bool {
	ok := false
	_ = s.view(func(tx *bolt.Tx) error { ok = indexed(tx); return nil })
	return ok
}

// IndexNote is what a command says when it reads a store without indexes.
const IndexNote = "note: this store has no indexes yet (it was last written by an older nianbao): every record is read; any import, crawl or reextract builds them"

// indexBatch is how many values BuildIndexes reads per transaction: the
// build of a large store is many small commits, never one transaction that
// holds every page it wrote.
const indexBatch = 4096

// BuildIndexes builds the lookup and facts buckets from the store's values,
// if they are not current. It writes in batches; the version is recorded in
// the last one, so a build cut short is begun again at the next opening (an
// entry written twice is the same entry).
func (s *Store) BuildIndexes() error {
	done := false
	if err := s.view(func(tx *bolt.Tx) error { done = indexed(tx); return nil }); err != nil || done {
		return err
	}
	empty := true
	err := s.update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketLookup, bucketFacts} {
			if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{bucketDocs, bucketChanges, bucketRecords, bucketCaptures} {
			if b := tx.Bucket(name); b != nil {
				if k, _ := b.Cursor().First(); k != nil {
					empty = false
				}
			}
		}
		if empty { // a new store: nothing to read
			return markIndexed(tx)
		}
		return nil
	})
	if err != nil || empty {
		return wrapIndexErr(s.path, err)
	}
	steps := []struct {
		bucket []byte
		index  func(tx *bolt.Tx, k, v []byte) error
	}{
		{bucketDocs, func(tx *bolt.Tx, k, v []byte) error {
			var d DocState
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decoding the state of %x: %w", k, err)
			}
			return indexDoc(tx, k, &d)
		}},
		{bucketChanges, func(tx *bolt.Tx, k, v []byte) error {
			var c ReportChange
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decoding change %x: %w", k, err)
			}
			return indexChange(tx, &c)
		}},
		{bucketRecords, func(tx *bolt.Tx, k, v []byte) error {
			var e Entry
			if err := decodeRecord(v, &e); err != nil {
				return fmt.Errorf("decoding record %s: %w", k, err)
			}
			return indexEntry(tx, &e)
		}},
		{bucketCaptures, func(tx *bolt.Tx, k, v []byte) error {
			var c Capture
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decoding capture %x: %w", k, err)
			}
			return indexCapture(tx, &c)
		}},
	}
	for _, st := range steps {
		if err := s.indexBucket(st.bucket, st.index); err != nil {
			return fmt.Errorf("building the indexes of %s from its %s: %w", s.path, st.bucket, err)
		}
	}
	return wrapIndexErr(s.path, s.update(markIndexed))
}

func wrapIndexErr(path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("building the indexes of %s: %w", path, err)
}

// indexBucket calls index for every value of a bucket, indexBatch values a
// transaction.
func (s *Store) indexBucket(bucket []byte, index func(tx *bolt.Tx, k, v []byte) error) error {
	var after []byte
	for {
		more := false
		err := s.update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			if b == nil {
				return nil
			}
			if f := tx.Bucket(bucketFacts); f != nil && bytes.Equal(bucket, bucketRecords) {
				f.FillPercent = pageFill // written in the records' order: its keys only grow
			}
			c := b.Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for n := 0; k != nil; k, v = c.Next() {
				if n == indexBatch {
					more = true
					return nil
				}
				if v != nil { // not a nested bucket
					if err := index(tx, k, v); err != nil {
						return err
					}
				}
				after, n = append(after[:0], k...), n+1
			}
			return nil
		})
		if err != nil || !more {
			return err
		}
	}
}

// Fact is what the browser lists and filters and what stats counts of one
// record, kept beside it so that neither decodes the record. Attribution to
// a division is not stored (it depends on the portal list the reader is
// given): its inputs are, and AttributionInput gives them back.
type Fact struct {
	ReportID     string
	Title        string
	Organisation string
	SiteCode     string
	CreditCode   string
	SourceURL    string // the record's source URL, else its first stored source's
	Format       string
	Template     string
	Year         int // 0 when unknown
	Checks       int // identities checked
	Failed       []string
}

// FactOf reads a record's facts.
func FactOf(e *Entry) Fact {
	r := e.Record
	if r == nil {
		r = &report.Record{}
	}
	f := Fact{ReportID: e.ReportID, Title: string(r.Title), Organisation: string(r.Organisation), SourceURL: string(r.Source.URL),
		Format: r.Source.Format, Template: string(r.Template), Checks: len(r.Checks), Failed: r.FailedChecks()}
	if f.SourceURL == "" && len(e.Sources) > 0 {
		f.SourceURL = e.Sources[0].URL
	}
	if r.Identifiers != nil {
		f.SiteCode, f.CreditCode = r.Identifiers.SiteCode, r.Identifiers.CreditCode
	}
	if r.Year != nil {
		f.Year = *r.Year
	}
	return f
}

// AttributionInput is a record holding only what attribution reads of a
// report (its organisation and printed codes).
func (f *Fact) AttributionInput() *report.Record {
	r := &report.Record{Organisation: report.Text(f.Organisation)}
	if f.SiteCode != "" || f.CreditCode != "" {
		r.Identifiers = &report.Identifiers{SiteCode: f.SiteCode, CreditCode: f.CreditCode}
	}
	return r
}

// factCode is the first byte of an encoded Fact: its layout.
const factCode = 1

// encode writes a Fact as length-prefixed fields: a row decodes in well
// under a microsecond, so a list of every report reads the bucket quickly.
func (f *Fact) encode() []byte {
	b := make([]byte, 0, 96+len(f.Title)+len(f.Organisation)+len(f.SourceURL))
	b = append(b, factCode)
	for _, s := range []string{f.ReportID, f.Title, f.Organisation, f.SiteCode, f.CreditCode, f.SourceURL, f.Format, f.Template} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, int64(f.Year))
	b = binary.AppendUvarint(b, uint64(f.Checks))
	b = binary.AppendUvarint(b, uint64(len(f.Failed)))
	for _, s := range f.Failed {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// errFact is a facts row that does not decode.
var errFact = errors.New("malformed facts row")

// decodeFact reads an encoded Fact.
func decodeFact(b []byte) (Fact, error) {
	var f Fact
	if len(b) == 0 || b[0] != factCode {
		return f, errFact
	}
	b = b[1:]
	str := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return "", false
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, true
	}
	for _, p := range []*string{&f.ReportID, &f.Title, &f.Organisation, &f.SiteCode, &f.CreditCode, &f.SourceURL, &f.Format, &f.Template} {
		var ok bool
		if *p, ok = str(); !ok {
			return f, errFact
		}
	}
	year, w := binary.Varint(b)
	if w <= 0 {
		return f, errFact
	}
	b = b[w:]
	checks, w := binary.Uvarint(b)
	if w <= 0 {
		return f, errFact
	}
	b = b[w:]
	nf, w := binary.Uvarint(b)
	if w <= 0 || nf > uint64(len(b)) {
		return f, errFact
	}
	b = b[w:]
	f.Year, f.Checks = int(year), int(checks)
	for range nf {
		s, ok := str()
		if !ok {
			return f, errFact
		}
		f.Failed = append(f.Failed, s)
	}
	if len(b) != 0 {
		return f, errFact
	}
	return f, nil
}

// Facts calls fn with the facts of every record in report-id order, from
// the facts bucket when the store is indexed, else from the records
// themselves.
func (s *Store) Facts(fn func(*Fact) error) error {
	return s.view(func(tx *bolt.Tx) error {
		if !indexed(tx) {
			return forEachEntry(tx, func(e *Entry) error { f := FactOf(e); return fn(&f) })
		}
		return s.forEachReleasing(tx, tx.Bucket(bucketFacts), func(k, v []byte) error {
			f, err := decodeFact(v)
			if err != nil {
				return fmt.Errorf("reading the facts of record %s: %w", k, err)
			}
			return fn(&f)
		})
	})
}

// FactRows calls fn with the encoded facts row of every record in report-id
// order (valid only during the call; DecodeFact reads one): a reader that
// keeps rows from an earlier reading compares the bytes and decodes only
// the rows that changed. A store without indexes encodes its records' facts.
func (s *Store) FactRows(fn func(id, row []byte) error) error {
	return s.view(func(tx *bolt.Tx) error {
		if !indexed(tx) {
			return forEachEntry(tx, func(e *Entry) error { f := FactOf(e); return fn([]byte(e.ReportID), f.encode()) })
		}
		return s.forEachReleasing(tx, tx.Bucket(bucketFacts), fn)
	})
}

// EntriesWhere calls fn, in report-id order, for every record whose facts
// match: only those records are decoded, so a narrow selection reads little
// more than the facts rows. A store without indexes decodes every record.
func (s *Store) EntriesWhere(match func(*Fact) bool, fn func(*Entry) error) error {
	return s.view(func(tx *bolt.Tx) error {
		if !indexed(tx) {
			return forEachEntry(tx, func(e *Entry) error {
				if f := FactOf(e); !match(&f) {
					return nil
				}
				return fn(e)
			})
		}
		records := tx.Bucket(bucketRecords)
		return s.forEachReleasing(tx, tx.Bucket(bucketFacts), func(k, v []byte) error {
			f, err := decodeFact(v)
			if err != nil {
				return fmt.Errorf("reading the facts of record %s: %w", k, err)
			}
			if !match(&f) {
				return nil
			}
			rv := records.Get(k)
			if rv == nil {
				return fmt.Errorf("record %s: its facts row outlives it: %w", k, ErrNotFound)
			}
			var e Entry
			if err := decodeRecord(rv, &e); err != nil {
				return fmt.Errorf("decoding record %s: %w", k, err)
			}
			return fn(&e)
		})
	})
}

// DecodeFact reads a row FactRows gave.
func DecodeFact(row []byte) (Fact, error) { return decodeFact(row) }

// forEachEntry decodes every record of a transaction in report-id order.
func forEachEntry(tx *bolt.Tx, fn func(*Entry) error) error {
	return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
		var e Entry
		if err := decodeRecord(v, &e); err != nil {
			return fmt.Errorf("decoding record %s: %w", k, err)
		}
		return fn(&e)
	})
}

// Imported reports whether a file of this name and SHA-256 was imported
// before. ok is false when the store has no indexes to tell (the caller
// reads the captures instead).
func (s *Store) Imported(name, sha string) (found, ok bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		if ok = indexed(tx); !ok {
			return nil
		}
		found = tx.Bucket(bucketLookup).Get(lookupKey(lookImport, name, []byte(sha))) != nil
		return nil
	})
	if err != nil {
		return false, false, fmt.Errorf("looking up the import of %s: %w", name, err)
	}
	return found, ok, nil
}

// CheckIndexes reads the whole store and says where its indexes disagree
// with what they index: a record without its facts row or with another, a
// facts row without its record, a URL state, change, record source or
// import without its lookup entry. Nil when they agree (or when the store
// has no current indexes, which its readers then do without).
func (s *Store) CheckIndexes() error {
	var bad []string
	note := func(format string, args ...any) {
		if len(bad) < 10 {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	err := s.view(func(tx *bolt.Tx) error {
		if !indexed(tx) {
			return nil
		}
		lookup, facts := tx.Bucket(bucketLookup), tx.Bucket(bucketFacts)
		has := func(kind byte, name string, target []byte) bool {
			return name == "" || lookup.Get(lookupKey(kind, name, target)) != nil
		}
		records := 0
		if err := forEachEntry(tx, func(e *Entry) error {
			records++
			f := FactOf(e)
			if !bytes.Equal(facts.Get([]byte(e.ReportID)), f.encode()) {
				note("record %s: its facts row is missing or differs", e.ReportID)
			}
			for _, src := range e.Sources {
				if !has(lookSource, src.URL, []byte(e.ReportID)) {
					note("record %s: its source %s is not indexed", e.ReportID, src.URL)
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if n := facts.Stats().KeyN; n != records {
			note("%d facts rows for %d records", n, records)
		}
		return checkLookups(tx, has, note)
	})
	if err == nil && len(bad) > 0 {
		err = fmt.Errorf("the indexes of %s disagree with the store: %s", s.path, strings.Join(bad, "; "))
	}
	return err
}

// checkLookups checks that every URL state, change and import has its
// lookup entries.
func checkLookups(tx *bolt.Tx, has func(kind byte, name string, target []byte) bool, note func(string, ...any)) error {
	if err := tx.Bucket(bucketDocs).ForEach(func(k, v []byte) error {
		var d DocState
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("decoding the state of %x: %w", k, err)
		}
		if !has(lookDocURL, d.URL, k) || d.Key != d.URL && !has(lookDocKey, d.Key, k) || !has(lookDocReport, d.ReportID, k) {
			note("the state of %s is not indexed", d.URL)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := forEachChange(tx, func(c *ReportChange) error {
		if !has(lookChange, c.ReportID, u64(c.Seq)) {
			note("change %d of %s is not indexed", c.Seq, c.ReportID)
		}
		return nil
	}); err != nil {
		return err
	}
	return tx.Bucket(bucketCaptures).ForEach(func(k, v []byte) error {
		var c Capture
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decoding capture %x: %w", k, err)
		}
		if c.Origin == "import" && !has(lookImport, c.Name, []byte(c.SHA256)) {
			note("the import of %s is not indexed", c.Name)
		}
		return nil
	})
}
