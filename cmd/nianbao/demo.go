package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/store"
)

func (a *app) demoCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the pipeline on the embedded sample reports and write DIR/reports.csv",
		Long: `demo runs the whole pipeline on a fresh machine with no network: it imports the
sample reports embedded in the binary into a new store in DIR (a new temporary
folder when --out is not given), extracts their records and writes DIR/reports.csv.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if dir == "" {
				d, err := os.MkdirTemp("", "nianbao-demo-")
				if err != nil {
					return err
				}
				dir = d
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			dbPath := filepath.Join(dir, "nianbao.db")
			st, err := store.Open(dbPath, store.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			ex, err := extract.New()
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "demo: importing %d embedded sample reports into %s\n", len(samples.Documents()), dbPath)
			res, err := corpus.ImportFS(cmd.Context(), st, ex, samples.FS(), samples.Documents(), progressPrinter(cmd.ErrOrStderr(), false, "imported"))
			if err != nil {
				return err
			}
			err = st.Entries(func(e *store.Entry) error {
				r := e.Record
				year := "—"
				if r.Year != nil {
					year = fmt.Sprint(*r.Year)
				}
				fmt.Fprintf(out, "  %-28s %4s  template %-7s  %2d checks, %d failed, %d inferred, %d warnings\n",
					r.Organisation, year, r.Template, len(r.Checks), len(r.FailedChecks()), len(r.Inferred), len(r.Warnings))
				return nil
			})
			if err != nil {
				return err
			}
			csvPath := filepath.Join(dir, "reports.csv")
			f, err := os.Create(csvPath)
			if err != nil {
				return err
			}
			n, err := exportTo(f, st, "csv")
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("writing %s: %w", csvPath, err)
			}
			fmt.Fprintf(out, "demo: %d document(s), %d record(s), %d error(s); wrote %d row(s) to %s\n",
				res.Documents, res.Records, len(res.Errors), n, csvPath)
			if len(res.Errors) > 0 {
				return fmt.Errorf("%d sample(s) failed", len(res.Errors))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "out", "", "folder for the store and reports.csv (default: a new temporary folder)")
	return cmd
}
