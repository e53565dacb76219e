package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
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

// pinnedDicts are the SHA-256 of every record dictionary: records name their
// dictionary by ID, so one that records were written with must never change.
// A new dictionary gets a new ID and a line here.
var pinnedDicts = map[string]string{
	"recorddict/records-1851916289.zdict": "fd517195de699726eb0c1ecfc1452bd93070715c2fd7f48716e59c0625afb3ee",
}

// Every embedded dictionary is pinned and unchanged, the newest compresses,
// and a record written with an older one, or with none (before the
// dictionaries), is still read.
func TestRecordDictionaries(t *testing.T) {
	names, err := fs.Glob(dictFiles, "recorddict/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := dictFiles.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		want, ok := pinnedDicts[n]
		if !ok {
			t.Errorf("%s is not pinned: add its SHA-256 %x to pinnedDicts", n, sum)
		} else if want != hex.EncodeToString(sum[:]) {
			t.Errorf("%s changed (SHA-256 %x, pinned %s): records written with it would no longer read; add a new dictionary with a new ID instead", n, sum, want)
		}
	}
	dicts, err := recordDicts()
	if err != nil {
		t.Fatal(err)
	}
	e := &Entry{ReportID: "r", Record: report.New(), Extractor: "test"}
	e.Record.Title = "某县人民政府2022年政府信息公开工作年度报告"
	e.Record.Sections.General = strings.Repeat("全县主动公开政府信息，依申请公开办理及时。\n", 40)
	stored, err := encodeRecord(e)
	if err != nil {
		t.Fatal(err)
	}
	var h zstd.Header
	if err := h.Decode(stored); err != nil {
		t.Fatal(err)
	}
	newest, err := zstd.InspectDictionary(dicts[len(dicts)-1])
	if err != nil {
		t.Fatal(err)
	}
	if h.DictionaryID != newest.ID() {
		t.Fatalf("a record is written with dictionary %d, not the newest (%d)", h.DictionaryID, newest.ID())
	}
	plain, _ := json.Marshal(e)
	// Written with each dictionary, and with none, it reads back the same.
	for i := -1; i < len(dicts); i++ {
		opts := []zstd.EOption{}
		if i >= 0 {
			opts = append(opts, zstd.WithEncoderDict(dicts[i]))
		}
		enc, err := zstd.NewWriter(nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var back Entry
		if err := decodeRecord(enc.EncodeAll(plain, nil), &back); err != nil {
			t.Fatalf("dictionary %d: %v", i, err)
		}
		if back.Record.Sections.General != e.Record.Sections.General || back.Record.Title != e.Record.Title {
			t.Fatalf("dictionary %d: read back differs", i)
		}
	}
}

// Writes fill the pages they split where keys only grow: the captures of
// documents written one a transaction use most of their pages (72 % here),
// not half as bbolt's default split leaves them (49 %). bbolt leaves at
// least two keys on each side of a split, so a page of 2 KB holding about
// seven captures is not filled further.
func TestWritesFillPages(t *testing.T) {
	s := openTemp(t)
	for i := range 1500 {
		c := &Capture{URL: fmt.Sprintf("http://www.example.gov.cn/%d.html", i), FetchedAt: time.Unix(1700000000, 0).UTC(), Origin: "fetch", Status: 200}
		rec := report.New()
		rec.Title = report.Text(fmt.Sprintf("某县%d人民政府2022年政府信息公开工作年度报告", i))
		e := &Entry{ReportID: ReportID(c.URL, ""), Record: rec, Extractor: "test"}
		if err := s.Put(c, []byte(fmt.Sprintf("document %d", i)), e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketCaptures} {
			st := tx.Bucket(name).Stats()
			pages := st.LeafPageN + st.LeafOverflowN
			if pages < 4 {
				t.Fatalf("%s: %d pages, too few to judge", name, pages)
			}
			fill := float64(st.LeafInuse) / float64(pages*s.db.Info().PageSize)
			t.Logf("%s: %d leaf pages, %.0f %% used", name, pages, 100*fill)
			if fill < 0.65 {
				t.Errorf("%s: leaf pages %.0f %% used (%d pages), want at least 65 %%", name, 100*fill, pages)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
