// Package blob keeps the raw documents of a store beside its database, content
// addressed: each document is one object named by the SHA-256 of its bytes (64
// lowercase hex digits), holding its gzip-compressed bytes. The database keeps
// the captures that name the objects; an object is written, and made durable,
// before the transaction that names it commits, so a record never names a
// missing object, and an object that no capture names (its writer was killed
// before its commit) is an orphan a repair may remove.
//
// Store is the contract an implementation keeps; Dir keeps the objects as
// files under a directory. An S3-compatible object store can implement Store
// with one object per key (PUT is atomic and durable when it returns, GET,
// HEAD, DELETE, and a listing for Walk).
package blob

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotFound is returned when no object has the key.
var ErrNotFound = errors.New("no such document object")

// Store keeps immutable objects under content keys. Every method may be called
// from several goroutines at once, and by several processes sharing the store
// (readers of a published snapshot read while the writer writes).
type Store interface {
	// Put stores z under key. When Put returns nil the object is whole and
	// durable (it survives a power cut); a Put interrupted at any instant
	// leaves either no object under key or the whole one, never a part. An
	// object already under key is kept as it is: keys name content, so it
	// holds the same bytes.
	Put(ctx context.Context, key string, z []byte) error
	// Get returns the object under key, or an error wrapping ErrNotFound.
	// An object larger than the store's bound is refused with an error.
	Get(ctx context.Context, key string) ([]byte, error)
	// Has reports whether an object is under key.
	Has(ctx context.Context, key string) (bool, error)
	// Delete removes the object under key; removing a missing one is no error.
	Delete(ctx context.Context, key string) error
	// Walk calls fn with every object's key and stored size, in no promised
	// order; objects being written (not yet under their key) are not seen.
	// An error from fn ends the walk with it.
	Walk(ctx context.Context, fn func(key string, size int64) error) error
	// Where names the object under key for a person: a file path or URL.
	Where(key string) string
}

// ValidKey reports whether key can name an object: 64 lowercase hex digits
// (a SHA-256), so that a key never names a path outside the store.
func ValidKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func checkKey(key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("%q is not a document key (64 lowercase hex digits)", key)
	}
	return nil
}
