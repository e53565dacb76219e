package simweb

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// certAuthority is a test CA made for one server run; the HTTPS hosts' certificates
// are signed by it, except the hosts whose TLS is broken on purpose.
type certAuthority struct {
	cert  *x509.Certificate
	key   *ecdsa.PrivateKey
	pem   []byte
	mu    sync.Mutex
	cache map[string]*tls.Certificate
}

func newCertAuthority() (*certAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("simweb: CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "nianbao simweb test CA", Organization: []string{"nianbao"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("simweb: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &certAuthority{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		cache: map[string]*tls.Certificate{}}, nil
}

// leaf issues (and caches) a certificate for a host in one of the TLS cases.
func (ca *certAuthority) leaf(host string, f Fault) (*tls.Certificate, error) {
	key := host + "|" + string(f)
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c, ok := ca.cache[key]; ok {
		return c, nil
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	name := strings.Split(host, ":")[0]
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	parent, signer := ca.cert, ca.key
	switch f {
	case FaultTLSExpired:
		tmpl.NotBefore = time.Now().Add(-60 * 24 * time.Hour)
		tmpl.NotAfter = time.Now().Add(-30 * 24 * time.Hour)
	case FaultTLSMismatch:
		tmpl.DNSNames = []string{"www.other-site.gov.cn"}
		tmpl.IPAddresses = nil
		tmpl.Subject.CommonName = "www.other-site.gov.cn"
	case FaultTLSSelf:
		parent, signer = tmpl, priv
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &priv.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}
	ca.cache[key] = c
	return c, nil
}

// connect serves a CONNECT tunnel: the world's HTTPS host answers inside it with
// the certificate its TLS case calls for. A host without HTTPS refuses, as a
// proxy relays a refused connection.
func (s *Server) connect(rw http.ResponseWriter, r *http.Request) {
	hostport := strings.ToLower(r.Host)
	name, port, err := net.SplitHostPort(hostport)
	if err != nil {
		name, port = hostport, "443"
	}
	h := s.world().Host(name)
	if h == nil && port != "443" {
		h = s.world().Host(hostport)
	}
	start := s.opt.Now()
	refuse := func(code int, msg string) {
		s.log.add(LogEntry{Host: name, Method: "CONNECT", Path: hostport, Scheme: "https", Start: start, End: s.opt.Now(), Status: code, UserAgent: r.UserAgent()})
		http.Error(rw, msg, code)
	}
	switch {
	case h == nil:
		refuse(http.StatusBadGateway, "502 Bad Gateway: could not resolve "+name)
		return
	case h.Fault == FaultUnreachable:
		time.Sleep(50 * time.Millisecond)
		refuse(http.StatusGatewayTimeout, "504 Gateway Timeout: connection to "+name+" timed out")
		return
	case h.Scheme != "https":
		refuse(http.StatusBadGateway, "502 Bad Gateway: connection to "+hostport+" refused")
		return
	}
	hj, ok := rw.(http.Hijacker)
	if !ok {
		refuse(http.StatusInternalServerError, "cannot tunnel")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	var raw net.Conn = conn
	if buf != nil && buf.Reader.Buffered() > 0 {
		raw = &bufferedConn{Conn: conn, r: buf.Reader}
	}
	cert, err := s.ca.leaf(h.Name, h.Fault)
	if err != nil {
		conn.Close()
		return
	}
	tcfg := &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
	if h.Fault == FaultTLSLegacy {
		tcfg.MinVersion, tcfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
	}
	tconn := tls.Server(raw, tcfg)
	l := &oneConnListener{conn: tconn, done: make(chan struct{})}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: s.quiet, ConnState: func(_ net.Conn, st http.ConnState) {
		if st == http.StateClosed || st == http.StateHijacked {
			l.closeOnce.Do(func() { close(l.done) })
		}
	}}
	go srv.Serve(l)
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// oneConnListener hands one connection (the *tls.Conn itself, so that requests
// carry their TLS state) to an http.Server, then blocks until it is closed.
type oneConnListener struct {
	conn      net.Conn
	once      sync.Once
	closeOnce sync.Once
	done      chan struct{}
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.conn })
	if c != nil {
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error   { return nil }
func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }
