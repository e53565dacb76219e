package export

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	warc "github.com/internetarchive/gowarc"

	"github.com/nianbao/nianbao/store"
)

// TestWARCReadBack writes fetched and imported captures as WARC and reads them
// back with the Internet Archive's WARC reader: every record is there with its
// headers and the original bytes.
func TestWARCReadBack(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gbk := []byte("<html><head><meta charset=gbk><title>\xc4\xea\xb1\xa8</title></head><body>\x00\xff binary-ish</body></html>")
	pdf := append([]byte("%PDF-1.4\n"), make([]byte, 3000)...)
	fetched := &store.Capture{URL: "http://www.example.gov.cn/a.html", Status: 200, Origin: "fetch", FetchedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Header: map[string][]string{"Content-Type": {"text/html; charset=gbk"}, "Etag": {`"x"`}, "Content-Encoding": {"gzip"}}}
	imported := &store.Capture{Name: "年报 2022.pdf", Origin: "import", ContentType: "application/pdf", FetchedAt: time.Now()}
	for _, c := range []struct {
		c *store.Capture
		b []byte
	}{{fetched, gbk}, {imported, pdf}} {
		if err := st.Put(c.c, c.b, nil); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	w, err := WriteWARC(dir, st, "nianbao test")
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 1 || w.Records != 2 {
		t.Fatalf("files %v, records %d", w.Files, w.Records)
	}
	f, err := os.Open(w.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := warc.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		typ := rec.Header.Get("WARC-Type")
		types[typ]++
		switch typ {
		case "response":
			if rec.Header.Get("WARC-Target-URI") != fetched.URL || rec.Header.Get("WARC-Date") != "2026-01-02T03:04:05Z" {
				t.Errorf("response headers: %v", rec.Header)
			}
			resp, err := http.ReadResponse(bufio.NewReader(rec.Content), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if string(body) != string(gbk) || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=gbk" ||
				resp.Header.Get("Etag") != `"x"` || resp.Header.Get("Content-Encoding") != "" {
				t.Errorf("response: %d %v %q", resp.StatusCode, resp.Header, body)
			}
			if rec.Header.Get("WARC-Payload-Digest") != digest(gbk) {
				t.Errorf("payload digest %s", rec.Header.Get("WARC-Payload-Digest"))
			}
		case "resource":
			body, _ := io.ReadAll(rec.Content)
			if string(body) != string(pdf) || rec.Header.Get("Content-Type") != "application/pdf" {
				t.Errorf("resource: %v, %d bytes", rec.Header, len(body))
			}
		}
		rec.Content.Close()
	}
	if types["warcinfo"] != 1 || types["response"] != 1 || types["resource"] != 1 {
		t.Errorf("record types: %v", types)
	}
}

// A WARC file is written under a .part name and renamed only when complete,
// so an export killed part way leaves no truncated file under a final name.
func TestWARCPartUntilComplete(t *testing.T) {
	dir := t.TempDir()
	w := &WARCWriter{Dir: dir, Software: "nianbao test", MaxFileSize: 1}
	names := func() []string {
		es, _ := os.ReadDir(dir)
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}
	c := &store.Capture{URL: "http://www.example.gov.cn/a.html", Status: 200, Origin: "fetch", FetchedAt: time.Now()}
	if err := w.Write(c, []byte("<html>一</html>")); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 1 || filepath.Ext(got[0]) != ".part" {
		t.Fatalf("while the first file is written: %v, want one .part", got)
	}
	if err := w.Write(c, []byte("<html>二</html>")); err != nil { // rotates: the first is complete
		t.Fatal(err)
	}
	if got := names(); len(got) != 2 || got[0] != "nianbao-00000.warc.gz" || got[1] != "nianbao-00001.warc.gz.part" {
		t.Fatalf("after a rotation: %v", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 2 || got[1] != "nianbao-00001.warc.gz" || len(w.Files) != 2 {
		t.Fatalf("after Close: %v (files %v)", got, w.Files)
	}
}
