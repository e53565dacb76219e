package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The portal list a store was harvested from (the crawl's or the demo's
// seeds), kept in the store so that export, stats and serve attribute
// reports to divisions and draw coverage without being told the list again.

var (
	keyPortals     = []byte("portals")
	keyPortalsName = []byte("portals_name")
)

// maxPortals bounds the list kept (the shipped list of 3,211 portals is
// about 400 KB).
const maxPortals = 16 << 20

// SetPortals keeps the portal list (its bytes as read, and where it was read
// from), replacing the one kept before.
func (s *Store) SetPortals(list []byte, name string) error {
	if len(list) > maxPortals {
		return fmt.Errorf("keeping the portal list %s in %s: %d bytes, over the %d-byte limit", name, s.path, len(list), maxPortals)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if err := b.Put(keyPortals, list); err != nil {
			return err
		}
		return b.Put(keyPortalsName, []byte(name))
	})
	if err != nil {
		return fmt.Errorf("keeping the portal list %s in %s: %w", name, s.path, err)
	}
	return nil
}

// Portals returns the portal list kept in the store and where it was read
// from; nil when none is kept.
func (s *Store) Portals() (list []byte, name string, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil {
			return nil
		}
		if v := b.Get(keyPortals); v != nil {
			list = append([]byte(nil), v...)
			name = string(b.Get(keyPortalsName))
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("reading the portal list kept in %s: %w", s.path, err)
	}
	return list, name, nil
}
