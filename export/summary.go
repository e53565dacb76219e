package export

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nianbao/nianbao/report"
)

// WriteSummary writes a record for people: metadata, the three tables, failed
// checks, inferred values, warnings and attachments.
func WriteSummary(w io.Writer, r *report.Record) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	year := "—"
	if r.Year != nil {
		year = fmt.Sprint(*r.Year)
	}
	orDash := func(s report.Text) string {
		if s == "" {
			return "—"
		}
		return string(s)
	}
	p("title\t%s\n", orDash(r.Title))
	p("organisation\t%s\n", orDash(r.Organisation))
	p("year\t%s\n", year)
	p("template\t%s\n", r.Template)
	p("published\t%s\n", orDash(r.Published))
	p("source\t%s, %s, %s, sha256 %.16s…\n", r.Source.Format, r.Source.Encoding, r.Source.Script, r.Source.SHA256)
	if r.Source.URL != "" {
		p("url\t%s\n", r.Source.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, t := range []struct {
		title string
		table *report.Table
	}{{"二 主动公开 (active)", r.Active}, {"三 依申请 (requests)", r.Requests}, {"四 复议诉讼 (review_litigation)", r.ReviewLitigation}} {
		fmt.Fprintf(w, "\n表%s", t.title)
		if t.table == nil {
			fmt.Fprintln(w, ": not in the document")
			continue
		}
		fmt.Fprintln(w)
		writeTable(w, t.table)
	}
	failed := r.FailedChecks()
	fmt.Fprintf(w, "\nchecks: %d evaluated, %d failed\n", len(r.Checks), len(failed))
	for _, c := range r.Checks {
		if !c.OK {
			fmt.Fprintf(w, "  FAILED %s: %s\n", c.Rule, c.Detail)
		}
	}
	if len(r.Inferred) > 0 {
		fmt.Fprintf(w, "inferred (not printed; determined by the identities):\n")
		for _, in := range r.Inferred {
			fmt.Fprintf(w, "  %s = %s (%s)\n", in.Cell, report.FormatNumber(in.Value), in.Rule)
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "warnings:\n")
		for _, s := range r.Warnings {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	if len(r.Attachments) > 0 {
		fmt.Fprintf(w, "attachments:\n")
		for _, a := range r.Attachments {
			if a.URL != "" {
				fmt.Fprintf(w, "  %s <%s>\n", a.Name, a.URL)
			} else {
				fmt.Fprintf(w, "  %s\n", a.Name)
			}
		}
	}
	return nil
}

func writeTable(w io.Writer, t *report.Table) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', tabwriter.AlignRight)
	// Rows with the same columns share a header line.
	var lastCols string
	for _, row := range t.Rows {
		var keys []string
		for _, c := range row.Cells {
			keys = append(keys, c.Key)
		}
		cols := strings.Join(keys, "\t")
		if cols != lastCols {
			fmt.Fprintf(tw, "  \t%s\t\n", cols)
			lastCols = cols
		}
		fmt.Fprintf(tw, "  %s\t", row.Key)
		for _, c := range row.Cells {
			if c.Value == nil {
				fmt.Fprint(tw, "·\t")
			} else {
				fmt.Fprintf(tw, "%s\t", report.FormatNumber(*c.Value))
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
