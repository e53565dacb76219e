package crawler

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestRepairLocation(t *testing.T) {
	for in, want := range map[string]string{
		"/nb/完成率100%.html":   "/nb/%E5%AE%8C%E6%88%90%E7%8E%87100%25.html",
		"/nb/a b.html":       "/nb/a%20b.html",
		"/nb/%E5%AE%8C.html": "", // already an address
		"/nb/50%":            "/nb/50%25",
	} {
		if got := repairLocation(in); got != want {
			t.Errorf("repairLocation(%q) = %q, want %q", in, got, want)
		}
	}
}

// A redirect no repair makes an address of, and an answer whose header line
// no client reads, are each one page's failure with its reason; the host's
// reports are fetched and it is not given up.
func TestUnreadableRedirectsAreThePagesFault(t *testing.T) {
	t.Parallel()
	// A raw server: net/http would refuse to write a control character.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				switch req.URL.Path {
				case "/":
					body := hostileHome(4)
					fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
				case "/nb/t0.html":
					fmt.Fprint(conn, "HTTP/1.1 302 Found\r\nLocation: http://[::1/x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				case "/nb/t1.html":
					fmt.Fprint(conn, "HTTP/1.1 302 Found\r\nLocation: /a\x01b\r\nX: \x00\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				case "/robots.txt":
					fmt.Fprint(conn, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				default:
					body := hostileReport(2018)
					fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
				}
			}()
		}
	}()
	st, ex := testStore(t)
	cfg := hostileConfig()
	cfg.Workers = 1
	sum := crawlOnce(t, cfg, st, ex, "http://"+ln.Addr().String()+"/")
	for _, g := range sum.GivenUp {
		t.Errorf("host given up: %s %s", g.Class, g.Detail)
	}
	got := map[string]string{}
	for _, f := range fetchesOf(t, st) {
		got[f.URL[strings.Index(f.URL, "/nb/")+1:]] = string(f.Class) + " " + f.Detail
	}
	if d := got["nb/t0.html"]; !strings.HasPrefix(d, "error a redirect to an address that cannot be read") {
		t.Errorf("t0 (a Location no repair reads): %q", d)
	}
	if d := got["nb/t1.html"]; !strings.HasPrefix(d, "error ") {
		t.Errorf("t1 (a header line no client reads): %q", d)
	}
	for _, p := range []string{"nb/t2.html", "nb/t3.html"} {
		if !strings.HasPrefix(got[p], "ok") {
			t.Errorf("%s: %q, want the report fetched", p, got[p])
		}
	}
}
