package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/report"
)

// docs makes n documents that do not compress (as PDFs do not).
func docs(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		b := make([]byte, size)
		x := uint64(i)*0x9e3779b97f4a7c15 + 1
		for j := range b {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			b[j] = byte(x)
		}
		out[i] = b
	}
	return out
}

func putDocs(t testing.TB, s *Store, bodies [][]byte) []*Capture {
	t.Helper()
	var caps []*Capture
	var items []Item
	for i, b := range bodies {
		c := &Capture{Name: fmt.Sprintf("doc%d.pdf", i), Origin: "import", FetchedAt: time.Unix(1700000000, 0).UTC()}
		caps = append(caps, c)
		items = append(items, Item{Capture: c, Body: b})
	}
	if err := s.PutAll(items); err != nil {
		t.Fatal(err)
	}
	return caps
}

// A new store keeps its documents beside the file, one gzip file each under
// FILE.blobs/ab/, and nothing of them inside it.
func TestDocumentsBesideTheFile(t *testing.T) {
	s := openTemp(t)
	bodies := docs(3, 200<<10)
	caps := putDocs(t, s, bodies)
	for i, c := range caps {
		f := filepath.Join(BlobsPath(s.Path()), c.SHA256[:2], c.SHA256+".gz")
		z, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(zr); err != nil || !bytes.Equal(b.Bytes(), bodies[i]) {
			t.Fatalf("%s is not the document gzipped (%v)", f, err)
		}
		if got, err := s.Raw(c.SHA256); err != nil || !bytes.Equal(got, bodies[i]) {
			t.Fatalf("Raw %d: %v", i, err)
		}
	}
	if inside, err := s.RawInside(); inside || err != nil {
		t.Fatalf("documents inside the file: %v %v", inside, err)
	}
	var used int64 // the file's pages in use (a writer's file grows ahead of them)
	s.view(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	if used > 100<<10 {
		t.Fatalf("the file uses %d bytes for 3 documents of 200 KB kept beside it", used)
	}
}

// makeSchema3 turns a new store's file into the layout schema 3 wrote: its
// documents inside the file (the raw bucket), none beside it.
func makeSchema3(t testing.TB, path string) {
	t.Helper()
	dir := BlobsPath(path)
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		raw, err := tx.CreateBucket(bucketRaw)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, []byte("3")); err != nil {
			return err
		}
		return tx.Bucket(bucketCaptures).ForEach(func(_, v []byte) error {
			sha, err := captureSHA(v)
			if err != nil {
				return err
			}
			z, err := os.ReadFile(filepath.Join(dir, sha[:2], sha+".gz"))
			if err != nil {
				return err
			}
			return raw.Put([]byte(sha), z)
		})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}

