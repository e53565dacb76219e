package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
)

func (a *app) simwebCmd() *cobra.Command {
	var (
		seed       uint64
		hosts      int
		epoch      int
		faults     bool
		portals    string
		dir        string
		withValues bool
		latency    time.Duration
		bulk       int
	)
	cmd := &cobra.Command{
		Use:   "simweb",
		Short: "Serve a simulated gov.cn web on loopback through an HTTP(S) proxy",
		Long: `simweb generates a portal world from a seed and the portal list, serves it
through a proxy on 127.0.0.1 (point a crawler's proxy setting at it; HTTPS hosts
present certificates from a test CA written to DIR/ca.pem), and writes the
ground-truth manifest to DIR/manifest.json. On Ctrl-C it writes the request log
to DIR/requests.jsonl.

With --bulk N it serves the bulk world instead, the yardstick of crawl speed:
every host answers with a home page listing N report pages, each a report of
its own, and nothing else (the manifest then describes the generated world,
not these pages; DIR/seeds.txt lists every host's home page).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := seeds.ReadFile(portals)
			if err != nil {
				return err
			}
			start := time.Now()
			w, err := simweb.Generate(simweb.Config{Seed: seed, Hosts: hosts, Epoch: epoch, Portals: list, Faults: faults})
			if err != nil {
				return err
			}
			generated := time.Since(start)
			if dir == "" {
				if dir, err = os.MkdirTemp("", "nianbao-simweb-"); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			srv, err := simweb.NewServer(w, simweb.Options{Latency: latency, Bulk: bulk})
			if err != nil {
				return err
			}
			addr, err := srv.Listen()
			if err != nil {
				return err
			}
			defer srv.Close()
			values := withValues || hosts <= 300
			mpath := filepath.Join(dir, "manifest.json")
			mf, err := os.Create(mpath)
			if err != nil {
				return err
			}
			if err := w.Manifest(values).WriteJSON(mf); err != nil {
				mf.Close()
				return err
			}
			if err := mf.Close(); err != nil {
				return err
			}
			capath := filepath.Join(dir, "ca.pem")
			if err := os.WriteFile(capath, srv.CACertPEM(), 0o644); err != nil {
				return err
			}
			seedPath := filepath.Join(dir, "seeds.txt")
			seedURLs := w.SeedURLs()
			if bulk > 0 {
				seedURLs = seedURLs[:0]
				for _, h := range w.Hosts {
					seedURLs = append(seedURLs, h.HomeURL())
				}
			}
			if err := os.WriteFile(seedPath, []byte(strings.Join(seedURLs, "\n")+"\n"), 0o644); err != nil {
				return err
			}
			reports := 0
			for _, u := range w.Units {
				reports += len(u.Reports)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "simweb: %d hosts, %d units, %d unit-years (epoch %d, faults %v), generated in %s\n", len(w.Hosts), len(w.Units), reports, epoch, faults, generated.Round(time.Millisecond))
			if bulk > 0 {
				fmt.Fprintf(out, "bulk:     every host lists %d report pages and serves nothing else (%d pages in all)\n", bulk, len(w.Hosts)*(bulk+1))
			}
			fmt.Fprintf(out, "proxy:    http://%s\nmanifest: %s (values included: %v)\nca:       %s\nseeds:    %s\nfirst host: %s\n", addr, mpath, values, capath, seedPath, w.Hosts[0].HomeURL())
			fmt.Fprintln(out, "serving until interrupted (Ctrl-C)")
			<-cmd.Context().Done()
			logPath := filepath.Join(dir, "requests.jsonl")
			lf, err := os.Create(logPath)
			if err != nil {
				return err
			}
			defer lf.Close()
			if err := srv.Log().WriteJSONLTo(lf); err != nil {
				return err
			}
			fmt.Fprintf(out, "\nserved %d requests; log in %s\n", len(srv.Log().Entries()), logPath)
			return nil
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "world seed (the same seed gives the same world)")
	cmd.Flags().IntVar(&hosts, "hosts", 20, "number of host names")
	cmd.Flags().DurationVar(&latency, "latency", 0, "how long every request waits before it is answered (a far server), e.g. 300ms")
	cmd.Flags().IntVar(&bulk, "bulk", 0, "serve the bulk world: every host a home page listing this many report pages, and nothing else")
	cmd.Flags().IntVar(&epoch, "epoch", 0, "0: the first night; 1: the night after (new, changed, moved, deleted reports)")
	cmd.Flags().BoolVar(&faults, "faults", true, "robots.txt cases, WAF challenges, outages, rate limits, broken TLS")
	cmd.Flags().StringVar(&portals, "portals", "../shared/data/portals.csv", "portal list (CSV with code,name,level,parent_code,url)")
	cmd.Flags().StringVar(&dir, "out", "", "folder for manifest.json, ca.pem and requests.jsonl (default: a new temporary folder)")
	cmd.Flags().BoolVar(&withValues, "values", false, "include every report's cells in the manifest even for large worlds")
	return cmd
}
