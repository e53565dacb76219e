package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nianbao/nianbao/atomicfile"
	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/samples"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
	"github.com/nianbao/nianbao/truth"
)

// demoPortals is the portal list the demo's world is built from: the shared list
// when it is beside the project, else the embedded sample divisions.
const demoPortalsPath = "../shared/data/portals.csv"

func (a *app) demoCmd() *cobra.Command {
	d := &demo{app: a}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Harvest the built-in simulated gov.cn web for two nights into a new store and write DIR/reports.csv",
		Long: `demo runs the whole pipeline on a fresh machine with no network: it starts the
simulated gov.cn web in-process (real division names and hosts, every CMS dialect,
robots.txt cases, challenges, outages and traps), crawls it politely through its
proxy into a new store in DIR (a new temporary folder when --out is not given),
then lets a night pass (new reports, revised ones, moved and deleted ones) and
harvests again into the same store, as a nightly job would: unchanged pages cost a
304, revised reports keep their old version. It compares both nights with the
simulated world's ground truth (DIR/manifest-night1.json, -night2.json), imports
the embedded hand-made sample reports beside the harvest, and writes
DIR/reports.csv (the dataset) and DIR/changes.csv (what the second night changed).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d.cmd, d.out = cmd, cmd.OutOrStdout()
			return d.run()
		},
	}
	cmd.Flags().StringVar(&d.dir, "out", "", "folder for the store, manifest and reports.csv (default: a new temporary folder)")
	cmd.Flags().IntVar(&d.hosts, "hosts", 12, "size of the simulated web")
	cmd.Flags().BoolVar(&d.useOCR, "ocr", false, "read the simulated scanned PDFs with tesseract, as extract.ocr says (slow: seconds a page)")
	cmd.Flags().Uint64Var(&d.seed, "seed", 1, "seed of the simulated web")
	return cmd
}

// demo is one run of the demo: its flags, then what it sets up.
type demo struct {
	app    *app
	cmd    *cobra.Command
	out    io.Writer
	dir    string
	hosts  int
	seed   uint64
	useOCR bool

	portals *seeds.List
	srv     *simweb.Server
	ca      string
	dbPath  string
	st      *store.Store
	ex      *extract.Extractor
	seeds   []string
}

// run harvests two nights of the simulated web, judges both against the
// world's ground truth, and writes the dataset.
func (d *demo) run() error {
	start := time.Now()
	if err := d.prepareDir(); err != nil {
		return err
	}
	portals, raw, name, err := demoPortals()
	if err != nil {
		return err
	}
	d.portals = portals
	w, m1, err := d.world(0)
	if err != nil {
		return err
	}
	closeAll, err := d.open(w)
	if err != nil {
		return err
	}
	defer closeAll()
	if err := d.st.SetPortals(raw, name); err != nil {
		return err
	}
	if err := d.night(1, time.Now); err != nil {
		return err
	}
	short := compareFound(d.out, d.st, m1)

	// One night later: new reports, revisions, moves and deletions.
	w2, m2, err := d.world(1)
	if err != nil {
		return err
	}
	d.srv.SetWorld(w2)
	if err := d.night(2, func() time.Time { return time.Now().Add(24 * time.Hour) }); err != nil {
		return err
	}
	short = append(short, compareFound(d.out, d.st, m2)...)
	short = append(short, compareChanges(d.out, d.st, m1, m2)...)
	if err := d.finish(); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "demo: done in %s; try: nianbao --db %s history %s\n", time.Since(start).Round(time.Second), d.dbPath, exampleReport(d.st))
	fmt.Fprintf(d.out, "demo: browse it: nianbao --db %s serve (then open http://127.0.0.1:8080/)\n", d.dbPath)
	if len(short) > 0 {
		return fmt.Errorf("the harvest fell short of the ground truth: %s", strings.Join(short, "; "))
	}
	return nil
}

// prepareDir makes the demo's folder: a new temporary one, or the one given
// when it is new or empty (a demo harvests into a new store).
func (d *demo) prepareDir() error {
	if d.dir == "" {
		dir, err := os.MkdirTemp("", "nianbao-demo-")
		if err != nil {
			return err
		}
		d.dir = dir
		return nil
	}
	if entries, err := os.ReadDir(d.dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("demo: %s is not empty; a demo harvests into a new store (give a new or empty folder, or none for a temporary one)", d.dir)
	}
	return os.MkdirAll(d.dir, 0o755)
}

// world generates the simulated web of a night (epoch 0 or 1) and writes its
// manifest beside the store.
func (d *demo) world(epoch int) (*simweb.World, *simweb.Manifest, error) {
	w, err := simweb.Generate(simweb.Config{Seed: d.seed, Hosts: d.hosts, Epoch: epoch, Portals: d.portals, Faults: true})
	if err != nil {
		return nil, nil, err
	}
	m := w.Manifest(true)
	var mf bytes.Buffer
	if err := m.WriteJSON(&mf); err != nil {
		return nil, nil, err
	}
	return w, m, os.WriteFile(filepath.Join(d.dir, fmt.Sprintf("manifest-night%d.json", epoch+1)), mf.Bytes(), 0o644)
}

// open serves w on loopback and opens the store and the extractor; the
// function it returns closes them.
func (d *demo) open(w *simweb.World) (func(), error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	// Time is compressed: the host that asks for a Crawl-delay asks for
	// 0.2s instead of 1s, and the crawler honours it.
	srv, err := simweb.NewServer(w, simweb.Options{CrawlDelay: 200 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	if _, err := srv.Listen(); err != nil {
		return nil, err
	}
	d.srv = srv
	closers = append(closers, func() { srv.Close() })
	d.ca = filepath.Join(d.dir, "simweb-ca.pem")
	if err := os.WriteFile(d.ca, srv.CACertPEM(), 0o644); err != nil {
		closeAll()
		return nil, err
	}
	d.dbPath = filepath.Join(d.dir, "nianbao.db")
	if d.st, err = store.Open(d.dbPath, store.Options{}); err != nil {
		closeAll()
		return nil, err
	}
	closers = append(closers, func() { d.st.Close() })
	// OCR takes seconds a page: the demo leaves the simulated scans unread
	// (their records say so) unless --ocr asks for them.
	if d.ex, err = d.app.newExtractor(d.cmd, d.useOCR); err != nil {
		closeAll()
		return nil, err
	}
	closers = append(closers, func() { d.ex.Close() })
	for _, h := range w.Hosts {
		if h.Name == h.Division.Host() || h.Dialect == simweb.Legacy {
			d.seeds = append(d.seeds, h.HomeURL())
		}
	}
	fmt.Fprintf(d.out, "demo: simulated web of %d hosts (%d units) on %s; harvesting %d seed portals into %s\n",
		len(w.Hosts), len(w.Units), srv.ProxyURL(), len(d.seeds), d.dbPath)
	return closeAll, nil
}

// night crawls the simulated web once, as a nightly run would.
func (d *demo) night(n int, clock func() time.Time) error {
	fmt.Fprintf(d.out, "demo: night %d\n", n)
	// The simulated web is on this machine: a short delay is polite enough.
	cc := crawler.Config{Proxy: d.srv.ProxyURL(), Resolve: d.srv.Resolve, CAFile: d.ca, Delay: 50 * time.Millisecond, Timeout: 5 * time.Second,
		Workers: 32, BackoffBase: 200 * time.Millisecond, MaxBackoff: 2 * time.Second, Clock: clock}
	c, err := crawler.New(cc, d.st, d.ex, d.seeds)
	if err != nil {
		return err
	}
	sum, err := runCrawl(d.cmd, c)
	if err != nil {
		return err
	}
	if sum.Stopped {
		return exitError{code: exitStopped, err: fmt.Errorf("stopped; the store in %s keeps what was fetched", d.dir)}
	}
	return nil
}

// finish writes what the second night changed, imports the hand-made sample
// reports beside the harvest and writes the dataset.
func (d *demo) finish() error {
	if err := writeFile(filepath.Join(d.dir, "changes.csv"), func(f io.Writer) (int, error) { return writeChanges(f, d.st, 2, 2, "csv") }, d.out, "changes"); err != nil {
		return err
	}
	res, err := corpus.ImportFS(d.cmd.Context(), d.st, d.ex, samples.FS(), samples.Documents(), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "demo: imported %d hand-made sample reports beside the harvest\n", res.Records)
	// The dataset as CSV and as Parquet, described by one data package.
	var rows [2]int
	for i, format := range []string{"csv", "parquet"} {
		err := writeFile(filepath.Join(d.dir, "reports."+format), func(f io.Writer) (int, error) {
			n, err := export.WriteReports(f, d.st, export.Request{Format: format, Attrib: attrib.New(d.portals)})
			rows[i] = n
			return n, err
		}, d.out, "report")
		if err != nil {
			return err
		}
	}
	pkg, err := export.NewDataPackage(d.st, export.PackageRequest{Request: export.Request{Format: "csv"}, Path: "reports.csv", Rows: rows[0],
		Extractor: extract.Version, Created: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	pkg.Add(export.ResourceFor(export.Request{Format: "parquet"}, "reports.parquet", rows[1]))
	return atomicfile.Write(filepath.Join(d.dir, "datapackage.json"), pkg.Write)
}

// demoPortals reads the shared portal list beside the project, or, on a machine
// without it, a small list of real divisions embedded in the binary.
func demoPortals() (list *seeds.List, raw []byte, name string, err error) {
	name = demoPortalsPath
	raw, err = os.ReadFile(demoPortalsPath)
	if err != nil {
		name = "portals_demo.csv (embedded)"
		if raw, err = fs.ReadFile(samples.FS(), "portals_demo.csv"); err != nil {
			return nil, nil, "", err
		}
	}
	list, err = seeds.Read(bytes.NewReader(raw))
	return list, raw, name, err
}

// writeFile writes one of the demo's outputs and says so.
func writeFile(path string, write func(io.Writer) (int, error), out io.Writer, what string) error {
	var n int
	err := atomicfile.Write(path, func(w io.Writer) (err error) {
		n, err = write(w)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: wrote %d %s rows to %s\n", n, what, path)
	return nil
}

// compareFound checks the store against a night's ground truth: every report that
// can be found is stored, and every HTML report has every cell of the manifest.
func compareFound(out io.Writer, st *store.Store, m *simweb.Manifest) []string {
	stored, err := truth.Read(st, crawler.Canonical)
	if err != nil {
		return []string{err.Error()}
	}
	f := stored.Found(m, crawler.Canonical)
	fmt.Fprintf(out, "demo: %d of %d reports the ground truth says can be found are stored; %d of %d HTML reports have every cell as the manifest\n",
		f.Stored, f.Total, f.Matching, f.HTML)
	var short []string
	if f.Stored < f.Total*99/100 || f.Matching < f.HTML {
		short = append(short, fmt.Sprintf("night %d: %d of %d stored, %d of %d matching", m.Epoch+1, f.Stored, f.Total, f.Matching, f.HTML))
	}
	return short
}

// compareChanges checks night 2's change log against what the world changed:
// every HTML report moved or deleted overnight is recorded as such, every
// revised one keeps its old version.
func compareChanges(out io.Writer, st *store.Store, m1, m2 *simweb.Manifest) []string {
	kinds := map[string]map[string]bool{} // report id → change kinds of night 2
	st.Changes(2, 2, func(c *store.ReportChange) error {
		if kinds[c.ReportID] == nil {
			kinds[c.ReportID] = map[string]bool{}
		}
		kinds[c.ReportID][c.Kind] = true
		return nil
	})
	idOf := func(raw string) string {
		u, _ := crawler.Canonical(raw)
		d, err := st.Doc("GET", u, nil)
		if err != nil || d == nil {
			return ""
		}
		return d.ReportID
	}
	logged := map[truth.Change]string{truth.Revised: store.ChangeRevised, truth.Moved: store.ChangeMoved, truth.Gone: store.ChangeGone}
	want, got := map[string]int{}, map[string]int{}
	var missed []string
	truth.Pairs(m1, m2, func(r, r1 simweb.ManifestReport) {
		kind, ok := logged[truth.Expected(r, r1)]
		if !ok || r.Format != "html" { // or a report the extractor cannot read yet
			return
		}
		want[kind]++
		if kinds[idOf(r1.URL)][kind] {
			got[kind]++
		} else if len(missed) < 10 {
			missed = append(missed, fmt.Sprintf("%s %s (%s, id %q: %v)", kind, r1.URL, r.Drift, idOf(r1.URL), kinds[idOf(r1.URL)]))
		}
	})
	fmt.Fprintf(out, "demo: of the HTML reports the world changed overnight, %d of %d revised, %d of %d moved and %d of %d deleted are recorded as such\n",
		got[store.ChangeRevised], want[store.ChangeRevised], got[store.ChangeMoved], want[store.ChangeMoved],
		got[store.ChangeGone], want[store.ChangeGone])
	for _, m := range missed {
		fmt.Fprintf(out, "demo:   not recorded: %s\n", m)
	}
	var short []string
	for _, k := range []string{store.ChangeRevised, store.ChangeMoved, store.ChangeGone} {
		if got[k] < want[k] {
			short = append(short, fmt.Sprintf("night 2: %d of %d %s reports recorded", got[k], want[k], k))
		}
	}
	return short
}

// exampleReport names a report worth a look in the demo's store: one the
// second night revised (its history has two versions), else any.
func exampleReport(st *store.Store) string {
	id := ""
	_ = st.Changes(2, 2, func(c *store.ReportChange) error {
		if c.Kind == store.ChangeRevised && id == "" {
			id = c.ReportID
		}
		return nil
	})
	if id == "" {
		_ = st.Entries(func(e *store.Entry) error {
			if id == "" {
				id = e.ReportID
			}
			return nil
		})
	}
	return id
}
