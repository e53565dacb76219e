package crawler

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/discover"
	"github.com/nianbao/nianbao/fetch"
)

// Classes of a fetch's outcome, as recorded in the fetch log (package crawl).
const (
	ClassOK               = crawl.OK
	ClassNotModified      = crawl.NotModified
	ClassRobotsDisallowed = crawl.RobotsDisallowed
	ClassBlockedWAF       = crawl.BlockedWAF
	ClassRateLimited      = crawl.RateLimited
	ClassServerError      = crawl.ServerError
	ClassUnreachable      = crawl.Unreachable
	ClassGone             = crawl.Gone
	ClassMoved            = crawl.Moved
	ClassOffsite          = crawl.Offsite
	ClassTLS              = crawl.TLS
	ClassTooLarge         = crawl.TooLarge
	ClassBudget           = crawl.Budget
	ClassMaintenance      = crawl.Maintenance
	ClassError            = crawl.Error
	ClassRefused          = crawl.Refused
	ClassCookie           = crawl.Cookie
	ClassExpired          = crawl.Expired
)

var softNotFound = [][]byte{[]byte("页面不存在"), []byte("已删除"), []byte("找不到"), []byte("404 Not Found"), []byte("您访问的页面不存在")}

// classify reads a response (or the error in its place). A challenge is never
// solved: it is recorded and the host is backed off from.
//
// text is the body decoded (for the soft-404 and maintenance wording, which GBK
// pages carry in GBK); it may be empty for non-text bodies.
func classify(status int, body []byte, text string, err error) (crawl.Class, string) {
	if err != nil {
		return classifyError(err)
	}
	// Only small bodies are looked into for challenge scripts: a challenge is never large.
	var lower []byte
	if len(body) < 64<<10 {
		lower = bytes.ToLower(body)
	}
	if class, detail, ok := classifyStatus(status, body, lower); ok {
		return class, detail
	}
	if len(body) < 1024 && bytes.Contains(lower, []byte("<script")) && !bytes.Contains(lower, []byte("<a ")) &&
		!bytes.Contains(lower, []byte("_config")) && bytes.Contains(lower, []byte("<html")) && !discover.SendsOn(text) &&
		!appShell(lower) {
		return ClassBlockedWAF, "a script shell with no content" // one that sends the browser on is a redirect shell
	}
	if len(body) < 8192 {
		for _, s := range softNotFound {
			if strings.Contains(text, string(s)) {
				return ClassGone, "soft 404"
			}
		}
		if strings.Contains(text, "临时维护") || strings.Contains(text, "系统维护") {
			return ClassMaintenance, "maintenance page"
		}
	}
	return ClassOK, ""
}

// challengeMarks are what a challenge's script does that an application's
// shell does not: it computes a cookie and reloads, or carries a WAF's
// known names (瑞数's $_ts, 加速乐's __jsl_clearance, Aliyun's acw_sc__v2,
// 云锁, 安全狗).
var challengeMarks = [][]byte{[]byte("document.cookie"), []byte("location.reload"), []byte("$_ts"), []byte("__jsl"),
	[]byte("acw_sc"), []byte("yunsuo"), []byte("safedog"), []byte("waf"), []byte("challenge"), []byte("setcookie"), []byte("eval(")}

// appShell: a small page that is a single-page application's shell (an
// empty mount point and its bundles, such as a Vue or React build's
// index.html), not a challenge: its scripts are loaded from files and none of
// its own code computes a cookie or reloads (and inline code, if all of it
// is, asks for its data). It is read like any page (and rendered when
// rendering is on); a challenge is never rendered.
func appShell(lower []byte) bool {
	for _, m := range challengeMarks {
		if bytes.Contains(lower, m) {
			return false
		}
	}
	if bytes.Contains(lower, []byte(" src=")) {
		return true
	}
	// Inline code only: an application's when it asks for its data.
	for _, m := range [][]byte{[]byte("fetch("), []byte("xmlhttprequest"), []byte("$.ajax"), []byte("$.get"), []byte("$.post"), []byte("axios")} {
		if bytes.Contains(lower, m) {
			return true
		}
	}
	return false
}

