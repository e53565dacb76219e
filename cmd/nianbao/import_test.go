package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/store"
)

// init limits, when asked by the test below, the size of the files this
// binary may write (RLIMIT_FSIZE, in bytes): a disk that is full past the
// store's present size. Go ignores SIGXFSZ, so the write fails with EFBIG.
func init() {
	v := os.Getenv("NIANBAO_TEST_FSIZE")
	if v == "" {
		return
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err == nil {
		err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "limiting the file size:", err)
		os.Exit(3)
	}
}

// An import the disk cannot take fails with the storage error and a
// non-zero exit, not "N unreadable" and 0; the store stays readable.
func TestImportOnAFullDiskFails(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "nianbao.db")
	if _, _, err := run(t, "", "--db", db, "import", seed000); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(dir, "files")
	if err := os.Mkdir(files, 0o755); err != nil {
		t.Fatal(err)
	}
	// Bytes that do not compress, more than the room left: a document's
	// file beside the store would grow past the store file's present size.
	for i := range 2 {
		b := make([]byte, fi.Size()+64<<10)
		rand.Read(b)
		if err := os.WriteFile(filepath.Join(files, fmt.Sprintf("blob%d.bin", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--db", db, "import", files)
	cmd.Env = append(os.Environ(), "NIANBAO_MAIN=1", "NIANBAO_TEST_FSIZE="+strconv.FormatInt(fi.Size(), 10))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("import onto a full disk: %v, want exit status 1\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "could not take") || !strings.Contains(stderr.String(), "file too large") {
		t.Errorf("no error line names the storage failure:\n%s", stderr.String())
	}
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the store after a failed import: %v", err)
	}
	defer st.Close()
	s, err := st.Stats()
	if err != nil || s.Records != 1 {
		t.Errorf("the store after a failed import: %+v %v, want the one record from before", s, err)
	}
}

// A store file cut short is refused by every command, by name and with what
// to do, and an import adds nothing to it.
func TestDamagedStoreRefusedByCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "nianbao.db")
	if _, _, err := run(t, "", "--db", db, "import", seed000); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(db, 4*int64(pageSizeOf(t, db))); err != nil { // its meta, freelist and root pages only
		t.Fatal(err)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import", seed000}, {"stats"}, {"export", "--out", filepath.Join(dir, "out.csv")}, {"verify"}} {
		_, _, err := run(t, "", append([]string{"--db", db}, args...)...)
		if err == nil || !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), db) || !strings.Contains(err.Error(), "backup") {
			t.Errorf("%s on a store cut short: %v", args[0], err)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(after, before) {
		t.Error("the damaged store was written to")
	}
}

// A file name carrying terminal escapes is printed inert: the import's
// lines and its error show no control character.
func TestImportPrintsHostileNamesInert(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "报告\x1b]0;pwned\a\x1b[31m.bin")
	if err := os.WriteFile(name, []byte{0x00, 0x01, 0x02}, 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--db", filepath.Join(dir, "nianbao.db"), "import", "-v", dir)
	cmd.Env = append(os.Environ(), "NIANBAO_MAIN=1")
	out, _ := cmd.CombinedOutput()
	if strings.ContainsAny(string(out), "\x1b\a") {
		t.Errorf("escapes reached the terminal: %q", out)
	}
	if !strings.Contains(string(out), "报告\ufffd]0;pwned\ufffd\ufffd[31m.bin") {
		t.Errorf("the name is not shown: %q", out)
	}
}

// pageSizeOf is the page size of a store file.
func pageSizeOf(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Info().PageSize
}
