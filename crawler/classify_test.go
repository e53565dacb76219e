package crawler

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawl"
)

// TestFaultsByType classifies real failures of loopback servers: a reset and
// a connection closed without an answer are network faults tried again
// (server_error, never blocked_waf), an unknown certificate authority is a TLS
// fault, a closed port is unreachable.
func TestFaultsByType(t *testing.T) {
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(u string) error {
		resp, err := client.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	serve := func(handle func(net.Conn)) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				handle(c)
			}
		}()
		return "http://" + ln.Addr().String() + "/"
	}
	reset := serve(func(c net.Conn) {
		buf := make([]byte, 1024)
		c.Read(buf)
		c.(*net.TCPConn).SetLinger(0) // RST instead of FIN
		c.Close()
	})
	eof := serve(func(c net.Conn) {
		buf := make([]byte, 1024)
		c.Read(buf)
		c.Close()
	})
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()

	for _, c := range []struct {
		name, url string
		want      crawl.Class
	}{
		{"reset", reset, ClassServerError},
		{"closed without an answer", eof, ClassServerError},
		{"unknown authority", tlsSrv.URL, ClassTLS},
		{"closed port", closed, ClassUnreachable},
	} {
		err := get(c.url)
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		if got, detail := classify(0, nil, "", err); got != c.want {
			t.Errorf("%s: class %s (%s), want %s", c.name, got, detail, c.want)
		}
	}
}
