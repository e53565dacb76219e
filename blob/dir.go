package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nianbao/nianbao/atomicfile"
)

// Dir keeps objects as files under a root directory, sharded by the key's
// first two digits: ROOT/ab/abcd….gz, a gzip file that zcat reads. One level
// of 256 shards: a million documents are 4,000 files a directory (ext4
// indexes directories), and a shard's directory is made (and synced) once,
// not once for most of the first hundred thousand documents as 65,536 shards
// of two levels would be.
// A file is written under a temporary name in its directory (.abcd….*.tmp),
// synced, renamed to its key and its directory synced: a kill leaves at most a
// temporary file, never a part under the key.
type Dir struct {
	root string
	max  int64 // the largest object Get reads
	// made are the shard directories known to exist: a put into one of
	// them asks the file system nothing about it.
	made sync.Map
	seq  atomic.Uint64 // numbers this process's temporary files
}

// suffix ends every object's file name.
const suffix = ".gz"

// NewDir keeps objects under root, reading none larger than max bytes. The
// directory is made by the first Put; a reader of a store with no objects
// yet finds none.
func NewDir(root string, max int64) *Dir { return &Dir{root: root, max: max} }

// Root is the directory the objects are under.
func (d *Dir) Root() string { return d.root }

func (d *Dir) path(key string) string {
	return filepath.Join(d.root, key[:2], key+suffix)
}

// Where is the object's file.
func (d *Dir) Where(key string) string {
	if !ValidKey(key) {
		return d.root
	}
	return d.path(key)
}

// Put writes z under key (see Store.Put).
func (d *Dir) Put(ctx context.Context, key string, z []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	path := d.path(key)
	if _, err := os.Lstat(path); err == nil {
		return nil // the same content, written before
	}
	dir := filepath.Dir(path)
	if _, ok := d.made.Load(dir); !ok {
		if err := d.mkdirs(dir); err != nil {
			return fmt.Errorf("storing document %s: %w", key, err)
		}
		d.made.Store(dir, true)
	}
	// Named for this process and put: O_EXCL refuses a name in use, and the
	// mode is the object's from the start.
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d-%d.tmp", key, os.Getpid(), d.seq.Add(1)))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("storing document %s: %w", key, err)
	}
	_, err = f.Write(z)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = atomicfile.SyncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storing document %s in %s: %w", key, path, err)
	}
	return nil
}

// Prepare makes the root and its 256 shard directories when the root is
// not there yet (a new store), synced once: every later put finds its
// directory made. It costs a new store a few milliseconds once, instead of
// a directory made and synced within the puts of its first thousand
// documents. A root already there is left as it is.
func (d *Dir) Prepare() error {
	if _, err := os.Stat(d.root); err == nil {
		return nil
	}
	if err := d.mkdirs(d.root); err != nil {
		return fmt.Errorf("making the documents' folder %s: %w", d.root, err)
	}
	const digits = "0123456789abcdef"
	for i := range 256 {
		dir := filepath.Join(d.root, string([]byte{digits[i>>4], digits[i&15]}))
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("making the documents' folder %s: %w", dir, err)
		}
		d.made.Store(dir, true)
	}
	return atomicfile.SyncDir(d.root)
}

// mkdirs makes dir and the missing directories above it up to the root's
// parent, syncing each one's parent, so a new directory survives a power cut
// with the files renamed into it.
func (d *Dir) mkdirs(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	var missing []string
	for p := dir; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		if p == d.root || p == filepath.Dir(p) {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := atomicfile.SyncDir(filepath.Dir(missing[i])); err != nil {
			return err
		}
	}
	return nil
}

// Get reads the object under key, refusing one larger than the bound.
func (d *Dir) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := d.path(key)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("document %s (%s): %w", key, path, ErrNotFound)
		}
		return nil, fmt.Errorf("reading document %s: %w", key, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading %s: not a regular file", path)
	}
	if fi.Size() > d.max {
		return nil, fmt.Errorf("reading %s: %d bytes, more than the %d a stored document may take", path, fi.Size(), d.max)
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, d.max+1)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(buf.Len()) > d.max {
		return nil, fmt.Errorf("reading %s: grew past the %d bytes a stored document may take", path, d.max)
	}
	return buf.Bytes(), nil
}

// Has reports whether a file is under key.
func (d *Dir) Has(ctx context.Context, key string) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	_, err := os.Lstat(d.path(key))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("looking for document %s: %w", key, err)
}

// Delete removes the file under key.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing document %s: %w", key, err)
	}
	return nil
}

// Walk calls fn with every object under the root, shard by shard in order.
// Files that are not objects (temporary files, anything else) are skipped.
func (d *Dir) Walk(ctx context.Context, fn func(key string, size int64) error) error {
	return d.walk(ctx, func(name string, e fs.DirEntry) error {
		key, ok := strings.CutSuffix(e.Name(), suffix)
		if !ok || !ValidKey(key) || !e.Type().IsRegular() || d.path(key) != name {
			return nil
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed meanwhile
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		return fn(key, fi.Size())
	})
}

// RemoveTemps removes the temporary files writers killed before their rename
// left behind, and returns how many. Only for a caller that knows no writer
// is at work (it holds the store's write lock): a live writer's temporary
// file would be taken from under it.
func (d *Dir) RemoveTemps(ctx context.Context) (int, error) {
	n := 0
	err := d.walk(ctx, func(name string, e fs.DirEntry) error {
		if !strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".tmp") {
			return nil
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", name, err)
		}
		n++
		return nil
	})
	return n, err
}

// walk calls fn with every file one level of shards below the root.
func (d *Dir) walk(ctx context.Context, fn func(name string, e fs.DirEntry) error) error {
	shards, err := readDir(d.root)
	if err != nil {
		return err
	}
	for _, shard := range shards {
		if !shard.IsDir() || len(shard.Name()) != 2 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := filepath.Join(d.root, shard.Name())
		files, err := readDir(dir)
		if err != nil {
			return err
		}
		for _, e := range files {
			if err := fn(filepath.Join(dir, e.Name()), e); err != nil {
				return err
			}
		}
	}
	return nil
}

// readDir lists a directory in name order; a missing one is empty.
func readDir(dir string) ([]fs.DirEntry, error) {
	es, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	return es, nil
}
