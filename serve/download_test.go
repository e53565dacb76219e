package serve

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// bigStore writes a store of n records whose titles are long: a CSV of
// tens of megabytes, far more than the sockets between a server and its
// client buffer.
func bigStore(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nianbao.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	long := strings.Repeat("政府信息公开工作年度报告", 250) // 9 KB
	var es []*store.Entry
	for i := range n {
		r := report.New()
		y := 2021
		r.Year, r.Template = &y, report.Template2021
		r.Title = report.Text(fmt.Sprintf("第%d号 %s", i, long))
		r.Organisation = report.Text(fmt.Sprintf("某某县第%d局", i))
		es = append(es, &store.Entry{ReportID: store.ReportID(fmt.Sprintf("https://example.gov.cn/%d.html", i), ""), Record: r, Extractor: "test"})
	}
	if err := st.PutEntries(es); err != nil {
		t.Fatal(err)
	}
	return path
}

// A download whose client has stopped reading does not keep a writer out:
// an import opens the store and commits while the download is stalled, and
// the download, read on, is whole.
func TestStalledDownloadLetsAWriterIn(t *testing.T) {
	const n = 5000
	path := bigStore(t, n)
	s, err := New(Options{Store: path, LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/reports.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %s", resp.Status)
	}
	// The client reads nothing more: the server's writes fill the sockets
	// and block. A writer comes meanwhile; a store kept open for the whole
	// download would keep it out for as long as the client stalls.
	w, err := store.Open(path, store.Options{LockTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("an import while a download is stalled: %v", err)
	}
	r := report.New()
	r.Title = "下载期间导入的报告"
	if err := w.PutEntries([]*store.Entry{{ReportID: "ffffffffffffffff", Record: r, Extractor: "test"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("reading the rest of the download: %v", err)
	}
	// The record imported meanwhile sorts last: the download, still on its
	// first pages, reads it as it reaches it.
	if len(rows) != n+2 || rows[len(rows)-1][1] != "下载期间导入的报告" {
		t.Errorf("%d rows (the last %.40q), want the header, %d records and the one imported meanwhile", len(rows), rows[len(rows)-1], n)
	}
}

// A download cut off between pages (the store gone) ends as a failed
// transfer, never as a file that passes for whole.
func TestDownloadCutOffIsNoShortFile(t *testing.T) {
	path := bigStore(t, 2*pageRecords)
	s, err := New(Options{Store: path, LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	src := &pagedStore{s: s}
	if src.first, err = src.read(time.Second); err != nil || !src.more {
		t.Fatalf("first page: %d records, more %v, %v", len(src.first), src.more, err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	n := 0
	err = src.Entries(func(*store.Entry) error { n++; return nil })
	if err == nil || n != pageRecords {
		t.Errorf("the store gone after the first page: %d records, %v; want the first page and an error", n, err)
	}
}

// A captured document served to a client that has stopped reading does not
// keep a writer out either: every answer is written once the store is closed.
func TestStalledSourceLetsAWriterIn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nianbao.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 40<<20) // a 40 MB PDF, as far as serving goes: bytes that do not compress
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(body); i += 8 {
		binary.LittleEndian.PutUint64(body[i:], rng.Uint64())
	}
	u := "https://www.example.gov.cn/nb/2021.pdf"
	sha := store.SHA256(body)
	r := report.New()
	r.Source = report.Source{URL: report.Text(u), Format: "pdf", SHA256: sha}
	id := store.ReportID(u, sha)
	c := &store.Capture{ReportID: id, URL: u, Status: 200, ContentType: "application/pdf", FetchedAt: time.Now(), Origin: "fetch"}
	if err := st.Put(c, body, &store.Entry{ReportID: id, Record: r, Extractor: "test"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	s, err := New(Options{Store: path, LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.Get(fmt.Sprintf("%s/report/%s/source/%d", ts.URL, id, c.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("source: %s", resp.Status)
	}
	w, err := store.Open(path, store.Options{LockTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("an import while a source is being served to a stalled client: %v", err)
	}
	w.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("the document as served: %d bytes, %v", len(got), err)
	}
}
