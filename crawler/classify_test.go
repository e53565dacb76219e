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

// A small page of scripts and no links is a challenge when its code computes
// a cookie and reloads (as 加速乐's and 瑞数's do), and an application's shell
// when it only mounts its bundles (a Vue CLI build's index.html, about 800
// bytes): the shell is read like a page, to be rendered; the challenge never.
func TestChallengeOrApplicationShell(t *testing.T) {
	vue := `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=edge">` +
		`<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="/favicon.ico"><title>政府信息公开</title>` +
		`<link href="/css/app.3f1c2a.css" rel="preload" as="style"><link href="/js/app.8d2e1b.js" rel="preload" as="script">` +
		`<link href="/js/chunk-vendors.51a0c3.js" rel="preload" as="script"><link href="/css/app.3f1c2a.css" rel="stylesheet"></head>` +
		`<body><noscript><strong>请启用JavaScript</strong></noscript><div id="app"></div>` +
		`<script src="/js/chunk-vendors.51a0c3.js"></script><script src="/js/app.8d2e1b.js"></script></body></html>`
	jsl := `<html><body><script>document.cookie=('_')+('_')+('jsl_clearance_s')+('=')+(-~[]+'')+'|'+(1+2)+';max-age=3600;path=/';` +
		`location.href=location.pathname+location.search</script></body></html>`
	rs := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><script type="text/javascript">` +
		`$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd="qWxrqAlkrr";</script>` +
		`<script type="text/javascript" r='m' src="/4QbVtADbnLVIc/c.FxJzG50F.15e2bc0.js" charset="utf-8"></script></head><body></body></html>`
	inline := `<html><body><script>var t=new Date().getTime();window.location.replace('/?t='+t)</script></body></html>`
	detail := `<html><body><div id="app"></div><script>var id=location.hash.slice(1);fetch("/api/article/detail?id="+id).then(function(r){return r.json()}).then(function(j){document.getElementById("app").innerHTML=j.data.content})</script></body></html>`
	for _, c := range []struct {
		name, body string
		want       crawl.Class
	}{
		{"a Vue build's index.html", vue, ClassOK},
		{"加速乐's cookie and reload", jsl, ClassBlockedWAF},
		{"瑞数's $_ts", rs, ClassBlockedWAF},
		{"inline code only", inline, ClassBlockedWAF},
		{"inline code that asks for its data", detail, ClassOK},
	} {
		if len(c.body) >= 1024 {
			t.Fatalf("%s: %d bytes, not a small page", c.name, len(c.body))
		}
		if got, detail := classify(200, []byte(c.body), c.body, nil); got != c.want {
			t.Errorf("%s: class %s (%s), want %s", c.name, got, detail, c.want)
		}
	}
}
