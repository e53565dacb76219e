//go:build !linux

package main

// releaseStartupPages does nothing where /proc/self/maps is not to be read.
func releaseStartupPages() {}
