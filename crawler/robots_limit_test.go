package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A robots.txt of thousands of wildcard rules (512 KB of them had cost 0.7 s
// of CPU per URL tested) is read as disallowing everything, with the reason;
// an ordinary one is read as it says.
func TestRobotsWithTooManyRules(t *testing.T) {
	var huge strings.Builder
	huge.WriteString("User-agent: *\n")
	for i := range 12_000 {
		fmt.Fprintf(&huge, "Disallow: /*%d*/*.html$\n", i)
	}
	for _, c := range []struct {
		name, body string
		allowed    bool
		err        string
	}{
		{"12,000 wildcard rules", huge.String(), false, "over 2000"},
		{"an ordinary file", "User-agent: *\nDisallow: /admin/\nAllow: /\n", true, ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, c.body) }))
		rc := newRobotsCache("nianbao", time.Hour, time.Minute)
		u := strings.TrimPrefix(srv.URL, "http://")
		r := rc.fetch(context.Background(), srv.Client(), "http", u, "nianbao/0.1")
		srv.Close()
		if got := r.allowed("/xxgk/2023/t1.html", "nianbao"); got != c.allowed || !strings.Contains(r.err, c.err) {
			t.Errorf("%s: allowed %v (%s), want %v", c.name, got, r.err, c.allowed)
		}
	}
}
