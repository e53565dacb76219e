package corpus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

// seedCopies writes n copies of a real seed report (each made distinct by a
// trailing line) and one file that is no document at all.
func seedCopies(t *testing.T, n int) (dir string, names []string) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", "000_594cca86a0db9b9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("r%03d.txt", i))
		if err := os.WriteFile(name, append(append([]byte{}, text...), fmt.Sprintf("\n副本 %d\n", i)...), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return dir, names
}

// testStore opens a new store and an extractor, closed with the test.
func testStore(t *testing.T) (*store.Store, *extract.Extractor) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "n.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ex, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return st, ex
}

func captures(t *testing.T, st *store.Store) int {
	t.Helper()
	n := 0
	if err := st.Captures(func(*store.Capture) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// Documents are stored in groups; every group, the last partial one
// included, reaches the store, and each record is the document's own.
func TestImportStoresEveryGroup(t *testing.T) {
	n := groupFiles*2 + 5
	dir, _ := seedCopies(t, n)
	st, ex := testStore(t)
	res, err := Import(context.Background(), st, ex, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != n || res.Records != n || len(res.Errors) != 0 {
		t.Fatalf("import: %+v, want %d documents and records", res, n)
	}
	if got := captures(t, st); got != n {
		t.Fatalf("%d captures stored, want %d", got, n)
	}
	seen := map[string]bool{}
	err = st.Entries(func(e *store.Entry) error {
		if e.Record.Organisation == "" || len(e.Sources) != 1 {
			return fmt.Errorf("record %s: organisation %q, %d sources", e.ReportID, e.Record.Organisation, len(e.Sources))
		}
		seen[e.Sources[0].SHA256] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("%d distinct documents behind the records, want %d", len(seen), n)
	}
}

// An import cancelled part way keeps every document it had read: the group
// in hand is stored before it returns.
func TestImportCancelledKeepsWhatWasRead(t *testing.T) {
	dir, _ := seedCopies(t, groupFiles+10)
	st, ex := testStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopAt := 7
	res, err := Import(ctx, st, ex, []string{dir}, func(done, total int, name string, err error) {
		if done == stopAt {
			cancel()
		}
	})
	if err == nil || !strings.Contains(err.Error(), "stopped after 7") {
		t.Fatalf("err = %v, want the import stopped after 7 files", err)
	}
	if res.Records != stopAt {
		t.Fatalf("%d records counted, want %d", res.Records, stopAt)
	}
	if got := captures(t, st); got != stopAt {
		t.Fatalf("%d captures stored, want %d", got, stopAt)
	}
}

// Importing a folder again adds nothing for the files whose names and bytes
// the store already holds; a changed file is a new capture.
func TestReimportAddsNothing(t *testing.T) {
	dir, names := seedCopies(t, 5)
	st, ex := testStore(t)
	if _, err := Import(context.Background(), st, ex, []string{dir}, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(names[0], []byte("某县2023年政府信息公开工作年度报告\n一、总体情况\n改过了。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Import(context.Background(), st, ex, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 4 || res.Records+res.Failed != 1 {
		t.Fatalf("re-import: %+v, want 4 unchanged and the changed file stored", res)
	}
	if got := captures(t, st); got != 6 {
		t.Fatalf("%d captures after the re-import, want 6", got)
	}
}

// An import, a re-import and a re-extraction leave the store's indexes in
// agreement with what they index (each writes them in its transactions).
func TestImportAndReextractKeepTheIndexes(t *testing.T) {
	dir, _ := seedCopies(t, 7)
	st, ex := testStore(t)
	for range 2 {
		if _, err := Import(context.Background(), st, ex, []string{dir}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Reextract(context.Background(), st, ex, nil); err != nil {
		t.Fatal(err)
	}
	if !st.Indexed() {
		t.Fatal("the store is not indexed")
	}
	if err := st.CheckIndexes(); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := st.Facts(func(f *store.Fact) error { n++; return nil }); err != nil || n != 7 {
		t.Fatalf("%d facts rows (%v), want 7", n, err)
	}
}

// An import keeps in memory only the files it has read and not committed:
// once a group is stored, the store's index answers whether a file was
// imported (before, an import of 10⁶ files held every name and hash).
func TestImportForgetsCommittedFiles(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "n.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := &group{st: st, res: &Result{}}
	n := 3*groupFiles + 7
	job := func(i int) *importJob {
		body := []byte(fmt.Sprintf("第%d份文件：不是年度报告。", i))
		return &importJob{name: fmt.Sprintf("f%03d.txt", i), body: body, sha: store.SHA256(body), exErr: errors.New("not a report")}
	}
	for i := range n {
		j := job(i)
		if seen, err := g.seen(j.name, j.sha); err != nil || seen {
			t.Fatalf("file %d seen before it was read (%v)", i, err)
		}
		g.reading(j.name, j.sha)
		if seen, _ := g.seen(j.name, j.sha); !seen {
			t.Fatalf("a second copy of file %d in this import is not seen", i)
		}
		_ = g.keep(j) // stored without a record
		if len(g.known) > groupFiles {
			t.Fatalf("after %d files the import holds %d in memory, more than a group", i+1, len(g.known))
		}
	}
	if err := g.flush(); err != nil {
		t.Fatal(err)
	}
	if len(g.known) != 0 {
		t.Errorf("after the last group %d files are held in memory", len(g.known))
	}
	for i := range n {
		if j := job(i); !mustSeen(t, g, j.name, j.sha) {
			t.Fatalf("file %d, stored, is not seen as imported", i)
		}
	}
}

func mustSeen(t *testing.T, g *group, name, sha string) bool {
	t.Helper()
	seen, err := g.seen(name, sha)
	if err != nil {
		t.Fatal(err)
	}
	return seen
}
