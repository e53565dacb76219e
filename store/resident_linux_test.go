package store

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// mappedKB is how much of the file at path is mapped into this process
// (the Rss of its mappings in /proc/self/smaps).
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	total, in := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && len(f[1]) == 4:
			in = f[len(f)-1] == path
		case in && len(f) == 3 && f[0] == "Rss:":
			kb, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("reading smaps: %q", line)
			}
			total += kb
		}
	}
	return total
}

// TestReleaseGivesBackMappedPages reads a store of 16 MB through its map,
// gives the pages back, and checks that they are no longer mapped and that
// every value still reads back as written.
func TestReleaseGivesBackMappedPages(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	values := map[string][]byte{}
	for i := range 512 {
		v := make([]byte, 32<<10)
		rand.Read(v)
		values[fmt.Sprintf("k%04d", i)] = v
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("test"))
		if err != nil {
			return err
		}
		for k, v := range values {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	readAll := func() {
		t.Helper()
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("test")).ForEach(func(k, v []byte) error {
				if !bytes.Equal(v, values[string(k)]) {
					return fmt.Errorf("%s reads back changed", k)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	readAll()
	before := mappedKB(t, s.path)
	if before < 8<<10 {
		t.Fatalf("after reading 16 MB, %d kB of the store are mapped; want most of it", before)
	}
	var r releaser
	r.maybe(s.db, time.Now())
	if r.err != nil {
		t.Fatal(r.err)
	}
	if after := mappedKB(t, s.path); after > 256 {
		t.Errorf("after the release %d kB of the store are still mapped (%d kB before)", after, before)
	}
	readAll() // mapped again from the page cache, unchanged

	// Within releaseEvery of the last release nothing is given back.
	r.maybe(s.db, r.last.Add(releaseEvery/2))
	if again := mappedKB(t, s.path); again < 8<<10 {
		t.Errorf("a release within releaseEvery of the last one dropped the pages (%d kB mapped)", again)
	}

	// The store's own writes give the pages back: a write once releaseEvery
	// has passed since the last release leaves them unmapped.
	s.release.last = time.Now().Add(-releaseEvery)
	values["k"] = []byte("v")
	if err := s.update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("test")).Put([]byte("k"), []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	if after := mappedKB(t, s.path); after > 256 {
		t.Errorf("after a write of the store %d kB of it are still mapped", after)
	}
	readAll()
}
