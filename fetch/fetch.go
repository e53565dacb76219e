// Package fetch gets one document over HTTP(S) with the limits every request of
// nianbao keeps: an identifying User-Agent, a timeout, a body-size limit that is an
// error (never a silent cut), an optional proxy, and no connection to loopback or
// private addresses unless the configuration allows it.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"github.com/nianbao/nianbao/dnscache"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/nianbao/nianbao/config"
)

// ErrTooLarge is returned when a body exceeds the configured limit.
var ErrTooLarge = errors.New("response body over the size limit")

// ErrPrivateAddress is returned for a connection to a non-public address.
var ErrPrivateAddress = errors.New("refusing to connect to a loopback, private or link-local address")

// Client fetches documents.
type Client struct {
	http *http.Client
	cfg  config.Fetch
}

// Response is a fetched document.
type Response struct {
	URL       string
	FinalURL  string
	Status    int
	Header    http.Header
	Body      []byte
	FetchedAt time.Time
	Duration  time.Duration
}

// New builds a client from the fetch configuration.
func New(cfg config.Fetch) (*Client, error) {
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate && cfg.Proxy == "" {
		dialer.Control = refusePrivate
	}
	tr := &http.Transport{
		DialContext:           dnscache.New(dnscache.Options{}).DialContext(dialer),
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   1,
		DisableCompression:    false,
	}
	if cfg.Proxy != "" {
		pu, err := url.Parse(cfg.Proxy)
		if err != nil || pu.Host == "" {
			return nil, fmt.Errorf("fetch.proxy %q is not a URL", cfg.Proxy)
		}
		// The proxy itself was configured: it may be local (the crawl
		// accepts one too). What goes through it is checked by name first.
		proxyURL := http.ProxyURL(pu)
		tr.Proxy = func(r *http.Request) (*url.URL, error) {
			if !cfg.AllowPrivate {
				if err := publicTarget(r.Context(), r.URL.Hostname()); err != nil {
					return nil, err
				}
			}
			return proxyURL(r)
		}
	}
	return &Client{cfg: cfg, http: &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return fmt.Errorf("stopped after %d redirects", len(via))
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to a %s URL refused", req.URL.Scheme)
			}
			return nil
		},
	}}, nil
}

// refusePrivate is a dialer Control: it sees the resolved address, so a host name
// that resolves to a private address is refused too.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !Public(ip) {
		return fmt.Errorf("%s: %w", address, ErrPrivateAddress)
	}
	return nil
}

// publicTarget refuses a host sent through a proxy that names, or resolves
// here to, a loopback or private address; a name that does not resolve here
// is left to the proxy.
func publicTarget(ctx context.Context, host string) error {
	if ip := net.ParseIP(host); ip != nil {
		if !Public(ip) {
			return fmt.Errorf("%s: %w", host, ErrPrivateAddress)
		}
		return nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("%s: %w", host, ErrPrivateAddress)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if !Public(ip) {
			return fmt.Errorf("%s resolves to %s: %w", host, ip, ErrPrivateAddress)
		}
	}
	return nil
}

// Public reports whether an address is a public unicast address.
func Public(ip net.IP) bool {
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast())
}

// Get fetches a URL. A status other than 2xx is returned as a Response, not an
// error: the caller classifies it.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fetching %q: not an http(s) URL", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8")
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body of %s: %w", rawURL, err)
	}
	if int64(len(body)) > c.cfg.MaxBytes {
		return nil, fmt.Errorf("fetching %s: %w (%d bytes)", rawURL, ErrTooLarge, c.cfg.MaxBytes)
	}
	return &Response{
		URL: rawURL, FinalURL: resp.Request.URL.String(), Status: resp.StatusCode, Header: resp.Header,
		Body: body, FetchedAt: start.UTC(), Duration: time.Since(start),
	}, nil
}
