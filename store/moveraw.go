package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/atomicfile"
)

// A store of schema 3 or before kept its raw documents inside the file (the
// raw bucket). MoveRaw moves them beside it, batch by batch: each batch's
// documents are written beside the file (durable), read back and checked
// against their SHA-256, and only then removed from the file, in one
// transaction. A move killed at any instant is resumed by running it again:
// a document is inside the file, beside it, or both (the next run finds it
// beside and removes it from the file), never neither. Compact then writes
// the file again without the space the documents took.

// moveBatch bounds one batch of a move: this many documents, or this many
// compressed bytes (beyond one document).
const (
	moveBatch      = 256
	moveBatchBytes = 32 << 20
)

// MoveResult says what MoveRaw did.
type MoveResult struct {
	Moved int      // documents moved beside the file
	Kept  []string // documents left inside: their bytes do not hash to their key (one line each, why)
	Left  int      // documents inside the file after the move (the kept ones)
}

// rawDoc is one document read from the raw bucket.
type rawDoc struct {
	sha string
	z   []byte
}

// MoveRaw moves the documents inside the file beside it (see above), and
// removes the raw bucket once it is empty. progress, if not nil, is told
// after each batch how many have been moved of how many there were.
func (s *Store) MoveRaw(ctx context.Context, progress func(moved, total int)) (MoveResult, error) {
	var res MoveResult
	total, err := s.InFile()
	if err != nil {
		return res, err
	}
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("moving the documents of %s: stopped after %d of %d (run it again to go on): %w", s.path, res.Moved, total, err)
		}
		batch, err := s.rawBatch(after)
		if err != nil || len(batch) == 0 {
			if err != nil {
				return res, err
			}
			break
		}
		after = []byte(batch[len(batch)-1].sha)
		moved, err := s.moveBatch(ctx, batch, &res)
		if err != nil {
			return res, err
		}
		if err := s.update(func(tx *bolt.Tx) error {
			raw := tx.Bucket(bucketRaw)
			for _, sha := range moved {
				if err := raw.Delete([]byte(sha)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return res, fmt.Errorf("removing %d moved documents from %s: %w", len(moved), s.path, err)
		}
		res.Moved += len(moved)
		if progress != nil {
			progress(res.Moved, total)
		}
	}
	err = s.update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketRaw)
		if raw == nil {
			return nil
		}
		if !isEmpty(raw) {
			res.Left = raw.Stats().KeyN
			return nil
		}
		return tx.DeleteBucket(bucketRaw)
	})
	return res, err
}

