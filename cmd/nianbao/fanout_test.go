package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/fanout"
	"github.com/nianbao/nianbao/fanout/natstest"
	"github.com/nianbao/nianbao/ocr"
	"github.com/nianbao/nianbao/store"
)

// proc is a nianbao process (this test binary as the command) whose
// standard error is read line by line.
type proc struct {
	cmd   *exec.Cmd
	out   bytes.Buffer
	mu    sync.Mutex
	lines []string
	seen  chan string // every stderr line
	done  chan error
}

func startProc(t testing.TB, args ...string) *proc {
	t.Helper()
	p := &proc{seen: make(chan string, 10000), done: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	p.cmd.Env = append(os.Environ(), "NIANBAO_MAIN=1")
	p.cmd.Stdout = &p.out
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.seen <- sc.Text():
			default:
			}
		}
	}()
	go func() { <-read; p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-read
	})
	return p
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// waitLine waits for a line of p matching re, or for p to end.
func (p *proc) waitLine(t testing.TB, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(10 * time.Minute) // a hang, not a speed: the verdict never rests on it
	for {
		select {
		case l := <-p.seen:
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case err := <-p.done:
			t.Fatalf("%s ended (%v) before a line matching %s:\n%s", p.cmd.Args, err, re, p.log())
		case <-deadline:
			t.Fatalf("no line matching %s:\n%s", re, p.log())
		}
	}
}

