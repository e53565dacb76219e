// Package serve is the dataset's local browser: a read-only web application
// over a store that lists and filters its reports, shows one report's
// captured source beside the cells the dataset holds (failed identities and
// inferred values marked), draws coverage by division and year, and compares
// one organisation across years. It never writes the store: each request
// opens it read-only (or the copy a running crawl publishes) and closes it.
// Everything it shows from a report is escaped; the sources it serves are
// sanitised and sent under a policy that forbids scripts and remote loads.
package serve

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/store"
)

//go:embed assets
var assets embed.FS

// Options configure a Server.
type Options struct {
	Store       string        // the store file
	Portals     *seeds.List   // the portal list: attribution and coverage (nil: none)
	PageSize    int           // reports a list page shows (default 50)
	LockTimeout time.Duration // how long to wait for a store another process holds (default 1s)
	Log         *log.Logger   // request errors (nil: discarded)
	// Hosts are the names, besides the loopback ones, that requests may
	// give in their Host header (the names a public server is reached by);
	// any other name is refused (a page rebinding its name to this server).
	Hosts []string
	// Public: the server listens where other machines reach it, and a
	// request naming it by an IP address is answered too.
	Public bool
}

// Server is the browser's HTTP handler.
type Server struct {
	opt   Options
	pages *template.Template
	dec   *decode.Decoder
	mux   *http.ServeMux
	attr  *attrib.Attributor

	mu  sync.Mutex
	cat *catalog // the last list of reports, with the file state it was read at
}

// New prepares a server for a store file; the file is opened per request.
func New(opt Options) (*Server, error) {
	if opt.PageSize <= 0 {
		opt.PageSize = 50
	}
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = time.Second
	}
	if opt.Log == nil {
		opt.Log = log.New(discard{}, "", 0)
	}
	pages, err := template.New("").Funcs(funcs).ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, fmt.Errorf("reading the page templates: %w", err)
	}
	dec, err := decode.New()
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, pages: pages, dec: dec, mux: http.NewServeMux(), attr: attrib.New(opt.Portals)}
	static, err := fs.Sub(assets, "assets/static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.list)
	s.mux.HandleFunc("GET /reports.csv", s.csv)
	s.mux.HandleFunc("GET /report/{id}", s.report)
	s.mux.HandleFunc("GET /report/{id}/source/{capture}", s.source)
	s.mux.HandleFunc("GET /report/{id}/history", s.history)
	s.mux.HandleFunc("GET /coverage", s.coverage)
	s.mux.HandleFunc("GET /compare", s.compare)
	return s, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// ServeHTTP answers one request made under a name the server is served
// under (see Options.Hosts); every answer forbids framing by others and
// sniffing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		refuseHost(w, r.Host)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", appPolicy)
	s.mux.ServeHTTP(w, r)
}

// appPolicy: the application's own pages run no script at all and load only
// from this server.
const appPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'"

// ErrNotLoopback is returned by CheckAddr for an address others can reach.
var ErrNotLoopback = errors.New("not a loopback address")

// CheckAddr refuses a listening address that is not on the loopback
// interface unless public is set: the browser shows everything the store
// holds, to whoever reaches it.
func CheckAddr(addr string, public bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if public {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--addr %q: %w (give --public to serve the dataset to other machines)", addr, ErrNotLoopback)
}

// open opens the store for one request: read-only, or the copy a running
// crawl publishes when the crawl holds the file.
func (s *Server) open() (*store.Store, error) { return s.openWaiting(s.opt.LockTimeout) }

// openWaiting opens the store as open does, waiting up to wait for a
// writer that holds it and publishes no copy.
func (s *Server) openWaiting(wait time.Duration) (*store.Store, error) {
	if _, err := os.Stat(s.opt.Store); err != nil {
		return nil, fmt.Errorf("store %s: %w", s.opt.Store, err)
	}
	if _, err := os.Stat(store.SnapshotPath(s.opt.Store)); err == nil {
		wait = 50 * time.Millisecond // a crawl runs and publishes its copy: read that at once
	}
	return store.Open(s.opt.Store, store.Options{ReadOnly: true, Snapshot: true, LockTimeout: wait})
}

// withStore runs fn on an open store, answering a store that cannot be
// opened with a page that says why. fn writes its answer to the writer it
// is given, which holds it until the store is closed: a client that reads
// slowly, or not at all, never keeps the store open and writers out. An
// error of fn answers with an error page instead of what fn wrote.
func (s *Server) withStore(w http.ResponseWriter, fn func(*store.Store, http.ResponseWriter) error) {
	st, err := s.open()
	if err != nil {
		s.failStore(w, err)
		return
	}
	held := &heldAnswer{header: w.Header().Clone()}
	err = fn(st, held)
	st.Close()
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.fail(w, http.StatusNotFound, "Not found.")
	case err != nil:
		s.opt.Log.Printf("serve: %v", err)
		s.fail(w, http.StatusInternalServerError, err.Error())
	default:
		maps.Copy(w.Header(), held.header)
		if held.status != 0 {
			w.WriteHeader(held.status)
		}
		if _, err := w.Write(held.body.Bytes()); err != nil {
			s.opt.Log.Printf("serve: writing an answer: %v", err)
		}
	}
}

// heldAnswer is an answer written while the store is open, sent once it is
// closed.
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldAnswer) Header() http.Header { return h.header }

func (h *heldAnswer) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldAnswer) Write(b []byte) (int, error) { return h.body.Write(b) }

// failStore answers a store that cannot be opened with a page that says why.
func (s *Server) failStore(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	msg := err.Error()
	if errors.Is(err, store.ErrLocked) {
		status = http.StatusServiceUnavailable
		msg = "The store is held by another nianbao process that publishes no copy for readers (a crawl publishes one while it runs; an import does not). Try again when it ends. (" + err.Error() + ")"
	}
	s.fail(w, status, msg)
}

// fail answers with an error page.
func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, "error.html", map[string]any{"Title": http.StatusText(status), "Status": status, "Message": msg}); err != nil {
		s.opt.Log.Printf("serve: writing an error page: %v", err)
	}
}

// render writes a page.
func (s *Server) render(w http.ResponseWriter, name string, data any) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return s.pages.ExecuteTemplate(w, name, data)
}
