package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// fetchedURL is the address the generator gives the i-th report it commits
// as a crawl's fetch.
func fetchedURL(i int) string {
	return fmt.Sprintf("http://www.s%03d.scale.gov.cn/xxgk/%07d.html", i%100, i)
}

// addFetched commits m of the store's records again as a crawl's fetches
// of their own addresses, as a crawl would (a URL state, a capture and a
// record each, one commit each): what history URL looks up.
func addFetched(ctx context.Context, path string, m int) (int, error) {
	st, err := store.Open(path, store.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	// Only reports that read differently: a crawl that finds a document
	// reading as one in the store already takes it for that report at a
	// new address, and the copies of the bases the generator cannot vary
	// (the real PDF's) read alike.
	var picked []*store.Entry
	seen := map[string]bool{}
	errEnough := errors.New("enough")
	err = st.Entries(func(e *store.Entry) error {
		fp := report.Fingerprint(e.Record)
		if e.Record == nil || seen[fp] {
			return nil
		}
		seen[fp] = true
		picked = append(picked, e)
		if len(picked) == m {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return 0, err
	}
	f, err := st.Frontier()
	if err != nil {
		return 0, err
	}
	t0 := time.Now().UTC()
	if _, _, err := f.Begin(t0, store.Schedule{}, nil); err != nil {
		return 0, err
	}
	for i, e := range picked {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		if err := commitFetch(ctx, st, f, i, e, t0); err != nil {
			return i, err
		}
	}
	_, err = f.Finish(t0)
	return len(picked), err
}

// commitFetch commits one record as the fetch of fetchedURL(i).
func commitFetch(ctx context.Context, st *store.Store, f *store.Frontier, i int, e *store.Entry, t0 time.Time) error {
	u := fetchedURL(i)
	body, err := st.Raw(e.Sources[0].SHA256)
	if err != nil {
		return err
	}
	body = append(body, "\n<!-- "+u+" -->\n"...)
	req := &store.QueuedRequest{URL: u, Method: "GET", Host: fmt.Sprintf("www.s%03d.scale.gov.cn", i%100)}
	req.SetKind(crawl.Report)
	if _, err := f.Enqueue(req); err != nil {
		return err
	}
	got, err := f.Next(ctx)
	if err != nil {
		return err
	}
	r := *e.Record
	r.Source.URL = report.Text(u) // the record as read at its address
	sha := store.SHA256(body)
	cm := store.Commit{Done: got, Visits: []store.Visit{{Req: got, Time: t0, Class: crawl.OK, SHA256: sha}},
		Capture: &store.Capture{URL: got.URL, FetchedAt: t0, Origin: "fetch", Status: 200, ContentType: "text/html"}, Body: body,
		Entry: &store.Entry{ReportID: store.ReportID(got.URL, ""), Record: &r, Extractor: e.Extractor, ExtractedAt: t0}}
	if _, err := f.Commit(cm); err != nil {
		return fmt.Errorf("committing %s: %w", got.URL, err)
	}
	f.Release(got.Host, time.Time{})
	return nil
}

// timeIndexBuild drops the store's index version, as a store last written
// by a nianbao without indexes has none, and times the opening for writing
// that builds them again.
func timeIndexBuild(path string) figure {
	f := figure{step: "index build (a store without indexes opened for writing)"}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		f.failed = err
		return f
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte("index_version")) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.failed = err
		return f
	}
	start := time.Now()
	st, err := store.Open(path, store.Options{LockTimeout: 5 * time.Second})
	f.wall = time.Since(start)
	if err == nil {
		if !st.Indexed() {
			err = fmt.Errorf("not indexed after the build")
		}
		st.Close()
	}
	f.failed = err
	return f
}
