package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
)

// Begin starts a run. With nothing queued it opens a new generation: the seeds
// and every known URL that is due at now are queued, with their validators
// (ETag, Last-Modified) for conditional requests. With work queued it resumes the unfinished
// generation. It returns the generation and whether it was resumed.
func (f *Frontier) Begin(now time.Time, sched Schedule, seeds []*QueuedRequest) (RunInfo, bool, error) {
	f.sched = sched.withDefaults()
	if f.Pending() > 0 && f.gen > 0 {
		return f.resume(now, seeds)
	}
	run := &RunInfo{Started: now, Seeds: len(seeds)}
	err := f.st.update(func(tx *bolt.Tx) error {
		run.Generation = readGeneration(tx) + 1
		if err := tx.Bucket(bucketMeta).Put(keyGeneration, u64(run.Generation)); err != nil {
			return err
		}
		return putRun(tx, run)
	})
	if err != nil {
		return RunInfo{}, false, fmt.Errorf("starting a run in %s: %w", f.st.path, err)
	}
	f.mu.Lock()
	f.gen, f.runStart = run.Generation, now
	f.mu.Unlock()
	if _, err := f.Enqueue(seeds...); err != nil {
		return RunInfo{}, false, err
	}
	if run.Revisits, err = f.queueDue(now); err != nil {
		return RunInfo{}, false, err
	}
	err = f.st.update(func(tx *bolt.Tx) error {
		r, err := getRun(tx, run.Generation)
		if err != nil || r == nil {
			return err
		}
		r.Revisits = run.Revisits
		return putRun(tx, r)
	})
	return *run, false, err
}

// resume goes on with the unfinished generation: its run is counted resumed
// and the seeds queued again (a no-op for those it has).
func (f *Frontier) resume(now time.Time, seeds []*QueuedRequest) (RunInfo, bool, error) {
	var run *RunInfo
	err := f.st.update(func(tx *bolt.Tx) error {
		var err error
		if run, err = getRun(tx, f.gen); err != nil {
			return err
		}
		if run == nil { // queued by a store of schema 1, or by Enqueue alone
			run = &RunInfo{Generation: f.gen, Started: now}
		}
		run.Resumes++
		return putRun(tx, run)
	})
	if err != nil {
		return RunInfo{}, false, fmt.Errorf("resuming run %d in %s: %w", f.gen, f.st.path, err)
	}
	f.runStart = run.Started
	if _, err := f.Enqueue(seeds...); err != nil {
		return RunInfo{}, false, err
	}
	return *run, true, nil
}

// queueDue queues every known URL that is due at now, with its validators, a
// thousand per transaction, and returns how many it queued. An attachment
// behind a query string (often a signed link that expires) is looked at again
// through the page that links it.
func (f *Frontier) queueDue(now time.Time) (int, error) {
	var after []byte
	queued := 0
	for {
		var batch []*QueuedRequest
		err := f.st.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketDocs).Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(batch) < 1000; k, v = c.Next() {
				after = append(after[:0], k...)
				var d DocState
				if err := json.Unmarshal(v, &d); err != nil {
					return fmt.Errorf("decoding the state of %x: %w", k, err)
				}
				if d.Kind == crawl.Attachment && (d.ViaPage || strings.Contains(d.URL, "?")) || !d.Due(now) || d.State == "" {
					continue
				}
				batch = append(batch, requestFor(&d, hostOfURL(d.URL)))
			}
			if k == nil {
				after = nil
			}
			return nil
		})
		if err != nil {
			return queued, fmt.Errorf("queueing due URLs in %s: %w", f.st.path, err)
		}
		n, err := f.Enqueue(batch...)
		if err != nil {
			return queued, err
		}
		queued += n
		if after == nil {
			return queued, nil
		}
	}
}

// Generation is the current run's generation (0 before the first Begin).
func (f *Frontier) Generation() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gen
}

