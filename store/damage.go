package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// A store file can be damaged: cut short by a full disk or a bad copy,
// overwritten in the middle, emptied, or not a store at all. bbolt trusts
// the file it maps: it panics on a page it cannot read, and a read past the
// end of a file shorter than its pages say dies of SIGBUS. So the file is
// checked before bbolt maps it (its meta pages, and its size against the
// pages they say it holds, bbolt's high-water mark), and every transaction
// runs under a guard that turns bbolt's panics and faults on mapped memory
// into ErrDamaged naming the file. A damaged file is never opened for
// writing, so an import never adds to it.

// ErrDamaged is returned for a store file that cannot be read as a store.
var ErrDamaged = errors.New("the store file is damaged")

// damaged is the error of a damaged store file: what was found and what to do.
func damaged(path, what string) error {
	return fmt.Errorf("store %s: %w: %s. nianbao does not write to a damaged store: keep the file aside and restore the store from a backup "+
		"(or from %s, the copy a crawl publishes, if it is there); a store that opens but holds bad documents is checked with `nianbao verify`",
		path, ErrDamaged, what, SnapshotPath(path))
}

// The layout of a bbolt meta page (go.etcd.io/bbolt/internal/common, v1.4
// and v1.5): a 16-byte page header, then magic, version, page size and
// flags (4 bytes each), the root bucket (its page and sequence), the
// freelist's page, the high-water mark (the first page id past the file's
// pages), the transaction id and an FNV-64a checksum of the fields before
// it, all in the machine's byte order.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	metaAt         = 16
	metaSumAt      = metaAt + 56
	metaLen        = metaSumAt + 8
	noFreelist     = ^uint64(0)
	pageHeaderSize = 16
)

// meta is what a valid meta page says.
type meta struct {
	pageSize             uint64
	root, freelist, pgid uint64
	txid                 uint64
}

// parseMeta reads a meta page; false when it is not a valid one.
func parseMeta(b []byte) (meta, bool) {
	if len(b) < metaLen {
		return meta{}, false
	}
	e := binary.NativeEndian
	h := fnv.New64a()
	h.Write(b[metaAt:metaSumAt])
	if e.Uint32(b[metaAt:]) != boltMagic || e.Uint32(b[metaAt+4:]) != boltVersion || e.Uint64(b[metaSumAt:]) != h.Sum64() {
		return meta{}, false
	}
	return meta{pageSize: uint64(e.Uint32(b[metaAt+8:])), root: e.Uint64(b[metaAt+16:]),
		freelist: e.Uint64(b[metaAt+32:]), pgid: e.Uint64(b[metaAt+40:]), txid: e.Uint64(b[metaAt+48:])}, true
}

// checkFile checks a store file before bbolt maps it: nil when the file
// does not exist (a new store), ErrDamaged when it cannot be a whole store.
// It reads the file without its lock, so a writer may commit meanwhile: a
// page that is not what the header says is damage only if the header is
// still the same once the page is read (a commit reuses no page the latest
// header names, only pages it freed before); else the reading starts again.
func checkFile(path string) error {
	for i := 0; ; i++ {
		stale, err := checkFileOnce(path)
		if !stale || i == 100 {
			return err
		}
	}
}

// checkFileOnce is one reading of checkFile's; stale when a commit came
// between the header and the pages it names.
func checkFileOnce(path string) (stale bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("opening store %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("opening store %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return false, damaged(path, "it is not a regular file")
	}
	if fi.Size() == 0 {
		return false, damaged(path, "it is empty (0 bytes)")
	}
	m, err := newestMeta(f, uint64(fi.Size()))
	if err != nil {
		return false, damaged(path, err.Error())
	}
	if fi, err = f.Stat(); err != nil { // after the header: a writer only ever grows the file
		return false, fmt.Errorf("opening store %s: %w", path, err)
	}
	if err := checkPages(f, m, uint64(fi.Size())); err != nil {
		again, aerr := newestMeta(f, uint64(fi.Size()))
		return aerr == nil && again.txid != m.txid, damaged(path, err.Error())
	}
	return false, nil
}

// checkPages checks what the header m says against the file of size bytes:
// its pages fit in it, and its root and freelist pages are what it says.
func checkPages(f *os.File, m meta, size uint64) error {
	if need := m.pgid * m.pageSize; size < need {
		return fmt.Errorf("it is cut short: %d bytes, and its header says its pages fill %d", size, need)
	}
	if m.root >= m.pgid || (m.freelist != noFreelist && m.freelist >= m.pgid) {
		return fmt.Errorf("its header names pages past its end (root %d, freelist %d, %d pages)", m.root, m.freelist, m.pgid)
	}
	if err := checkPage(f, m, m.root, 0x01|0x02, "root"); err != nil { // a branch or a leaf
		return err
	}
	if m.freelist != noFreelist {
		return checkPage(f, m, m.freelist, 0x10, "freelist")
	}
	return nil
}

