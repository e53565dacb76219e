package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/blob"
)

// The raw documents live beside the file, not in it: a blob.Store keyed by
// the SHA-256 of each document, holding its gzip-compressed bytes. By default
// it is the directory FILE.blobs (blob.Dir: FILE.blobs/ab/abcd….gz). A
// document is written and made durable before the transaction whose capture
// names it begins, so no capture names a missing document; a process killed
// in between leaves a document no capture names (an orphan), which
// SweepOrphans removes. Documents are never changed and a capture names its
// document for good, so a crawl's published snapshot of the file reads the
// same directory. A store of schema 3 or before keeps its documents inside
// the file (the raw bucket) until MoveRaw moves them; until then they are
// read from there.

// BlobsPath is the directory beside the store file at path that keeps its
// raw documents.
func BlobsPath(path string) string { return path + ".blobs" }

// maxStoredSize bounds the compressed object of one document: gzip adds a
// few bytes per 16 KiB block to what does not compress.
const maxStoredSize = MaxRawSize + MaxRawSize/256 + 1<<16

func blobsFor(path string, opt Options) blob.Store {
	if opt.Blobs != nil {
		return opt.Blobs
	}
	return blob.NewDir(BlobsPath(path), maxStoredSize)
}

// putters is how many documents of one PutAll are compressed and written at
// once (each write waits for the disk).
const putters = 4

// keepBodies compresses the items' bodies and stores them beside the file,
// each durable when it returns.
func (s *Store) keepBodies(items []Item) error {
	ctx := context.Background() // a group of files: short, and it must end whole
	errs := make([]error, len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(putters, len(items)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = s.keepBody(ctx, items[i].Capture.SHA256, items[i].Body)
			}
		})
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// keepBody compresses body and stores it under sha, unless it is stored
// already.
func (s *Store) keepBody(ctx context.Context, sha string, body []byte) error {
	if ok, err := s.blobs.Has(ctx, sha); err != nil || ok {
		return err
	}
	z, err := s.compress(body)
	if err != nil {
		return fmt.Errorf("compressing %s: %w", sha, err)
	}
	return s.putBlob(ctx, sha, z)
}

// putBlob stores a compressed document under sha.
func (s *Store) putBlob(ctx context.Context, sha string, z []byte) error {
	if err := s.blobs.Put(ctx, sha, z); err != nil {
		return fmt.Errorf("keeping document %s beside %s: %w", sha, s.path, err)
	}
	return nil
}

// Raw returns a stored document by its SHA-256.
func (s *Store) Raw(sha string) ([]byte, error) {
	b, _, err := s.raw(sha)
	return b, err
}

// raw reads a document and says where it was read from.
func (s *Store) raw(sha string) ([]byte, string, error) {
	z, where, err := s.stored(sha)
	if err != nil {
		return nil, where, err
	}
	b, err := decompress(z)
	if err != nil {
		return nil, where, fmt.Errorf("reading document %s (%s): %w", sha, where, err)
	}
	return b, where, nil
}

