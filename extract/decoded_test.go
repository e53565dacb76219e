package extract

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/samples"
	"golang.org/x/net/html"
)

// A page the caller decoded and parsed already (the crawler, which read its
// links) is read from that decoding and that tree, and reads as it does from
// its bytes alone: every HTML sample gives the same record all three ways,
// under each way a server may name its charset.
func TestDecodedPageReadsTheSame(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	pages := map[string][]byte{}
	for _, name := range samples.Documents() {
		if strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".htm") {
			body, err := fs.ReadFile(samples.FS(), name)
			if err != nil {
				t.Fatal(err)
			}
			pages[name] = body
		}
	}
	// And the real seed reports as a portal's Word-pasted pages.
	seeds, _ := filepath.Glob(filepath.Join(seedDir, "*.txt"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			pages[filepath.Base(p)+".html"] = []byte(samples.WordPasted(string(b)))
		}
	}
	n := 0
	for name, body := range pages {
		for _, ct := range []string{"text/html", "text/html; charset=utf-8", "text/html; charset=gbk"} {
			doc := Document{Body: body, URL: "http://www.example.gov.cn/" + name, ContentType: ct}
			alone, err1 := e.Extract(context.Background(), doc)
			d := e.dec.Bytes(body, ct, true)
			doc.Decoded = &d
			shared, err2 := e.Extract(context.Background(), doc)
			tree, err := html.Parse(strings.NewReader(d.Text))
			if err != nil {
				t.Fatal(err)
			}
			doc.Tree = tree
			parsed, err3 := e.Extract(context.Background(), doc)
			if (err1 == nil) != (err2 == nil) || (err1 == nil) != (err3 == nil) {
				t.Fatalf("%s (%q): errors %v, %v and %v", name, ct, err1, err2, err3)
			}
			a, _ := json.Marshal(alone)
			b, _ := json.Marshal(shared)
			c, _ := json.Marshal(parsed)
			if string(a) != string(b) {
				t.Errorf("%s (%q): the record read from the caller's decoding differs", name, ct)
			}
			if string(a) != string(c) {
				t.Errorf("%s (%q): the record read from the caller's tree differs", name, ct)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no HTML sample")
	}

	// And the decoding given is the one read: not the bytes again.
	page := []byte(`<html><head><title>x</title></head><body><p>bytes</p></body></html>`)
	d := e.dec.Bytes([]byte(`<html><head><title>某县2022年政府信息公开工作年度报告</title></head><body><p>decoded</p></body></html>`), "", true)
	rec, err := e.Extract(context.Background(), Document{Body: page, Decoded: &d})
	if err != nil {
		t.Fatal(err)
	}
	if string(rec.Title) != "某县2022年政府信息公开工作年度报告" {
		t.Errorf("read %q, not the decoding given", rec.Title)
	}
	// And the tree given with it is the one read: not the text parsed again.
	tree, err := html.Parse(strings.NewReader(`<html><head><title>某县2023年政府信息公开工作年度报告</title></head><body><p>tree</p></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err = e.Extract(context.Background(), Document{Body: page, Decoded: &d, Tree: tree}); err != nil {
		t.Fatal(err)
	}
	if string(rec.Title) != "某县2023年政府信息公开工作年度报告" {
		t.Errorf("read %q, not the tree given", rec.Title)
	}
}
