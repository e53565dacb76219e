package crawler

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// memLimitChild is set in the environment of a test run in a child process
// under a memory limit (underMemoryLimit): the child runs the test's body.
const memLimitChild = "NIANBAO_MEMLIMIT_CHILD"

// peakMark prefixes the line in which the child reports its peak RSS.
const peakMark = "NIANBAO_PEAK_RSS "

// limited is how a child's memory was limited.
type limited string

const (
	byCgroup   limited = "a memory cgroup"
	byGoMemory limited = "GOMEMLIMIT (no memory cgroup could be made here)"
)

// underMemoryLimit runs the test named name again in a child process of the
// test binary, with limit bytes of memory: in a memory cgroup of its own when
// this process may make one (the kernel then kills the child past it), else
// with the Go runtime's soft limit (GOMEMLIMIT). It fails the test if the
// child fails or is killed, and returns the child's peak RSS and how it was
// limited. In the child it returns (0, "") at once: the caller runs the body.
func underMemoryLimit(t *testing.T, name string, limit int64) (int64, limited) {
	t.Helper()
	if os.Getenv(memLimitChild) != "" {
		return 0, ""
	}
	args := []string{"-test.run=^" + name + "$", "-test.count=1", "-test.v", "-test.timeout=10m"}
	env := append(os.Environ(), memLimitChild+"=1", fmt.Sprintf("GOMEMLIMIT=%d", limit*9/10))
	how := byGoMemory
	var cmd *exec.Cmd
	if dir, ok := memoryCgroup(t, limit); ok {
		how = byCgroup
		// The child joins the cgroup before the test binary starts.
		cmd = exec.Command("/bin/sh", append([]string{"-c", `echo $$ > "$0" && exec "$@"`, filepath.Join(dir, "cgroup.procs"), os.Args[0]}, args...)...)
	} else {
		cmd = exec.Command(os.Args[0], args...)
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var peak int64
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), peakMark); ok {
			peak, _ = strconv.ParseInt(rest, 10, 64)
		}
	}
	if err != nil {
		t.Fatalf("the test under a limit of %d MB (%s) failed: %v\n%s", limit>>20, how, err, tail(out.String(), 4000))
	}
	if peak == 0 {
		t.Fatalf("the child reported no peak RSS:\n%s", tail(out.String(), 4000))
	}
	t.Logf("child under %d MB (%s): peak RSS %d MB", limit>>20, how, peak>>20)
	return peak, how
}

// reportPeak prints the child's peak RSS for underMemoryLimit.
func reportPeak() {
	if os.Getenv(memLimitChild) != "" {
		fmt.Printf("\n%s%d\n", peakMark, peakRSS())
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// memoryCgroup makes a memory cgroup limited to limit bytes beside this
// process's own (cgroup v2, or v1's memory hierarchy), removed when the test
// ends; false when the machine does not let this process make one.
func memoryCgroup(t *testing.T, limit int64) (string, bool) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var base, limitFile string
		switch {
		case parts[0] == "0" && parts[1] == "": // v2
			base, limitFile = filepath.Join("/sys/fs/cgroup", parts[2]), "memory.max"
			if c, err := os.ReadFile(filepath.Join(base, "cgroup.subtree_control")); err != nil || !strings.Contains(string(c), "memory") {
				continue
			}
		case slices.Contains(strings.Split(parts[1], ","), "memory"): // v1
			base, limitFile = filepath.Join("/sys/fs/cgroup/memory", parts[2]), "memory.limit_in_bytes"
		default:
			continue
		}
		dir := filepath.Join(base, fmt.Sprintf("nianbao-test-%d", os.Getpid()))
		if err := os.Mkdir(dir, 0o755); err != nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, limitFile), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
			os.Remove(dir)
			continue
		}
		t.Cleanup(func() { os.Remove(dir) })
		return dir, true
	}
	return "", false
}