// InFile counts the documents still inside the file.
func (s *Store) InFile() (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketRaw); raw != nil {
			n = raw.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// rawBatch reads the next documents inside the file after the key after.
func (s *Store) rawBatch(after []byte) ([]rawDoc, error) {
	var out []rawDoc
	err := s.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketRaw)
		if raw == nil {
			return nil
		}
		c := raw.Cursor()
		k, v := c.First()
		if after != nil {
			if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		size := 0
		for ; k != nil && len(out) < moveBatch; k, v = c.Next() {
			if size += len(v); len(out) > 0 && size > moveBatchBytes {
				break
			}
			out = append(out, rawDoc{sha: string(k), z: append([]byte(nil), v...)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the documents inside %s: %w", s.path, err)
	}
	return out, nil
}

// movers is how many documents of a batch are written at once: each write
// waits for the disk (its sync), and the disk takes several at a time.
const movers = 8

// moveBatch writes a batch's documents beside the file and returns the keys
// of those written and checked.
func (s *Store) moveBatch(ctx context.Context, batch []rawDoc, res *MoveResult) ([]string, error) {
	ok := make([]bool, len(batch))
	kept := make([]string, len(batch))
	errs := make([]error, len(batch))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(movers, len(batch)) {
		wg.Go(func() {
			for i := range next {
				ok[i], kept[i], errs[i] = s.moveOne(ctx, batch[i])
			}
		})
	}
	for i := range batch {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var moved []string
	for i, d := range batch {
		if ok[i] {
			moved = append(moved, d.sha)
		} else {
			res.Kept = append(res.Kept, kept[i])
		}
	}
	return moved, nil
}

// moveOne writes one document beside the file and checks what reads back;
// false when its bytes inside the file do not hash to its key (it stays
// there, and kept says why). A document found beside the file already that
// does not read back whole is written again.
func (s *Store) moveOne(ctx context.Context, d rawDoc) (moved bool, kept string, err error) {
	if err := checkDoc(d.sha, d.z); err != nil {
		return false, fmt.Sprintf("%s: left inside %s: %v", d.sha, s.path, err), nil
	}
	for try := 0; ; try++ {
		if err := s.putBlob(ctx, d.sha, d.z); err != nil {
			return false, "", err
		}
		back, err := s.blobs.Get(ctx, d.sha)
		if err == nil {
			err = checkDoc(d.sha, back)
		}
		if err == nil {
			return true, "", nil
		}
		if try == 1 {
			return false, "", fmt.Errorf("document %s written to %s does not read back whole: %w", d.sha, s.blobs.Where(d.sha), err)
		}
		// What was beside the file already is damaged: the bytes inside
		// the file replace it.
		if err := s.blobs.Delete(ctx, d.sha); err != nil {
			return false, "", err
		}
	}
}

// checkDoc checks that compressed bytes z decompress to a document that
// hashes to sha.
func checkDoc(sha string, z []byte) error {
	b, err := decompress(z)
	if err != nil {
		return err
	}
	if got := SHA256(b); got != sha {
		return fmt.Errorf("%w (they hash to %s)", ErrMismatch, got)
	}
	return nil
}

// compactTxSize bounds one transaction of a compaction's copy: bbolt holds
// a transaction's pages in memory until it commits. At 64 MB, and with every
// page of the old file kept mapped, migrate peaked at 764 MB on a store of
// 10⁵ documents.
const compactTxSize = 8 << 20

// Compact writes the store file at path again, without the free pages that
// moved documents (and other deletions) left in it: into PATH.compact, synced,
// then renamed over the file while its lock is held, so a kill at any instant
// leaves the old file or the new one whole. It waits up to lockWait for
// other processes to let go of the file, and returns its size before and
// after.
func Compact(ctx context.Context, path string, lockWait time.Duration) (before, after int64, err error) {
	if err := checkFile(path); err != nil {
		return 0, 0, err
	}
	src, err := openBolt(path, &bolt.Options{Timeout: max(lockWait, 50*time.Millisecond)})
	if err != nil {
		return 0, 0, fmt.Errorf("compacting %s: %w", path, err)
	}
	defer src.Close()
	if fi, err := os.Stat(path); err == nil {
		before = fi.Size()
	}
	if err := ctx.Err(); err != nil {
		return before, 0, err
	}
	tmp := path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return before, 0, fmt.Errorf("compacting %s: %w", path, err)
	}
	dst, err := bolt.Open(tmp, 0o644, &bolt.Options{Timeout: time.Second, PageSize: pageSize})
	if err != nil {
		return before, 0, fmt.Errorf("compacting %s into %s: %w", path, tmp, err)
	}
	dst.NoSync = true // one sync at the end: until the rename the copy is nobody's
	err = guard(path, func() error { return copyInto(ctx, dst, src) })
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = atomicfile.SyncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(tmp)
		return before, 0, fmt.Errorf("compacting %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil {
		after = fi.Size()
	}
	return before, after, nil
}

// copyInto copies every bucket of src, with its sequence, into the empty
// dst, in transactions of at most compactTxSize bytes, pages filled; it
// stops between two transactions when ctx is done.
//
// Indexes current in src are current in dst: the copy's last transaction
// records that it kept them (a copy's transaction ids start again, and
// indexes kept by a transaction of the old file would read as stale, every
// reader falling back to reading every record until the next writer built
// them again).
func copyInto(ctx context.Context, dst, src *bolt.DB) error {
	return src.View(func(stx *bolt.Tx) error {
		c := &copier{ctx: ctx, dst: dst, src: src, stx: stx}
		if err := c.begin(); err != nil {
			return err
		}
		defer func() { c.tx.Rollback() }()
		err := stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return c.bucket([][]byte{name}, b)
		})
		if err != nil {
			return err
		}
		if indexed(stx) {
			if err := markIndexed(c.tx); err != nil {
				return err
			}
		}
		return c.tx.Commit()
	})
}

// copier writes a compaction's copy, committing every compactTxSize bytes
// and giving the pages of src it read back after each commit.
type copier struct {
	ctx  context.Context
	dst  *bolt.DB
	src  *bolt.DB
	stx  *bolt.Tx // the read transaction of src
	tx   *bolt.Tx
	size int64
}

func (c *copier) begin() error {
	tx, err := c.dst.Begin(true)
	c.tx, c.size = tx, 0
	return err
}

// target is the bucket at path in the copy's open transaction, made if
// missing (with seq).
func (c *copier) target(path [][]byte, seq uint64) (*bolt.Bucket, error) {
	b, err := c.tx.CreateBucketIfNotExists(path[0])
	for _, name := range path[1:] {
		if err != nil {
			break
		}
		b, err = b.CreateBucketIfNotExists(name)
	}
	if err != nil {
		return nil, err
	}
	b.FillPercent = 1.0
	return b, b.SetSequence(seq)
}

// bucket copies the bucket src at path.
func (c *copier) bucket(path [][]byte, src *bolt.Bucket) error {
	dst, err := c.target(path, src.Sequence())
	if err != nil {
		return err
	}
	cur := src.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if v == nil { // a nested bucket
			sub := append(append([][]byte(nil), path...), k)
			if err := c.bucket(sub, src.Bucket(k)); err != nil {
				return err
			}
			if dst, err = c.target(path, src.Sequence()); err != nil {
				return err
			}
			continue
		}
		if c.size += int64(len(k) + len(v)); c.size > compactTxSize {
			if err := c.tx.Commit(); err != nil {
				return err
			}
			// The values put are written: src's pages can go (a failure
			// costs memory, not data).
			_ = unmapPages(c.src.Info().Data, uintptr(c.stx.Size()))
			if err := c.ctx.Err(); err != nil {
				return err
			}
			if err := c.begin(); err != nil {
				return err
			}
			if dst, err = c.target(path, src.Sequence()); err != nil {
				return err
			}
		}
		if err := dst.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

// RawInside reports whether documents are still inside the file (a store of
// an older nianbao that MoveRaw has not moved yet).
func (s *Store) RawInside() (bool, error) {
	inside := false
	err := s.view(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketRaw); raw != nil {
			inside = !isEmpty(raw)
		}
		return nil
	})
	return inside, err
}
