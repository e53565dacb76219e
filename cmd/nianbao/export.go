package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

func (a *app) exportCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the dataset as CSV (one row per report) or JSONL (full records)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "csv" && format != "jsonl" {
				return fmt.Errorf("--format must be csv or jsonl, not %q", format)
			}
			st, err := a.openStore(cmd, true)
			if err != nil {
				return err
			}
			defer st.Close()
			var w io.Writer = cmd.OutOrStdout()
			var f *os.File
			if out != "" && out != "-" {
				f, err = os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			n, err := exportTo(w, st, format)
			if err != nil {
				return err
			}
			if f != nil {
				if err := f.Close(); err != nil {
					return fmt.Errorf("writing %s: %w", out, err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d report(s) to %s\n", n, out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "csv or jsonl")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (standard output when empty)")
	return cmd
}

// exportTo writes every record of the store.
func exportTo(w io.Writer, st *store.Store, format string) (int, error) {
	bw := bufio.NewWriter(w)
	n := 0
	if format == "jsonl" {
		err := st.Entries(func(e *store.Entry) error {
			n++
			return export.WriteJSONL(bw, e)
		})
		if err != nil {
			return n, err
		}
		return n, bw.Flush()
	}
	cw, err := export.NewCSV(bw)
	if err != nil {
		return 0, err
	}
	if err := st.Entries(cw.Write); err != nil {
		return cw.Rows(), err
	}
	if err := cw.Flush(); err != nil {
		return cw.Rows(), err
	}
	return cw.Rows(), bw.Flush()
}
