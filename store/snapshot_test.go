package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nianbao/nianbao/report"
)

// A store held by a writer (a crawl) is read through the copy the writer
// publishes: a reader asking for it gets that copy as of the snapshot, one
// that does not gets ErrLocked; the copy goes when the writer drops it.
func TestReadersReadThePublishedCopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.db")
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	put := func(u string) {
		t.Helper()
		rec := report.New()
		rec.Title = "某县2023年政府信息公开工作年度报告"
		c := &Capture{URL: u, FetchedAt: time.Now().UTC(), Origin: "fetch", Status: 200}
		if err := w.Put(c, []byte(u), &Entry{ReportID: ReportID(u, ""), Record: rec}); err != nil {
			t.Fatal(err)
		}
	}
	records := func(s *Store) int {
		t.Helper()
		st, err := s.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st.Records
	}
	if _, err := Open(path, Options{ReadOnly: true, Snapshot: true}); !errors.Is(err, ErrLocked) {
		t.Fatalf("no copy published yet: %v, want ErrLocked", err)
	}
	put("http://www.example.gov.cn/a.html")
	if _, err := w.Snapshot(); err != nil {
		t.Fatal(err)
	}
	put("http://www.example.gov.cn/b.html") // after the snapshot
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrLocked) {
		t.Fatalf("a reader that does not ask for the copy: %v, want ErrLocked", err)
	}
	r, err := Open(path, Options{ReadOnly: true, Snapshot: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Snapshotted().IsZero() || records(r) != 1 {
		t.Errorf("the copy: published %v, %d records, want 1", r.Snapshotted(), records(r))
	}
	// A new copy replaces the old under the reader, which keeps its own.
	if _, err := w.Snapshot(); err != nil {
		t.Fatal(err)
	}
	if records(r) != 1 {
		t.Errorf("the open copy changed under its reader")
	}
	r.Close()
	r2, err := Open(path, Options{ReadOnly: true, Snapshot: true})
	if err != nil {
		t.Fatal(err)
	}
	if records(r2) != 2 {
		t.Errorf("the new copy has %d records, want 2", records(r2))
	}
	r2.Close()
	parts, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.part"))
	if len(parts) > 0 {
		t.Errorf("temporary files left: %v", parts)
	}
	if err := w.DropSnapshot(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(SnapshotPath(path)); !os.IsNotExist(err) {
		t.Errorf("the copy outlived DropSnapshot: %v", err)
	}
}
