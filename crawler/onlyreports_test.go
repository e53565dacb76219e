package crawler

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// TestOnlyReportsBecomeRecords: a column titled like the reports it holds
// (政府信息公开年度报告), reached by a link that names a report, holding one
// entry, is never a record, whether the entry's text is cut short or the
// entry is the report's file; a report's page whose tables are only in its
// PDF, named in a data-src attribute alone, is the report: its PDF is asked
// and read into its record.
func TestOnlyReportsBecomeRecords(t *testing.T) {
	t.Parallel()
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "onlyreports", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	seed, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", "003_c00c0f458b041d9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "real", "002.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	const column = "/xxgk/zfxxgknb/"
	cases := []struct {
		name, column string
		pages        map[string][]byte // path → body
		records      []string          // the paths stored as records' addresses or sources
		asked        []string          // the paths that must have been asked
	}{
		{name: "one entry cut short", column: "column_one_truncated.html",
			pages:   map[string][]byte{column + "202301/t20230115_1.html": []byte(samples.WordPasted(string(seed)))},
			records: []string{column + "202301/t20230115_1.html"}},
		{name: "one entry, the report's file", column: "column_one_file.html",
			pages:   map[string][]byte{column + "202401/P020240120512345678901.pdf": pdf},
			records: []string{column + "202401/P020240120512345678901.pdf"}},
		{name: "a report page naming its PDF in data-src", column: "column_one_titled.html",
			pages: map[string][]byte{column + "202301/t20230115_1.html": fixture("report_stub_datasrc.html"),
				"/uploads/2024/01/P020240120512345678901.pdf": pdf},
			records: []string{column + "202301/t20230115_1.html", "/uploads/2024/01/P020240120512345678901.pdf"},
			asked:   []string{"/uploads/2024/01/P020240120512345678901.pdf"}},
		{name: "a report page titled as its column, reached by an entry cut short", column: "column_one_truncated.html",
			pages: map[string][]byte{column + "202301/t20230115_1.html": fixture("report_stub_coltitle.html"),
				"/uploads/2024/01/P020240120512345678901.pdf": pdf},
			records: []string{column + "202301/t20230115_1.html", "/uploads/2024/01/P020240120512345678901.pdf"},
			asked:   []string{"/uploads/2024/01/P020240120512345678901.pdf"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			asked := map[string]bool{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				asked[r.URL.Path] = true
				mu.Unlock()
				switch {
				case r.URL.Path == "/":
					w.Write([]byte(`<html><head><meta charset="utf-8"><title>某区人民政府</title></head><body><a href="` + column + `">政府信息公开年度报告</a></body></html>`))
				case r.URL.Path == column:
					w.Write(fixture(tc.column))
				case tc.pages[r.URL.Path] != nil:
					if strings.HasSuffix(r.URL.Path, ".pdf") {
						w.Header().Set("Content-Type", "application/pdf")
					}
					w.Write(tc.pages[r.URL.Path])
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			st, ex := testStore(t)
			cfg := Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 10 * time.Second, BackoffBase: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
			crawlOnce(t, cfg, st, ex, srv.URL+"/")
			var entries []*store.Entry
			st.Entries(func(e *store.Entry) error { entries = append(entries, e); return nil })
			if len(entries) != 1 {
				var urls []string
				for _, e := range entries {
					urls = append(urls, string(e.Record.Source.URL))
				}
				t.Fatalf("%d records %v, want the report's one", len(entries), urls)
			}
			e := entries[0]
			sources := map[string]bool{strings.TrimPrefix(string(e.Record.Source.URL), srv.URL): true}
			for _, s := range e.Sources {
				sources[strings.TrimPrefix(s.URL, srv.URL)] = true
			}
			if sources[column] {
				t.Errorf("the column was stored as (part of) a report: %v", sources)
			}
			for _, p := range tc.records {
				if !sources[p] {
					t.Errorf("the record's sources %v lack %s", sources, p)
				}
			}
			for _, p := range tc.asked {
				if !asked[p] {
					t.Errorf("%s was never asked", p)
				}
			}
			if e.Record.Requests == nil || e.Record.Requests.Filled() == 0 {
				t.Errorf("the record %q has no table 三", e.Record.Title)
			}
		})
	}
}
