// Command nianbao harvests China's 政府信息公开工作年度报告 into a dataset: it
// extracts reports from pages and files, keeps the raw documents and records in
// one store file, and exports CSV and JSONL. This package only wires flags and
// configuration to the packages that do the work.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/config"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/ocr"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/store"
)

// app holds what every command shares.
type app struct {
	configPath string
	dbPath     string
}

func main() {
	releaseStartupPages() // startup_linux.go
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "nianbao: %s\n", terminalSafe(err.Error()))
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

func newRoot() *cobra.Command {
	a := &app{}
	root := &cobra.Command{
		Use:   "nianbao",
		Short: "Harvest 政府信息公开工作年度报告 into a dataset researchers can trust",
		Long: `nianbao extracts China's annual reports on open government information into
records that follow the national templates (SCHEMA.md): every number as printed,
derived values marked as inferred, broken identities flagged in checks, and the
raw documents kept beside the store file so the corpus can be checked and rebuilt.`,
		SilenceUsage:     true,
		SilenceErrors:    true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) { tuneGC(cmd.Name()) },
	}
	root.PersistentFlags().StringVar(&a.configPath, "config", "config.yaml", "configuration file (defaults apply when the default file is absent)")
	root.PersistentFlags().StringVar(&a.dbPath, "db", "", "store file (overrides the config's store)")
	root.AddCommand(a.extractCmd(), a.importCmd(), a.reextractCmd(), a.workerCmd(), a.exportCmd(), a.crawlCmd(), a.historyCmd(), a.changesCmd(), a.verifyCmd(), a.migrateCmd(), a.rebuildCmd(), a.statsCmd(), a.failuresCmd(), a.serveCmd(), a.demoCmd(), a.simwebCmd(), versionCmd())
	return root
}

func (a *app) config(cmd *cobra.Command) (config.Config, error) {
	explicit := cmd.Flags().Changed("config")
	cfg, err := config.Load(a.configPath, !explicit)
	if err != nil {
		return cfg, err
	}
	if a.dbPath != "" {
		cfg.Store = a.dbPath
	}
	return cfg, nil
}

func (a *app) openStore(cmd *cobra.Command, readOnly bool) (*store.Store, error) {
	cfg, err := a.config(cmd)
	if err != nil {
		return nil, err
	}
	if readOnly {
		if _, err := os.Stat(cfg.Store); err != nil {
			return nil, fmt.Errorf("store %s: %w", cfg.Store, err)
		}
	}
	opt := store.Options{ReadOnly: readOnly, Snapshot: readOnly}
	if !readOnly {
		// A reader (export, stats, serve's request) holds the file for moments:
		// a writer waits that long rather than failing as "in use".
		opt.LockTimeout = writerLockWait
	}
	st, err := store.Open(cfg.Store, opt)
	if err == nil && readOnly {
		snapshotNote(st, cmd.ErrOrStderr())
	}
	if err == nil && !readOnly && cmd.Name() != "migrate" {
		if inside, ierr := st.RawInside(); ierr == nil && inside {
			fmt.Fprintf(cmd.ErrOrStderr(), "note: %s still keeps the documents of an older nianbao inside it (new ones go to %s): nianbao migrate moves them out\n", cfg.Store, store.BlobsPath(cfg.Store))
		}
	}
	return st, err
}

// writerLockWait is how long a command that writes waits for readers to let go
// of the store before it says the store is in use.
const writerLockWait = 3 * time.Second

// portalList reads the portal list for attribution (path, or the config's
// crawl.seeds); without one, reports are exported unattributed, which it says.
func (a *app) portalList(cmd *cobra.Command, path string, st *store.Store) (*seeds.List, error) {
	cfg, err := a.config(cmd)
	if err != nil {
		return nil, err
	}
	if path == "" && st != nil {
		// The list the store was harvested from, kept in it by crawl and demo.
		b, name, err := st.Portals()
		if err != nil {
			return nil, err
		}
		if b != nil {
			l, err := seeds.Read(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("the portal list kept in %s (read from %s): %w", st.Path(), name, err)
			}
			return l, nil
		}
	}
	if path == "" {
		path = cfg.Crawl.Seeds
	}
	l, err := seeds.ReadFile(path)
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "nianbao: no attribution to divisions: %v\n", err)
		return nil, nil
	}
	return l, nil
}

// keepPortals keeps in the store the portal list a harvest reads, when it is
// a portal list (not a bare list of URLs), so that export, stats and serve
// attribute without being told it again.
func keepPortals(st *store.Store, path string, b []byte) error {
	if b == nil {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return fmt.Errorf("reading the portal list %s: %w", path, err)
		}
	}
	l, err := seeds.Read(bytes.NewReader(b))
	if err != nil || !l.HasDivisions() {
		return nil // a list of URLs: nothing to attribute by
	}
	return st.SetPortals(b, path)
}

// openWriting opens the configured store read-write and an extractor, for the
// commands that add records; close both when done.
func (a *app) openWriting(cmd *cobra.Command) (*store.Store, *extract.Extractor, error) {
	st, err := a.openStore(cmd, false)
	if err != nil {
		return nil, nil, err
	}
	ex, err := a.newExtractor(cmd, true)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, ex, nil
}

// openCrawling opens the store and the crawl's extractor; with workers
// (crawl --nats) the extractor leaves scans unread, for the workers.
func (a *app) openCrawling(cmd *cobra.Command, workers bool) (*store.Store, *extract.Extractor, error) {
	if !workers {
		return a.openWriting(cmd)
	}
	st, err := a.openStore(cmd, false)
	if err != nil {
		return nil, nil, err
	}
	ex, err := extract.NewWithOptions(extract.Options{NoOCR: "its OCR is left to the workers (crawl --nats)"})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, ex, nil
}

// newExtractor builds an extractor with OCR as the configuration says
// (extract.ocr); useOCR false leaves it off whatever the configuration.
func (a *app) newExtractor(cmd *cobra.Command, useOCR bool) (*extract.Extractor, error) {
	cfg, err := a.config(cmd)
	if err != nil {
		return nil, err
	}
	var opt extract.Options
	opt.Limits.Deadline = cfg.Extract.Deadline
	switch {
	case !useOCR || cfg.Extract.OCR == "off":
		opt.NoOCR = "OCR is off"
	default:
		t, err := ocr.Find(cmd.Context())
		if err != nil {
			if cfg.Extract.OCR == "on" {
				return nil, fmt.Errorf("extract.ocr is on: %w", err)
			}
			opt.NoOCR = err.Error()
			break
		}
		t.DPI, t.MaxPages = cfg.Extract.OCRDPI, cfg.Extract.OCRMaxPages
		opt.OCR = t
	}
	return extract.NewWithOptions(opt)
}

// printJSON writes v as indented JSON with Chinese text as it is.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
