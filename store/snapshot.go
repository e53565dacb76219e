package store

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/atomicfile"
	"github.com/nianbao/nianbao/blob"
)

// A running crawl holds its store's file lock for the whole run; readers
// (export, stats, history, verify) read the consistent copy of the store it
// publishes beside it instead, as of its last snapshot.

// SnapshotPath is where the copy of the store at path is published.
func SnapshotPath(path string) string { return path + ".snapshot" }

// Snapshot publishes a consistent copy of the store, as of one read
// transaction, at SnapshotPath: written under a temporary name, synced and
// renamed over the last one, so a reader never sees a half-written copy and a
// reader of the old copy keeps it until it closes. It returns how long it took.
func (s *Store) Snapshot() (time.Duration, error) {
	start := time.Now()
	err := atomicfile.Write(SnapshotPath(s.path), func(w io.Writer) error {
		return s.view(func(tx *bolt.Tx) error {
			_, err := tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("publishing a snapshot of %s: %w", s.path, err)
	}
	return time.Since(start), nil
}

// DropSnapshot removes the published copy (the crawl that kept it is done: the
// store itself can be read again).
func (s *Store) DropSnapshot() error {
	if err := os.Remove(SnapshotPath(s.path)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the snapshot of %s: %w", s.path, err)
	}
	return nil
}

// Snapshotted is when the copy this store was opened from was published (zero
// when it is the store itself).
func (s *Store) Snapshotted() time.Time { return s.snapshot }

// openSnapshot opens the copy a crawl holding path publishes, read-only; it
// reads the documents beside the store (blobs), which the crawl only adds to.
func openSnapshot(path string, blobs blob.Store) (*Store, error) {
	snap := SnapshotPath(path)
	fi, err := os.Stat(snap)
	if err != nil {
		return nil, err
	}
	if err := checkFile(snap); err != nil {
		return nil, err
	}
	db, err := openBolt(snap, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("opening the snapshot %s: %w", snap, err)
	}
	s := &Store{db: db, path: path, gz: make(chan *gzip.Writer, idleWriters), snapshot: fi.ModTime(), blobs: blobs}
	if err := s.checkVersion(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
