package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
)

// progressPrinter prints one line per document when asked to, and otherwise a
// line every few seconds, so long runs show they are alive.
func progressPrinter(w io.Writer, verbose bool, verb string) corpus.Progress {
	last := time.Now()
	return func(done, total int, name string, err error) {
		name = terminalSafe(name)
		switch {
		case err != nil:
			fmt.Fprintf(w, "  [%d/%d] %s: %s\n", done, total, name, terminalSafe(err.Error()))
		case verbose:
			fmt.Fprintf(w, "  [%d/%d] %s\n", done, total, name)
		case time.Since(last) > 3*time.Second || done == total:
			fmt.Fprintf(w, "  %s %d/%d\n", verb, done, total)
			last = time.Now()
		}
	}
}

func (a *app) importCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Add local files (and the files under folders) to the store",
		Long: `Import adds documents you already have to the store: each file's bytes are kept,
and its record is extracted. A file that cannot be extracted is kept all the same,
so that reextract can read it once the extractor improves. Symbolic links are
followed, each folder read once (a link back up the tree is named and skipped);
named pipes, sockets and devices are refused by name, never opened. A store the
disk cannot take (a full disk) ends the import with that error and exit status 1.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, p := range args { // before the store is opened: a typo creates no store
				if _, err := os.Stat(p); err != nil {
					return fmt.Errorf("import: %w", err)
				}
			}
			st, ex, err := a.openWriting(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			defer ex.Close()
			out := cmd.ErrOrStderr()
			res, err := corpus.Import(cmd.Context(), st, ex, args, progressPrinter(out, verbose, "imported"))
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d document(s) into %s: %d record(s), %d kept without a record, %d already in the store, %d unreadable\n",
				res.Documents, st.Path(), res.Records, res.Failed, res.Unchanged, len(res.Errors)-res.Failed)
			if err != nil {
				return err
			}
			if res.Documents == 0 && len(res.Errors) > 0 {
				return fmt.Errorf("no document could be read")
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every file")
	return cmd
}

func (a *app) reextractCmd() *cobra.Command {
	var verbose bool
	var nf natsFlags
	cmd := &cobra.Command{
		Use:   "reextract",
		Short: "Rebuild every record from the stored raw documents, without fetching",
		Long: `Reextract rebuilds every record from the stored raw documents with this
extractor, writing them in groups. With --nats the work is spread over
'nianbao worker' processes on any machines through a NATS JetStream server;
this process stays the store's one writer and can be stopped and started
again: it resumes the run (see docs/scaling.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if nf.url != "" {
				return a.reextractNATS(cmd, &nf)
			}
			if nf.unreadScans {
				return fmt.Errorf("--unread-scans is for a run through workers: give --nats URL")
			}
			st, ex, err := a.openWriting(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			defer ex.Close()
			res, err := corpus.Reextract(cmd.Context(), st, ex, progressPrinter(cmd.ErrOrStderr(), verbose, "re-extracted"))
			fmt.Fprintf(cmd.OutOrStdout(), "re-extracted %d report(s) with %s: %d record(s) written, %d failed\n",
				res.Documents, extract.Version, res.Records, res.Failed)
			return err
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every report")
	nf.register(cmd)
	return cmd
}
