//go:build !unix

package store

import "os"

// unlock: where bbolt's lock is not flock, closing the file lets it go.
func unlock(*os.File) {}