// classifyStatus is the class an answer's status gives (with a challenge's
// body, lower-cased in lower); ok is false when the status says nothing and
// the body decides.
func classifyStatus(status int, body, lower []byte) (class crawl.Class, detail string, ok bool) {
	switch {
	case status == http.StatusNotModified:
		return ClassNotModified, "", true
	case status == 412 && bytes.Contains(body, []byte("$_ts")):
		return ClassBlockedWAF, "412 challenge ($_ts)", true
	case (status == 521 || status == 512) && bytes.Contains(lower, []byte("document.cookie")):
		return ClassBlockedWAF, "cookie challenge", true
	case status == 412, status == 418, status == 403, status == 521, status == 512:
		return ClassBlockedWAF, http.StatusText(status), true
	case status == http.StatusAccepted && len(body) < 2048:
		return ClassBlockedWAF, "202 stub", true
	case status == http.StatusTooManyRequests:
		return ClassRateLimited, "", true
	case status == http.StatusBadGateway || status == http.StatusGatewayTimeout:
		return ClassUnreachable, http.StatusText(status), true
	case status >= 500:
		return ClassServerError, http.StatusText(status), true
	case status == http.StatusNotFound || status == http.StatusGone:
		return ClassGone, http.StatusText(status), true
	case status >= 300 && status < 400:
		return ClassOffsite, "redirect out of scope", true
	case status >= 400:
		return ClassGone, http.StatusText(status), true
	}
	return "", "", false
}

// classifyError reads a failed fetch by the error's type, not its wording: a
// certificate or TLS fault; a body cut short under its Content-Length (a
// server fault, tried again); a reset or a bare EOF (a network fault, tried
// again with back-off, never taken for a challenge); a timeout, a refused
// connection, a name that does not resolve (unreachable). Only the redirect
// limit and the size limit, which the client reports as plain errors, and an
// error kept only as its text (robots.txt's), are told by their words.
func classifyError(err error) (crawl.Class, string) {
	msg := err.Error()
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		dnsErr    *net.DNSError
		nerr      net.Error
	)
	switch {
	case errors.Is(err, fetch.ErrPrivateAddress), strings.Contains(msg, fetch.ErrPrivateAddress.Error()):
		return ClassRefused, msg
	case errors.As(err, &verify), errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &record), errors.As(err, &alert):
		return ClassTLS, msg
	case errors.Is(err, fetch.ErrTooLarge), strings.Contains(msg, "too large"):
		return ClassTooLarge, msg
	case strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects"):
		return ClassGone, "redirect loop: " + msg
	case strings.Contains(msg, "malformed MIME header") || strings.Contains(msg, "malformed HTTP"):
		// The server answered, in a form no client reads (a control
		// character in a header line): the page's fault, not an outage.
		return ClassError, "an answer that cannot be read: " + msg
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ClassServerError, "truncated body: " + msg // cut short under its Content-Length: try again
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, syscall.EPIPE):
		return ClassServerError, "connection reset or closed: " + msg // a network fault: tried again with back-off
	case errors.As(err, &dnsErr), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, context.DeadlineExceeded):
		return ClassUnreachable, msg
	case errors.As(err, &nerr): // a timeout or another network failure
		return ClassUnreachable, msg
	}
	// An error kept only as its text (robots.txt's, stored with the host).
	switch {
	case strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:"):
		return ClassTLS, msg
	case strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") || strings.Contains(msg, "i/o timeout"):
		return ClassUnreachable, msg
	}
	return ClassError, msg
}

// LosesDocument says whether a fetch of this class lost its document: what a
// run could not get (too large, server errors and network faults, TLS,
// challenges, the budget, a refusal), as against what a site decided
// (robots, gone, moved) or an answer.
func LosesDocument(class crawl.Class) bool {
	switch class {
	case ClassTooLarge, ClassServerError, ClassUnreachable, ClassError, ClassRateLimited, ClassMaintenance,
		ClassTLS, ClassBlockedWAF, ClassBudget, ClassRefused:
		return true
	}
	return false
}