// fanoutStore imports documents into a new store without OCR, so a run
// with OCR must change the scans' records.
func fanoutStore(t testing.TB, names map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	files := filepath.Join(dir, "files")
	os.Mkdir(files, 0o755)
	for name, b := range names {
		if err := os.WriteFile(filepath.Join(files, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "nianbao.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := extract.NewWithOptions(extract.Options{NoOCR: "OCR is off"})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	if _, err := corpus.Import(context.Background(), st, ex, []string{files}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// fixtureFiles reads test documents: every format, a scan (twice, the
// second copy's bytes differing), and seed texts.
func fixtureFiles(t testing.TB, scans int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"000.pdf", "001.docx", "002.doc", "003.xlsx", "004.pdf"} {
		b, err := os.ReadFile(filepath.Join("../../extract/testdata/attachments", name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	seeds, _ := filepath.Glob("../../../shared/fixtures/seeds/00[0-3]_*.txt")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	scan, err := os.ReadFile("../../extract/testdata/attachments/003_scan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	for i := range scans {
		out[fmt.Sprintf("scan%d.pdf", i)] = append(append([]byte{}, scan...), fmt.Sprintf("\n%% copy %d\n", i)...)
	}
	return out
}

// storeRecords reads every record, its extraction time apart.
func storeRecords(t testing.TB, db string) (map[string]string, map[string]time.Time) {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, times := map[string]string{}, map[string]time.Time{}
	err = st.Entries(func(e *store.Entry) error {
		times[e.ReportID] = e.ExtractedAt
		e.ExtractedAt = time.Time{}
		b, err := json.Marshal(e)
		recs[e.ReportID] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, times
}

// sameAsLocal re-extracts the store locally (as `nianbao reextract`) and
// checks every record is byte for byte the one the workers gave.
func sameAsLocal(t *testing.T, db string, distributed map[string]string) {
	t.Helper()
	if _, _, err := run(t, "", "--db", db, "reextract"); err != nil && !strings.Contains(err.Error(), "failed") {
		t.Logf("local reextract: %v", err)
	}
	local, _ := storeRecords(t, db)
	t.Logf("%d records compared with a local reextract", len(local))
	if len(local) != len(distributed) {
		t.Fatalf("%d records locally, %d through workers", len(local), len(distributed))
	}
	for id, want := range local {
		if got := distributed[id]; got != want {
			t.Errorf("report %s differs from a local reextract:\nworkers: %.400s\nlocal:   %.400s", id, got, want)
		}
	}
}

func needOCR(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("OCR of scans takes minutes")
	}
	if _, err := ocr.Find(context.Background()); err != nil {
		if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
			t.Fatalf("tesseract: %v", err)
		}
		t.Skipf("tesseract: %v", err)
	}
}

// Three worker processes re-extract a store of fixtures and a scan: every
// record is byte for byte a local reextract's; a hostile PDF ends as a
// failed job with its reason, and stops nothing else.
func TestFanoutMatchesLocal(t *testing.T) {
	needOCR(t)
	url := natstest.Start(t)
	files := fixtureFiles(t, 1)
	files["hostile.pdf"] = []byte("%PDF-1.7 not really")
	db := fanoutStore(t, files)
	before, _ := storeRecords(t, db)
	for i := range 3 {
		startProc(t, "worker", "--nats", url, "--name", fmt.Sprintf("w%d", i+1))
	}
	start := time.Now().UTC()
	rep := filepath.Join(t.TempDir(), "run.json")
	out, errOut, err := run(t, "", "--db", db, "reextract", "--nats", url, "--ack-wait", "5s", "--max-deliver", "2", "--report", rep)
	if err != nil {
		t.Fatalf("reextract --nats: %v\n%s\n%s", err, out, errOut)
	}
	var sum fanout.Summary
	b, _ := os.ReadFile(rep)
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatalf("run report: %v\n%s", err, b)
	}
	reports := len(files)
	if sum.Reports != reports || sum.Committed != reports-1 || sum.Failed != 1 || len(sum.Errors) != 1 {
		t.Fatalf("summary: %+v\n%s", sum, errOut)
	}
	if !strings.Contains(sum.Errors[0], "hostile.pdf") || !strings.Contains(sum.Errors[0], "damaged PDF") {
		t.Errorf("the hostile PDF's failure does not give its reason: %q", sum.Errors[0])
	}
	if sum.Results != sum.Jobs || len(sum.PerWorker) == 0 {
		t.Errorf("%d results for %d jobs, from %v", sum.Results, sum.Jobs, sum.PerWorker)
	}
	t.Logf("summary: %+v", sum)
	distributed, times := storeRecords(t, db)
	changed := 0
	for id, rec := range distributed {
		if times[id].Before(start) {
			t.Errorf("report %s was not written by the run", id)
		}
		if before[id] != rec {
			changed++
		}
	}
	if changed == 0 {
		t.Errorf("no record changed: the scan was not read with OCR")
	}
	sameAsLocal(t, db, distributed)
}

var (
	committedLine = regexp.MustCompile(`^  (\d+)/(\d+) report\(s\) committed`)
	scanStart     = regexp.MustCompile(`^worker (\S+): job (\S+) attempt 1: start`)
)

// A worker SIGKILLed mid-job and the coordinator SIGKILLed mid-run: the
// run, started again, ends with every report extracted once, nothing lost,
// the records those of a local reextract.
func TestFanoutSurvivesKills(t *testing.T) {
	needOCR(t)
	url := natstest.Start(t)
	files := fixtureFiles(t, 2)
	db := fanoutStore(t, files)
	scanSHA := map[string]bool{}
	for name, b := range files {
		if strings.HasPrefix(name, "scan") {
			scanSHA[store.SHA256(b)] = true
		}
	}
	coord := startProc(t, "--db", db, "reextract", "--nats", url, "--ack-wait", "3s")
	w1 := startProc(t, "worker", "--nats", url, "--name", "w1")
	w2 := startProc(t, "worker", "--nats", url, "--name", "w2")
	// w1 is killed as it starts reading a scan (OCR takes seconds a page).
	var killedKey string
	for killedKey == "" {
		m := w1.waitLine(t, scanStart)
		if scanSHA[strings.SplitN(m[2], "-", 2)[0]] {
			killedKey = m[2]
		}
	}
	if err := w1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w3 := startProc(t, "worker", "--nats", url, "--name", "w3")
	// The coordinator is killed once it has committed some records, not all.
	for {
		m := coord.waitLine(t, committedLine)
		if m[1] != "0" && m[1] != m[2] {
			break
		}
	}
	if err := coord.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-coord.done
	rep := filepath.Join(t.TempDir(), "run.json")
	out, errOut, err := run(t, "", "--db", db, "reextract", "--nats", url, "--ack-wait", "3s", "--report", rep)
	if err != nil {
		t.Fatalf("the coordinator started again: %v\n%s\n%s", err, out, errOut)
	}
	var sum fanout.Summary
	b, _ := os.ReadFile(rep)
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if !sum.Resumed || sum.AlreadyDone == 0 || sum.AlreadyDone+sum.Committed != len(files) || sum.Failed != 0 {
		t.Fatalf("the resumed run: %+v\nfirst run:\n%s\nsecond:\n%s", sum, coord.log(), errOut)
	}
	t.Logf("killed w1 in job %s; the resumed run: %d done before the kill, %d committed after, %d results", killedKey, sum.AlreadyDone, sum.Committed, sum.Results)
	// The killed job was delivered again and done by another worker.
	again := regexp.MustCompile(`job ` + regexp.QuoteMeta(killedKey) + ` attempt [2-9]: done`)
	deadline := time.After(time.Minute)
	for !again.MatchString(w2.log() + "\n" + w3.log()) {
		select {
		case <-deadline:
			t.Fatalf("the job %s killed with w1 was not done again:\n%s\n%s", killedKey, w2.log(), w3.log())
		case <-time.After(100 * time.Millisecond):
		}
	}
	distributed, _ := storeRecords(t, db)
	sameAsLocal(t, db, distributed)
}

// crawl --nats leaves a report's scanned attachment unread in the crawl and
// has the workers read it afterwards: the record ends with the scan's text,
// as a crawl with OCR in the process would give.
func TestCrawlOCRThroughWorkers(t *testing.T) {
	needOCR(t)
	scan, err := os.ReadFile("../../extract/testdata/attachments/003_scan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某县人民政府</title></head><body><a href="/nb/2023.html">某县2023年政府信息公开工作年度报告</a></body></html>`)
		case "/nb/2023.html":
			fmt.Fprint(w, `<html><head><title>某县2023年政府信息公开工作年度报告</title></head><body><h1>某县2023年政府信息公开工作年度报告</h1><p>附件：<a href="/nb/2023.pdf">某县2023年政府信息公开工作年度报告.pdf</a></p></body></html>`)
		case "/nb/2023.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write(scan)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	seeds := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seeds, []byte(srv.URL+"/\n"), 0o644)
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "fetch:\n  allow_private: true\n  timeout: 5s\ncrawl:\n  seeds: %s\n  delay: 100ms\n  render: \"off\"\n", seeds), 0o644)
	db := filepath.Join(dir, "n.db")
	url := natstest.Start(t)
	startProc(t, "worker", "--nats", url, "--name", "w1")
	rep := filepath.Join(dir, "run.json")
	out, errOut, err := run(t, "", "--config", cfg, "--db", db, "crawl", "--nats", url, "--report", rep)
	if err != nil {
		t.Fatalf("crawl --nats: %v\n%s\n%s", err, out, errOut)
	}
	var r runReport
	b, _ := os.ReadFile(rep)
	if err := json.Unmarshal(b, &r); err != nil || r.OCR == nil {
		t.Fatalf("run report: %v\n%s", err, b)
	}
	if r.OCR.Reports != 1 || r.OCR.Committed != 1 || r.OCR.Failed != 0 {
		t.Fatalf("the OCR through workers: %+v\n%s", r.OCR, out)
	}
	recs, _ := storeRecords(t, db)
	ocred := 0
	for _, rec := range recs {
		if strings.Contains(rec, "its text was read by OCR") {
			ocred++
		}
		if strings.Contains(rec, "left to the workers") {
			t.Errorf("a record still says its scan is left to the workers: %.300s", rec)
		}
	}
	if ocred == 0 {
		t.Fatalf("no record was read by OCR:\n%s\n%v", out, recs)
	}
}
