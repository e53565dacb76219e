package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/serve"
)

func (a *app) serveCmd() *cobra.Command {
	var (
		addr, seedsPath string
		public          bool
		hosts           []string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Browse the dataset in a local web page: reports beside their sources, coverage, years compared",
		Long: `serve starts a read-only web application over the store (--db, or the config's
store) at --addr, by default http://127.0.0.1:8080/, served from the binary (no
network needed):

  /            the reports: search, filter as export does, sort, page, download as CSV
  /report/ID   one report: the captured source beside its three tables, broken
               identities and inferred values marked, warnings, sources, history
  /coverage    divisions of the portal list with a report, by province and year
               (click down to prefectures and counties); identity failures by year
  /compare     one organisation's key figures across years

It never writes the store, and opens it for each request only, so a nightly crawl
can take it between requests; while a crawl holds it, serve reads the copy the crawl
publishes. It listens on loopback only unless --public is given, and answers
only requests that name it as it is served: by a loopback name (localhost,
127.0.0.1, [::1]), by an IP address when --public is given, or by a name given
with --host. A request under any other name (a web page rebinding its own name
to this machine) is refused with 421.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := serve.CheckAddr(addr, public); err != nil {
				return err
			}
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			if _, err := os.Stat(cfg.Store); err != nil {
				return fmt.Errorf("store %s: %w", cfg.Store, err)
			}
			list, err := a.servedPortals(cmd, seedsPath)
			if err != nil {
				return err
			}
			srv, err := serve.New(serve.Options{Store: cfg.Store, Portals: list, Log: log.New(cmd.ErrOrStderr(), "", log.LstdFlags), Public: public, Hosts: hosts})
			if err != nil {
				return err
			}
			return listenAndServe(cmd.Context(), addr, srv, cmd)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().BoolVar(&public, "public", false, "allow an address other machines can reach")
	cmd.Flags().StringArrayVar(&hosts, "host", nil, "a name the server is reached by, besides loopback names and IP addresses (repeatable; e.g. --host nianbao.lab.example)")
	cmd.Flags().StringVar(&seedsPath, "seeds", "", "portal list for attribution and coverage (default: the list the store was harvested from, else the config's crawl.seeds)")
	return cmd
}

// listenAndServe serves until the context ends (Ctrl-C), then shuts down.
func listenAndServe(ctx context.Context, addr string, h http.Handler, cmd *cobra.Command) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 5 * time.Minute, IdleTimeout: time.Minute}
	fmt.Fprintf(cmd.OutOrStdout(), "serving the dataset at http://%s/ (Ctrl-C stops)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return nil
	}
}

// servedPortals is serve's portal list: --seeds, else the list kept in the
// store (read in a moment; a store a crawl holds is read from the crawl's
// published copy), else the config's.
func (a *app) servedPortals(cmd *cobra.Command, seedsPath string) (*seeds.List, error) {
	if seedsPath == "" {
		if st, err := a.openStore(cmd, true); err == nil {
			defer st.Close()
			return a.portalList(cmd, seedsPath, st)
		}
	}
	return a.portalList(cmd, seedsPath, nil)
}
