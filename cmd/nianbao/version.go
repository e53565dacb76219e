package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the extractor, record schema and store schema versions",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "%s, record schema %d, store schema %d\n", extract.Version, report.SchemaVersion, store.SchemaVersion)
		},
	}
}
