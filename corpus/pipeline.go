package corpus

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// importJob is one document of an import on its way through importAll.
type importJob struct {
	name  string
	body  []byte
	err   error // reading it, or asking the store whether it is new
	sha   string
	seen  bool // imported before under this name with these bytes
	rec   *report.Record
	exErr error         // extracting it
	done  chan struct{} // closed when the job needs nothing more
}

// importAll imports n documents, read in order by read, extracting them on
// every core: the documents are read and checked against the store in
// order, extracted by as many workers as there are CPUs, and stored in
// order (in groups, see group), so the store, the progress and the result
// are what a one-at-a-time import gives. At most a few documents per worker
// are held at once.
func importAll(ctx context.Context, st *store.Store, ex Extractor, n int, read func(int) (string, []byte, error), progress Progress) (Result, error) {
	var res Result
	g := &group{st: st, res: &res}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	ordered := make(chan *importJob, 2*workers) // in the documents' order
	extracting := make(chan *importJob, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range extracting {
				j.rec, j.exErr = ex.Extract(ctx, extractDoc(j))
				close(j.done)
			}
		})
	}
	go func() { // the reader: in order, one file at a time
		defer close(ordered)
		defer close(extracting)
		for i := range n {
			if ctx.Err() != nil {
				return
			}
			j := &importJob{done: make(chan struct{})}
			j.name, j.body, j.err = read(i)
			if j.err == nil {
				j.sha = store.SHA256(j.body)
				j.seen, j.err = g.seen(filepath.Base(j.name), j.sha)
			}
			ordered <- j
			if j.err != nil || j.seen {
				close(j.done)
				continue
			}
			g.reading(filepath.Base(j.name), j.sha) // a second copy in this import is seen
			extracting <- j
		}
	}()
	defer func() {
		cancel()
		for range ordered { // let the reader end
		}
		wg.Wait()
	}()
	done := 0
	for j := range ordered {
		if err := ctx.Err(); err != nil {
			// Stopped: what was kept is stored; the documents read
			// ahead are not (importing again reads them).
			return res, stopped(g, done, n, err)
		}
		<-j.done
		if err := ctx.Err(); err != nil {
			return res, stopped(g, done, n, err) // its extraction may have been cut short
		}
		done++
		err := j.err
		switch {
		case err != nil:
		case j.seen:
			res.Documents++
			res.Unchanged++ // imported before, the same bytes: a re-import adds nothing
		default:
			res.Documents++
			err = g.keep(j)
		}
		if g.failed != nil {
			return res, g.failed // the store cannot be written (a full disk): nothing more can be kept
		}
		if err != nil {
			res.Errors = append(res.Errors, err)
		}
		if progress != nil {
			progress(done, n, j.name, err)
		}
	}
	if err := ctx.Err(); err != nil && done < n {
		return res, stopped(g, done, n, err)
	}
	return res, g.flush()
}

// extractDoc is what the extractor is given of a job.
func extractDoc(j *importJob) extract.Document {
	return extract.Document{Body: j.body, Name: filepath.Base(j.name), SHA256: j.sha}
}
