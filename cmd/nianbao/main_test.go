package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/serve"
	"github.com/nianbao/nianbao/store"
)

const seed000 = "../../../shared/fixtures/seeds/000_594cca86a0db9b9c.txt"

func run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestExtractJSON(t *testing.T) {
	out, _, err := run(t, "", "extract", "--json", seed000)
	if err != nil {
		t.Fatal(err)
	}
	var rec report.Record
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("output is not a record: %v\n%s", err, out)
	}
	if rec.Template != report.Template2021 || rec.Organisation != "云浮市人民政府办公室" || rec.SchemaVersion != report.SchemaVersion {
		t.Fatalf("record: %s %s %d", rec.Template, rec.Organisation, rec.SchemaVersion)
	}
	for _, key := range []string{`"schema_version"`, `"source"`, `"sections"`, `"inferred"`, `"checks"`, `"warnings"`, `"attachments"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestExtractSummaryAndStdin(t *testing.T) {
	body, err := os.ReadFile(seed000)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, string(body), "extract", "-")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"云浮市人民政府办公室", "new_received", "checks:", "requests.new_received.natural_person = 19 (row_total)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func TestExtractUnreadable(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	bin := filepath.Join(dir, "blob.bin")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(bin, []byte("\x00\x01\x02\x03binary\x00\x00"), 0o644)
	for _, arg := range []string{filepath.Join(dir, "missing.html"), empty, bin} {
		_, _, err := run(t, "", "extract", arg)
		if err == nil {
			t.Errorf("extract %s succeeded", arg)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("reason is not one line: %q", err)
		}
	}
}

func TestExtractNoReport(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "notice.txt")
	os.WriteFile(p, []byte("关于做好春节期间值班工作的通知\n各单位：请按时报送值班表。"), 0o644)
	out, _, err := run(t, "", "extract", "--json", p)
	if err != nil {
		t.Fatal(err)
	}
	var rec report.Record
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Template != report.TemplateUnknown || len(rec.Warnings) == 0 {
		t.Fatalf("template %s, warnings %v", rec.Template, rec.Warnings)
	}
}

func TestImportReextractExport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	docs := filepath.Join(dir, "docs")
	os.MkdirAll(docs, 0o755)
	for _, name := range samples.Documents()[:4] {
		b, _ := fs.ReadFile(samples.FS(), name)
		os.WriteFile(filepath.Join(docs, name), b, 0o644)
	}
	os.WriteFile(filepath.Join(docs, "broken.pdf"), []byte("%PDF-1.7 truncated"), 0o644)
	out, _, err := run(t, "", "--db", db, "import", docs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "imported 5 document(s)") || !strings.Contains(out, "4 record(s), 1 kept without a record") {
		t.Fatalf("import summary: %s", out)
	}
	out, _, err = run(t, "", "--db", db, "reextract")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "re-extracted 5 report(s)") || !strings.Contains(out, "4 record(s) written, 1 failed") {
		t.Fatalf("reextract summary: %s", out)
	}
	csvPath := filepath.Join(dir, "r.csv")
	if _, _, err := run(t, "", "--db", db, "export", "--format", "csv", "--out", csvPath); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(csvPath)
	if lines := strings.Count(string(b), "\n"); lines != 5 {
		t.Fatalf("CSV has %d lines, want header and 4 rows", lines)
	}
	out, _, err = run(t, "", "--db", db, "export", "--format", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 4 || !strings.Contains(out, `"extractor":"`+extract.Version+`"`) {
		t.Fatalf("JSONL: %.300s", out)
	}
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("harvests a simulated web")
	}
	t.Parallel()
	dir := t.TempDir()
	out, _, err := run(t, "", "demo", "--out", dir, "--hosts", "8")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "reports.csv") || !strings.Contains(out, "are stored") || !strings.Contains(out, "night 2") {
		t.Fatalf("demo output: %s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "reports.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(b), "\n") - 1; rows <= len(samples.Documents()) {
		t.Fatalf("demo CSV has %d rows: the harvest added nothing", rows)
	}
	// The demo ends by naming a real report, whose history can be read.
	i := strings.LastIndex(out, " history ")
	if i < 0 {
		t.Fatalf("the demo names no report to look at: %s", out)
	}
	id := strings.Fields(out[i+len(" history "):])[0]
	if hout, _, err := run(t, "", "--db", filepath.Join(dir, "nianbao.db"), "history", id); err != nil || !strings.Contains(hout, id) {
		t.Fatalf("history %s: %v\n%s", id, err, hout)
	}
	// It ends by naming the command that browses its store; the browser shows
	// the report it named.
	db := filepath.Join(dir, "nianbao.db")
	if !strings.Contains(out, "nianbao --db "+db+" serve") {
		t.Fatalf("the demo names no serve command: %s", out)
	}
	srv, err := serve.New(serve.Options{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/report/"+id, nil)
	req.Host = "127.0.0.1:8080" // serve answers only the names it is served under
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), id) {
		t.Fatalf("serve's page of %s: %d", id, rec.Code)
	}
	if _, _, err := run(t, "", "--db", db, "serve", "--addr", "0.0.0.0:8080"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("serve on 0.0.0.0 without --public: %v", err)
	}
	if _, _, err := run(t, "", "--db", filepath.Join(dir, "nianbao.db"), "changes", "--from", "9"); err == nil || !strings.Contains(err.Error(), "runs are 1 to 2") {
		t.Fatalf("changes --from 9 on a store of two runs: %v", err)
	}
	// A second demo into the same folder is refused, not mixed into the first.
	if out2, _, err := run(t, "", "demo", "--out", dir, "--hosts", "8"); err == nil || !strings.Contains(out2+err.Error(), "not empty") {
		t.Fatalf("a second demo into %s: %v\n%s", dir, err, out2)
	}
}

// TestMain lets the crash test run this binary as an importer that it kills.
func TestMain(m *testing.M) {
	if db := os.Getenv("NIANBAO_CRASH_IMPORT"); db != "" {
		crashImporter(db)
		return
	}
	if os.Getenv("NIANBAO_MAIN") != "" { // the test binary as the nianbao command
		var args []string
		for _, a := range os.Args[1:] {
			if !strings.HasPrefix(a, "-test.") {
				args = append(args, a)
			}
		}
		os.Args = append([]string{"nianbao"}, args...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashImporter imports variants of the samples until it is killed.
func crashImporter(db string) {
	st, err := store.Open(db, store.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	ex, err := extract.New()
	if err != nil {
		os.Exit(3)
	}
	dir := filepath.Dir(db)
	for i := 0; ; i++ {
		for _, name := range samples.Documents() {
			b, _ := fs.ReadFile(samples.FS(), name)
			p := filepath.Join(dir, fmt.Sprintf("%d-%d-%s", os.Getpid(), i, name))
			os.WriteFile(p, append(b, fmt.Sprintf("<!-- %d %d -->", os.Getpid(), i)...), 0o644)
			corpus.Import(context.Background(), st, ex, []string{p}, nil)
		}
	}
}

// TestKilledImportLeavesNoHalfRecord kills an importer at random moments and
// checks that every record, capture and document in the store is whole.
func TestKilledImportLeavesNoHalfRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	for round := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "NIANBAO_CRASH_IMPORT="+db)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		st, err := store.Open(db, store.Options{LockTimeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("round %d: store unreadable after a kill: %v", round, err)
		}
		captures := map[uint64]*store.Capture{}
		err = st.Captures(func(c *store.Capture) error {
			captures[c.ID] = c
			if _, err := st.Raw(c.SHA256); err != nil {
				return fmt.Errorf("capture %d: %w", c.ID, err)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		records := 0
		err = st.Entries(func(e *store.Entry) error {
			records++
			if e.Record == nil || len(e.Sources) != 1 {
				return fmt.Errorf("record %s is incomplete", e.ReportID)
			}
			c, ok := captures[e.Sources[0].CaptureID]
			if !ok || c.SHA256 != e.Sources[0].SHA256 || c.SHA256 != e.Record.Source.SHA256 {
				return fmt.Errorf("record %s points at a capture that is not there", e.ReportID)
			}
			return nil
		})
		if err == nil {
			var orphans int
			orphans, err = verifiesWhole(st)
			t.Logf("round %d: %d orphan document(s) swept", round, orphans)
		}
		st.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		t.Logf("round %d: %d captures, %d records intact", round, len(captures), records)
		if round == 3 && records == 0 {
			t.Fatal("the importer never stored a record: the test proved nothing")
		}
	}
}

// verifiesWhole checks a store a writer was killed in: every document a
// capture names is there and hashes right, and after the sweep of orphans
// (documents written before a commit the kill stopped) still is, with no
// orphan left. The store is open for writing.
func verifiesWhole(st *store.Store) (orphans int, err error) {
	ctx := context.Background()
	res, err := corpus.Verify(ctx, st, nil, nil)
	if err != nil || len(res.Bad) > 0 || res.Checked == 0 {
		return 0, fmt.Errorf("verify: %d checked, bad %v, %v", res.Checked, res.Bad, err)
	}
	if _, err := st.SweepOrphans(ctx); err != nil {
		return 0, err
	}
	after, err := corpus.Verify(ctx, st, nil, nil)
	if err != nil || len(after.Bad) > 0 || after.Checked != res.Checked || after.Orphans != 0 {
		return 0, fmt.Errorf("after the sweep of %d orphans: %d checked of %d, bad %v, %d orphans, %v", res.Orphans, after.Checked, res.Checked, after.Bad, after.Orphans, err)
	}
	return res.Orphans, nil
}

// A command that writes waits for a reader's moment with the store (an
// export, a request of serve) instead of failing as "in use".
func TestWriterWaitsForAReader(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nianbao.db")
	if _, _, err := run(t, "", "--db", db, "import", seed000); err != nil {
		t.Fatal(err)
	}
	reader, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(500 * time.Millisecond)
		reader.Close()
		close(released)
	}()
	if _, _, err := run(t, "", "--db", db, "reextract"); err != nil {
		t.Fatalf("reextract while a reader held the store for 0.5 s: %v", err)
	}
	select {
	case <-released:
	default:
		t.Fatal("the writer ran while the reader held the store")
	}
}
