package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/report"
)

// filledStore writes a store of a few hundred documents that do not
// compress, closed, and returns its path, its bytes and how many of them its
// pages fill (bbolt's own count: the file is longer, room to grow).
func filledStore(t *testing.T) (string, []byte, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nianbao.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var items []Item
	for i := range 300 {
		body := make([]byte, 6000)
		for j := range body {
			body[j] = byte(r.Uint32())
		}
		items = append(items, Item{Capture: &Capture{Name: "f" + string(rune('a'+i%26)), FetchedAt: time.Unix(0, 0), Origin: "import"}, Body: body})
	}
	if err := st.PutAll(items); err != nil {
		t.Fatal(err)
	}
	var used int
	if err := st.db.View(func(tx *bolt.Tx) error { used = int(tx.Size()); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b, used
}

// readAll reads every document and capture of a store.
func readAll(st *Store) error {
	if err := st.Captures(func(c *Capture) error { _, err := st.Raw(c.SHA256); return err }); err != nil {
		return err
	}
	_, err := st.Stats()
	return err
}

// A store file cut short, emptied, not a store, or with its header
// overwritten is refused by name with what to do, for reading and for
// writing, and is not written to: a writer never adds to it.
func TestDamagedStoreIsRefusedAndNotWritten(t *testing.T) {
	path, whole, used := filledStore(t)
	noise := make([]byte, 8192)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	for _, c := range []struct {
		name string
		file []byte
		says string
	}{
		{"cut in half", whole[:used/2], "cut short"},
		{"its last page cut", whole[:used-4096], "cut short"},
		{"cut to its header", whole[:16384], "cut short"},
		{"empty", nil, "empty"},
		{"not a store", []byte(strings.Repeat("这不是数据库 not a database\n", 500)), "no valid bbolt header"},
		{"random bytes", noise, "no valid bbolt header"},
		{"header overwritten", append(append([]byte{}, noise...), whole[8192:]...), "no valid bbolt header"},
	} {
		if err := os.WriteFile(path, c.file, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{false, true} {
			st, err := Open(path, Options{ReadOnly: ro})
			if err == nil {
				st.Close()
				t.Errorf("%s, read-only %v: opened", c.name, ro)
				continue
			}
			msg := err.Error()
			if !errors.Is(err, ErrDamaged) || !strings.Contains(msg, path) || !strings.Contains(msg, c.says) || !strings.Contains(msg, "backup") {
				t.Errorf("%s, read-only %v: %v; want ErrDamaged naming the file, saying %q and what to do", c.name, ro, err, c.says)
			}
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, c.file) {
			t.Errorf("%s: the file was written to (%d bytes, was %d)", c.name, len(b), len(c.file))
		}
	}
}

// Pages overwritten in the middle of a store whose header is whole: reading
// it gives an error, never a panic.
func TestStoreDamagedInTheMiddleErrs(t *testing.T) {
	path, whole, used := filledStore(t)
	b := append([]byte{}, whole...)
	r := rand.New(rand.NewPCG(5, 6))
	for i := used / 10; i < used*8/10; i++ { // the root, written last, stays whole
		b[i] = byte(r.Uint32())
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{true, false} {
		st, err := Open(path, Options{ReadOnly: ro})
		if err != nil {
			t.Logf("read-only %v: refused at open: %v", ro, err)
			continue
		}
		err = readAll(st)
		st.Close()
		if err == nil {
			t.Errorf("read-only %v: every document read from a store overwritten in the middle", ro)
		}
		t.Logf("read-only %v: %v", ro, err)
	}
}

// A store file cut short while it is open (another process truncates it)
// makes a read fault on the mapped pages (SIGBUS): an error, not a crash,
// and a writer takes no write after it.
func TestStoreCutWhileOpenErrs(t *testing.T) {
	for _, ro := range []bool{true, false} {
		path, _, used := filledStore(t)
		st, err := Open(path, Options{ReadOnly: ro})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, int64(used/4)); err != nil {
			t.Fatal(err)
		}
		err = readAll(st)
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
			t.Errorf("read-only %v: reading a store cut short under it: %v, want ErrDamaged naming the file", ro, err)
		}
		if ro {
			st.Close()
			continue
		}
		err = st.Put(&Capture{Name: "late.txt", Origin: "import"}, []byte("一份迟到的报告"), nil)
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("a write after the damage was met: %v, want ErrDamaged", err)
		}
		st.Close()
		if fi, err := os.Stat(path); err != nil || fi.Size() != int64(used/4) {
			t.Errorf("the damaged file was written to: %v", fi.Size())
		}
	}
}

// A panic of the caller's own code inside a read is not the file's: it is
// not reported as damage.
func TestGuardLeavesOtherPanicsAlone(t *testing.T) {
	path, _, _ := filledStore(t)
	st, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	defer func() {
		if r := recover(); r != "mine" {
			t.Errorf("recovered %v, want the caller's own panic", r)
		}
	}()
	st.Captures(func(*Capture) error { panic("mine") })
	t.Error("the caller's panic was swallowed")
}

// A whole store that a writer commits to while it is checked is never taken
// for a damaged one: the check reads without the lock, so it must tell
// pages in passing from damage.
func TestCheckWhileAWriterCommits(t *testing.T) {
	path, _, _ := filledStore(t)
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	done := make(chan error, 1)
	go func() {
		for i := range 300 {
			r := report.New()
			r.Title = report.Text(strings.Repeat("报告", i))
			if err := st.PutEntries([]*Entry{{ReportID: fmt.Sprintf("%016x", i), Record: r}}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for checks := 0; ; checks++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d checks during 300 commits", checks)
			return
		default:
		}
		if err := checkFile(path); err != nil {
			t.Fatalf("check %d, while a writer commits: %v", checks, err)
		}
	}
}
