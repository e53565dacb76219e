// Command storesize prints what each bucket of a nianbao store's bbolt
// file holds: keys, the bytes of keys and values, and the pages its B-tree
// uses (leaf, branch, overflow, and their fill), so that the file's size a
// document can be read bucket by bucket.
//
//	go run ./bench/storesize STORE
package main

import (
	"fmt"
	"os"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

type row struct {
	name  string
	stats bolt.BucketStats
	kv    int64
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: storesize STORE")
		os.Exit(2)
	}
	db, err := bolt.Open(os.Args[1], 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "storesize:", err)
		os.Exit(1)
	}
	defer db.Close()
	var rows []row
	var size int64
	ps := int64(db.Info().PageSize)
	err = db.View(func(tx *bolt.Tx) error {
		size = tx.Size()
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			r := row{name: string(name), stats: b.Stats()}
			err := b.ForEach(func(k, v []byte) error { r.kv += int64(len(k) + len(v)); return nil })
			rows = append(rows, r)
			return err
		})
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "storesize:", err)
		os.Exit(1)
	}
	sort.Slice(rows, func(i, j int) bool { return pages(rows[i].stats) > pages(rows[j].stats) })
	var used int64
	fmt.Printf("file %d bytes, page %d\n", size, ps)
	fmt.Println("| bucket | keys | keys+values MB | leaf pages | overflow | branch | on disk MB | fill |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		s := r.stats
		disk := int64(pages(r.stats)) * ps
		used += disk
		fill := 0.0
		if disk > 0 {
			fill = float64(s.LeafInuse+s.BranchInuse) / float64(disk)
		}
		fmt.Printf("| %s | %d | %.1f | %d | %d | %d | %.1f | %.0f %% |\n", r.name, s.KeyN, float64(r.kv)/1e6,
			s.LeafPageN, s.LeafOverflowN, s.BranchPageN+s.BranchOverflowN, float64(disk)/1e6, 100*fill)
	}
	fmt.Printf("pages in buckets %.1f MB; free or other %.1f MB\n", float64(used)/1e6, float64(size-used)/1e6)
}

func pages(s bolt.BucketStats) int {
	return s.LeafPageN + s.LeafOverflowN + s.BranchPageN + s.BranchOverflowN
}