// newestMeta is the meta page bbolt will use: of the two, the valid one
// with the later transaction.
func newestMeta(f *os.File, size uint64) (meta, error) {
	buf := make([]byte, 4096)
	var metas []meta
	if n, _ := f.ReadAt(buf, 0); n >= metaLen {
		if m, ok := parseMeta(buf[:n]); ok {
			metas = append(metas, m)
		}
	}
	sizes := []uint64{}
	if len(metas) == 1 {
		sizes = append(sizes, metas[0].pageSize)
	} else {
		for i := range 15 { // the page sizes bbolt tries: 1 KB to 16 MB
			sizes = append(sizes, 1024<<i)
		}
	}
	for _, ps := range sizes {
		if ps+metaLen > size {
			break
		}
		if n, _ := f.ReadAt(buf, int64(ps)); n >= metaLen {
			if m, ok := parseMeta(buf[:n]); ok && m.pageSize == ps {
				metas = append(metas, m)
				break
			}
		}
	}
	if len(metas) == 0 {
		return meta{}, errors.New("it has no valid bbolt header: it is not a store, or its first pages were overwritten")
	}
	best := metas[0]
	for _, m := range metas[1:] {
		if m.txid > best.txid {
			best = m
		}
	}
	if best.pageSize < 512 || best.pageSize > 1<<24 || best.pageSize&(best.pageSize-1) != 0 {
		return meta{}, fmt.Errorf("its header gives a page size of %d bytes", best.pageSize)
	}
	return best, nil
}

// checkPage checks that page id starts with its own id and one of flags.
func checkPage(f *os.File, m meta, id uint64, flags uint16, what string) error {
	var h [pageHeaderSize]byte
	if _, err := f.ReadAt(h[:], int64(id*m.pageSize)); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("its %s page %d cannot be read: %v", what, id, err)
	}
	e := binary.NativeEndian
	if e.Uint64(h[:]) != id || e.Uint16(h[8:])&flags == 0 {
		return fmt.Errorf("its %s page %d is not one (overwritten)", what, id)
	}
	return nil
}

// guard runs fn, turning a panic of bbolt's and a fault on the store's
// mapped memory into ErrDamaged; any other panic is not the file's and
// goes on.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, fault := r.(interface{ Addr() uintptr }); !fault && !fromBolt() {
			panic(r)
		}
		err = damaged(path, fmt.Sprintf("reading it failed (%v)", r))
	}()
	return fn()
}

// fromBolt reports whether the panic being recovered was raised in bbolt:
// the innermost frame outside the runtime is bbolt's.
func fromBolt() bool {
	pc := make([]uintptr, 64)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// view runs a read transaction under guard.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.noteDamage(guard(s.path, func() error { return s.db.View(fn) }))
}

// noteDamage keeps the first ErrDamaged a transaction met, after which the
// store takes no more writes (see update), and returns err.
func (s *Store) noteDamage(err error) error {
	if errors.Is(err, ErrDamaged) {
		s.damage.CompareAndSwap(nil, &err)
	}
	return err
}

// damaged is the damage a transaction met, if any.
func (s *Store) damaged() error {
	if p := s.damage.Load(); p != nil {
		return *p
	}
	return nil
}

// openBolt opens a checked store file with bbolt under guard. When bbolt
// panics half-way, the file it opened and the lock it took are let go (what
// it had mapped stays mapped: address space, not memory).
func openBolt(path string, bo *bolt.Options) (*bolt.DB, error) {
	for tries := 0; ; tries++ {
		db, file, err := openBoltOnce(path, bo)
		if err != nil || tries == 2 || !replaced(path, file) {
			return db, err
		}
		// Compact renamed a new file over path while this open waited for
		// the old one's lock: what is written to the old one would be lost.
		db.Close()
	}
}

// replaced reports whether path no longer names the open file.
func replaced(path string, file *os.File) bool {
	if file == nil {
		return false
	}
	now, err := os.Stat(path)
	if err != nil {
		return false
	}
	was, err := file.Stat()
	return err == nil && !os.SameFile(now, was)
}

// openBoltOnce opens the file with bbolt and returns the file it opened.
func openBoltOnce(path string, bo *bolt.Options) (*bolt.DB, *os.File, error) {
	var file *os.File
	bo.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o644, bo)
		return err
	})
	if errors.Is(err, ErrDamaged) && file != nil {
		unlock(file)
		file.Close()
	}
	return db, file, err
}
