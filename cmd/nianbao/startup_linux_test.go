package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// rssFile is the process's resident pages of files, from /proc/self/status.
func rssFile(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "RssFile:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// The binary's own pages that starting it mapped are given back, and the
// program goes on running code from them.
func TestReleaseStartupPages(t *testing.T) {
	before := rssFile(t)
	releaseStartupPages()
	after := rssFile(t)
	if after >= before {
		t.Errorf("resident file pages %d kB after the release, %d before", after, before)
	}
	if out, _, err := run(t, "", "version"); err != nil || !strings.Contains(out, "nianbao") {
		t.Fatalf("version after the release: %v %q", err, out)
	}
}
