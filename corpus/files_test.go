package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/nianbao/nianbao/store"
)

// A folder given through a symbolic link is read, and so are the links
// inside it, to files and to folders; a link back up the tree is named and
// not followed twice, so the walk ends.
func TestImportFollowsLinksOnce(t *testing.T) {
	dir, names := seedCopies(t, 3)
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(names[2], filepath.Join(sub, "r002.txt")); err != nil {
		t.Fatal(err)
	}
	links := t.TempDir()
	for _, l := range []struct{ from, to string }{
		{filepath.Join(links, "reports"), dir},       // the folder imported
		{filepath.Join(sub, "up"), dir},              // a loop
		{filepath.Join(sub, "again"), sub},           // a loop onto itself
		{filepath.Join(dir, "linked.txt"), names[0]}, // a link to a file
		{filepath.Join(dir, "nowhere.txt"), filepath.Join(dir, "gone")},
	} {
		if err := os.Symlink(l.to, l.from); err != nil {
			t.Fatal(err)
		}
	}
	st, ex := testStore(t)
	res, err := Import(context.Background(), st, ex, []string{filepath.Join(links, "reports")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 4 || res.Records != 4 || res.Unchanged != 0 {
		t.Errorf("%d documents, %d records, %d unchanged; want 4 (3 files and a link to one)", res.Documents, res.Records, res.Unchanged)
	}
	said := errorsText(res.Errors)
	for _, want := range []string{"up: leads to the folder", "again: leads to the folder", "nowhere.txt: a symbolic link that leads nowhere"} {
		if !strings.Contains(said, want) {
			t.Errorf("errors %q do not say %q", said, want)
		}
	}
}

// A named pipe and a device, inside a folder, through a link or named
// alone, are refused by name and never opened: a pipe's writer waiting for
// a reader is never met.
func TestImportRefusesWhatIsNotAFile(t *testing.T) {
	dir, _ := seedCopies(t, 1)
	fifo := filepath.Join(dir, "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if err := os.Symlink(os.DevNull, filepath.Join(dir, "null.txt")); err != nil {
		t.Fatal(err)
	}
	var opened atomic.Bool
	writer := make(chan struct{})
	go func() { // blocks until someone opens the pipe for reading
		defer close(writer)
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		opened.Store(true)
		f.Close()
	}()
	st, ex := testStore(t)
	res, err := Import(context.Background(), st, ex, []string{dir, fifo, os.DevNull}, nil)
	wasOpened := opened.Load()
	// Release the writer: open the pipe's reading end without blocking.
	if r, oerr := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); oerr == nil {
		<-writer
		r.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if wasOpened {
		t.Error("the import opened the named pipe for reading")
	}
	if res.Documents != 1 || res.Records != 1 {
		t.Errorf("%d documents, %d records; want the seed copy only", res.Documents, res.Records)
	}
	said := errorsText(res.Errors)
	for _, want := range []string{"pipe.txt: a named pipe (FIFO), not a regular file", "null.txt: a character device", os.DevNull + ": a character device"} {
		if !strings.Contains(said, want) {
			t.Errorf("errors %q do not say %q", said, want)
		}
	}
	if strings.Count(said, "pipe.txt: a named pipe") != 2 {
		t.Errorf("the pipe, in its folder and named alone, is not refused twice: %q", said)
	}
}

// A store that will not take a group fails the import with its error, and
// no more files are read; it is not one "unreadable" file among others.
func TestImportFailsWhenTheStoreRefuses(t *testing.T) {
	dir, _ := seedCopies(t, 3)
	path := filepath.Join(t.TempDir(), "n.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := store.Open(path, store.Options{ReadOnly: true}) // a store whose writes fail
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	_, ex := testStore(t)
	res, err := Import(context.Background(), ro, ex, []string{dir}, nil)
	if err == nil || !strings.Contains(err.Error(), "could not take") || !strings.Contains(err.Error(), path) {
		t.Fatalf("import into a store that refuses writes: %v (%d errors: %v)", err, len(res.Errors), res.Errors)
	}
	if res.Records != 0 {
		t.Errorf("%d records counted as stored", res.Records)
	}
}

func errorsText(errs []error) string {
	if err := errors.Join(errs...); err != nil {
		return err.Error()
	}
	return ""
}
