package store

import (
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/report"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "corpus.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPutAndReadBack(t *testing.T) {
	s := openTemp(t)
	body := bytes.Repeat([]byte("一、总体情况\n"), 1000)
	rec := report.New()
	rec.Title = "测试2022年政府信息公开工作年度报告"
	c := &Capture{URL: "http://www.example.gov.cn/a.html", FetchedAt: time.Unix(1700000000, 0).UTC(), Origin: "fetch",
		Header: map[string][]string{"Content-Type": {"text/html; charset=gbk"}}, Status: 200}
	e := &Entry{ReportID: ReportID(c.URL, ""), Record: rec, Extractor: "test"}
	if err := s.Put(c, body, e); err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.SHA256 != SHA256(body) || c.Size != len(body) {
		t.Fatalf("capture not filled in: %+v", c)
	}
	got, err := s.Raw(c.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		t.Fatal("raw document changed on the way through the store")
	}
	back, err := s.Entry(e.ReportID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Record.Title != rec.Title || len(back.Sources) != 1 || back.Sources[0].SHA256 != c.SHA256 || back.Sources[0].CaptureID != c.ID {
		t.Fatalf("entry read back wrong: %+v", back)
	}
	// The same bytes stored again are one document, two captures.
	c2 := &Capture{URL: c.URL, FetchedAt: time.Now(), Origin: "fetch"}
	if err := s.Put(c2, body, nil); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents != 1 || st.Captures != 2 || st.Records != 1 {
		t.Fatalf("stats = %+v, want 1 document, 2 captures, 1 record", st)
	}
	if st.RawBytes >= int64(len(body)) {
		t.Fatalf("raw documents are not compressed: %d bytes for %d", st.RawBytes, len(body))
	}
	var caps []uint64
	if err := s.Captures(func(c *Capture) error { caps = append(caps, c.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 || caps[0] >= caps[1] {
		t.Fatalf("captures not in storage order: %v", caps)
	}
	one, err := s.Capture(c2.ID)
	if err != nil || one.ID != c2.ID || one.SHA256 != c.SHA256 || !one.FetchedAt.Equal(c2.FetchedAt) {
		t.Fatalf("Capture(%d) = %+v, %v", c2.ID, one, err)
	}
}

func TestMissing(t *testing.T) {
	s := openTemp(t)
	if _, err := s.Raw("00"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Raw of a missing document: %v", err)
	}
	if _, err := s.Entry("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Entry of a missing record: %v", err)
	}
	if _, err := s.Capture(42); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Capture of a missing capture: %v", err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corpus.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("second open waited far past its lock timeout")
	}
}

func TestMigratesVersionZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	// A file as the very first layout left it: no meta bucket, no other buckets.
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("raw"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Version()
	if err != nil || v != SchemaVersion {
		t.Fatalf("version after migration = %d, %v; want %d", v, err, SchemaVersion)
	}
	if err := s.Put(&Capture{Origin: "import"}, []byte("x"), nil); err != nil {
		t.Fatalf("the migrated store cannot take a document: %v", err)
	}
	s.Close()
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, []byte(strconv.Itoa(SchemaVersion+1)))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path, Options{}); err == nil {
		t.Fatal("a store from a newer nianbao was opened")
	}
}

func TestReportIDStable(t *testing.T) {
	a := ReportID("http://www.a.gov.cn/x.html", "abc")
	if a != ReportID("http://www.a.gov.cn/x.html", "def") || len(a) != 16 {
		t.Fatalf("report id from a URL depends on content or has the wrong length: %q", a)
	}
	sha := SHA256([]byte("doc"))
	if ReportID("", sha) != sha[:16] {
		t.Fatal("report id of a document without URL is not its content hash")
	}
}
