package serve

import (
	"net"
	"net/http"
	"strings"
)

// A page on another site can make a browser talk to this server by
// rebinding its own name to 127.0.0.1 (DNS rebinding): the browser then
// believes the answers are that site's and lets its script read them. The
// browser still sends the site's name in the Host header, so the server
// answers only the names it is served under: the loopback names, and, when
// it is public, IP addresses and the names it was given.

// hostAllowed reports whether a request's Host header names this server.
func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		// An address typed by its number cannot be rebound: no name is
		// involved. Off loopback it names this server only when public.
		return ip.IsLoopback() || s.opt.Public
	}
	for _, h := range s.opt.Hosts {
		if strings.TrimSuffix(strings.ToLower(h), ".") == host {
			return true
		}
	}
	return false
}

// refuseHost answers a request made under a name this server is not served
// under, in plain words.
func refuseHost(w http.ResponseWriter, host string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusMisdirectedRequest)
	_, _ = w.Write([]byte("421 Misdirected Request: this nianbao server is not served under the name " + quoteHost(host) +
		". It answers the loopback names (localhost, 127.0.0.1, [::1]), IP addresses when started with --public, and the names given with --host.\n"))
}

// quoteHost quotes a Host header for the message, cut to a readable length.
func quoteHost(h string) string {
	if len(h) > 100 {
		h = h[:100] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, `"`+h+`"`)
}
