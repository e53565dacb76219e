package store

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
)

// begun is a new store with a frontier whose run began at t0.
func begun(t *testing.T, t0 time.Time) (*Store, *Frontier) {
	t.Helper()
	s := openTemp(t)
	f, err := s.Frontier()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Begin(t0, Schedule{}, nil); err != nil {
		t.Fatal(err)
	}
	return s, f
}

// unwritable is a commit whose record has no JSON (a NaN cell), so the
// transaction that writes it fails.
func unwritable(t0 time.Time) Commit {
	bad := report.New()
	bad.Title, bad.Template = "某县2022年政府信息公开工作年度报告", report.Template2021
	bad.ReviewLitigation = report.NewTable(report.ReviewLitigation)
	bad.ReviewLitigation.Set("review", "total", report.Num(math.NaN()))
	const u = "http://www.a.gov.cn/bad.html"
	return Commit{Fetch: &FetchLog{URL: u, Method: "GET"},
		Capture: &Capture{URL: u, FetchedAt: t0, Origin: "fetch"}, Body: []byte("page"),
		Entry: &Entry{ReportID: ReportID(u, ""), Record: bad, ExtractedAt: t0}}
}

// queueCommits starts one goroutine per commit while the writer is held, and
// waits until all of them are queued behind it; the returned function lets
// the writer go and gives each commit's error, in the order they queued.
func queueCommits(t *testing.T, f *Frontier, cms []Commit) func() []error {
	t.Helper()
	f.group.writer.Lock()
	errs := make([]error, len(cms))
	var wg sync.WaitGroup
	order := make(chan int, len(cms))
	for i := range cms {
		// One at a time, so that the queue's order is known.
		wg.Go(func() {
			order <- i
			_, errs[i] = f.Commit(cms[i])
		})
		for deadline := time.Now().Add(10 * time.Second); ; {
			f.group.mu.Lock()
			n := len(f.group.queue)
			f.group.mu.Unlock()
			if n == i+1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("commit %d never queued", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return func() []error {
		f.group.writer.Unlock()
		wg.Wait()
		return errs
	}
}

// Commits that wait for the writer are written together: one transaction for
// all of them, each whole, in the order they came.
func TestWaitingCommitsAreWrittenTogether(t *testing.T) {
	s, f := begun(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	const n = 40
	var cms []Commit
	for i := range n {
		u := fmt.Sprintf("http://www.g%d.gov.cn/list.html", i%5)
		add := &QueuedRequest{URL: fmt.Sprintf("http://www.g%d.gov.cn/nb/t%d.html", i%5, i), Method: "GET", Host: fmt.Sprintf("www.g%d.gov.cn", i%5)}
		add.SetKind(crawl.Report)
		cms = append(cms, Commit{Add: []*QueuedRequest{add}, Fetch: &FetchLog{URL: u, Method: "GET", Status: 200, Detail: fmt.Sprint(i)}})
	}
	before := f.CommitStats()
	for i, err := range queueCommits(t, f, cms)() {
		if err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
	}
	st := f.CommitStats()
	if got := st.Commits - before.Commits; got != n {
		t.Errorf("%d commits counted, want %d", got, n)
	}
	if got := st.Transactions - before.Transactions; got != 1 {
		t.Errorf("%d waiting commits took %d transactions, want 1", n, got)
	}
	if f.Pending() != n {
		t.Errorf("%d queued, want %d", f.Pending(), n)
	}
	var details []string
	s.Fetches(func(fl *FetchLog) error {
		details = append(details, fl.Detail)
		return nil
	})
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprint(i)
	}
	if strings.Join(details, " ") != strings.Join(want, " ") {
		t.Errorf("fetch log in the order %v, want the order the commits came", details)
	}
}

// A commit that fails fails its group: none of the group is written, and the
// others' errors name the commit that failed.
func TestFailedCommitFailsItsGroup(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, f := begun(t, t0)
	cms := []Commit{
		{Fetch: &FetchLog{URL: "http://www.a.gov.cn/1.html", Method: "GET"}},
		unwritable(t0),
		{Fetch: &FetchLog{URL: "http://www.a.gov.cn/3.html", Method: "GET"}},
	}
	before := f.CommitStats()
	errs := queueCommits(t, f, cms)()
	if errs[1] == nil || strings.Contains(errs[1].Error(), "written with it") {
		t.Errorf("the failing commit: %v", errs[1])
	}
	for _, i := range []int{0, 2} {
		if errs[i] == nil || !strings.Contains(errs[i].Error(), "written with it (http://www.a.gov.cn/bad.html") {
			t.Errorf("commit %d: %v, want an error naming the commit that failed", i, errs[i])
		}
	}
	n := 0
	s.Fetches(func(*FetchLog) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d fetch records of a failed group written", n)
	}
	if st := f.CommitStats(); st != before {
		t.Errorf("a failed group counted as written: %+v, before it %+v", st, before)
	}
	// The writer is free again: a commit on its own goes through.
	if _, err := f.Commit(Commit{Fetch: &FetchLog{URL: "http://www.a.gov.cn/4.html", Method: "GET"}}); err != nil {
		t.Fatal(err)
	}
}

// While requests taken from the frontier have not been committed, the writer
// waits a little for their commits and writes them together.
func TestWriterWaitsForTakenRequests(t *testing.T) {
	_, f := begun(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	const n = 4
	for i := range n {
		u := fmt.Sprintf("http://www.g%d.gov.cn/index.html", i)
		if _, err := f.Enqueue(&QueuedRequest{URL: u, Method: "GET", Host: hostOfURL(u)}); err != nil {
			t.Fatal(err)
		}
	}
	var taken []*QueuedRequest
	for range n {
		req, err := f.Next(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		taken = append(taken, req)
	}
	before := f.CommitStats()
	var wg sync.WaitGroup
	for i, req := range taken {
		// Each comes after the one before was handed to the writer, as
		// answers do from hosts crawled at an even rate.
		time.Sleep(5 * time.Millisecond)
		wg.Go(func() {
			if _, err := f.Commit(Commit{Done: req, Fetch: &FetchLog{URL: req.URL, Method: "GET", Status: 200, Detail: fmt.Sprint(i)}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st := f.CommitStats()
	if got := st.Commits - before.Commits; got != n {
		t.Fatalf("%d commits written, want %d", got, n)
	}
	if got := st.Transactions - before.Transactions; got > 2 {
		t.Errorf("%d commits coming 5 ms apart took %d transactions; the writer did not wait for them", n, got)
	}
	if f.Pending() != 0 {
		t.Errorf("%d still queued after every request was committed done", f.Pending())
	}
}

// The links a failed group would have marked seen are not taken as seen:
// the next commit that finds them queues them.
func TestFailedGroupLeavesItsLinksUnseen(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, f := begun(t, t0)
	link := func() *QueuedRequest {
		return &QueuedRequest{URL: "http://www.a.gov.cn/nb/2022.html", Method: "GET", Host: "www.a.gov.cn"}
	}
	errs := queueCommits(t, f, []Commit{
		{Fetch: &FetchLog{URL: "http://www.a.gov.cn/list.html", Method: "GET"}, Add: []*QueuedRequest{link()}},
		unwritable(t0),
	})()
	if errs[0] == nil || errs[1] == nil {
		t.Fatalf("the group did not fail: %v", errs)
	}
	n, err := f.Commit(Commit{Fetch: &FetchLog{URL: "http://www.a.gov.cn/list.html", Method: "GET"}, Add: []*QueuedRequest{link()}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || f.Pending() != 1 {
		t.Errorf("the link of the failed group: %d queued, %d pending; want it queued now", n, f.Pending())
	}
	// And once committed, it is seen: found again, it is not queued twice.
	if n, err := f.Commit(Commit{Add: []*QueuedRequest{link()}}); err != nil || n != 0 {
		t.Errorf("a link seen this run queued again: %d, %v", n, err)
	}
}
