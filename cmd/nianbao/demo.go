package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// demoPortals is the portal list the demo's world is built from: the shared list
// when it is beside the project, else the embedded sample divisions.
const demoPortalsPath = "../shared/data/portals.csv"

func (a *app) demoCmd() *cobra.Command {
	var (
		dir   string
		hosts int
		seed  uint64
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Harvest the built-in simulated gov.cn web into a new store and write DIR/reports.csv",
		Long: `demo runs the whole pipeline on a fresh machine with no network: it starts the
simulated gov.cn web in-process (real division names and hosts, every CMS dialect,
robots.txt cases, challenges, outages and traps), crawls it politely through its
proxy into a new store in DIR (a new temporary folder when --out is not given),
imports the embedded hand-made sample reports beside it, compares what it found
with the simulated world's ground truth, and writes DIR/reports.csv.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			start := time.Now()
			if dir == "" {
				d, err := os.MkdirTemp("", "nianbao-demo-")
				if err != nil {
					return err
				}
				dir = d
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			portals, err := demoPortals()
			if err != nil {
				return err
			}
			w, err := simweb.Generate(simweb.Config{Seed: seed, Hosts: hosts, Portals: portals, Faults: true})
			if err != nil {
				return err
			}
			srv, err := simweb.NewServer(w, simweb.Options{})
			if err != nil {
				return err
			}
			if _, err := srv.Listen(); err != nil {
				return err
			}
			defer srv.Close()
			ca := filepath.Join(dir, "simweb-ca.pem")
			if err := os.WriteFile(ca, srv.CACertPEM(), 0o644); err != nil {
				return err
			}
			var mf bytes.Buffer
			manifest := w.Manifest(true)
			if err := manifest.WriteJSON(&mf); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "manifest.json"), mf.Bytes(), 0o644); err != nil {
				return err
			}
			dbPath := filepath.Join(dir, "nianbao.db")
			st, err := store.Open(dbPath, store.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			ex, err := extract.New()
			if err != nil {
				return err
			}
			var seedURLs []string
			for _, h := range w.Hosts {
				if h.Name == h.Division.Host() || h.Dialect == simweb.Legacy {
					seedURLs = append(seedURLs, h.HomeURL())
				}
			}
			fmt.Fprintf(out, "demo: simulated web of %d hosts (%d units) on %s; crawling %d seed portals into %s\n",
				len(w.Hosts), len(w.Units), srv.ProxyURL(), len(seedURLs), dbPath)
			// The simulated web is on this machine: a short delay is polite enough.
			cc := crawler.Config{Proxy: srv.ProxyURL(), CAFile: ca, Delay: 50 * time.Millisecond, Timeout: 5 * time.Second,
				Workers: 32, BackoffBase: 200 * time.Millisecond, MaxBackoff: 2 * time.Second}
			c, err := crawler.New(cc, st, ex, seedURLs)
			if err != nil {
				return err
			}
			sum, err := runCrawl(cmd, c)
			if err != nil {
				return err
			}
			if sum.Stopped {
				return exitError{code: 130, err: fmt.Errorf("stopped; the store in %s keeps what was fetched", dir)}
			}

			// How the harvest compares with the ground truth.
			records := map[string]*store.Entry{}
			if err := st.Entries(func(e *store.Entry) error { records[string(e.Record.Source.URL)] = e; return nil }); err != nil {
				return err
			}
			found, stored, match, html := 0, 0, 0, 0
			for _, r := range manifest.Reports {
				if r.Outcome != simweb.Found {
					continue
				}
				found++
				u, _ := crawler.Canonical(r.URL)
				e := records[u]
				if e == nil {
					continue
				}
				stored++
				if r.Format != "html" {
					continue
				}
				html++
				ok := true
				for p, v := range r.Values {
					if got, _ := e.Record.Cell(p); got == nil || *got != v {
						ok = false
						break
					}
				}
				if ok {
					match++
				}
			}
			fmt.Fprintf(out, "demo: %d of %d reports the ground truth says can be found were stored; %d of %d HTML reports have every cell as the manifest\n",
				stored, found, match, html)

			res, err := corpus.ImportFS(cmd.Context(), st, ex, samples.FS(), samples.Documents(), nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "demo: imported %d hand-made sample reports beside the harvest\n", res.Records)

			csvPath := filepath.Join(dir, "reports.csv")
			f, err := os.Create(csvPath)
			if err != nil {
				return err
			}
			n, err := exportTo(f, st, "csv")
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("writing %s: %w", csvPath, err)
			}
			fmt.Fprintf(out, "demo: wrote %d rows to %s in %s\n", n, csvPath, time.Since(start).Round(time.Second))
			if stored < found*99/100 || match < html {
				return fmt.Errorf("the harvest fell short of the ground truth (%d of %d stored, %d of %d matching)", stored, found, match, html)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "out", "", "folder for the store, manifest and reports.csv (default: a new temporary folder)")
	cmd.Flags().IntVar(&hosts, "hosts", 12, "size of the simulated web")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the simulated web")
	return cmd
}

// demoPortals reads the shared portal list beside the project, or, on a machine
// without it, a small list of real divisions embedded in the binary.
func demoPortals() (*seeds.List, error) {
	if _, err := os.Stat(demoPortalsPath); err == nil {
		return seeds.ReadFile(demoPortalsPath)
	}
	b, err := fs.ReadFile(samples.FS(), "portals_demo.csv")
	if err != nil {
		return nil, err
	}
	return seeds.Read(bytes.NewReader(b))
}
