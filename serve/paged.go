package serve

import (
	"time"

	"github.com/nianbao/nianbao/store"
)

// A download streams as fast as its client reads, and a client may stall.
// While the store is open, its file lock keeps writers (an import, a crawl)
// out, so a download reads the store in pages, each page with the store
// opened, read and closed again before its rows are written: the lock is
// held for the reading of a page, never while a client is waited on, and a
// writer gets in between two pages. Each record is read whole; records a
// writer adds or changes between pages are read as they are then.

// pageRecords is how many records a download reads per opening of the
// store.
const pageRecords = 256

// pageWait is how long a download in progress waits for the store between
// two pages when a writer holds it (an import of many files holds it for
// minutes); past it the download is cut off, never ended short as if whole.
const pageWait = 5 * time.Minute

// pagedStore gives a store's records in report-id order, page by page (see
// above), for export.WriteReports.
type pagedStore struct {
	s     *Server
	first []*store.Entry // the first page, read before the answer began
	last  string         // the last report id read
	more  bool           // records remain after last
}

// read opens the store (waiting up to wait for a writer), reads the next
// page and closes it.
func (p *pagedStore) read(wait time.Duration) ([]*store.Entry, error) {
	st, err := p.s.openWaiting(wait)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var page []*store.Entry
	p.last, p.more, err = st.EntriesAfter(p.last, pageRecords, func(e *store.Entry) error {
		page = append(page, e)
		return nil
	})
	return page, err
}

// Entries calls fn for every record, the store closed while fn runs.
func (p *pagedStore) Entries(fn func(*store.Entry) error) error {
	page := p.first
	for {
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if !p.more {
			return nil
		}
		var err error
		if page, err = p.read(pageWait); err != nil {
			return err
		}
	}
}
