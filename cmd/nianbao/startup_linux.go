package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseStartupPages gives back the pages of the binary's code and read-only
// data that starting it mapped. Go runs every package's initialisation before
// main, and the kernel maps 64 KB around each page it touches: a binary of a
// few hundred packages starts with megabytes of its own file resident that it
// will not touch again (the browser client's and the Parquet writer's alone
// cost a crawl 4–5 MB of peak). Dropped here, a page that is needed again is
// mapped again from the page cache. Writable mappings (initialised data,
// changed since) are never touched.
func releaseStartupPages() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 00400000-01a00000 r-xp 00000000 fd:01 1234 /path/to/nianbao
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != exe || len(fields[1]) < 2 || fields[1][1] != '-' {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || b <= a {
			continue
		}
		syscall.Syscall(syscall.SYS_MADVISE, uintptr(a), uintptr(b-a), syscall.MADV_DONTNEED)
	}
}
