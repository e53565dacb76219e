package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/fanout"
	"github.com/nianbao/nianbao/store"
)

func (a *app) workerCmd() *cobra.Command {
	var url, name string
	var timeout time.Duration
	var quiet bool
	cmd := &cobra.Command{
		Use:   "worker --nats URL",
		Short: "Extract documents (with OCR) for a reextract run on a NATS JetStream server",
		Long: `Worker pulls jobs from a NATS JetStream server, fetches each document from its
object store, extracts it with the same extractor (and tesseract) a local run
uses, and publishes the record; run as many as you have machines and cores. It
needs no store. A failed job is retried up to the queue's --max-deliver attempts,
then reported failed with its reason; a worker stopped or killed mid-job loses
nothing (the job is delivered again after the ack wait).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				host, _ := os.Hostname()
				name = fmt.Sprintf("%s-%d", host, os.Getpid())
			}
			ex, err := a.newExtractor(cmd, true)
			if err != nil {
				return err
			}
			defer ex.Close()
			nc, js, err := fanout.Connect(cmd.Context(), url, "nianbao worker "+name)
			if err != nil {
				return err
			}
			defer nc.Close()
			var log io.Writer = cmd.ErrOrStderr()
			if quiet {
				log = nil
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "worker %s: extractor %s, waiting for jobs on %s\n", name, extract.Version, url)
			return fanout.Work(cmd.Context(), js, fanout.WorkerOptions{Name: name, Extractor: ex, JobTimeout: timeout, Log: log})
		},
	}
	cmd.Flags().StringVar(&url, "nats", "", "the NATS server's URL (nats://host:4222)")
	cmd.Flags().StringVar(&name, "name", "", "the worker's name in progress and results (default host-pid)")
	cmd.Flags().DurationVar(&timeout, "job-timeout", 10*time.Minute, "the most one document's extraction may take")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no line per job")
	_ = cmd.MarkFlagRequired("nats")
	return cmd
}

// natsFlags are reextract's flags for a distributed run.
type natsFlags struct {
	url, run, report string
	unreadScans      bool
	settings         fanout.Settings
}

func (f *natsFlags) register(cmd *cobra.Command) {
	d := fanout.DefaultSettings()
	cmd.Flags().StringVar(&f.url, "nats", "", "spread the work over workers through this NATS JetStream server (see docs/scaling.md)")
	cmd.Flags().StringVar(&f.run, "run", "", "with --nats: the run's name (default: from the host, the store and the extractor version, so a restart resumes)")
	cmd.Flags().DurationVar(&f.settings.AckWait, "ack-wait", d.AckWait, "with --nats: a job silent this long is delivered again")
	cmd.Flags().IntVar(&f.settings.MaxDeliver, "max-deliver", d.MaxDeliver, "with --nats: attempts at one job before it is failed")
	cmd.Flags().DurationVar(&f.settings.Duplicates, "duplicate-window", d.Duplicates, "with --nats: how long a published job is remembered, so a restart does not queue it twice")
	cmd.Flags().StringVar(&f.report, "report", "", "with --nats: write the run's summary as JSON to this file")
	cmd.Flags().BoolVar(&f.unreadScans, "unread-scans", false, "with --nats: only the reports with a scan whose text was not read (no OCR when they were extracted)")
}

// scope is the run's scope the flags ask for.
func (f *natsFlags) scope() string {
	if f.unreadScans {
		return fanout.ScopeUnreadScans
	}
	return ""
}

// reextractNATS runs reextract through workers.
func (a *app) reextractNATS(cmd *cobra.Command, f *natsFlags) error {
	st, err := a.openStore(cmd, false)
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = coordinate(cmd, st, f.url, fanout.CoordinatorOptions{Run: f.run, Settings: f.settings, Scope: f.scope()}, f.report)
	return err
}

// coordinate runs a distributed re-extraction of st, printing its
// progress, its failures and a summary, and writing its JSON summary to
// reportPath when one is given.
func coordinate(cmd *cobra.Command, st *store.Store, url string, opt fanout.CoordinatorOptions, reportPath string) (fanout.Summary, error) {
	nc, js, err := fanout.Connect(cmd.Context(), url, "nianbao reextract")
	if err != nil {
		return fanout.Summary{}, err
	}
	defer nc.Close()
	errOut := cmd.ErrOrStderr()
	opt.Progress = func(p fanout.Progress) { printProgress(errOut, p) }
	sum, err := fanout.Coordinate(cmd.Context(), js, st, opt)
	for _, e := range sum.Errors {
		fmt.Fprintf(errOut, "  %s\n", terminalSafe(e))
	}
	resumed := ""
	if sum.Resumed {
		resumed = fmt.Sprintf(" (resumed: %d done before)", sum.AlreadyDone)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "re-extracted %d report(s) with %s through %s, run %s%s: %d record(s) written, %d failed; %d job(s), %d result(s) from %d worker(s)\n",
		sum.Reports, extract.Version, url, sum.Run, resumed, sum.Committed, sum.Failed, sum.Jobs, sum.Results, len(sum.PerWorker))
	if reportPath != "" {
		b, _ := json.MarshalIndent(sum, "", "  ")
		if werr := os.WriteFile(reportPath, append(b, '\n'), 0o644); werr != nil && err == nil {
			err = fmt.Errorf("writing the run report: %w", werr)
		}
	}
	return sum, err
}

// printProgress prints one line of a distributed run's progress.
func printProgress(w io.Writer, p fanout.Progress) {
	var per []string
	for name, n := range p.PerWorker {
		per = append(per, fmt.Sprintf("%s %d", terminalSafe(name), n))
	}
	sort.Strings(per)
	eta := "?"
	if p.ETA > 0 {
		eta = p.ETA.Round(time.Second).String()
	}
	fmt.Fprintf(w, "  %d/%d report(s) committed, %d failed, %d job(s) queued of %d, %.1f report(s)/s, ETA %s; results by worker: %s\n",
		p.Committed, p.Reports, p.Failed, p.Queued, p.Jobs, p.Rate, eta, strings.Join(per, ", "))
}
