package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/fetch"
)

func (a *app) extractCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "extract FILE|URL|-",
		Short: "Extract one report and print its record",
		Long: `Extract one document (a file, an http(s) URL, or - for standard input) and print
its record: JSON as SCHEMA.md defines it with --json, a readable summary without.
A document that is readable but holds no report still prints a record, with
template "unknown" and warnings; input that cannot be read at all exits non-zero.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := a.readInput(cmd, args[0])
			if err != nil {
				return err
			}
			ex, err := a.newExtractor(cmd, true)
			if err != nil {
				return err
			}
			defer ex.Close()
			rec, err := ex.Extract(cmd.Context(), doc)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, rec)
			}
			return export.WriteSummary(out, rec)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the record as JSON")
	return cmd
}

func (a *app) readInput(cmd *cobra.Command, arg string) (extract.Document, error) {
	switch {
	case arg == "-":
		b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), extract.MaxDocumentSize+1))
		if err != nil {
			return extract.Document{}, fmt.Errorf("reading standard input: %w", err)
		}
		if len(b) > extract.MaxDocumentSize {
			return extract.Document{}, fmt.Errorf("standard input is larger than the %d-byte limit", extract.MaxDocumentSize)
		}
		return extract.Document{Body: b, Name: "stdin"}, nil
	case strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://"):
		cfg, err := a.config(cmd)
		if err != nil {
			return extract.Document{}, err
		}
		c, err := fetch.New(cfg.Fetch)
		if err != nil {
			return extract.Document{}, err
		}
		resp, err := c.Get(cmd.Context(), arg)
		if err != nil {
			return extract.Document{}, err
		}
		if resp.Status < 200 || resp.Status > 299 {
			return extract.Document{}, fmt.Errorf("fetching %s: HTTP %d", arg, resp.Status)
		}
		return extract.Document{Body: resp.Body, URL: resp.FinalURL, ContentType: resp.Header.Get("Content-Type")}, nil
	}
	if _, err := os.Stat(arg); err != nil {
		return extract.Document{}, err
	}
	b, err := corpus.ReadLimited(arg)
	if err != nil {
		return extract.Document{}, err
	}
	return extract.Document{Body: b, Name: arg}, nil
}
