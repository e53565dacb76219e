package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/atomicfile"
	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

func (a *app) exportCmd() *cobra.Command {
	var (
		req                   export.Request
		out, years, seedsPath string
		codebook, manifest    bool
		warcDir               string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the dataset (wide or long CSV, JSONL), its codebook, its manifest of raw documents, or WARC files",
		Long: `export writes the dataset:

  --format csv     one row per report (SCHEMA.md's wide CSV), UTF-8 with a BOM, stable
                   column order, text cells that start with = + - @ neutralised
  --format csv --long
                   one row per cell of every table a report has: report_id, table, row,
                   column, value, inferred (true: the document leaves the cell blank and
                   the template's identities determine the value)
  --format jsonl   full records with their sources, one per line
  --format parquet the wide table as Parquet (pandas, R arrow, DuckDB, Polars): the CSV's
                   rows and columns, counts as integers, money as exact decimals, blanks
                   as nulls

With --out FILE, every export also writes datapackage.json beside FILE: a Frictionless
data package that describes the file's columns (types, Chinese labels, meanings), how
blanks are written, and its provenance (the extractor, the filters, the SHA-256 of the
store's manifest of raw documents).

Each report is attributed to its administrative division (region, admin_code, level,
parent_code) from the portal list (--seeds; default the list the store was harvested
from, else the config's crawl.seeds): by the
网站标识码 on its page, its host, its 统一社会信用代码 or its organisation's name; the
attributed_by column says which. Departments and townships belong to their county.

Filters: --year 2022 or 2019-2022 or 2019,2021; --region 43 (an administrative code
prefix); --level province|prefecture|county; --unit government|department|township|zone;
--template 2019|2021|legacy|unknown; --checks passed|failed.

Instead of the dataset: --codebook describes every column with its Chinese label;
--manifest lists every stored raw document (URL, fetch time, SHA-256, extractor) as JSON
lines, for verify and rebuild; --warc DIR writes the raw captures with their HTTP
headers as WARC files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			modes := 0
			for _, on := range []bool{codebook, manifest, warcDir != ""} {
				if on {
					modes++
				}
			}
			if modes > 1 {
				return fmt.Errorf("--codebook, --manifest and --warc are separate exports: give one")
			}
			if req.Format != "csv" && req.Format != "jsonl" && req.Format != "parquet" {
				return fmt.Errorf("--format must be csv, jsonl or parquet, not %q", req.Format)
			}
			if req.Long && req.Format != "csv" {
				return fmt.Errorf("--long is a CSV form")
			}
			var err error
			if req.Filter.Years, err = export.ParseYears(years); err != nil {
				return err
			}
			if err := req.Filter.Validate(); err != nil {
				return err
			}
			if codebook {
				return writeOut(cmd, out, "column", func(w io.Writer) (int, error) { return export.WriteCodebook(w) })
			}
			st, err := a.openStore(cmd, true)
			if err != nil {
				return err
			}
			defer st.Close()
			if warcDir != "" {
				if err := os.MkdirAll(warcDir, 0o755); err != nil {
					return err
				}
				w, err := export.WriteWARC(warcDir, st, "nianbao "+extract.Version)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d WARC record(s) to %s\n", w.Records, strings.Join(w.Files, ", "))
				return nil
			}
			if manifest {
				return writeOut(cmd, out, "document", func(w io.Writer) (int, error) { return export.WriteManifest(w, st) })
			}
			list, err := a.portalList(cmd, seedsPath, st)
			if err != nil {
				return err
			}
			req.Attrib = attrib.New(list)
			req.Warn = func(s string) { fmt.Fprintln(cmd.ErrOrStderr(), s) }
			var rows int
			err = writeOut(cmd, out, "report", func(w io.Writer) (int, error) {
				n, err := export.WriteReports(w, readingEntries{st, newReading(cmd.Context(), cmd.ErrOrStderr(), "reports")}, req)
				rows = n
				return n, err
			})
			if err != nil || out == "" || out == "-" {
				return err
			}
			return writePackage(cmd, st, export.PackageRequest{Request: req, Path: out, Rows: rows, Extractor: extract.Version,
				Created: time.Now().UTC().Format(time.RFC3339)})
		},
	}
	cmd.Flags().StringVar(&req.Format, "format", "csv", "csv, jsonl or parquet")
	cmd.Flags().BoolVar(&req.Long, "long", false, "the long (tidy) CSV: one row per cell")
	cmd.Flags().BoolVar(&req.Options.FillInferred, "fill-inferred", false, "wide CSV: fill blank cells with the values the identities determine (listed in inferred_cells)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (standard output when empty)")
	cmd.Flags().StringVar(&years, "year", "", "only these report years: 2022, 2019-2022, 2019,2021")
	cmd.Flags().StringVar(&req.Filter.Region, "region", "", "only reports attributed to divisions whose code starts with this prefix")
	cmd.Flags().StringVar(&req.Filter.Level, "level", "", "only divisions of this level: province, prefecture, county")
	cmd.Flags().StringVar(&req.Filter.Unit, "unit", "", "only this kind of publisher: government, department, township, zone")
	cmd.Flags().StringVar(&req.Filter.Template, "template", "", "only this template: 2019, 2021, legacy, unknown")
	cmd.Flags().StringVar(&req.Filter.Checks, "checks", "", "passed: every identity holds; failed: at least one broken")
	cmd.Flags().StringVar(&seedsPath, "seeds", "", "portal list for attribution (default: the list the store was harvested from, else the config's crawl.seeds)")
	cmd.Flags().BoolVar(&codebook, "codebook", false, "describe every column of the wide CSV instead")
	cmd.Flags().BoolVar(&manifest, "manifest", false, "list every stored raw document (JSON lines) instead")
	cmd.Flags().StringVar(&warcDir, "warc", "", "write the stored raw captures as WARC files into this folder instead")
	return cmd
}

// writeOut writes to --out (replacing the file only when complete) or to
// standard output.
func writeOut(cmd *cobra.Command, out, what string, write func(io.Writer) (int, error)) error {
	if out == "" || out == "-" {
		bw := bufio.NewWriter(cmd.OutOrStdout())
		if _, err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	var n int
	err := atomicfile.Write(out, func(w io.Writer) (err error) {
		n, err = write(w)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d %s(s) to %s\n", n, what, out)
	return nil
}

// writePackage writes datapackage.json beside an exported file.
func writePackage(cmd *cobra.Command, st *store.Store, req export.PackageRequest) error {
	pkg, err := export.NewDataPackage(st, req)
	if err != nil {
		return err
	}
	path := filepath.Join(filepath.Dir(req.Path), "datapackage.json")
	if err := atomicfile.Write(path, pkg.Write); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (a data package describing %s)\n", path, filepath.Base(req.Path))
	return nil
}
