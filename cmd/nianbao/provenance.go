package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/store"
)

func readManifestFile(path string) ([]store.ManifestEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []store.ManifestEntry
	err = store.ReadManifest(f, func(m store.ManifestEntry) error { out = append(out, m); return nil })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func (a *app) verifyCmd() *cobra.Command {
	var manifestPath string
	var repair bool
	cmd := &cobra.Command{
		Use:   "verify [--manifest FILE] [--repair]",
		Short: "Re-hash the stored raw documents (against a manifest, or against their own keys)",
		Long: `verify reads every raw document a capture names back (from the store's
FILE.blobs directory, or from inside a store file not yet migrated), decompresses it and
checks its SHA-256 (and, with --manifest, its size and that every document the manifest
lists is there). It exits 1 and lists the documents that differ or are missing, each with
its file. It counts the orphans: documents beside the store no capture names, left by a
process killed between writing a document and committing its capture.

--repair opens the store for writing (no crawl or import may hold it) and removes the
orphans and the temporary files of killed writes. A document a capture names is never
removed; a damaged one stays listed (rebuild or import it again).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var manifest []store.ManifestEntry
			if manifestPath != "" {
				var err error
				if manifest, err = readManifestFile(manifestPath); err != nil {
					return err
				}
			}
			if repair && manifest != nil {
				return fmt.Errorf("verify --repair checks the whole store: leave out --manifest")
			}
			st, err := a.openStore(cmd, !repair)
			if err != nil {
				return err
			}
			defer st.Close()
			r := newReading(cmd.Context(), cmd.ErrOrStderr(), "documents")
			res, err := corpus.Verify(cmd.Context(), st, manifest, func(int, int, string, error) { _ = r.step() })
			if err != nil {
				return err
			}
			return verifyReport(cmd, st, res, repair)
		},
	}
	cmd.Flags().StringVar(&manifestPath, "manifest", "", "a manifest written by export --manifest")
	cmd.Flags().BoolVar(&repair, "repair", false, "remove the documents no capture names (orphans of killed writes)")
	return cmd
}

// verifyReport prints what verify found, sweeps the orphans when repair, and
// fails when a document is bad.
func verifyReport(cmd *cobra.Command, st *store.Store, res corpus.VerifyResult, repair bool) error {
	out := cmd.OutOrStdout()
	for _, b := range res.Bad {
		fmt.Fprintf(out, "BAD %s\n", b)
	}
	fmt.Fprintf(out, "verify: %d document(s) checked, %d bad\n", res.Checked, len(res.Bad))
	switch {
	case repair:
		sw, err := st.SweepOrphans(cmd.Context())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "repair: removed %d orphan document(s) (%d bytes) and %d temporary file(s) from %s\n", sw.Orphans, sw.Bytes, sw.Temps, store.BlobsPath(st.Path()))
	case res.Orphans > 0:
		fmt.Fprintf(out, "verify: %d orphan document(s) (%d bytes) no capture names, left by killed writes: verify --repair removes them\n", res.Orphans, res.OrphanBytes)
	}
	if len(res.Bad) > 0 {
		return fmt.Errorf("%d of %d stored document(s) do not match", len(res.Bad), res.Checked)
	}
	return nil
}

func (a *app) migrateCmd() *cobra.Command {
	var noCompact bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Move the raw documents of an older store out of its file, beside it, and compact the file",
		Long: `A store written before schema 4 keeps its raw documents inside the store file. migrate
moves them to the directory FILE.blobs beside it, in batches: each batch's documents are
written and synced, read back and checked against their SHA-256, then removed from the
file in one transaction. Progress goes to stderr. Interrupted (Ctrl-C, a kill) it is
resumed by running it again. Then it compacts the file (writes it again without the space
the documents took, into FILE.compact, renamed over FILE), unless --no-compact.

Until it is run, an older store works as before: its documents are read from inside the
file and new ones are kept beside it. A document whose bytes inside the file no longer
hash to its key is left there and listed (exit 1).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore(cmd, false)
			if err != nil {
				return err
			}
			path := st.Path()
			errw := cmd.ErrOrStderr()
			res, err := st.MoveRaw(cmd.Context(), func(moved, total int) {
				fmt.Fprintf(errw, "migrate: %d of %d document(s) moved to %s\n", moved, total, store.BlobsPath(path))
			})
			st.Close()
			if err != nil {
				if cmd.Context().Err() != nil {
					return exitError{code: exitStopped, err: err}
				}
				return err
			}
			out := cmd.OutOrStdout()
			for _, k := range res.Kept {
				fmt.Fprintf(out, "KEPT %s\n", k)
			}
			fmt.Fprintf(out, "migrate: %d document(s) moved to %s, %d left inside %s\n", res.Moved, store.BlobsPath(path), res.Left, path)
			if !noCompact {
				before, after, err := store.Compact(cmd.Context(), path, writerLockWait)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "migrate: %s compacted from %d to %d bytes\n", path, before, after)
			}
			if len(res.Kept) > 0 {
				return fmt.Errorf("%d document(s) inside %s do not hash to their keys: left there", len(res.Kept), path)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&noCompact, "no-compact", false, "leave the file's size as it is (compact later by running migrate again)")
	return cmd
}

func (a *app) rebuildCmd() *cobra.Command {
	var manifestPath, proxy, caFile string
	cmd := &cobra.Command{
		Use:   "rebuild --manifest FILE --db NEW.db",
		Short: "Fetch a manifest's documents again, politely, into a new store and report which differ",
		Long: `rebuild fetches every URL of a manifest (its latest fetch of each) into a new store
(--db), with the crawler's politeness (robots.txt, one request at a time per host, the
delay, back-off) but without following links, extracts them as a crawl would, and
reports which documents came back identical, which differ (old and new SHA-256) and
which could not be fetched again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if manifestPath == "" {
				return fmt.Errorf("rebuild needs --manifest FILE (written by export --manifest)")
			}
			manifest, err := readManifestFile(manifestPath)
			if err != nil {
				return err
			}
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			if _, err := os.Stat(cfg.Store); err == nil {
				return fmt.Errorf("rebuild writes a new store, and %s exists: name a new file with --db", cfg.Store)
			}
			latest := corpus.Latest(manifest)
			if len(latest) == 0 {
				return fmt.Errorf("%s lists no fetched document", manifestPath)
			}
			// Pages first, and each attachment with the page of its report, so
			// that a report read from both is one record again.
			isPage := func(m store.ManifestEntry) bool {
				return strings.Contains(m.ContentType, "html") || strings.HasSuffix(strings.ToLower(m.URL), ".html") || strings.HasSuffix(strings.ToLower(m.URL), ".htm")
			}
			pageOf := map[string]string{}
			for _, m := range latest {
				if isPage(m) && pageOf[m.ReportID] == "" {
					pageOf[m.ReportID] = m.URL
				}
			}
			var targets, attachments []crawler.Target
			for _, m := range latest {
				if isPage(m) {
					targets = append(targets, crawler.Target{URL: m.URL})
				} else {
					attachments = append(attachments, crawler.Target{URL: m.URL, Attachment: true, Parent: pageOf[m.ReportID]})
				}
			}
			targets = append(targets, attachments...)
			st, ex, err := a.openWriting(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			defer ex.Close()
			c, err := crawler.NewForTargets(crawlConfig(cfg, proxy, caFile), st, ex, targets)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "rebuild: fetching %d document(s) of %s into %s\n", len(targets), manifestPath, st.Path())
			sum, err := runCrawl(cmd, c)
			if err != nil {
				return err
			}
			if sum.Stopped {
				return exitError{code: exitStopped, err: fmt.Errorf("stopped with %d requests queued", sum.Pending)}
			}
			res, err := corpus.CompareRebuild(st, latest)
			if err != nil {
				return err
			}
			for _, d := range res.Differ {
				fmt.Fprintf(out, "DIFFERS %s\n", d)
			}
			for _, m := range res.Missing {
				fmt.Fprintf(out, "MISSING %s\n", m)
			}
			fmt.Fprintf(out, "rebuild: %d identical, %d differ, %d not fetched again\n", res.Same, len(res.Differ), len(res.Missing))
			return nil
		},
	}
	cmd.Flags().StringVar(&manifestPath, "manifest", "", "a manifest written by export --manifest")
	cmd.Flags().StringVar(&proxy, "proxy", "", "HTTP(S) proxy URL (default: the config's fetch.proxy)")
	cmd.Flags().StringVar(&caFile, "ca", "", "extra root CA file (PEM)")
	return cmd
}
