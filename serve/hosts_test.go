package serve

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/store"
)

// emptyStore makes a new store file with nothing in it.
func emptyStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nianbao.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// askAs sends GET / to the listener at addr with the Host header host, over
// a real connection, and returns the status and body.
func askAs(t *testing.T, addr, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// A page whose name is rebound to 127.0.0.1 makes the browser connect to the
// real listener with its own name in Host: it is refused, in words, while the
// loopback names (with the port), and the names the server was given, are
// answered.
func TestServesOnlyItsOwnNames(t *testing.T) {
	path := emptyStore(t)
	for _, c := range []struct {
		opt     Options
		answers []string
		refuses []string
	}{
		{Options{},
			[]string{"localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LOCALHOST.:{port}", "127.0.0.1"},
			[]string{"evil.example", "evil.example:{port}", "localhost.evil.example:{port}", "10.1.2.3:{port}", "nianbao.lab.example"}},
		{Options{Public: true, Hosts: []string{"nianbao.lab.example"}},
			[]string{"nianbao.lab.example:{port}", "Nianbao.Lab.Example", "10.1.2.3:{port}", "[fe80::1]:{port}", "localhost:{port}"},
			[]string{"evil.example:{port}", "lab.example", "nianbao.lab.example.evil.example"}},
	} {
		c.opt.Store = path
		s, err := New(c.opt)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(s)
		_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
		addr := ts.Listener.Addr().String()
		for _, h := range c.answers {
			h = strings.ReplaceAll(h, "{port}", port)
			if code, body := askAs(t, addr, h); code != http.StatusOK {
				t.Errorf("public %v, Host %q: %d %.200q, want the list", c.opt.Public, h, code, body)
			}
		}
		for _, h := range c.refuses {
			h = strings.ReplaceAll(h, "{port}", port)
			code, body := askAs(t, addr, h)
			if code != http.StatusMisdirectedRequest || !strings.Contains(body, "not served under the name") || strings.Contains(body, "<") {
				t.Errorf("public %v, Host %q: %d %.200q, want a plain 421", c.opt.Public, h, code, body)
			}
		}
		ts.Close()
	}
}
