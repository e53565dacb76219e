package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/store"
)

// schema3Store writes a store as nianbao wrote it before schema 4: n
// documents of size bytes (which do not compress, as PDFs do not) inside the
// file, each named by a capture. It returns their hashes.
func schema3Store(t *testing.T, path string, n, size int) []string {
	t.Helper()
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(7, 11))
	var shas []string
	err = db.Update(func(tx *bolt.Tx) error {
		raw, err := tx.CreateBucket([]byte("raw"))
		if err != nil {
			return err
		}
		caps := tx.Bucket([]byte("captures"))
		for i := range n {
			body := make([]byte, size)
			for j := range body {
				body[j] = byte(r.Uint32())
			}
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
			zw.Write(body)
			zw.Close()
			sha := store.SHA256(body)
			shas = append(shas, sha)
			if err := raw.Put([]byte(sha), z.Bytes()); err != nil {
				return err
			}
			id, _ := caps.NextSequence()
			c, _ := json.Marshal(&store.Capture{ID: id, Name: fmt.Sprintf("%d.pdf", i), Size: size, SHA256: sha, Origin: "import", FetchedAt: time.Unix(1700000000, 0).UTC()})
			if err := caps.Put(binary.BigEndian.AppendUint64(nil, id), c); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte("3"))
	})
	if err != nil {
		t.Fatal(err)
	}
	return shas
}

// An older store's documents move beside it with migrate: verify passes, the
// file is compacted, and a second migrate has nothing to do.
func TestMigrateCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "old.db")
	shas := schema3Store(t, db, 300, 16<<10)
	if _, _, err := run(t, "", "--db", db, "verify"); err == nil || !strings.Contains(err.Error(), "schema version 3") {
		t.Fatalf("verify of an old store: %v", err)
	}
	out, errOut, err := run(t, "", "--db", db, "migrate")
	if err != nil {
		t.Fatalf("migrate: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(errOut, "migrate: 300 of 300 document(s) moved") || !strings.Contains(out, "300 document(s) moved") || !strings.Contains(out, "compacted") {
		t.Fatalf("migrate said:\n%s%s", out, errOut)
	}
	if out, _, err = run(t, "", "--db", db, "verify"); err != nil || !strings.Contains(out, "300 document(s) checked, 0 bad") {
		t.Fatalf("verify after migrate: %v\n%s", err, out)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 1<<20 {
		t.Errorf("the file is %d bytes after its 300 documents of 16 KB moved out", fi.Size())
	}
	for _, sha := range shas[:3] {
		if _, err := os.Stat(filepath.Join(store.BlobsPath(db), sha[:2], sha+".gz")); err != nil {
			t.Error(err)
		}
	}
	if out, _, err = run(t, "", "--db", db, "migrate"); err != nil || !strings.Contains(out, "0 document(s) moved") {
		t.Fatalf("a second migrate: %v\n%s", err, out)
	}
}

// verify names a damaged document's file and fails; --repair removes an
// orphan and never a named document.
func TestVerifyNamesDamageAndRepairs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nianbao.db")
	if _, _, err := run(t, "", "--db", db, "import", seed000); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var named string
	st.Captures(func(c *store.Capture) error { named = c.SHA256; return nil })
	st.Close()
	file := filepath.Join(store.BlobsPath(db), named[:2], named+".gz")
	orphan := store.SHA256([]byte("an orphan"))
	ofile := filepath.Join(store.BlobsPath(db), orphan[:2], orphan+".gz")
	os.MkdirAll(filepath.Dir(ofile), 0o755)
	if err := os.WriteFile(ofile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "", "--db", db, "verify")
	if err != nil || !strings.Contains(out, "1 orphan document(s)") {
		t.Fatalf("verify with an orphan: %v\n%s", err, out)
	}
	z, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, z[:len(z)-9], 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, "", "--db", db, "verify", "--repair")
	if err == nil || !strings.Contains(out, "BAD "+named) || !strings.Contains(out, file) || !strings.Contains(out, "removed 1 orphan") {
		t.Fatalf("verify --repair with a cut document: %v\n%s", err, out)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the repair removed a named document: %v", err)
	}
	if _, err := os.Stat(ofile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the orphan is still there: %v", err)
	}
}

// TestKilledMigrationResumes kills migrate at random points (mid-batch,
// between batches, during the compaction) and runs it again: after every
// kill every document is readable and hashes right, and the last run leaves
// them all beside the file, none inside, and no orphan.
func TestKilledMigrationResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	db := filepath.Join(t.TempDir(), "old.db")
	const n = 1500
	schema3Store(t, db, n, 8<<10)
	// run starts migrate and kills it after its k-th progress line and a
	// random moment; k 0 lets it finish. It reports whether the kill came
	// before the process ended.
	run := func(k int) bool {
		cmd := exec.Command(os.Args[0], "-test.run=^$", "--db", db, "migrate")
		cmd.Env = append(os.Environ(), "NIANBAO_MAIN=1")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		lines := 0
		for k > 0 && sc.Scan() {
			if strings.Contains(sc.Text(), "document(s) moved") {
				if lines++; lines == k {
					time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		for sc.Scan() {
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if k == 0 && err != nil {
			t.Fatalf("the last, uninterrupted migrate failed: %v", err)
		}
		return errors.As(err, &ee) && !ee.Exited()
	}
	check := func(round int) int {
		st, err := store.Open(db, store.Options{LockTimeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("round %d: store unreadable after a kill: %v", round, err)
		}
		defer st.Close()
		res, err := corpus.Verify(context.Background(), st, nil, nil)
		if err != nil || res.Checked != n || len(res.Bad) > 0 || res.Orphans > 0 {
			t.Fatalf("round %d: %d checked of %d, %d orphans, bad %v, %v", round, res.Checked, n, res.Orphans, res.Bad, err)
		}
		inside, err := st.InFile()
		if err != nil {
			t.Fatal(err)
		}
		return inside
	}
	if !run(1) {
		t.Fatal("the first migrate ended before its kill: the test would prove nothing")
	}
	inside := check(0)
	if inside == 0 || inside == n {
		t.Fatalf("after a kill past the first batch: %d of %d inside", inside, n)
	}
	// Each later run is killed after one of the progress lines it will print
	// (the last one: in its compaction, or after it).
	for round := 1; round <= 3 && inside > 0; round++ {
		killed := run(1 + rand.IntN((inside+255)/256))
		inside = check(round)
		t.Logf("round %d: killed %v, %d inside", round, killed, inside)
	}
	run(0)
	if inside := check(4); inside != 0 {
		t.Fatalf("%d documents still inside after the last migrate", inside)
	}
	if _, err := os.Stat(db + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the compaction's temporary file is left: %v", err)
	}
}