// stored is a document's compressed bytes: beside the file, or inside it
// (a store not moved yet).
func (s *Store) stored(sha string) ([]byte, string, error) {
	if !blob.ValidKey(sha) {
		return nil, s.path, fmt.Errorf("document %q: %w", sha, ErrNotFound)
	}
	where := s.blobs.Where(sha)
	z, err := s.blobs.Get(context.Background(), sha)
	if err == nil {
		return z, where, nil
	}
	if !errors.Is(err, blob.ErrNotFound) {
		return nil, where, fmt.Errorf("reading document %s: %w", sha, err)
	}
	err = s.view(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketRaw); raw != nil {
			if v := raw.Get([]byte(sha)); v != nil {
				z = append([]byte(nil), v...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, where, err
	}
	if z == nil {
		return nil, where, fmt.Errorf("document %s (%s): %w", sha, where, ErrNotFound)
	}
	return z, "inside " + s.path, nil
}

// ErrMismatch is returned when a stored document no longer hashes to its key.
var ErrMismatch = errors.New("the stored bytes do not match their SHA-256")

// Verify reads a stored document back and checks it against its SHA-256 (and
// its size, when size is not negative). Its errors name where the document
// was read from (its file).
func (s *Store) Verify(sha string, size int) error {
	b, where, err := s.raw(sha)
	if err != nil {
		return err
	}
	if got := SHA256(b); got != sha {
		return fmt.Errorf("document %s (%s): %w (they hash to %s)", sha, where, ErrMismatch, got)
	}
	if size >= 0 && len(b) != size {
		return fmt.Errorf("document %s (%s): %w (%d bytes, the manifest says %d)", sha, where, ErrMismatch, len(b), size)
	}
	return nil
}

// digest is a SHA-256 as bytes: a set of a million takes 32 MB, not 100.
type digest [32]byte

func parseDigest(sha string) (digest, bool) {
	var d digest
	if !blob.ValidKey(sha) {
		return d, false
	}
	_, err := hex.Decode(d[:], []byte(sha))
	return d, err == nil
}

// named is the set of documents the store's captures name, and the documents
// still inside the file (in key order, each once).
func (s *Store) named() (map[digest]bool, []string, error) {
	set := map[digest]bool{}
	var order []string
	err := s.view(func(tx *bolt.Tx) error {
		err := s.forEachReleasing(tx, tx.Bucket(bucketCaptures), func(k, v []byte) error {
			sha, err := captureSHA(v)
			if err != nil {
				return fmt.Errorf("decoding capture %x: %w", k, err)
			}
			if d, ok := parseDigest(sha); ok && !set[d] {
				set[d] = true
				order = append(order, sha)
			}
			return nil
		})
		if err != nil {
			return err
		}
		raw := tx.Bucket(bucketRaw)
		if raw == nil {
			return nil
		}
		return s.forEachReleasing(tx, raw, func(k, _ []byte) error {
			if d, ok := parseDigest(string(k)); ok && !set[d] {
				set[d] = true
				order = append(order, string(k))
			}
			return nil
		})
	})
	return set, order, err
}

// DocumentHashes calls fn with the SHA-256 of every stored document: each
// one a capture names (in the order of the captures), then any document
// inside the file that none names. It reads the hashes first and calls fn
// after, outside any transaction.
func (s *Store) DocumentHashes(fn func(sha string) error) error {
	_, order, err := s.named()
	if err != nil {
		return err
	}
	for _, sha := range order {
		if err := fn(sha); err != nil {
			return err
		}
	}
	return nil
}

// Orphans calls fn with every document beside the file that no capture
// names: written by a process killed before the commit that would have
// named it. Read from a crawl's snapshot, documents the crawl stored after
// it are among them.
func (s *Store) Orphans(ctx context.Context, fn func(sha, where string, size int64) error) error {
	set, _, err := s.named()
	if err != nil {
		return err
	}
	return s.blobs.Walk(ctx, func(sha string, size int64) error {
		if d, ok := parseDigest(sha); ok && set[d] {
			return nil
		}
		return fn(sha, s.blobs.Where(sha), size)
	})
}

// SweepResult counts what SweepOrphans removed.
type SweepResult struct {
	Orphans int   // documents no capture named
	Bytes   int64 // their stored size
	Temps   int   // temporary files of writes killed before their rename
}

// SweepOrphans removes the documents no capture names, and the temporary
// files killed writes left. The store must be open for writing: its lock
// keeps every other writer out, so no document is between its write and the
// commit naming it. A document a capture names is never removed.
func (s *Store) SweepOrphans(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	if s.db.IsReadOnly() {
		return res, fmt.Errorf("sweeping the documents of %s: the store is open read-only (a writer may be between a document and its commit)", s.path)
	}
	err := s.Orphans(ctx, func(sha, _ string, size int64) error {
		if err := s.blobs.Delete(ctx, sha); err != nil {
			return err
		}
		res.Orphans++
		res.Bytes += size
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("sweeping the documents of %s: %w", s.path, err)
	}
	if d, ok := s.blobs.(interface {
		RemoveTemps(context.Context) (int, error)
	}); ok {
		if res.Temps, err = d.RemoveTemps(ctx); err != nil {
			return res, fmt.Errorf("sweeping the documents of %s: %w", s.path, err)
		}
	}
	return res, nil
}

// Stats counts what the store holds.
type Stats struct {
	Documents int // distinct documents the captures name
	InFile    int // documents still inside the file (a store not moved yet)
	Captures  int
	Records   int
	RawBytes  int64 // compressed, beside the file and inside it
}

// Stats counts documents, captures and records. It reads every capture and
// lists the documents beside the file: slow on a large store.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	set, _, err := s.named()
	if err != nil {
		return st, err
	}
	err = s.view(func(tx *bolt.Tx) error {
		st.Captures = tx.Bucket(bucketCaptures).Stats().KeyN
		st.Records = tx.Bucket(bucketRecords).Stats().KeyN
		raw := tx.Bucket(bucketRaw)
		if raw == nil {
			return nil
		}
		return raw.ForEach(func(_, v []byte) error {
			st.InFile++
			st.RawBytes += int64(len(v))
			return nil
		})
	})
	if err != nil {
		return st, err
	}
	st.Documents = len(set)
	err = s.blobs.Walk(context.Background(), func(_ string, size int64) error {
		st.RawBytes += size
		return nil
	})
	return st, err
}

// captureSHA reads the document hash of an encoded capture alone.
func captureSHA(v []byte) (string, error) {
	var c struct {
		SHA256 string `json:"sha256"`
	}
	err := json.Unmarshal(v, &c)
	return c.SHA256, err
}
