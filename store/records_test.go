package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/report"
)

// A record is stored compressed, is read back whole (by Entry, Entries and
// History), and a record written as plain JSON before is still read.
func TestRecordsStoredCompressed(t *testing.T) {
	s := openTemp(t)
	rec := report.New()
	rec.Title = "测试2022年政府信息公开工作年度报告"
	rec.Sections.General = strings.Repeat("全市各级政府及其部门已建设完成统一规范的政府信息公开平台。\n", 200)
	c := &Capture{URL: "http://www.example.gov.cn/a.html", FetchedAt: time.Unix(1700000000, 0).UTC(), Origin: "fetch", Status: 200}
	e := &Entry{ReportID: ReportID(c.URL, ""), Record: rec, Extractor: "test"}
	if err := s.Put(c, []byte("<html>一、总体情况</html>"), e); err != nil {
		t.Fatal(err)
	}
	plain, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		stored = bytes.Clone(tx.Bucket(bucketRecords).Get([]byte(e.ReportID)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored, zstdMagic) || len(stored)*3 > len(plain) {
		t.Fatalf("the record is stored in %d bytes (%q…) for %d of JSON: not compressed", len(stored), stored[:min(8, len(stored))], len(plain))
	}
	back, err := s.Entry(e.ReportID)
	if err != nil || back.Record.Sections.General != rec.Sections.General {
		t.Fatalf("read back: %v", err)
	}
	// A record written before, as plain JSON, is read as it is.
	old := *e
	old.ReportID = "old"
	ob, _ := json.Marshal(&old)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketRecords).Put([]byte("old"), ob) }); err != nil {
		t.Fatal(err)
	}
	var titles []string
	if err := s.Entries(func(e *Entry) error { titles = append(titles, e.ReportID+" "+string(e.Record.Title)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(titles) != 2 || !strings.HasSuffix(titles[0], string(rec.Title)) || !strings.HasSuffix(titles[1], string(rec.Title)) {
		t.Fatalf("entries: %q", titles)
	}
	// A damaged compressed record is an error, not a panic.
	if err := decodeRecord(append(bytes.Clone(zstdMagic), 1, 2, 3), &Entry{}); err == nil {
		t.Fatal("a damaged record decoded without an error")
	}
}
