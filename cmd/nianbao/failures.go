package main

import (
	"bufio"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

func (a *app) failuresCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "failures",
		Short: "List the URLs whose last fetch failed, with the class and the reason",
		Long: `failures reads the store's fetch log and lists, as CSV, every URL whose last
fetch lost its document: too large, server errors and network faults after their
retries, TLS, challenges, the host's page budget. A URL that failed and was then
fetched is not listed. --all lists every failed fetch, not only the last per URL.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore(cmd, true)
			if err != nil {
				return err
			}
			defer st.Close()
			last := map[string]*store.FetchLog{}
			var order []string
			var failed []*store.FetchLog
			err = st.Fetches(func(f *store.FetchLog) error {
				if all {
					if crawler.LosesDocument(f.Class) {
						failed = append(failed, f)
					}
					return nil
				}
				if last[f.URL] == nil {
					order = append(order, f.URL)
				}
				last[f.URL] = f
				return nil
			})
			if err != nil {
				return err
			}
			for _, u := range order {
				if f := last[u]; crawler.LosesDocument(f.Class) {
					failed = append(failed, f)
				}
			}
			bw := bufio.NewWriter(cmd.OutOrStdout())
			t, err := export.NewTable(bw, []string{"url", "class", "detail", "status", "time", "host"})
			if err != nil {
				return err
			}
			for _, f := range failed {
				if err := t.Write([]string{f.URL, string(f.Class), f.Detail, fmt.Sprint(f.Status), f.Time.UTC().Format(time.RFC3339), f.Host}); err != nil {
					return err
				}
			}
			if err := t.Flush(); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d failed URL(s) in %s\n", len(failed), st.Path())
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "every failed fetch, not only each URL's last")
	return cmd
}
