// Package config reads nianbao's configuration file (config.yaml): where the store
// lives and how the fetcher and crawler identify themselves and limit their work.
// Every field has a sane default, so a missing file is not an error.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration.
type Config struct {
	// Store is the bbolt file that holds the corpus.
	Store   string  `yaml:"store"`
	Fetch   Fetch   `yaml:"fetch"`
	Crawl   Crawl   `yaml:"crawl"`
	Extract Extract `yaml:"extract"`
}

// Extract says how documents are read.
type Extract struct {
	// OCR reads scanned PDFs with tesseract (chi_sim): "auto" when it is
	// installed, "on" to require it (an error when it is missing), "off" never.
	OCR string `yaml:"ocr"`
	// OCRDPI is the resolution pages are drawn at for OCR.
	OCRDPI int `yaml:"ocr_dpi"`
	// OCRMaxPages bounds the pages of one scan that are read.
	OCRMaxPages int `yaml:"ocr_max_pages"`
	// Deadline bounds the reading and building of one document; a scan
	// read by OCR has 30 s more per page read.
	Deadline time.Duration `yaml:"deadline"`
}

// Crawl says how the crawler walks the portals.
type Crawl struct {
	// Seeds is the portal list: a CSV like ../shared/data/portals.csv, or a plain
	// list of URLs, one per line.
	Seeds string `yaml:"seeds"`
	// Delay is the least time between two requests to one host (robots.txt's
	// Crawl-delay wins when longer).
	Delay time.Duration `yaml:"delay"`
	// Workers caps the requests in flight (each host is asked one request at a
	// time, once its delay has passed); 0 lets the crawler size it from the
	// machine (crawler.DefaultWorkers).
	Workers         int `yaml:"workers"`
	MaxPagesPerHost int `yaml:"max_pages_per_host"`
	MaxDepth        int `yaml:"max_depth"`
	// PerDomain is how many requests the hosts of one registered domain
	// (hz.gov.cn and all its sub-domains) may have in flight, and how many
	// they are asked together per delay: a domain is asked no faster than
	// that many polite hosts, however many names it spells.
	PerDomain int `yaml:"per_domain"`
	// ByAddress makes the hosts whose names resolve to one address share
	// per_domain too (a shared hosting address is one server); each host's
	// address is looked up before its first request. On by default.
	ByAddress bool `yaml:"by_address"`
	// MaxHostsPerDomain bounds the hosts of one registered domain a run
	// discovers (seeds aside): a wildcard domain offers any number.
	MaxHostsPerDomain int `yaml:"max_hosts_per_domain"`
	MaxRetries        int `yaml:"max_retries"`
	// CAFile adds root certificates (PEM), e.g. a test CA.
	CAFile string `yaml:"ca_file"`
	// InsecureTLSHosts are fetched without certificate verification, each fetch
	// logged as such. Empty by default: never.
	InsecureTLSHosts []string `yaml:"insecure_tls_hosts"`
	// RevisitAfter is how long after its first answer (or a change) a known URL
	// is asked again, conditionally; while it stays the same the interval doubles
	// up to RevisitMax. A nightly run with the default 20h looks at every URL that
	// changed recently, and at old reports less and less often.
	RevisitAfter time.Duration `yaml:"revisit_after"`
	RevisitMax   time.Duration `yaml:"revisit_max"`
	// Report is a file the run's JSON report is written to (for monitoring), or
	// empty.
	Report string `yaml:"report"`
	// SnapshotEvery is how often a running crawl publishes the copy of the store
	// that export, stats, history and verify read while the crawl holds it (never
	// more often than ten times what the last copy took to write).
	SnapshotEvery time.Duration `yaml:"snapshot_every"`
	// Render renders the script shells no static reading opens in headless
	// Chromium, every request of the page asked through the crawl's own
	// politeness: "auto" when Chromium is installed, "on" to require it (an
	// error when it is missing), "off" never.
	Render string `yaml:"render"`
	// RenderTimeout bounds the rendering of one page.
	RenderTimeout time.Duration `yaml:"render_timeout"`
}

// Fetch says how documents are fetched over HTTP.
type Fetch struct {
	// UserAgent identifies the harvester; it must carry a contact URL.
	UserAgent string `yaml:"user_agent"`
	// Timeout bounds one request, headers and body.
	Timeout time.Duration `yaml:"timeout"`
	// MaxBytes bounds one document; a larger body is an error, never cut short.
	MaxBytes int64 `yaml:"max_bytes"`
	// AllowPrivate permits requests to loopback and private addresses (tests,
	// a local simulated web). Off by default.
	AllowPrivate bool `yaml:"allow_private"`
	// Proxy is an HTTP(S) proxy URL for every request, or empty.
	Proxy string `yaml:"proxy"`
	// MemoryBudget bounds the bytes of large answers (over 1 MiB) held in
	// flight across the crawl; an answer waits for room. At least one
	// answer of max_bytes always fits.
	MemoryBudget int64 `yaml:"memory_budget"`
}

