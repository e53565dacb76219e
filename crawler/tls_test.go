package crawler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// A host with a self-signed certificate is given up as tls_error, unless the
// configuration names it; then it is crawled and every fetch says so.
func TestTLSFallbackOnlyWhereConfigured(t *testing.T) {
	t.Parallel()
	list, err := seeds.ReadFile("../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, insecure := range []bool{false, true} {
		w, err := simweb.Generate(simweb.Config{Seed: 5, Hosts: 1, Portals: list})
		if err != nil {
			t.Fatal(err)
		}
		h := w.Hosts[0]
		h.Scheme, h.Fault = "https", simweb.FaultTLSSelf
		srv, err := simweb.NewServer(w, simweb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		dir := t.TempDir()
		ca := filepath.Join(dir, "ca.pem")
		os.WriteFile(ca, srv.CACertPEM(), 0o644)
		st, err := store.Open(filepath.Join(dir, "c.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cfg := Config{Proxy: srv.ProxyURL(), Resolve: srv.Resolve, CAFile: ca, Delay: 20 * time.Millisecond, Timeout: 3 * time.Second, Workers: 4}
		if insecure {
			cfg.InsecureTLSHosts = []string{h.Name}
		}
		c, err := New(cfg, st, testExtractor(t), []string{h.HomeURL()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		hi, _ := st.HostInfo(h.Name)
		marked := 0
		st.Fetches(func(fl *store.FetchLog) error {
			if strings.Contains(fl.Detail, "TLS verification off by configuration") {
				marked++
			}
			return nil
		})
		stats, _ := st.Stats()
		switch {
		case !insecure && (hi == nil || hi.Class != ClassTLS || stats.Records != 0):
			t.Errorf("without the fallback: host %+v, %d records", hi, stats.Records)
		case insecure && (stats.Records == 0 || marked == 0):
			t.Errorf("with the fallback: %d records, %d fetches marked", stats.Records, marked)
		}
	}
}
