// Command scale is the scale benchmark: it generates N distinct real-shaped
// documents (the real fixtures, the seed fixtures and the samples, each
// copy with its publisher renamed and bytes of its own; every tenth a PDF
// when a real PDF is among them), imports them into a new store with the
// nianbao binary, commits a tenth again as a crawl's fetches of their own
// addresses, and times each command with its peak resident memory: import,
// re-import, export, stats, verify, history of an address in and not in the
// store, and serve's first and filtered pages, cold, warm and after the store
// changed, the building of the indexes of a store that has none, and the
// store's size before and after migrate compacts it. It prints a table
// (docs/benchmarks.md keeps the figures).
//
//	go run ./bench/scale -n 10000 -dir /tmp/scale
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// commitEnv, set, makes this program the child that commits records as
// fetches (addFetched): its memory then never counts in the figures of the
// commands timed after it (see runner.run).
const commitEnv = "NIANBAO_SCALE_COMMIT"

func main() {
	if v := os.Getenv(commitEnv); v != "" {
		if err := commitChild(v); err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		return
	}
	var (
		n        = flag.Int("n", 1000, "documents to generate")
		dir      = flag.String("dir", "", "working folder (default: a new temporary one, removed after)")
		bin      = flag.String("bin", "", "the nianbao binary (default: built from this module)")
		fixtures = flag.String("fixtures", "../shared/fixtures", "the project's fixtures (real/ and seeds/)")
		samples  = flag.String("samples", "samples", "the samples folder (documents and portals_demo.csv)")
		pdfEvery = flag.Int("pdf-every", 10, "every k-th document a PDF (0: none)")
		fetched  = flag.Int("fetched", -1, "records committed again as fetches (default N/10)")
		reuse    = flag.Bool("reuse", false, "with -dir: keep the documents and store there and only time the reading commands")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, config{n: *n, dir: *dir, bin: *bin, fixtures: *fixtures, samples: *samples, pdfEvery: *pdfEvery, fetched: *fetched, reuse: *reuse}); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

type config struct {
	n                           int
	dir, bin, fixtures, samples string
	pdfEvery, fetched           int
	reuse                       bool
}

func run(ctx context.Context, c config) error {
	if c.fetched < 0 {
		c.fetched = c.n / 10
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "nianbao-scale-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		c.dir = d
	}
	var err error
	if c.dir, err = filepath.Abs(c.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	seeds, err := filepath.Abs(filepath.Join(c.samples, "portals_demo.csv"))
	if err != nil {
		return err
	}
	if c.bin == "" {
		c.bin = filepath.Join(c.dir, "nianbao")
		build := exec.CommandContext(ctx, "go", "build", "-o", c.bin, "./cmd/nianbao")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building nianbao: %w", err)
		}
	}
	logf, err := os.Create(filepath.Join(c.dir, "commands.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	r := &runner{bin: c.bin, db: filepath.Join(c.dir, "scale.db"), seeds: seeds, dir: c.dir, log: logf}
	docs := filepath.Join(c.dir, "docs")
	var figs []figure
	if !c.reuse {
		if figs, err = prepare(ctx, c, r, docs); err != nil {
			return err
		}
	}
	figs = append(figs, sizeFigure("store size", r.db, c.n))
	figs = append(figs, readers(ctx, r, docs)...)
	if f, err := serveFigures(ctx, r, c.dir); err != nil {
		figs = append(figs, figure{step: "serve", failed: err})
	} else {
		figs = append(figs, f...)
	}
	figs = append(figs, timeIndexBuild(r.db),
		r.run(ctx, "migrate (compacts the file)", nil, "migrate"),
		sizeFigure("store size after migrate", r.db, c.n))
	table(os.Stdout, c.n, figs)
	fmt.Printf("(commands' messages in %s)\n", logf.Name())
	return nil
}

// prepare generates the documents, imports them and commits the fetches.
func prepare(ctx context.Context, c config, r *runner, docs string) ([]figure, error) {
	bases, pdfs, err := readBases(filepath.Join(c.fixtures, "real"), filepath.Join(c.fixtures, "seeds"), c.samples)
	if err != nil {
		return nil, err
	}
	divs, err := divisions(r.seeds)
	if err != nil {
		return nil, err
	}
	os.RemoveAll(docs)
	os.Remove(r.db)
	start := time.Now()
	size, alike, err := generate(docs, c.n, bases, pdfs, divs, c.pdfEvery)
	if err != nil {
		return nil, err
	}
	figs := []figure{{step: "generate", wall: time.Since(start),
		note: fmt.Sprintf("%d documents, %.1f MB, from %d bases and %d PDF(s); %d copies of bases that cannot be renamed",
			c.n, float64(size)/1e6, len(bases), len(pdfs), alike)}}
	figs = append(figs, r.run(ctx, "import", []int{1}, "import", docs))
	start = time.Now()
	self, err := os.Executable()
	if err != nil {
		return figs, err
	}
	child := exec.CommandContext(ctx, self)
	child.Env = append(os.Environ(), fmt.Sprintf("%s=%d:%s", commitEnv, c.fetched, r.db))
	child.Stdout, child.Stderr = r.log, r.log
	err = child.Run()
	figs = append(figs, figure{step: "commit as fetches (a child process)", wall: time.Since(start), note: fmt.Sprintf("%d commits", c.fetched), failed: err})
	return figs, err
}

// commitChild is the child that commits records as fetches: "M:PATH".
func commitChild(v string) error {
	ms, path, ok := strings.Cut(v, ":")
	m, err := strconv.Atoi(ms)
	if !ok || err != nil {
		return fmt.Errorf("%s=%q: want M:PATH", commitEnv, v)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	n, err := addFetched(ctx, path, m)
	if err == nil && n != m {
		err = fmt.Errorf("committed %d of %d records as fetches (the store holds fewer)", n, m)
	}
	return err
}

// readers times the commands that read the store, and the re-import.
func readers(ctx context.Context, r *runner, docs string) []figure {
	var figs []figure
	reimport := r.run(ctx, "re-import (adds nothing)", []int{1}, "import", docs)
	figs = append(figs, reimport)
	figs = append(figs,
		r.run(ctx, "export wide CSV", nil, "export", "--seeds", r.seeds, "-o", filepath.Join(r.dir, "wide.csv")),
		r.run(ctx, "export wide CSV --year 2016 (1 base in 24)", nil, "export", "--seeds", r.seeds, "--year", "2016", "-o", filepath.Join(r.dir, "y2016.csv")),
		r.run(ctx, "export JSONL", nil, "export", "--seeds", r.seeds, "--format", "jsonl", "-o", filepath.Join(r.dir, "all.jsonl")),
		r.run(ctx, "export manifest", nil, "export", "--manifest", "-o", filepath.Join(r.dir, "manifest.jsonl")),
		r.run(ctx, "stats", nil, "stats", "--seeds", r.seeds),
		r.run(ctx, "verify", nil, "verify"),
		r.run(ctx, "history URL in store", nil, "history", fetchedURL(0)),
		r.run(ctx, "history URL not in store", []int{1}, "history", "http://www.absent.gov.cn/none.html"),
	)
	return figs
}

// serveFigures times serve's list: the first page and a filtered page, on
// the first request (the catalog read), again (cached), and after the store
// changed (an import of one more document: read again).
func serveFigures(ctx context.Context, r *runner, dir string) ([]figure, error) {
	s, err := r.startServe(ctx)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	const filtered = "/?year=2022&template=2021&checks=passed"
	figs := []figure{
		s.get("serve first page, first request", "/"),
		s.get("serve first page, again", "/"),
		s.get("serve filtered page", filtered),
		s.get("serve page 40 sorted by organisation", "/?sort=organisation&page=40"),
	}
	extra := filepath.Join(dir, "extra")
	if err := os.MkdirAll(extra, 0o755); err != nil {
		return figs, err
	}
	if err := os.WriteFile(filepath.Join(extra, fmt.Sprintf("extra-%d.txt", time.Now().UnixNano())),
		[]byte(fmt.Sprintf("某某县人民政府2022年政府信息公开工作年度报告\n%d\n", time.Now().UnixNano())), 0o644); err != nil {
		return figs, err
	}
	figs = append(figs, r.run(ctx, "import 1 document while serving", []int{1}, "import", extra))
	figs = append(figs,
		s.get("serve first page after the change", "/"),
		s.get("serve filtered page after the change", filtered+"&level=county"),
	)
	figs = append(figs, figure{step: "serve (peak over the above)", rssKB: s.peakKB()})
	return figs, nil
}

// sizeFigure is the store's size: its bbolt file (a document's share of it)
// and the raw documents beside it.
func sizeFigure(step, db string, n int) figure {
	f := figure{step: step}
	fi, err := os.Stat(db)
	if err != nil {
		f.failed = err
		return f
	}
	var blobs int64
	docs := 0
	err = filepath.WalkDir(db+".blobs", func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		info, err := d.Info()
		if err == nil {
			blobs += info.Size()
			docs++
		}
		return err
	})
	f.failed = err
	// The store holds the generated documents and the fetched copies the
	// fetch step made (each its own bytes, capture and record).
	f.note = fmt.Sprintf("file %.1f MB: %.2f KB a document of the %d stored, %.2f KB a generated one; documents beside it %.1f MB",
		float64(fi.Size())/1e6, float64(fi.Size())/1e3/float64(max(docs, 1)), docs, float64(fi.Size())/1e3/float64(max(n, 1)), float64(blobs)/1e6)
	return f
}