// Default returns the defaults that config.yaml documents.
func Default() Config {
	return Config{
		Store: "nianbao.db",
		Fetch: Fetch{
			UserAgent:    "nianbao/0.1 (research harvester of 政府信息公开工作年度报告; +https://github.com/nianbao/nianbao)",
			Timeout:      60 * time.Second,
			MaxBytes:     64 << 20,
			MemoryBudget: 512 << 20,
		},
		Crawl: Crawl{Seeds: "../shared/data/portals.csv", Delay: 2 * time.Second, Workers: 0, MaxPagesPerHost: 2000, MaxDepth: 10, PerDomain: 1, ByAddress: true, MaxHostsPerDomain: 200, MaxRetries: 3,
			RevisitAfter: 20 * time.Hour, RevisitMax: 30 * 24 * time.Hour, SnapshotEvery: 30 * time.Second, Render: "auto", RenderTimeout: 20 * time.Second},
		Extract: Extract{OCR: "auto", OCRDPI: 200, OCRMaxPages: 40, Deadline: 60 * time.Second},
	}
}

// Load reads a configuration file over the defaults. A path that does not exist
// gives the defaults when allowMissing is set.
func Load(path string, allowMissing bool) (Config, error) {
	cfg := Default()
	b, err := os.ReadFile(path)
	if err != nil {
		if allowMissing && errors.Is(err, fs.ErrNotExist) {
			return cfg, nil
		}
		return cfg, fmt.Errorf("reading config %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
		return cfg, fmt.Errorf("reading config %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Validate rejects settings that cannot work.
func (c Config) Validate() error {
	if c.Store == "" {
		return errors.New("store: must name a file")
	}
	if err := c.Extract.validate(); err != nil {
		return err
	}
	if c.Fetch.UserAgent == "" {
		return errors.New("fetch.user_agent: must identify the harvester with a contact URL")
	}
	if c.Fetch.Timeout <= 0 {
		return errors.New("fetch.timeout: must be positive")
	}
	if c.Fetch.MaxBytes <= 0 {
		return errors.New("fetch.max_bytes: must be positive")
	}
	return c.Crawl.validate()
}

func (e Extract) validate() error {
	switch e.OCR {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("extract.ocr: %q is not auto, on or off", e.OCR)
	}
	if e.OCRDPI < 72 || e.OCRDPI > 600 {
		return errors.New("extract.ocr_dpi: must be between 72 and 600")
	}
	if e.OCRMaxPages < 1 {
		return errors.New("extract.ocr_max_pages: must be at least 1")
	}
	if e.Deadline < time.Second {
		return errors.New("extract.deadline: must be at least 1s")
	}
	return nil
}

// MaxDelay is the longest delay between two requests to one host a crawl
// accepts: longer than any Crawl-delay it honours (a minute), short enough
// that a typo (1000000h for 1s) is refused instead of sleeping forever.
const MaxDelay = 10 * time.Minute

// MaxWorkers caps crawl.workers: each request in flight holds a connection
// (a file descriptor) and a slot of the memory budget.
const MaxWorkers = 10_000

func (c Crawl) validate() error {
	switch c.Render {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("crawl.render: %q is not auto, on or off", c.Render)
	}
	if c.RenderTimeout < time.Second {
		return errors.New("crawl.render_timeout: at least 1s")
	}
	if c.Delay < 100*time.Millisecond || c.Delay > MaxDelay {
		return fmt.Errorf("crawl.delay: between 100ms and %s between two requests to one host, not %s", MaxDelay, c.Delay)
	}
	if c.SnapshotEvery < time.Second {
		return errors.New("crawl.snapshot_every: at least 1s")
	}
	if c.Workers < 0 || c.Workers > MaxWorkers {
		return fmt.Errorf("crawl.workers: 0 (sized from the machine) or a cap up to %d", MaxWorkers)
	}
	if c.PerDomain < 0 {
		return errors.New("crawl.per_domain: 0 (hosts not grouped) or a positive share")
	}
	if c.MaxHostsPerDomain < 0 {
		return errors.New("crawl.max_hosts_per_domain: 0 (the default, 200) or a positive cap")
	}
	if c.MaxPagesPerHost < 1 || c.MaxDepth < 1 {
		return errors.New("crawl.max_pages_per_host and crawl.max_depth must be positive")
	}
	if c.RevisitAfter < 0 || c.RevisitMax < c.RevisitAfter {
		return errors.New("crawl.revisit_after must be at least 0 and crawl.revisit_max at least revisit_after")
	}
	return nil
}