// A schema 3 store opened for writing reads its documents from inside the
// file and keeps new ones beside it; MoveRaw moves the old ones out (a
// document that no longer hashes to its key stays, listed), and Compact
// shrinks the file.
func TestMoveRawFromSchema3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bodies := docs(40, 64<<10)
	caps := putDocs(t, s, bodies)
	s.Close()
	makeSchema3(t, path)
	// One document inside is damaged: its bytes are another document's.
	bad := caps[7].SHA256
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRaw).Put([]byte(bad), tx.Bucket(bucketRaw).Get([]byte(caps[8].SHA256)))
	})
	db.Close()
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "schema version 3") {
		t.Fatalf("a reader of a schema 3 store: %v", err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	if v, _ := s.Version(); v != SchemaVersion {
		t.Fatalf("version %d", v)
	}
	if got, err := s.Raw(caps[0].SHA256); err != nil || !bytes.Equal(got, bodies[0]) {
		t.Fatalf("a document inside the old file: %v", err)
	}
	newer := putDocs(t, s, docs(41, 64<<10)[40:])[0]
	if ok, _ := s.blobs.Has(context.Background(), newer.SHA256); !ok {
		t.Fatal("a document stored after the upgrade is not beside the file")
	}
	var calls []int
	res, err := s.MoveRaw(context.Background(), func(moved, total int) {
		if total != 40 {
			t.Errorf("total %d, want 40", total)
		}
		calls = append(calls, moved)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 39 || res.Left != 1 || len(res.Kept) != 1 || !strings.Contains(res.Kept[0], bad) {
		t.Fatalf("move: %+v", res)
	}
	if len(calls) == 0 || calls[len(calls)-1] != 39 {
		t.Fatalf("progress %v", calls)
	}
	for i, c := range caps {
		got, err := s.Raw(c.SHA256)
		if c.SHA256 == bad {
			if err := s.Verify(bad, -1); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "inside "+path) {
				t.Errorf("the damaged document: %v", err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, bodies[i]) {
			t.Fatalf("document %d after the move: %v", i, err)
		}
		if ok, _ := s.blobs.Has(context.Background(), c.SHA256); !ok {
			t.Fatalf("document %d not beside the file", i)
		}
	}
	s.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Compact(cancelled, path, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled compaction: %v", err)
	}
	before, after, err := Compact(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if after >= before/4 {
		t.Fatalf("compacted from %d to %d bytes", before, after)
	}
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.InFile(); n != 1 || err != nil {
		t.Fatalf("after compaction %d inside (%v), want the damaged one", n, err)
	}
	if got, err := s.Raw(caps[3].SHA256); err != nil || !bytes.Equal(got, bodies[3]) {
		t.Fatalf("after compaction: %v", err)
	}
	// The buckets' sequences came along: the next capture follows the 41.
	if next := putDocs(t, s, docs(42, 1<<10)[41:])[0]; next.ID != 42 {
		t.Fatalf("the capture after compaction has id %d, want 42", next.ID)
	}
}

// A document beside the file that no capture names is an orphan: listed,
// and removed by a writer's sweep with the temporary files of killed writes;
// every document a capture names stays. A reader does not sweep.
func TestSweepOrphans(t *testing.T) {
	s := openTemp(t)
	caps := putDocs(t, s, docs(5, 4<<10))
	ctx := context.Background()
	orphan := docs(6, 4<<10)[5]
	osha := SHA256(orphan)
	if err := s.keepBody(ctx, osha, orphan); err != nil { // written, then killed before its commit
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(s.blobs.Where(osha)), "."+osha+".77.tmp")
	if err := os.WriteFile(tmp, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	var found []string
	if err := s.Orphans(ctx, func(sha, where string, _ int64) error { found = append(found, sha+" "+where); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || !strings.HasPrefix(found[0], osha+" "+BlobsPath(s.Path())) {
		t.Fatalf("orphans %v", found)
	}
	res, err := s.SweepOrphans(ctx)
	if err != nil || res.Orphans != 1 || res.Temps != 1 || res.Bytes == 0 {
		t.Fatalf("sweep %+v %v", res, err)
	}
	for _, c := range caps {
		if err := s.Verify(c.SHA256, c.Size); err != nil {
			t.Fatalf("a named document after the sweep: %v", err)
		}
	}
	if _, err := s.Raw(osha); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the orphan after the sweep: %v", err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the temporary file after the sweep: %v", err)
	}
	st, err := s.Stats()
	if err != nil || st.Documents != 5 || st.InFile != 0 || st.RawBytes < 5*4<<10 {
		t.Fatalf("stats %+v %v", st, err)
	}
	s.Close()
	r, err := Open(s.Path(), Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.SweepOrphans(ctx); err == nil {
		t.Fatal("a reader swept")
	}
}

// A document file cut short, or holding another document, is reported by
// Verify with its file's name; a missing one as not found.
func TestDamagedDocumentNamed(t *testing.T) {
	s := openTemp(t)
	caps := putDocs(t, s, docs(3, 8<<10))
	cut, swapped, gone := s.blobs.Where(caps[0].SHA256), s.blobs.Where(caps[1].SHA256), s.blobs.Where(caps[2].SHA256)
	z, err := os.ReadFile(cut)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, z[:len(z)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(gone)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(swapped, other, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(caps[0].SHA256, -1); err == nil || !strings.Contains(err.Error(), cut) {
		t.Errorf("a cut file: %v", err)
	}
	if err := s.Verify(caps[1].SHA256, -1); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), swapped) {
		t.Errorf("a file of other bytes: %v", err)
	}
	if err := s.Verify(caps[2].SHA256, -1); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), gone) {
		t.Errorf("a missing file: %v", err)
	}
}

// A file compacted while another open waited for its lock is opened anew:
// the waiting open gets the new file, not the old one renamed away.
func TestOpenAfterCompactGetsNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	putDocs(t, s, docs(2, 1<<10))
	s.Close()
	db, err := bolt.Open(path, 0o644, nil) // holds the lock as Compact would
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan error, 1)
	var w *Store
	go func() {
		var err error
		w, err = Open(path, Options{LockTimeout: time.Minute})
		opened <- err
	}()
	for opens(t, path) < 2 { // the open has the old file and waits for its lock
		time.Sleep(time.Millisecond)
	}
	tmp := path + ".new"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := <-opened; err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	putDocs(t, w, docs(3, 1<<10)[2:])
	w.Close()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if st, err := r.Stats(); err != nil || st.Captures != 3 {
		t.Fatalf("the write after the open: %+v %v (written to the file renamed away?)", st, err)
	}
}

// opens counts this process's open descriptors of the file at path.
func opens(t *testing.T, path string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && l == path {
			n++
		}
	}
	return n
}

// A compacted store keeps its indexes current (its readers use them, not a
// reading of every record) and takes the page size of a store made new.
func TestCompactKeepsIndexesCurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corpus.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var items []Item
	for i, b := range docs(30, 2<<10) {
		c := &Capture{Name: fmt.Sprintf("doc%d.txt", i), Origin: "import", FetchedAt: time.Unix(1700000000, 0).UTC()}
		rec := report.New()
		rec.Title = report.Text(fmt.Sprintf("某县人民政府%d年政府信息公开工作年度报告", 2000+i))
		items = append(items, Item{Capture: c, Body: b, Entry: &Entry{ReportID: fmt.Sprintf("r%02d", i), Record: rec, Extractor: "test"}})
	}
	if err := s.PutAll(items); err != nil {
		t.Fatal(err)
	}
	if !s.Indexed() {
		t.Fatal("a new store's indexes are not current")
	}
	s.Close()
	if _, _, err := Compact(context.Background(), path, time.Second); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Indexed() {
		t.Fatal("after compaction the indexes read as stale")
	}
	if ps := r.db.Info().PageSize; ps != pageSize {
		t.Errorf("the compacted file has %d-byte pages, want %d", ps, pageSize)
	}
	n := 0
	if err := r.FactRows(func(id, enc []byte) error { n++; return nil }); err != nil || n != 30 {
		t.Fatalf("facts after compaction: %d rows, %v", n, err)
	}
}