// observeAll folds a commit's visits into their URLs' states, logs the reports
// that went away or came back, and counts the run.
func (f *Frontier) observeAll(tx *bolt.Tx, cm *Commit, run *RunInfo) error {
	for _, v := range cm.Visits {
		key := docKey(v.Req.Method, v.Req.URL, v.Req.Body)
		d, err := getDoc(tx, key)
		if err != nil {
			return err
		}
		if d == nil || d.Visits == 0 && d.MovedFrom != "" && d.ReportID == "" {
			// Never asked before (or only named as a move's new end).
			nd := newDoc(v.Req, v.Time)
			nd.FirstGeneration = f.gen
			if d != nil {
				nd.MovedFrom = d.MovedFrom
			}
			d = nd
		}
		run.Counts.Requests++
		if v.Class == crawl.NotModified {
			run.Counts.NotModified++
		}
		wasMoved := d.State == DocMoved && d.MovedTo == v.MovedTo
		ev := observe(d, v, f.gen, f.sched)
		// An attachment answered for its page: the page leads to its report.
		if p := v.Req.Parent(); p != "" && d.ReportID != "" && !d.Copy && v.Class.Answered() {
			if d.Parent != p {
				d.Parent = p
			}
			if err := linkReport(tx, docKey("GET", p, nil), d.ReportID); err != nil {
				return err
			}
		}
		if ev != "" && d.ReportID != "" {
			c := &ReportChange{Generation: f.gen, Time: v.Time, Kind: ev, ReportID: d.ReportID, URL: d.URL, Detail: v.Detail}
			if e, err := getEntry(tx, d.ReportID); err != nil {
				return err
			} else if e != nil {
				c.Fingerprint = report.Fingerprint(e.Record)
			}
			if err := addChange(tx, c); err != nil {
				return err
			}
			count(&run.Counts, ev, 1)
		}
		if err := putDoc(tx, key, d); err != nil {
			return err
		}
		if v.Class == crawl.Moved && v.MovedTo != "" && d.ReportID != "" && !wasMoved {
			if err := f.moveFound(tx, run, d, v.Time); err != nil {
				return err
			}
		}
	}
	return nil
}

// runOf is the current generation's record, for a commit to count into.
func (f *Frontier) runOf(tx *bolt.Tx) (*RunInfo, error) {
	run, err := getRun(tx, f.gen)
	if err != nil || run != nil {
		return run, err
	}
	return &RunInfo{Generation: f.gen, Started: f.runStart}, nil
}

func count(c *RunCounts, kind string, n int) {
	switch kind {
	case ChangeNew:
		c.New += n
	case ChangeRevised:
		c.Revised += n
	case ChangeMoved:
		c.Moved += n
	case ChangeGone:
		c.Gone += n
	case ChangeReturned:
		c.Returned += n
	}
}

// linkReport names the report a URL leads to, unless it leads to one already.
func linkReport(tx *bolt.Tx, key []byte, id string) error {
	d, err := getDoc(tx, key)
	if err != nil || d == nil || d.ReportID != "" {
		return err
	}
	d.ReportID = id
	return putDoc(tx, key, d)
}

// reportID is the id a fetched report is kept under: the first of its
// candidates (see candidateReports) that speaks of the same year, else the id
// the crawler derived from its URL. A page that links some other year's report
// (or a shared guide) is not merged with it. It returns the record stored
// under that id too (nil when there is none), read once for the commit, and
// whether the document joins it only as a copy of another document (see
// DocState.Copy).
func (f *Frontier) reportID(tx *bolt.Tx, cm *Commit) (string, *Entry, bool, error) {
	own := cm.Entry.ReportID
	cands, copyOf, err := candidateReports(tx, cm)
	if err != nil {
		return "", nil, false, err
	}
	for _, id := range cands {
		stored, err := getEntry(tx, id)
		if err != nil {
			return "", nil, false, err
		}
		if id == own || stored == nil || sameYear(stored.Record, cm.Entry.Record) {
			return id, stored, id == copyOf && id != own, nil
		}
	}
	stored, err := getEntry(tx, own)
	return own, stored, false, err
}

