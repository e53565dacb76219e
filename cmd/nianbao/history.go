package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

func (a *app) historyCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history REPORT",
		Short: "Show a report's life across runs: its addresses, versions and changes",
		Long: `history shows what the store knows of one report (named by its report id or by
one of its URLs): every address it was found at, with first and last seen, last
changed, and gone or moved; every change the harvest logged (new, revised with the
cells that changed, moved, gone, back); and the superseded versions it keeps.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore(cmd, true)
			if err != nil {
				return err
			}
			defer st.Close()
			if !st.Indexed() {
				fmt.Fprintln(cmd.ErrOrStderr(), store.IndexNote)
			}
			h, err := st.History(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, h)
			}
			printHistory(out, h)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the history as JSON (records included)")
	return cmd
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func printHistory(w io.Writer, h *store.History) {
	r := h.Current.Record
	year := "?"
	if r.Year != nil {
		year = strconv.Itoa(*r.Year)
	}
	fmt.Fprintf(w, "report %s: %s (%s, %s, template %s)\n", h.Current.ReportID, r.Title, r.Organisation, year, r.Template)
	fmt.Fprintf(w, "  current version read %s from %s by %s\n", day(h.Current.ExtractedAt), r.Source.URL, h.Current.Extractor)
	fmt.Fprintln(w, "addresses:")
	for _, d := range h.URLs {
		state := d.State
		switch d.State {
		case store.DocGone:
			state = "gone since " + day(d.GoneSince) + " (" + d.Detail + ")"
		case store.DocMoved:
			state = "moved to " + d.MovedTo
		}
		fmt.Fprintf(w, "  %s\n    %s; first seen %s, last seen %s, last changed %s, %d visit(s), next due %s\n",
			d.URL, state, day(d.FirstSeen), day(d.LastSeen), day(d.LastChanged), d.Visits, day(d.NextVisit))
	}
	fmt.Fprintln(w, "changes:")
	for _, c := range h.Changes {
		fmt.Fprintf(w, "  run %d %s %-8s %s%s\n", c.Generation, day(c.Time), c.Kind, c.URL, arrow(c.To))
		for _, cell := range c.Cells {
			fmt.Fprintf(w, "      %s\n", describeChange(cell))
		}
	}
	fmt.Fprintf(w, "superseded versions kept: %d\n", len(h.Versions))
	for _, v := range h.Versions {
		fmt.Fprintf(w, "  read %s from %s (sha256 %s)\n", day(v.ExtractedAt), v.Record.Source.URL, shortSHA(v.Sources))
	}
}

func arrow(to string) string {
	if to == "" {
		return ""
	}
	return " → " + to
}

func shortSHA(src []store.SourceRef) string {
	if len(src) == 0 || len(src[0].SHA256) < 12 {
		return "-"
	}
	return src[0].SHA256[:12]
}

func num(v *float64) string {
	if v == nil {
		return "null"
	}
	return report.FormatNumber(*v)
}

// describeChange renders one changed field: "requests.granted.total (label): 3 → 4".
func describeChange(c report.Change) string {
	if c.OldText != "" || c.NewText != "" {
		return fmt.Sprintf("%s: %q → %q", c.Field, c.OldText, c.NewText)
	}
	label := report.CellLabel(c.Field)
	if label != "" {
		label = " (" + label + ")"
	}
	return fmt.Sprintf("%s%s: %s → %s", c.Field, label, num(c.Old), num(c.New))
}

func (a *app) changesCmd() *cobra.Command {
	var (
		format, out string
		from, to    uint64
		all         bool
	)
	cmd := &cobra.Command{
		Use:   "changes",
		Short: "Export what changed between runs: new, revised (with the cells), moved and gone reports",
		Long: `changes writes one row per report change logged by the crawl runs (generations)
from --from to --to; by default the latest run's. Kinds: new, revised (the cells
that changed, old → new), moved (from → to), gone (404, soft 404, redirect to
nowhere), returned (answered again after being gone). CSV (UTF-8 with BOM,
formula-like cells neutralised) or JSONL. The runs themselves are listed on
standard error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "csv" && format != "jsonl" {
				return fmt.Errorf("--format must be csv or jsonl, not %q", format)
			}
			st, err := a.openStore(cmd, true)
			if err != nil {
				return err
			}
			defer st.Close()
			runs, err := st.Runs()
			if err != nil {
				return err
			}
			if len(runs) == 0 {
				return fmt.Errorf("store %s has no crawl runs yet", st.Path())
			}
			for _, r := range runs {
				fmt.Fprintf(cmd.ErrOrStderr(), "run %d: started %s, finished %s; %d requests, %d unchanged (304); new %d, revised %d, moved %d, gone %d, back %d\n",
					r.Generation, day(r.Started), day(r.Finished), r.Counts.Requests, r.Counts.NotModified, r.Counts.New, r.Counts.Revised,
					r.Counts.Moved, r.Counts.Gone, r.Counts.Returned)
			}
			if !all && from == 0 && to == 0 {
				from, to = runs[len(runs)-1].Generation, runs[len(runs)-1].Generation
			}
			if last := runs[len(runs)-1].Generation; from > last || to > last || to != 0 && from > to {
				return fmt.Errorf("--from %d --to %d: the store's runs are 1 to %d", from, to, last)
			}
			var w io.Writer = cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			n, err := writeChanges(w, st, from, to, format)
			if err != nil {
				return err
			}
			if f, ok := w.(*os.File); ok && out != "" && out != "-" {
				if err := f.Close(); err != nil {
					return fmt.Errorf("writing %s: %w", out, err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d change(s) to %s\n", n, out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "csv or jsonl")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (standard output when empty)")
	cmd.Flags().Uint64Var(&from, "from", 0, "first run (generation) to include")
	cmd.Flags().Uint64Var(&to, "to", 0, "last run (generation) to include")
	cmd.Flags().BoolVar(&all, "all", false, "every run's changes")
	return cmd
}

// changeColumns is the changes CSV's header.
var changeColumns = []string{"generation", "time", "kind", "report_id", "organisation", "year", "title", "url", "moved_to", "detail", "cells_changed"}

// writeChanges writes the changes of runs from..to as CSV or JSONL.
func writeChanges(w io.Writer, st *store.Store, from, to uint64, format string) (int, error) {
	bw := bufio.NewWriter(w)
	var cw *export.Table
	if format == "csv" {
		var err error
		if cw, err = export.NewTable(bw, changeColumns); err != nil {
			return 0, err
		}
	}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	err := st.Changes(from, to, func(c *store.ReportChange) error {
		n++
		if format == "jsonl" {
			return enc.Encode(c)
		}
		org, year, title := "", "", ""
		if e, err := st.Entry(c.ReportID); err == nil {
			org, title = string(e.Record.Organisation), string(e.Record.Title)
			if e.Record.Year != nil {
				year = strconv.Itoa(*e.Record.Year)
			}
		}
		var cells []string
		for _, ch := range c.Cells {
			cells = append(cells, describeChange(ch))
		}
		return cw.Write([]string{strconv.FormatUint(c.Generation, 10), c.Time.UTC().Format(time.RFC3339), c.Kind, c.ReportID, org, year, title,
			c.URL, c.To, c.Detail, strings.Join(cells, "; ")})
	})
	if err != nil {
		return n, err
	}
	if cw != nil {
		if err := cw.Flush(); err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}
