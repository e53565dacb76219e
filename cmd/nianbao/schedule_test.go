package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
)

// startSimweb serves a small simulated web (no faults) on loopback and writes
// its CA and a seed list into a new folder; it returns the server, the folder
// and the config lines that point a crawl at it (ending in the crawl section).
func startSimweb(t *testing.T, seed uint64, hosts int) (*simweb.Server, string, string) {
	t.Helper()
	list, err := seeds.ReadFile("../../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	w, err := simweb.Generate(simweb.Config{Seed: seed, Hosts: hosts, Portals: list})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := simweb.NewServer(w, simweb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	ca, seedList := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "seeds.txt")
	os.WriteFile(ca, srv.CACertPEM(), 0o644)
	var urls []string
	for _, h := range w.Hosts {
		if h.Name == h.Division.Host() {
			urls = append(urls, h.HomeURL())
		}
	}
	os.WriteFile(seedList, []byte(strings.Join(urls, "\n")+"\n"), 0o644)
	// OCR is off: these tests are about crawling, scheduling and rebuilding,
	// and one scan read by tesseract takes seconds a page (packages ocr and
	// extract read the real scans).
	return srv, dir, fmt.Sprintf("fetch:\n  proxy: %s\n  allow_private: true\n  timeout: 5s\nextract:\n  ocr: \"off\"\ncrawl:\n  seeds: %s\n  ca_file: %s\n", srv.ProxyURL(), seedList, ca)
}

// nianbaoProcess runs this test binary as the nianbao command (see TestMain).
func nianbaoProcess(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), "NIANBAO_MAIN=1")
	return cmd
}

func readReport(t *testing.T, path string) runReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r runReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("run report %s: %v", path, err)
	}
	return r
}

// TestCrawlFromCron runs crawl as cron would, against the simulated web: a
// second run on a busy store exits at once with a clear message, a run killed
// outright leaves no lock behind and the next run resumes it, and every run
// leaves a JSON report whose status matches its exit code.
func TestCrawlFromCron(t *testing.T) {
	if testing.Short() {
		t.Skip("starts crawls in subprocesses")
	}
	t.Parallel()
	srv, dir, fetchCfg := startSimweb(t, 3, 6)
	cfgPath, db := filepath.Join(dir, "nianbao.yaml"), filepath.Join(dir, "nianbao.db")
	os.WriteFile(cfgPath, fmt.Appendf(nil, "store: %s\n%s  delay: 300ms\n  workers: 4\n  revisit_after: 0s\n  snapshot_every: 1s\n", db, fetchCfg), 0o644)
	report := func(n int) string { return filepath.Join(dir, fmt.Sprintf("run%d.json", n)) }

	first := nianbaoProcess("--config", cfgPath, "crawl", "--report", report(1))
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	// Wait until the first run holds the store and has fetched something.
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Log().Entries()) < 5 {
		if time.Now().After(deadline) {
			t.Fatal("the first crawl did not start fetching")
		}
		time.Sleep(50 * time.Millisecond)
	}

	second := nianbaoProcess("--config", cfgPath, "crawl", "--report", report(2))
	start := time.Now()
	out, err := second.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitLocked {
		t.Fatalf("second crawl on a busy store: %v\n%s", err, out)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the second crawl took %s to give up", took)
	}
	if !strings.Contains(string(out), "in use by another nianbao process") {
		t.Errorf("the second crawl's message does not say why: %s", out)
	}
	if r := readReport(t, report(2)); r.Status != "locked" || r.ExitCode != exitLocked {
		t.Errorf("second run's report: %+v", r)
	}

	// The readers work while the crawl holds the store, on the copy it
	// publishes: as of a moment no older than its last snapshot.
	readDuringCrawl(t, cfgPath)

	// A crash: the first run is killed outright. Its lock goes with it.
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	fetchedBefore := len(srv.Log().Entries())
	// The rest needs no slow first run to catch: a shorter delay.
	os.WriteFile(cfgPath, fmt.Appendf(nil, "store: %s\n%s  delay: 100ms\n  workers: 4\n  revisit_after: 0s\n", db, fetchCfg), 0o644)

	third := nianbaoProcess("--config", cfgPath, "crawl", "--report", report(3))
	out, err = third.CombinedOutput()
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(report(3)); err != nil {
		t.Fatalf("third run: %v\n%s", err, out)
	}
	r := readReport(t, report(3))
	t.Logf("third run: exit %d, %+v\n%s", code, r, out)
	if !r.Resumed || r.Generation != 1 {
		t.Errorf("the run after the crash did not resume the first generation: %+v", r)
	}
	if code != exitOK && code != exitPartial || r.ExitCode != code || (code == exitOK) != (r.Status == "ok") {
		t.Errorf("exit %d with report status %q", code, r.Status)
	}
	if r.Reports == 0 || len(srv.Log().Entries()) == fetchedBefore {
		t.Errorf("the resumed run fetched nothing")
	}

	// The next run (here with revisit_after 0s: every known URL is due at once)
	// is a new generation, in which every unchanged report costs a 304.
	fourth := nianbaoProcess("--config", cfgPath, "crawl", "--report", report(4))
	if out, err := fourth.CombinedOutput(); err != nil && !errors.As(err, &ee) {
		t.Fatalf("%v\n%s", err, out)
	}
	r = readReport(t, report(4))
	if r.Generation != 2 || r.Resumed || r.Revisits == 0 || r.Changes.NotModified == 0 || r.Changes.New != 0 {
		t.Errorf("the next night's run: %+v", r)
	}
}

// readDuringCrawl runs the readers on a store a crawl holds: each succeeds on
// the crawl's published copy and says so, and export's rows grow as the crawl
// stores reports.
func readDuringCrawl(t *testing.T, cfgPath string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, errOut, err := run(t, "", "--config", cfgPath, "export")
		if err != nil {
			t.Fatalf("export while a crawl holds the store: %v\n%s", err, errOut)
		}
		if !strings.Contains(errOut, "held by a running crawl") {
			t.Fatalf("export does not say it reads the crawl's copy: %q", errOut)
		}
		if strings.Count(out, "\n") > 1 {
			break // a header and at least one report
		}
		if time.Now().After(deadline) {
			t.Fatalf("the crawl's copy still has no report after 30s:\n%s", out)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, args := range [][]string{{"stats"}, {"verify"}, {"failures"}} {
		if _, errOut, err := run(t, "", append([]string{"--config", cfgPath}, args...)...); err != nil {
			t.Errorf("%s while a crawl holds the store: %v\n%s", args[0], err, errOut)
		}
	}
}
