package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// A report page that answers, on the second night, with a redirect to a new
// address (the document unchanged) is logged as moved, old → new, and its
// record names the address that answers; the old one stays in its history.
// Each kind of redirect a portal uses, and a new address never seen before.
func TestReportMovedByRedirect(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", "003_c00c0f458b041d9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	report := samples.WordPasted(string(text))
	for _, kind := range []string{"301", "302", "307", "308", "meta refresh", "location.replace", "offsite", "loop"} {
		t.Run(kind, func(t *testing.T) {
			var night atomic.Int32
			night.Store(1)
			srv := httptest.NewServer(movingSite(kind, report, &night))
			defer srv.Close()
			st, ex := testStore(t)
			cfg := Config{AllowPrivate: true, Delay: 5 * time.Millisecond, Timeout: 3 * time.Second, BackoffBase: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
			crawl := func() { crawlOnce(t, cfg, st, ex, srv.URL+"/") }
			crawl()
			night.Store(2)
			cfg.Clock = func() time.Time { return time.Now().Add(40 * 24 * time.Hour) } // every page due again
			crawl()

			oldURL, newURL := srv.URL+movedOldPath, srv.URL+movedNewPath
			if kind == "offsite" || kind == "loop" {
				// Not a move: the address is gone, with its reason; the record stays.
				checkGoneNotMoved(t, st, oldURL)
				return
			}
			checkMoved(t, st, oldURL, newURL)
		})
	}
}

// movingSite serves a report at movedOldPath on night 1 and, on night 2, at
// movedNewPath, reached from the old address by a redirect of the given kind.
func movingSite(kind, report string, night *atomic.Int32) http.Handler {
	const oldPath, newPath = movedOldPath, movedNewPath
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>某区人民政府</title></head><body><a href="/nb/">政府信息公开年报</a></body></html>`)
		case "/nb/":
			// The list still links the old address on night 2, as real lists do.
			fmt.Fprintf(w, `<html><head><title>政府信息公开年报</title></head><body><ul><li><a href="%s">某区2022年政府信息公开工作年度报告</a></li></ul></body></html>`, oldPath)
		case oldPath:
			if night.Load() == 1 {
				fmt.Fprint(w, report)
				return
			}
			switch kind {
			case "offsite":
				http.Redirect(w, r, "http://www.elsewhere.gov.cn"+newPath, http.StatusMovedPermanently)
			case "loop":
				http.Redirect(w, r, "/loop.html", http.StatusFound)
			case "meta refresh":
				fmt.Fprintf(w, `<html><head><meta http-equiv="refresh" content="0;URL=%s"></head><body></body></html>`, newPath)
			case "location.replace":
				fmt.Fprintf(w, `<html><head><script>window.location.replace("%s");</script></head><body></body></html>`, newPath)
			default:
				var code int
				fmt.Sscan(kind, &code)
				http.Redirect(w, r, newPath, code)
			}
		case "/loop.html":
			http.Redirect(w, r, oldPath, http.StatusFound)
		case newPath:
			if night.Load() == 1 {
				http.NotFound(w, r)
				return
			}
			fmt.Fprint(w, report)
		default:
			http.NotFound(w, r)
		}
	})
	return mux
}

// The report's old and new addresses.
const movedOldPath, movedNewPath = "/nb/t20230115_1.html", "/xxgk/nb/2023/t20230115_1.html"

// checkGoneNotMoved: night 2 logged the old address as gone, with its reason,
// and kept the record.
func checkGoneNotMoved(t *testing.T, st *store.Store, oldURL string) {
	gone := 0
	st.Changes(2, 2, func(c *store.ReportChange) error {
		if c.Kind != store.ChangeGone {
			t.Errorf("night 2 logged %s %s → %s, want the report gone", c.Kind, c.URL, c.To)
		}
		gone++
		return nil
	})
	if gone != 1 {
		t.Errorf("%d gone changes, want 1", gone)
	}
	d, err := st.Doc("GET", oldURL, nil)
	if err != nil || d == nil || d.State != "gone" || d.Detail == "" {
		t.Fatalf("the old address's state %+v (%v), want gone with a reason", d, err)
	}
	if n := countEntries(st); n != 1 {
		t.Errorf("%d records, want the report's one", n)
	}
}

// checkMoved: night 2 logged one move old → new and nothing else, the one
// record names the new address (in the export too) and its history the old.
func checkMoved(t *testing.T, st *store.Store, oldURL, newURL string) {
	var moved []store.ReportChange
	var entries []*store.Entry
	st.Changes(2, 2, func(c *store.ReportChange) error {
		if c.Kind == store.ChangeMoved {
			moved = append(moved, *c)
		} else {
			t.Errorf("night 2 logged %s %s for an unchanged, moved report", c.Kind, c.URL)
		}
		return nil
	})
	st.Entries(func(e *store.Entry) error { entries = append(entries, e); return nil })
	if len(moved) != 1 || moved[0].URL != oldURL || moved[0].To != newURL {
		t.Fatalf("moved changes %+v, want one %s → %s", moved, oldURL, newURL)
	}
	if len(entries) != 1 || string(entries[0].Record.Source.URL) != newURL {
		var urls []string
		for _, e := range entries {
			urls = append(urls, string(e.Record.Source.URL))
		}
		t.Fatalf("records at %v, want one at %s", urls, newURL)
	}
	var csv strings.Builder
	cw, err := export.NewCSV(&csv, export.Options{})
	if err == nil {
		err = cw.Write(entries[0], attrib.Attribution{})
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil || !strings.Contains(csv.String(), ","+newURL+",") || strings.Contains(csv.String(), oldURL) {
		t.Errorf("the exported row (%v) does not give the new address alone:\n%s", err, csv.String())
	}
	h, err := st.History(entries[0].ReportID)
	if err != nil {
		t.Fatal(err)
	}
	var sawOld bool
	for _, d := range h.URLs {
		sawOld = sawOld || d.URL == oldURL && d.MovedTo == newURL
	}
	if !sawOld {
		t.Errorf("history's URLs %+v do not keep the old address as moved to the new", h.URLs)
	}
}

func countEntries(st *store.Store) int {
	n := 0
	st.Entries(func(*store.Entry) error { n++; return nil })
	return n
}
