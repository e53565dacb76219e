package crawler

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

// A single-page portal's report page is a shell whose script asks a detail
// service for the report (JSON carrying its HTML, the id computed at run
// time): rendered, the answer it fetched is asked as a report and stored with
// its tables, under the service's address.
func TestRenderedShellFetchesItsReport(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "seeds", "000_594cca86a0db9b9c.txt"))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := json.Marshal(map[string]any{"code": 0, "data": map[string]any{"id": "8871",
		"title": "云浮市人民政府办公室2022年政府信息公开工作年度报告", "content": samples.WordPasted(string(seed))}})
	shell := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开</title></head><body><div id="app"></div>
<script>
var id = location.hash.slice(1) || ("88" + (70 + 1));
fetch("/api/article/detail?id=" + id + "&_t=" + Date.now()).then(function (r) { return r.json(); }).then(function (j) {
  document.getElementById("app").innerHTML = "<h1>" + j.data.title + "</h1>" + j.data.content;
});
</script></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, shell)
		case "/api/article/detail":
			if r.URL.Query().Get("id") != "8871" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(answer)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	st, ex := testStore(t)
	cfg := Config{AllowPrivate: true, Delay: 100 * time.Millisecond, Timeout: 5 * time.Second}
	cfg.Defaults()
	cfg.Render = renderBrowser(t, cfg.UserAgent)
	sum := crawlOnce(t, cfg, st, ex, srv.URL+"/")
	t.Logf("renders %+v, fetched %d, documents %d", sum.Render, sum.Fetched, sum.Documents)
	var found bool
	st.Entries(func(e *store.Entry) error {
		if strings.Contains(string(e.Record.Source.URL), "/api/article/detail") && e.Record.Requests != nil {
			v, _ := e.Record.Cell("requests.new_received.total")
			found = v != nil
		}
		return nil
	})
	if !found {
		t.Fatal("the report the rendered page fetched is not stored with its tables")
	}
}
