package render

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkRender renders the test's script shell (its list asked of a
// Fetcher that answers at once, so the figure is the browser's own cost:
// a tab opened, the page loaded and run, the idle wait, the DOM read, the tab
// closed) and reports the browser's memory after the renders: the
// proportional set size of its process and all its children.
//
//	go test ./render -run '^$' -bench Render -benchtime 20x
func BenchmarkRender(b *testing.B) {
	br := New(Options{ExecPath: browserPath(b), Timeout: 30 * time.Second})
	defer br.Close()
	doc := &Response{Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: []byte(shell)}
	list := &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"items":[{"u":"/art/2024/1/15/art_1_1.html","t":"2023年政府信息公开工作年度报告"}]}`)}
	answer := func(ctx context.Context, r *Request) (*Response, error) { return list, nil }
	ctx := context.Background()
	if _, err := br.Render(ctx, "http://127.0.0.1:1/", doc, answer); err != nil { // the process started
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := br.Render(ctx, "http://127.0.0.1:1/", doc, answer)
		if err != nil || !strings.Contains(res.DOM, "art_1_1") {
			b.Fatalf("render: %v", err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(treePSS(br.PID()))/(1<<20), "browser-MB")
}

// treePSS is the proportional set size of a process and its descendants
// (Linux; 0 elsewhere).
func treePSS(root int) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil || root == 0 {
		return 0
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after its ')'.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 1 {
			if ppid, err := strconv.Atoi(f[1]); err == nil {
				children[ppid] = append(children[ppid], pid)
			}
		}
	}
	var total int64
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = append(queue[1:], children[pid]...)
		total += pss(pid)
	}
	return total
}

// pss is a process's proportional set size in bytes, from smaps_rollup.
func pss(pid int) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Pss:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
