package crawler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// TestMain lets the crash test run this binary as a crawler that it kills.
func TestMain(m *testing.M) {
	if os.Getenv("NIANBAO_CRASH_CRAWL") != "" {
		os.Exit(crashCrawler())
	}
	os.Exit(m.Run())
}

func crashCrawler() int {
	st, err := store.Open(os.Getenv("NIANBAO_DB"), store.Options{LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer st.Close()
	ex, err := extract.New()
	if err != nil {
		return 3
	}
	cfg := Config{Proxy: os.Getenv("NIANBAO_PROXY"), Resolve: noDNS, CAFile: os.Getenv("NIANBAO_CA"), Delay: 30 * time.Millisecond,
		Timeout: 3 * time.Second, Workers: 8, BackoffBase: 100 * time.Millisecond, MaxBackoff: time.Second}
	c, err := New(cfg, st, ex, strings.Split(os.Getenv("NIANBAO_SEEDS"), " "))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	if _, err := c.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

// reportsOf lists a store's records: URL → the cells, printed.
func reportsOf(t *testing.T, st *store.Store) map[string]string {
	out := map[string]string{}
	err := st.Entries(func(e *store.Entry) error {
		var b strings.Builder
		for _, tb := range []string{"active", "requests", "review_litigation"} {
			if x := e.Record.Table(tb); x != nil {
				for _, r := range x.Rows {
					for _, c := range r.Cells {
						if c.Value != nil {
							fmt.Fprintf(&b, "%s.%s.%s=%v;", tb, r.Key, c.Key, *c.Value)
						}
					}
				}
			}
		}
		out[string(e.Record.Source.URL)] = b.String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sourcesOf lists a store's records: URL → its id, organisation, year and
// every source's address, printed.
func sourcesOf(t *testing.T, st *store.Store) map[string]string {
	out := map[string]string{}
	err := st.Entries(func(e *store.Entry) error {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s", e.ReportID, e.Record.Organisation)
		if e.Record.Year != nil {
			fmt.Fprintf(&b, " %d", *e.Record.Year)
		}
		for _, s := range e.Sources {
			fmt.Fprintf(&b, "\n\t%s %.8s", s.URL, s.SHA256)
		}
		out[string(e.Record.Source.URL)] = b.String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// holding lists the records (as sourcesOf prints them) that name u as a source.
func holding(sources map[string]string, u string) string {
	var out []string
	for _, s := range sources {
		if strings.Contains(s+"\n", "\n\t"+u+" ") {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// duplicates counts requests for the same path on the same host, robots.txt aside
// (it is read again by every run).
func duplicates(h *harness) int {
	seen := map[string]int{}
	for _, e := range h.srv.Log().Entries() {
		if e.Path != "/robots.txt" && e.Method != "CONNECT" {
			seen[e.Host+" "+e.Method+" "+e.Path]++
		}
	}
	n := 0
	for _, c := range seen {
		n += c - 1
	}
	return n
}

// reference is what one uninterrupted crawl of a world stored: the records'
// cells and sources, how many requests it made and how many it repeated.
type reference struct {
	hosts    int
	world    func(*simweb.Config) // how its world differs from worldConfig's
	reports  map[string]string
	sources  map[string]string // URL → the record's sources, to explain a difference
	requests int
	dups     int
}

// killedCrawlResumes crawls ref's world again in child processes that are killed
// mid-crawl, then lets the last one finish: the store must end as ref's did.
func killedCrawlResumes(t *testing.T, ref reference) {
	if testing.Short() {
		t.Skip("starts and kills crawler processes")
	}
	want, refDups := ref.reports, ref.dups
	h := newHarnessOpts(t, ref.hosts, 0, false, simweb.Options{}, ref.world)
	h.st.Close() // the children open it
	db := filepath.Join(h.dir, "crawl.db")
	// run starts a crawler process and, when after > 0, kills it once the
	// world has served that many more requests (however fast the machine is
	// at the moment); it reports whether the kill came before the crawl ended.
	run := func(after int) bool {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "NIANBAO_CRASH_CRAWL=1", "NIANBAO_DB="+db, "NIANBAO_PROXY="+h.srv.ProxyURL(),
			"NIANBAO_CA="+filepath.Join(h.dir, "ca.pem"), "NIANBAO_SEEDS="+strings.Join(h.seeds, " "))
		cmd.Stderr = os.Stderr
		target := h.srv.Log().Len() + after
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if after == 0 {
			if err := <-exited; err != nil {
				t.Fatalf("the last, uninterrupted run failed: %v", err)
			}
			return false
		}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-exited:
				return false // finished before its kill
			case <-tick.C:
				if h.srv.Log().Len() >= target {
					cmd.Process.Signal(syscall.SIGKILL)
					<-exited
					return true
				}
			}
		}
	}
	// Each run is killed after a random share of the requests a whole crawl
	// makes, so every kill lands mid-crawl.
	kills := 4
	for i := 0; i < kills; i++ {
		if !run(ref.requests/10+rand.IntN(ref.requests*2/5)) && i == 0 {
			t.Fatal("the first run finished before its kill: the test would prove nothing")
		}
	}
	run(0)

	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckIndexes(); err != nil {
		t.Errorf("after the kills: %v", err) // written in each commit's transaction, a kill never leaves them behind
	}
	got, srcs := reportsOf(t, st), sourcesOf(t, st)
	if len(want) == 0 {
		t.Fatal("the reference crawl found nothing")
	}
	for u, cells := range want {
		if got[u] != cells {
			t.Errorf("%s: after kills %q (%s), uninterrupted %q (%s)", u, got[u], srcs[u], cells, ref.sources[u])
		}
	}
	for u := range got {
		if _, ok := want[u]; !ok {
			t.Errorf("%s stored only by the killed crawl: %s\nuninterrupted, as a source of: %s", u, srcs[u], holding(ref.sources, u))
		}
	}
	dups := duplicates(h)
	t.Logf("%d reports; duplicate requests: %d with %d kills, %d in the uninterrupted crawl", len(got), dups, kills, refDups)
	if dups > refDups+kills*8 {
		t.Errorf("%d duplicate requests, more than the %d in flight at %d kills", dups-refDups, kills*8, kills)
	}
	documentsWhole(t, st)
}

// documentsWhole checks that every document a capture names is beside the
// store and hashes right, before and after the orphans the kills left (their
// documents written, their commits not) are swept.
func documentsWhole(t *testing.T, st *store.Store) {
	t.Helper()
	verify := func() int {
		n := 0
		err := st.DocumentHashes(func(sha string) error { n++; return st.Verify(sha, -1) })
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := verify()
	sw, err := st.SweepOrphans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after := verify(); after != before || before == 0 {
		t.Fatalf("%d documents verified before the sweep, %d after", before, after)
	}
	t.Logf("%d documents verified; %d orphans of the kills swept", before, sw.Orphans)
}
