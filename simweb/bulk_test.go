package simweb

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// The bulk world: a host's home page lists its report pages and links nothing
// else, each is a report of its own that reads as the figures it was given
// and links nowhere, and no other page exists.
func TestBulkWorldIsEveryPageAReport(t *testing.T) {
	t.Parallel()
	w := world(t, 3, 0, false)
	_, c := serve(t, w, Options{Bulk: 12})
	ex, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	links := regexp.MustCompile(`href="(/nb/t\d+\.html)"`)
	prints := map[string]string{}
	for _, h := range w.Hosts {
		code, _, home := get(t, c, h.HomeURL())
		if code != 200 {
			t.Fatalf("%s: %d", h.HomeURL(), code)
		}
		if code, _, _ := get(t, c, h.HomeURL()+"xxgk/"); code != 404 {
			t.Errorf("%s: a page that is no report answers %d", h.Name, code)
		}
		found := links.FindAllStringSubmatch(home, -1)
		if n := strings.Count(home, "href="); n != len(found) {
			t.Errorf("%s: the home page links %d addresses, %d of them report pages", h.Name, n, len(found))
		}
		if len(found) != 12 {
			t.Fatalf("%s lists %d report pages, want 12", h.Name, len(found))
		}
		for i, m := range found {
			u := strings.TrimSuffix(h.HomeURL(), "/") + m[1]
			req, _ := http.NewRequest("GET", u, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "href=") {
				t.Errorf("%s links elsewhere: a bulk report page is a dead end", u)
			}
			rec, err := ex.Extract(context.Background(), extract.Document{Body: body, URL: u, ContentType: resp.Header.Get("Content-Type")})
			if err != nil || rec.Template == report.TemplateUnknown {
				t.Fatalf("%s is not read as a report: %v", u, err)
			}
			fp := report.Fingerprint(rec)
			if other, ok := prints[fp]; ok {
				t.Errorf("%s reads as %s", u, other)
			}
			prints[fp] = u
			want := w.bulkReport(h, i+1).Tables()
			if got, exp := rec.Table("requests"), want.Table("requests"); got == nil || exp == nil || report.Diff(&report.Record{Requests: got}, &report.Record{Requests: exp}) != nil {
				t.Errorf("%s: its requests table is not the one it was given", u)
			}
		}
		if code, _, _ := get(t, c, h.HomeURL()+"nb/t13.html"); code != 404 {
			t.Errorf("%s: a page past the list answers %d", h.Name, code)
		}
	}
}
