package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func key(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Objects go in and come back whole, sharded under the root; a second Put
// keeps the first; Walk sees objects and not temporary files; Delete removes.
func TestDirRoundTrip(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "corpus.db.blobs")
	d := NewDir(root, 1<<20)
	a, b := []byte("document a"), []byte("document b")
	ka, kb := key(a), key(b)
	if ok, err := d.Has(ctx, ka); ok || err != nil {
		t.Fatalf("Has before any Put: %v %v", ok, err)
	}
	if _, err := d.Get(ctx, ka); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before any Put: %v", err)
	}
	for _, p := range [][]byte{a, b} {
		if err := d.Put(ctx, key(p), p); err != nil {
			t.Fatal(err)
		}
	}
	want := filepath.Join(root, ka[:2], ka+".gz")
	if d.Where(ka) != want {
		t.Fatalf("Where = %s, want %s", d.Where(ka), want)
	}
	if got, err := os.ReadFile(want); err != nil || !bytes.Equal(got, a) {
		t.Fatalf("file %s holds %q (%v)", want, got, err)
	}
	if err := d.Put(ctx, ka, []byte("other bytes")); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Get(ctx, ka); err != nil || !bytes.Equal(got, a) {
		t.Fatalf("after a second Put: %q %v, want the first", got, err)
	}
	// A writer killed before its rename leaves a temporary file: not an object.
	tmp := filepath.Join(filepath.Dir(want), "."+ka+".123.tmp")
	if err := os.WriteFile(tmp, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int64{}
	if err := d.Walk(ctx, func(k string, size int64) error { seen[k] = size; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[ka] != int64(len(a)) || seen[kb] != int64(len(b)) {
		t.Fatalf("Walk saw %v", seen)
	}
	if n, err := d.RemoveTemps(ctx); n != 1 || err != nil {
		t.Fatalf("RemoveTemps = %d, %v", n, err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the temporary file is still there: %v", err)
	}
	if err := d.Delete(ctx, ka); err != nil {
		t.Fatal(err)
	}
	if ok, _ := d.Has(ctx, ka); ok {
		t.Fatal("deleted object still there")
	}
	if err := d.Delete(ctx, ka); err != nil {
		t.Fatalf("deleting a missing object: %v", err)
	}
}

// Keys that are not SHA-256 hex are refused: no key reaches outside the root.
func TestDirRefusesBadKeys(t *testing.T) {
	ctx := context.Background()
	d := NewDir(t.TempDir(), 1<<20)
	for _, k := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 63) + "/"} {
		if err := d.Put(ctx, k, []byte("x")); err == nil {
			t.Errorf("Put(%q) accepted", k)
		}
		if _, err := d.Get(ctx, k); err == nil {
			t.Errorf("Get(%q) accepted", k)
		}
	}
}

// An object past the bound is refused by name, not read into memory.
func TestDirBound(t *testing.T) {
	ctx := context.Background()
	d := NewDir(t.TempDir(), 10)
	big := bytes.Repeat([]byte("x"), 11)
	if err := d.Put(ctx, key(big), big); err != nil {
		t.Fatal(err)
	}
	_, err := d.Get(ctx, key(big))
	if err == nil || !strings.Contains(err.Error(), d.Where(key(big))) {
		t.Fatalf("an object past the bound: %v", err)
	}
}

// A cancelled context stops Put and Walk.
func TestDirCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := NewDir(t.TempDir(), 10)
	if err := d.Put(ctx, key([]byte("x")), []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put after cancel: %v", err)
	}
	if err := d.Put(context.Background(), key([]byte("x")), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := d.Walk(ctx, func(string, int64) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk after cancel: %v", err)
	}
}

// Prepare makes a new root's 256 shards at once, and a put then makes none.
func TestPrepareMakesTheShards(t *testing.T) {
	root := filepath.Join(t.TempDir(), "blobs")
	d := NewDir(root, 1<<20)
	if err := d.Prepare(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil || len(entries) != 256 {
		t.Fatalf("%d shards made (%v), want 256", len(entries), err)
	}
	z := []byte("prepared")
	if err := d.Put(t.Context(), key(z), z); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 256 {
		t.Errorf("%d entries in the root after a put, want the 256 shards", len(entries))
	}
	if err := d.Prepare(); err != nil { // a root already there is left as it is
		t.Fatal(err)
	}
}
