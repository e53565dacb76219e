package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/store"
)

func (a *app) crawlCmd() *cobra.Command {
	var seedsPath, proxy, caFile string
	cmd := &cobra.Command{
		Use:   "crawl",
		Short: "Discover and fetch the reports of the seed portals, politely, into the store",
		Long: `crawl starts from the seed portals (the portal list, or a plain list of URLs),
finds the report columns and every report page and attachment, and stores the raw
bytes and the extracted records as it goes. It obeys robots.txt, asks each host one
request at a time with the configured delay, and backs off from rate limits,
errors and challenges. Ctrl-C stops cleanly; a later run resumes where it stopped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			if seedsPath == "" {
				seedsPath = cfg.Crawl.Seeds
			}
			urls, err := seedURLs(seedsPath)
			if err != nil {
				return err
			}
			if proxy == "" {
				proxy = cfg.Fetch.Proxy
			}
			if caFile == "" {
				caFile = cfg.Crawl.CAFile
			}
			st, err := store.Open(cfg.Store, store.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			ex, err := extract.New()
			if err != nil {
				return err
			}
			cc := crawler.Config{UserAgent: cfg.Fetch.UserAgent, Delay: cfg.Crawl.Delay, Timeout: cfg.Fetch.Timeout,
				MaxBytes: cfg.Fetch.MaxBytes, Proxy: proxy, CAFile: caFile, AllowPrivate: cfg.Fetch.AllowPrivate,
				InsecureTLSHosts: cfg.Crawl.InsecureTLSHosts, Workers: cfg.Crawl.Workers, MaxPagesPerHost: cfg.Crawl.MaxPagesPerHost,
				MaxDepth: cfg.Crawl.MaxDepth, MaxRetries: cfg.Crawl.MaxRetries}
			c, err := crawler.New(cc, st, ex, urls)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "crawl: %d seed URLs into %s, %s between requests to a host, %d hosts at once\n", len(urls), st.Path(), cc.Delay, cc.Workers)
			sum, err := runCrawl(cmd, c)
			if err != nil {
				return err
			}
			if sum.Stopped {
				return exitError{code: 130, err: fmt.Errorf("stopped with %d requests queued; run crawl again to resume", sum.Pending)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&seedsPath, "seeds", "", "portal list (CSV) or URL list (default: the config's crawl.seeds)")
	cmd.Flags().StringVar(&proxy, "proxy", "", "HTTP(S) proxy URL (default: the config's fetch.proxy)")
	cmd.Flags().StringVar(&caFile, "ca", "", "extra root CA file (PEM), e.g. simweb's ca.pem")
	return cmd
}

// runCrawl runs a crawl with its progress display and closing summary.
func runCrawl(cmd *cobra.Command, c *crawler.Crawler) (crawler.Summary, error) {
	stop, done := make(chan struct{}), make(chan struct{})
	go progress(cmd.ErrOrStderr(), c, stop, done)
	sum, err := c.Run(cmd.Context())
	close(stop)
	<-done
	printSummary(cmd.OutOrStdout(), sum)
	return sum, err
}

// seedURLs reads a portal list or URL list: a portal's URL, and its host's root
// when the URL is a deep link.
func seedURLs(path string) ([]string, error) {
	l, err := seeds.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range l.Portals {
		if p.URL == "" || p.HasFlag("missing") {
			continue
		}
		out = append(out, p.URL)
		if p.HasFlag("deep_link_not_homepage") {
			if i := strings.Index(p.URL[strings.Index(p.URL, "//")+2:], "/"); i >= 0 {
				out = append(out, p.URL[:strings.Index(p.URL, "//")+2+i+1])
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("seeds %s: no URL", path)
	}
	return out, nil
}

// progress prints the crawl's counters: a line redrawn in place on a terminal,
// a log line every ten seconds otherwise.
func progress(w io.Writer, c *crawler.Crawler, stop, done chan struct{}) {
	defer close(done)
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	every := 10 * time.Second
	if tty {
		every = time.Second
	}
	start := time.Now()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			if tty {
				fmt.Fprintln(w)
			}
			return
		case <-t.C:
			s := &c.Stats
			el := time.Since(start).Seconds()
			line := fmt.Sprintf("fetched %d (%.1f/s), reports %d, documents %d, errors %d, robots-disallowed %d, queued %d, hosts %d",
				s.Fetched.Load(), float64(s.Fetched.Load())/el, s.Reports.Load(), s.Documents.Load(), s.Errors.Load(), s.Disallowed.Load(),
				c.Frontier().Pending(), c.Frontier().Hosts())
			if tty {
				fmt.Fprintf(w, "\r\033[K%s", line)
			} else {
				fmt.Fprintf(w, "%s %s\n", time.Now().Format("15:04:05"), line)
			}
		}
	}
}

func printSummary(w io.Writer, s crawler.Summary) {
	fmt.Fprintf(w, "crawl: %s; fetched %d, reports %d (documents %d), errors %d, robots-disallowed %d, still queued %d\n",
		s.Duration.Round(time.Second), s.Fetched, s.Reports, s.Documents, s.Errors, s.Disallowed, s.Pending)
	if len(s.Hosts) > 0 {
		var parts []string
		for class, n := range s.Hosts {
			parts = append(parts, fmt.Sprintf("%s %d", class, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "hosts: %s\n", strings.Join(parts, ", "))
	}
}
