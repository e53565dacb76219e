package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

func (a *app) statsCmd() *cobra.Command {
	var (
		seedsPath string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Count the dataset by province, level, year and template; check failure rates; coverage per year",
		Long: `stats reads every record: reports by province, division level, kind of publisher,
year and template; how many reports break at least one identity, and which; and the
coverage per year: how many divisions of the portal list (--seeds; default the list
the store was harvested from, else the config's crawl.seeds) have at least one report attributed to them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore(cmd, true)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := a.portalList(cmd, seedsPath, st)
			if err != nil {
				return err
			}
			if !st.Indexed() {
				fmt.Fprintln(cmd.ErrOrStderr(), store.IndexNote)
			}
			s, err := export.ComputeStats(readingFacts{st, newReading(cmd.Context(), cmd.ErrOrStderr(), "reports")}, list)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, s)
			}
			printStats(out, s)
			return nil
		},
	}
	cmd.Flags().StringVar(&seedsPath, "seeds", "", "portal list for attribution and coverage (default: the config's crawl.seeds)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as JSON")
	return cmd
}

func printCounts(w io.Writer, title string, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	fmt.Fprintf(w, "%s:\n", title)
	for _, k := range keys {
		name := k
		if name == "" {
			name = "(none)"
		}
		fmt.Fprintf(w, "  %-28s %6d\n", name, m[k])
	}
}

func printStats(w io.Writer, s *export.Stats) {
	fmt.Fprintf(w, "reports: %d (%d not attributed to a division)\n", s.Reports, s.Unattributed)
	printCounts(w, "by province", s.ByProvince)
	printCounts(w, "by division level", s.ByLevel)
	printCounts(w, "by publisher", s.ByUnit)
	years := map[string]int{}
	for y, n := range s.ByYear {
		years[fmt.Sprint(y)] = n
	}
	printCounts(w, "by year", years)
	printCounts(w, "by template", s.ByTemplate)
	rate := 0.0
	if s.WithChecks > 0 {
		rate = 100 * float64(s.Failing) / float64(s.WithChecks)
	}
	fmt.Fprintf(w, "checks: %d of %d reports with tables break at least one identity (%.1f%%)\n", s.Failing, s.WithChecks, rate)
	printCounts(w, "broken identities", s.FailuresByRule)
	fmt.Fprintln(w, "coverage (divisions of the portal list with at least one report):")
	for _, c := range s.Coverage {
		fmt.Fprintf(w, "  %d  %5d of %5d  (%d without)\n", c.Year, c.Covered, c.Divisions, c.Divisions-c.Covered)
	}
}