// candidateReports are the reports a fetched document may belong to, in order.
// A file read before as another report's document goes with that report: one
// file served at several addresses (on several hosts, or behind a link signed
// afresh on every visit) is one report with every address as a source. Then
// the report its URL already leads to; the one its redirect chain's first URL
// led to (the report moved); for an attachment, its page's; for a page, its
// attachments' (unless they joined theirs as copies); last, for a page, a
// report one of whose documents reads the same (the same report in two columns
// of a site, sharing no link). copyOf is the first candidate when only its
// content leads there.
func candidateReports(tx *bolt.Tx, cm *Commit) (cands []string, copyOf string, err error) {
	var out []string
	add := func(id string, err error) error {
		if err == nil && id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
		return err
	}
	fp := cm.fingerprint(cm.Entry.Record)
	attachment := cm.Done != nil && cm.Done.Kind() == crawl.Attachment
	same, err := entryWithContent(tx, fp) // a report one of whose documents reads the same
	if err != nil {
		return nil, "", err
	}
	if same != nil && cm.Capture != nil && same.readsAs(cm.Capture.SHA256) {
		add(same.ReportID, nil)
		copyOf = same.ReportID
	}
	// by records whether another route than content leads to the id.
	by := func(id string, err error) error {
		if id == copyOf {
			copyOf = ""
		}
		return add(id, err)
	}
	led := func(method, u string, body []byte) (string, error) {
		d, err := getDoc(tx, docKey(method, u, body))
		if err != nil || d == nil {
			return "", err
		}
		return d.ReportID, nil
	}
	if cm.Done != nil {
		if err := by(led(cm.Done.Method, cm.Done.URL, cm.Done.Body)); err != nil {
			return nil, "", err
		}
	}
	if cm.Origin != "" {
		if err := by(led("GET", cm.Origin, nil)); err != nil {
			return nil, "", err
		}
	}
	if cm.Done == nil {
		return out, copyOf, nil
	}
	// An attachment belongs to the report of the page that links it; a page
	// whose attachment was read first (linked from a list as well) to the
	// attachment's report.
	related := cm.Attachments
	if attachment {
		related = []string{cm.Done.Parent()}
	}
	for _, u := range related {
		if err := by(storedReportOf(tx, u)); err != nil {
			return nil, "", err
		}
	}
	if same != nil && !attachment { // one file may be attached to several pages
		add(same.ReportID, nil)
	}
	return out, copyOf, nil
}

// readsAs reports whether the report's record is read from the bytes with
// this digest: its tables' document, not one merged among others (a page's
// attachment whose page prints the tables).
func (e *Entry) readsAs(sha string) bool {
	return e != nil && sha != "" && len(e.Sources) > 0 && e.Sources[0].SHA256 == sha
}

// storedReportOf is the report a URL leads to, if that report has a record
// and the URL did not join it as a copy.
func storedReportOf(tx *bolt.Tx, u string) (string, error) {
	if u == "" {
		return "", nil
	}
	d, err := getDoc(tx, docKey("GET", u, nil))
	if err != nil || d == nil || d.ReportID == "" || d.Copy || tx.Bucket(bucketRecords).Get([]byte(d.ReportID)) == nil {
		return "", err
	}
	return d.ReportID, nil
}

// storeEntry writes a fetched report's record under its id. A different version
// already there is kept in the versions and the change logged with the cells
// that differ; the same content fetched again (from a new address, or with other
// bytes) adds its source to the record.
// old is the record stored under the report's id (nil when there is none).
// copied says the document joins it only as a copy of another (DocState.Copy).
func (f *Frontier) storeEntry(tx *bolt.Tx, cm *Commit, run *RunInfo, old *Entry, copied bool) error {
	e := cm.Entry
	now := e.ExtractedAt
	if cm.Capture != nil {
		now = cm.Capture.FetchedAt
	}
	attachment := cm.Done != nil && cm.Done.Kind() == crawl.Attachment
	joined := false // a document of the report read for the first time: not a revision
	if old != nil && (cm.Origin == "" || attachment) {
		oldAttachment := false
		if len(old.Sources) > 0 {
			if d, err := getDoc(tx, docKey("GET", old.Sources[0].URL, nil)); err != nil {
				return err
			} else if d != nil {
				oldAttachment = d.Kind == crawl.Attachment
			}
		}
		joined = mergeInto(old, e, attachment, oldAttachment)
	}
	fp := cm.fingerprint(e.Record)
	log := func(c *ReportChange) error {
		c.Generation, c.Time, c.ReportID, c.Fingerprint = f.gen, now, e.ReportID, fp
		count(&run.Counts, c.Kind, 1)
		return addChange(tx, c)
	}
	prevURL, err := versionChange(tx, e, old, joined, fp, log)
	if err != nil {
		return err
	}
	if err := linkDocs(tx, cm, fp, now, copied); err != nil {
		return err
	}
	if cm.Origin != "" {
		if err := followedMove(tx, cm, old != nil && prevURL != string(e.Record.Source.URL) && !attachment, log); err != nil {
			return err
		}
	}
	return putEntryPrints(tx, e, cm.fingerprint)
}

