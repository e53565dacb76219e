package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/atomicfile"
	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

// exportRequest is what export writes and which reports.
type exportRequest struct {
	format string // csv or jsonl
	long   bool
	opt    export.Options
	filter export.Filter
	attrib *attrib.Attributor
}

func (a *app) exportCmd() *cobra.Command {
	var (
		req                   exportRequest
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

Each report is attributed to its administrative division (region, admin_code, level,
parent_code) from the portal list (--seeds, default the config's crawl.seeds): by the
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
			if req.format != "csv" && req.format != "jsonl" {
				return fmt.Errorf("--format must be csv or jsonl, not %q", req.format)
			}
			if req.long && req.format != "csv" {
				return fmt.Errorf("--long is a CSV form")
			}
			var err error
			if req.filter.Years, err = parseYears(years); err != nil {
				return err
			}
			if err := req.filter.Validate(); err != nil {
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
			list, err := a.portalList(cmd, seedsPath)
			if err != nil {
				return err
			}
			req.attrib = attrib.New(list)
			return writeOut(cmd, out, "report", func(w io.Writer) (int, error) { return exportTo(w, st, req) })
		},
	}
	cmd.Flags().StringVar(&req.format, "format", "csv", "csv or jsonl")
	cmd.Flags().BoolVar(&req.long, "long", false, "the long (tidy) CSV: one row per cell")
	cmd.Flags().BoolVar(&req.opt.FillInferred, "fill-inferred", false, "wide CSV: fill blank cells with the values the identities determine (listed in inferred_cells)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (standard output when empty)")
	cmd.Flags().StringVar(&years, "year", "", "only these report years: 2022, 2019-2022, 2019,2021")
	cmd.Flags().StringVar(&req.filter.Region, "region", "", "only reports attributed to divisions whose code starts with this prefix")
	cmd.Flags().StringVar(&req.filter.Level, "level", "", "only divisions of this level: province, prefecture, county")
	cmd.Flags().StringVar(&req.filter.Unit, "unit", "", "only this kind of publisher: government, department, township, zone")
	cmd.Flags().StringVar(&req.filter.Template, "template", "", "only this template: 2019, 2021, legacy, unknown")
	cmd.Flags().StringVar(&req.filter.Checks, "checks", "", "passed: every identity holds; failed: at least one broken")
	cmd.Flags().StringVar(&seedsPath, "seeds", "", "portal list for attribution (default: the config's crawl.seeds)")
	cmd.Flags().BoolVar(&codebook, "codebook", false, "describe every column of the wide CSV instead")
	cmd.Flags().BoolVar(&manifest, "manifest", false, "list every stored raw document (JSON lines) instead")
	cmd.Flags().StringVar(&warcDir, "warc", "", "write the stored raw captures as WARC files into this folder instead")
	return cmd
}

// parseYears reads "2022", "2019-2022" or "2019,2021".
func parseYears(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || b < a || b-a > 100 {
			return nil, fmt.Errorf("--year %q: give a year, a range such as 2019-2022, or a list", s)
		}
		for y := a; y <= b; y++ {
			out = append(out, y)
		}
	}
	return out, nil
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

// exportTo writes the selected records of the store; it returns how many
// reports it wrote.
func exportTo(w io.Writer, st *store.Store, req exportRequest) (int, error) {
	if req.attrib == nil {
		req.attrib = attrib.New(nil)
	}
	bw := bufio.NewWriter(w)
	n := 0
	var write func(*store.Entry, attrib.Attribution) error
	var flush func() error
	switch {
	case req.format == "jsonl":
		write = func(e *store.Entry, _ attrib.Attribution) error { return export.WriteJSONL(bw, e) }
		flush = func() error { return nil }
	case req.long:
		lw, err := export.NewLong(bw)
		if err != nil {
			return 0, err
		}
		write = func(e *store.Entry, _ attrib.Attribution) error { return lw.Write(e) }
		flush = lw.Flush
	default:
		cw, err := export.NewCSV(bw, req.opt)
		if err != nil {
			return 0, err
		}
		write, flush = cw.Write, cw.Flush
	}
	err := st.Entries(func(e *store.Entry) error {
		src := string(e.Record.Source.URL)
		if src == "" && len(e.Sources) > 0 {
			src = e.Sources[0].URL
		}
		at := req.attrib.Attribute(e.Record, src)
		if !req.filter.Match(e, at) {
			return nil
		}
		n++
		return write(e, at)
	})
	if err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}