// versionChange logs what the new reading is to the stored record: new,
// revised (the old version archived), or the same (its sources kept); a
// document joining the report is neither. It returns the stored record's URL.
func versionChange(tx *bolt.Tx, e, old *Entry, joined bool, fp string, log func(*ReportChange) error) (string, error) {
	src := string(e.Record.Source.URL)
	switch {
	case old == nil:
		return "", log(&ReportChange{Kind: ChangeNew, URL: src})
	case joined:
	case report.Fingerprint(old.Record) != fp:
		if err := archive(tx, old); err != nil {
			return "", err
		}
		if err := log(&ReportChange{Kind: ChangeRevised, URL: src, Cells: report.Diff(old.Record, e.Record)}); err != nil {
			return "", err
		}
	default:
		// The same reading: the earlier captures it was read from are kept,
		// but not one of an address and bytes the entry already names.
		for _, s := range old.Sources {
			if !slices.ContainsFunc(e.Sources, func(n SourceRef) bool { return n.URL == s.URL && n.SHA256 == s.SHA256 }) {
				e.Sources = append(e.Sources, s)
			}
		}
		e.Sources = e.Sources[:min(len(e.Sources), 32)]
	}
	return string(old.Record.Source.URL), nil
}

// linkDocs points the fetched URL, its page (for an attachment) and the
// attachments it names (for a page) at the report: they belong to it,
// whenever they are fetched and from whichever list they are found. An
// attachment that joined its report as a copy does not take its page there.
func linkDocs(tx *bolt.Tx, cm *Commit, fp string, now time.Time, copied bool) error {
	if cm.Done == nil {
		return nil
	}
	e := cm.Entry
	key := docKey(cm.Done.Method, cm.Done.URL, cm.Done.Body)
	d, err := getDoc(tx, key)
	if err != nil {
		return err
	}
	attachment := cm.Done.Kind() == crawl.Attachment
	if d != nil {
		// A copy fetched again is led to its report by its own URL now: it is
		// still a copy while it stays in that report.
		copied = copied || d.Copy && d.ReportID == e.ReportID
		d.ReportID, d.Fingerprint, d.Copy = e.ReportID, fp, copied && attachment
		if d.Kind == crawl.Page {
			d.Kind = crawl.Report // read as a report: asked again as one (a move by a shell is a move)
		}
		if err := putDoc(tx, key, d); err != nil {
			return err
		}
	}
	if p := cm.Done.Parent(); p != "" && !(copied && attachment) {
		if err := linkReport(tx, docKey("GET", p, nil), e.ReportID); err != nil {
			return err
		}
	}
	if attachment {
		return nil
	}
	for _, a := range cm.Attachments {
		key := docKey("GET", a, nil)
		d, err := getDoc(tx, key)
		if err != nil {
			return err
		}
		if d == nil {
			d = &DocState{URL: a, Kind: crawl.Attachment, Parent: string(e.Record.Source.URL), FirstSeen: now}
		}
		if d.ReportID == "" {
			d.ReportID = e.ReportID
			if err := putDoc(tx, key, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// followedMove records that the first URL of the redirect chain that led to the
// report now leads to where it ended, and logs a move when that URL led to the
// stored report at another address (moved says so).
func followedMove(tx *bolt.Tx, cm *Commit, moved bool, log func(*ReportChange) error) error {
	e := cm.Entry
	src := string(e.Record.Source.URL)
	key := docKey("GET", cm.Origin, nil)
	od, err := getDoc(tx, key)
	if err != nil || od == nil {
		return err
	}
	if od.ReportID == e.ReportID && moved {
		if err := log(&ReportChange{Kind: ChangeMoved, URL: cm.Origin, To: src}); err != nil {
			return err
		}
	}
	od.ReportID, od.MovedTo = e.ReportID, src
	return putDoc(tx, key, od)
}

// Finish ends a generation whose frontier is empty: a report that went from one
// address this run and turned up, unchanged, at another (a site that renumbered
// its pages) is recorded as moved rather than as gone and new; a report whose
// page is gone while another of its addresses answered this run moved there.
func (f *Frontier) Finish(now time.Time) (RunInfo, error) {
	var run *RunInfo
	err := f.st.update(func(tx *bolt.Tx) error {
		var err error
		if run, err = getRun(tx, f.gen); err != nil {
			return err
		}
		if run == nil {
			run = &RunInfo{Generation: f.gen, Started: f.runStart}
		}
		if err := f.reconcile(tx, run); err != nil {
			return err
		}
		run.Finished = now
		return putRun(tx, run)
	})
	if err != nil {
		return RunInfo{}, fmt.Errorf("finishing run %d in %s: %w", f.gen, f.st.path, err)
	}
	return *run, nil
}

func (f *Frontier) reconcile(tx *bolt.Tx, run *RunInfo) error {
	mine, err := f.runChanges(tx)
	if err != nil {
		return err
	}
	var gone []*ReportChange
	news := map[string][]*ReportChange{}
	for _, c := range slices.Backward(mine) { // in the order they were logged
		switch c.Kind {
		case ChangeGone:
			gone = append(gone, c)
		case ChangeNew:
			news[c.Fingerprint] = append(news[c.Fingerprint], c)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	alive, err := f.answeredAddresses(tx)
	if err != nil {
		return err
	}
	for _, g := range gone {
		if g.Fingerprint != "" && len(news[g.Fingerprint]) > 0 {
			n := news[g.Fingerprint][0]
			news[g.Fingerprint] = news[g.Fingerprint][1:]
			if err := f.renumbered(tx, run, g, n); err != nil {
				return err
			}
			continue
		}
		// An address the report was first read from this run answered: the
		// report is there now. (A copy it had all along does not make a
		// deleted address a move; a list page linked to the report, or its
		// attachment, is not the report.)
		e, err := getEntry(tx, g.ReportID)
		if err != nil {
			return err
		}
		for _, d := range alive[g.ReportID] {
			if e != nil && d.URL != g.URL && d.Kind != crawl.Attachment && d.FirstGeneration == f.gen && e.hasSource(d.URL) {
				if err := f.movedTo(tx, run, g, d.URL); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// runChanges are this run's changes, the last logged first. They are the
// last in the log (sequence numbers only grow, generations too): read back
// from the end, not through every night's.
func (f *Frontier) runChanges(tx *bolt.Tx) ([]*ReportChange, error) {
	var mine []*ReportChange
	cur := tx.Bucket(bucketChanges).Cursor()
	for k, v := cur.Last(); k != nil; k, v = cur.Prev() {
		var c ReportChange
		if err := json.Unmarshal(v, &c); err != nil {
			return nil, fmt.Errorf("decoding change %x: %w", k, err)
		}
		if c.Generation < f.gen {
			break
		}
		if c.Generation == f.gen {
			mine = append(mine, &c)
		}
	}
	return mine, nil
}

// answeredAddresses are, by report, the addresses that answered this run.
func (f *Frontier) answeredAddresses(tx *bolt.Tx) (map[string][]DocState, error) {
	alive := map[string][]DocState{}
	err := tx.Bucket(bucketDocs).ForEach(func(_, v []byte) error {
		var d DocState
		if err := json.Unmarshal(v, &d); err != nil {
			return err
		}
		if d.ReportID != "" && d.Generation == f.gen && d.State == DocOK {
			alive[d.ReportID] = append(alive[d.ReportID], d)
		}
		return nil
	})
	return alive, err
}

// renumbered makes the report n found new, unchanged, at another address the
// report g that went: the new address's record becomes the old report's, and
// the two changes one move.
func (f *Frontier) renumbered(tx *bolt.Tx, run *RunInfo, g, n *ReportChange) error {
	ne, err := getEntry(tx, n.ReportID)
	if err != nil {
		return err
	}
	oe, err := getEntry(tx, g.ReportID)
	if err != nil {
		return err
	}
	if ne != nil && n.ReportID != g.ReportID {
		if err := tx.Bucket(bucketRecords).Delete([]byte(n.ReportID)); err != nil {
			return err
		}
		if err := unindexEntry(tx, n.ReportID); err != nil {
			return err
		}
		ne.ReportID = g.ReportID
		if oe != nil {
			ne.Sources = append(ne.Sources, oe.Sources...)
		}
		if err := putEntry(tx, ne); err != nil {
			return err
		}
	}
	key := docKey("GET", n.URL, nil)
	if d, err := getDoc(tx, key); err != nil {
		return err
	} else if d != nil {
		d.ReportID = g.ReportID
		if err := putDoc(tx, key, d); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketChanges).Delete(u64(n.Seq)); err != nil {
		return err
	}
	run.Counts.New--
	return f.movedTo(tx, run, g, n.URL)
}

// movedTo turns the change g (its report gone from an address) into a move to
// the address to: the old address's reading leaves the record (it is read at
// the new one) and the old address is marked moved.
func (f *Frontier) movedTo(tx *bolt.Tx, run *RunInfo, g *ReportChange, to string) error {
	if err := tx.Bucket(bucketChanges).Delete(u64(g.Seq)); err != nil {
		return err
	}
	if e, err := getEntry(tx, g.ReportID); err != nil {
		return err
	} else if e != nil && dropComponent(e, g.URL) {
		if err := putEntry(tx, e); err != nil {
			return err
		}
	}
	key := docKey("GET", g.URL, nil)
	if d, err := getDoc(tx, key); err != nil {
		return err
	} else if d != nil {
		d.State, d.MovedTo, d.GoneSince = DocMoved, to, time.Time{}
		if err := putDoc(tx, key, d); err != nil {
			return err
		}
	}
	run.Counts.Gone--
	run.Counts.Moved++
	return addChange(tx, &ReportChange{Generation: f.gen, Time: g.Time, Kind: ChangeMoved, ReportID: g.ReportID, URL: g.URL, To: to,
		Fingerprint: g.Fingerprint, Detail: "found unchanged at the new address"})
}

func hostOfURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

func (e *Entry) hasSource(url string) bool {
	for _, s := range e.Sources {
		if s.URL == url {
			return true
		}
	}
	return false
}

// dropComponent removes the reading of the document at url from a record made
// of several, and merges the rest again; it reports whether it did.
func dropComponent(e *Entry, url string) bool {
	if len(e.Components) < 2 {
		return false
	}
	kept := e.Components[:0:0]
	for _, c := range e.Components {
		if c.Source.URL != url {
			kept = append(kept, c)
		}
	}
	if len(kept) == len(e.Components) {
		return false
	}
	remerge(e, kept)
	if len(kept) == 1 {
		e.Components = nil // one document: its reading is the record
	}
	return true
}

// mergeInto makes e, a report's record read from one document, the report's
// record from all its documents: the page and its attachments become the
// components of one record (see report.Merge). A document already among the
// components is replaced by its new reading. A record from the same document
// (a refetch) replaces the old one as before.
// It reports whether the document joined the report for the first time.
func mergeInto(old, e *Entry, attachment, oldAttachment bool) bool {
	src := e.Sources[0]
	comps := slices.Clone(old.Components) // old stays as stored: it may be archived
	if len(comps) == 0 {
		if len(old.Sources) == 0 || old.Sources[0].URL == src.URL || src.URL == "" {
			return false // the same document again
		}
		comps = []Component{{Source: old.Sources[0], Attachment: oldAttachment, Record: old.Record}}
	}
	replaced := false
	for i := range comps {
		if comps[i].Source.URL == src.URL {
			comps[i] = Component{Source: src, Attachment: attachment, Record: e.Record}
			replaced = true
		}
	}
	if !replaced {
		comps = append(comps, Component{Source: src, Attachment: attachment, Record: e.Record})
	}
	// The page first: its metadata is the report's. Among pages (copies of
	// one report under several addresses) and among attachments, the order is
	// the addresses', not the order they were fetched in, so that two crawls
	// of the same web give a report the same source whatever their timing.
	sort.SliceStable(comps, func(i, j int) bool {
		if comps[i].Attachment != comps[j].Attachment {
			return !comps[i].Attachment
		}
		return comps[i].Source.URL < comps[j].Source.URL
	})
	remerge(e, comps)
	return !replaced
}

// remerge makes e's record and sources those of its components, merged.
func remerge(e *Entry, comps []Component) {
	recs := make([]*report.Record, len(comps))
	e.Sources = e.Sources[:0]
	for i, c := range comps {
		recs[i] = c.Record
		e.Sources = append(e.Sources, c.Source)
	}
	merged, best := report.Merge(recs...)
	// The tables' document is the record's source.
	e.Sources[0], e.Sources[best] = e.Sources[best], e.Sources[0]
	e.Record, e.Components = merged, comps
}
