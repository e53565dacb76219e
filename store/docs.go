package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
)

// Across runs the store remembers every URL the harvest has met (its DocState):
// when it was first and last seen, when it last changed, whether it is gone or
// moved, its validators for conditional requests, and when it is due again. Each
// run is a generation: a run that starts with an empty frontier begins a new one
// and queues its seeds and every known URL that is due; a run that finds work
// queued resumes the unfinished generation. Report records are never overwritten
// by a different version: the superseded one is kept, and every new, revised,
// moved, gone or returned report is logged as a ReportChange of its generation.

var (
	bucketDocs     = []byte("docs")     // docKey (method, fetched URL, body) → DocState JSON
	bucketRuns     = []byte("runs")     // generation → RunInfo JSON
	bucketVersions = []byte("versions") // report id \x00 seq → superseded Entry JSON
	bucketChanges  = []byte("changes")  // seq → ReportChange JSON
	keyGeneration  = []byte("generation")
)

// Document states.
const (
	DocOK    = "ok"
	DocGone  = "gone"  // 404, soft 404, redirect loop or off-site redirect
	DocMoved = "moved" // redirects to MovedTo
)

// Change kinds.
const (
	ChangeNew      = "new"
	ChangeRevised  = "revised"
	ChangeMoved    = "moved"
	ChangeGone     = "gone"
	ChangeReturned = "returned" // answered again after it was gone
)

// DocState is what the harvest knows of one URL across runs.
type DocState struct {
	URL          string     `json:"url"`
	Key          string     `json:"key,omitempty"` // the page's de-duplication key, when not the URL
	Method       string     `json:"method,omitempty"`
	Body         []byte     `json:"body,omitempty"`
	Kind         crawl.Kind `json:"kind,omitempty"` // the crawler's kind: page, api, report, attachment
	Depth        int        `json:"depth,omitempty"`
	Anchor       string     `json:"anchor,omitempty"`
	Parent       string     `json:"parent,omitempty"`   // the page an attachment was linked from
	ViaPage      bool       `json:"via_page,omitempty"` // asked again only when its page links it afresh (a signed link)
	State        string     `json:"state,omitempty"`    // ok, gone, moved; empty until answered
	Detail       string     `json:"detail,omitempty"`
	MovedTo      string     `json:"moved_to,omitempty"`
	MovedFrom    string     `json:"moved_from,omitempty"` // sent here this run before this was read (see moveFound)
	Later        uint8      `json:"later,omitempty"`      // its place in its host's queue when first queued (QueuedRequest.Later)
	Weak         int        `json:"weak,omitempty"`       // unnamed links in a row that led to it (QueuedRequest.Weak)
	FirstSeen    time.Time  `json:"first_seen"`
	LastSeen     time.Time  `json:"last_seen,omitzero"` // last answered with the document (200 or 304)
	LastChanged  time.Time  `json:"last_changed,omitzero"`
	LastFetched  time.Time  `json:"last_fetched,omitzero"`
	GoneSince    time.Time  `json:"gone_since,omitzero"`
	ETag         string     `json:"etag,omitempty"`
	LastModified string     `json:"last_modified,omitempty"`
	SHA256       string     `json:"sha256,omitempty"`      // the last body
	Fingerprint  string     `json:"fingerprint,omitempty"` // the last content: a report's, or the body's hash
	ReportID     string     `json:"report_id,omitempty"`
	// Copy: an attachment that joined its report as a copy of a document read
	// before at another address, not through a page that links it. The page
	// does not follow it there: whether it would depends on which was fetched
	// first.
	Copy       bool          `json:"copy,omitempty"`
	Interval   time.Duration `json:"interval,omitempty"`
	NextVisit  time.Time     `json:"next_visit,omitzero"`
	Visits     int           `json:"visits,omitempty"`
	Changes    int           `json:"changes,omitempty"`
	Generation uint64        `json:"generation,omitempty"` // the last run that asked for it
	// FirstGeneration is the run that first asked for it (0: before schema 3).
	FirstGeneration uint64 `json:"first_generation,omitempty"`
}

// Due reports whether a URL should be asked again in a run that started at t.
func (d *DocState) Due(t time.Time) bool { return !d.NextVisit.After(t) }

// Schedule says when a URL is asked again: Base after its first answer or a
// change, doubling while it stays the same, up to Max. Lists that change often
// stay near Base; old reports drift towards Max.
type Schedule struct {
	Base time.Duration // default 20h: a nightly run looks at everything again
	Max  time.Duration // default 30 days
}

func (s Schedule) withDefaults() Schedule {
	if s.Base < 0 {
		s.Base = 0
	}
	if s.Base == 0 && s.Max == 0 {
		s.Base = 20 * time.Hour
	}
	if s.Max < s.Base {
		s.Max = max(s.Base, 30*24*time.Hour)
	}
	return s
}

// next is the interval after a visit: Base when new or changed, else doubled.
func (s Schedule) next(prev time.Duration, changed bool) time.Duration {
	if changed || prev <= 0 {
		return s.Base
	}
	return min(max(prev*2, s.Base), s.Max)
}

// Visit is what one request told about its URL.
type Visit struct {
	Req          *QueuedRequest
	Time         time.Time
	Class        crawl.Class // the fetch's class: ok, not_modified, gone, offsite, moved, or a failure
	Detail       string
	ETag         string
	LastModified string
	SHA256       string
	// Fingerprint is the content's fingerprint when it is a report (for the
	// commit's own fetch: report.Fingerprint of its Entry's record, which the
	// commit then takes instead of working it out again); else the body's
	// hash is used.
	Fingerprint string
	MovedTo     string
}

// RunInfo is one generation of the harvest.
type RunInfo struct {
	Generation uint64    `json:"generation"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished,omitzero"` // zero while unfinished
	Resumes    int       `json:"resumes,omitempty"` // runs that continued it after a stop
	Seeds      int       `json:"seeds"`
	Revisits   int       `json:"revisits"` // known URLs queued again because they were due
	Counts     RunCounts `json:"counts"`
}

// RunCounts are a generation's outcomes so far.
type RunCounts struct {
	Requests    int `json:"requests"`
	NotModified int `json:"not_modified"`
	New         int `json:"new"`
	Revised     int `json:"revised"`
	Moved       int `json:"moved"`
	Gone        int `json:"gone"`
	Returned    int `json:"returned"`
}

// ReportChange is one event in a report's life.
type ReportChange struct {
	Seq         uint64          `json:"seq"`
	Generation  uint64          `json:"generation"`
	Time        time.Time       `json:"time"`
	Kind        string          `json:"kind"` // new, revised, moved, gone, returned
	ReportID    string          `json:"report_id"`
	URL         string          `json:"url"`
	To          string          `json:"to,omitempty"` // moved: the new URL
	Detail      string          `json:"detail,omitempty"`
	Fingerprint string          `json:"fingerprint,omitempty"`
	Cells       []report.Change `json:"cells,omitempty"` // revised: what differs
}

// docKey is the key of a URL's state: the fetched URL's, not the page key's,
// so that every address's answers are its own.
func docKey(method, u string, body []byte) []byte {
	return seenKey(&QueuedRequest{Method: method, URL: u, Body: body})
}

func getDoc(tx *bolt.Tx, key []byte) (*DocState, error) {
	v := tx.Bucket(bucketDocs).Get(key)
	if v == nil {
		return nil, nil
	}
	d := &DocState{}
	if err := json.Unmarshal(v, d); err != nil {
		return nil, fmt.Errorf("decoding the state of %x: %w", key, err)
	}
	return d, nil
}

func putDoc(tx *bolt.Tx, key []byte, d *DocState) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketDocs).Put(key, b); err != nil {
		return err
	}
	return indexDoc(tx, key, d)
}

func readGeneration(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keyGeneration); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func getRun(tx *bolt.Tx, gen uint64) (*RunInfo, error) {
	v := tx.Bucket(bucketRuns).Get(u64(gen))
	if v == nil {
		return nil, nil
	}
	r := &RunInfo{}
	return r, json.Unmarshal(v, r)
}

func putRun(tx *bolt.Tx, r *RunInfo) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketRuns).Put(u64(r.Generation), b)
}

func addChange(tx *bolt.Tx, c *ReportChange) error {
	b := tx.Bucket(bucketChanges)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	c.Seq = seq
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := b.Put(u64(seq), v); err != nil {
		return err
	}
	return indexChange(tx, c)
}

// conditional adds a known URL's validators to a request.
func conditional(q *QueuedRequest, d *DocState) {
	if d == nil || d.State != DocOK {
		return
	}
	if d.ETag != "" {
		q.Headers = map[string][]string{"If-None-Match": {d.ETag}}
	}
	if d.LastModified != "" {
		if q.Headers == nil {
			q.Headers = map[string][]string{}
		}
		q.Headers["If-Modified-Since"] = []string{d.LastModified}
	}
}

// observe folds a visit into a URL's state and says what became of the report
// the URL carries (a change kind, or "").
func observe(d *DocState, v Visit, gen uint64, sched Schedule) (event string) {
	d.LastFetched, d.Generation = v.Time, gen
	d.Visits++
	switch v.Class {
	case crawl.OK:
		fp := v.Fingerprint
		if fp == "" {
			fp = v.SHA256
		}
		changed := d.Fingerprint != "" && d.Fingerprint != fp
		if d.State == DocGone {
			event = ChangeReturned
		}
		if d.LastChanged.IsZero() || changed {
			d.LastChanged = v.Time
		}
		if changed {
			d.Changes++
		}
		d.State, d.Detail, d.MovedTo, d.GoneSince = DocOK, "", "", time.Time{}
		d.LastSeen, d.SHA256, d.Fingerprint = v.Time, v.SHA256, fp
		d.ETag, d.LastModified = v.ETag, v.LastModified
		d.Interval = sched.next(d.Interval, changed || d.Visits == 1)
	case crawl.NotModified:
		d.State, d.LastSeen = DocOK, v.Time
		if v.ETag != "" {
			d.ETag = v.ETag
		}
		d.Interval = sched.next(d.Interval, false)
	case crawl.Gone, crawl.Offsite:
		if d.State != DocGone && d.ReportID != "" {
			event = ChangeGone
		}
		if d.State != DocGone {
			d.GoneSince = v.Time
		}
		d.State, d.Detail = DocGone, v.Detail
		d.Interval = sched.next(d.Interval, false)
	case "moved":
		d.State, d.Detail, d.MovedTo = DocMoved, v.Detail, v.MovedTo
		d.Interval = sched.next(d.Interval, false)
	case crawl.Expired:
		// A signed link refused on a direct revisit: its page hands out fresh ones.
		d.ViaPage = true
		return ""
	default:
		// A failure says nothing of the document: it stays due.
		return ""
	}
	d.NextVisit = v.Time.Add(d.Interval)
	return event
}

// newDoc is the state of a URL first met in a request.
func newDoc(q *QueuedRequest, t time.Time) *DocState {
	method := q.Method
	if method == "GET" {
		method = ""
	}
	return &DocState{URL: q.URL, Key: q.Key, Method: method, Body: q.Body, Kind: q.Kind(), Depth: q.Depth, Anchor: q.Anchor(),
		Parent: q.Parent(), FirstSeen: t, Later: RequestLater(q), Weak: q.Weak()}
}

// requestFor rebuilds a due URL's request.
func requestFor(d *DocState, host string) *QueuedRequest {
	method := d.Method
	if method == "" {
		method = http.MethodGet
	}
	q := &QueuedRequest{URL: d.URL, Key: d.Key, Method: method, Body: d.Body, Depth: d.Depth, Host: host, Later: d.Later}
	q.SetKind(d.Kind)
	q.SetWeak(d.Weak) // asked again where it was first, best-first
	if d.Anchor != "" {
		q.SetAnchor(d.Anchor)
	}
	if d.Parent != "" {
		q.SetParent(d.Parent)
	}
	q.setRevisit() // queued by Commit, which adds its validators
	return q
}

// Doc returns what the store knows of a URL (nil when nothing).
func (s *Store) Doc(method, u string, body []byte) (*DocState, error) {
	var d *DocState
	err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketDocs) == nil {
			return nil
		}
		var err error
		d, err = getDoc(tx, docKey(method, u, body))
		return err
	})
	return d, err
}

// Docs calls fn for every URL the harvest has met.
func (s *Store) Docs(fn func(*DocState) error) error {
	return s.view(func(tx *bolt.Tx) error { return forEachDoc(tx, fn) })
}

// Runs returns every generation in order.
func (s *Store) Runs() ([]RunInfo, error) {
	var out []RunInfo
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRuns).ForEach(func(_, v []byte) error {
			var r RunInfo
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// Changes calls fn for every report change of the generations from..to
// (inclusive; 0 for either end means unbounded), in order.
func (s *Store) Changes(from, to uint64, fn func(*ReportChange) error) error {
	return s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChanges).ForEach(func(_, v []byte) error {
			var c ReportChange
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if (from != 0 && c.Generation < from) || (to != 0 && c.Generation > to) {
				return nil
			}
			return fn(&c)
		})
	})
}

// History is everything the store knows of one report.
type History struct {
	Current  *Entry         `json:"current"`
	Versions []*Entry       `json:"versions"` // superseded, oldest first
	Changes  []ReportChange `json:"changes"`
	URLs     []DocState     `json:"urls"`
}

// ReportAt is the report an address leads to ("" for none): the address's
// own, when it was fetched and read as a report's document, else that of the
// copy fetched for a page never fetched itself (its print or mobile copy,
// whose de-duplication key the address is).
func (s *Store) ReportAt(u string) (string, error) {
	var id string
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		id, err = reportAt(tx, u)
		return err
	})
	return id, err
}

// reportAt is ReportAt in a transaction: through the lookup bucket when the
// store is indexed, else by reading every URL state.
func reportAt(tx *bolt.Tx, u string) (string, error) {
	d, err := getDoc(tx, docKey("GET", u, nil))
	if err != nil {
		return "", err
	}
	if d != nil && d.ReportID != "" {
		return d.ReportID, nil
	}
	id, byKey := "", ""
	see := func(d *DocState) {
		switch {
		case d.ReportID == "":
		case d.URL == u:
			id = d.ReportID
		case d.Key == u && byKey == "":
			byKey = d.ReportID
		}
	}
	if indexed(tx) {
		for _, kind := range []byte{lookDocURL, lookDocKey} {
			if err := docsByLookup(tx, kind, u, func(d *DocState) error { see(d); return nil }); err != nil {
				return "", err
			}
		}
	} else if err := forEachDoc(tx, func(d *DocState) error { see(d); return nil }); err != nil {
		return "", err
	}
	if id == "" {
		id = byKey
	}
	return id, nil
}

// docsByLookup calls fn with the URL state of every lookup entry of kind
// and name, in the order of their keys (that of the docs bucket).
func docsByLookup(tx *bolt.Tx, kind byte, name string, fn func(*DocState) error) error {
	return lookupTargets(tx, kind, name, func(key []byte) error {
		d, err := getDoc(tx, key)
		if err != nil || d == nil {
			return err
		}
		return fn(d)
	})
}

func forEachDoc(tx *bolt.Tx, fn func(*DocState) error) error {
	b := tx.Bucket(bucketDocs)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var d DocState
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("decoding the state of %x: %w", k, err)
		}
		return fn(&d)
	})
}

// History returns a report's versions, changes and URLs; the report is named by
// its id or by one of its URLs. An indexed store reads only what the answer
// holds; one without indexes reads every record, change and URL state.
func (s *Store) History(ref string) (*History, error) {
	var h *History
	err := s.view(func(tx *bolt.Tx) error {
		id, err := historyID(tx, ref)
		if err != nil {
			return err
		}
		h, err = historyOf(tx, id)
		return err
	})
	return h, err
}

// historyID names the report a history is asked for: ref itself when it is
// a report id, else the report its address leads to, else the one read from
// a document of that address.
func historyID(tx *bolt.Tx, ref string) (string, error) {
	if tx.Bucket(bucketRecords).Get([]byte(ref)) != nil {
		return ref, nil
	}
	id, err := reportAt(tx, ref)
	if err != nil || id != "" {
		return id, err
	}
	see := func(e *Entry) error {
		for _, src := range e.Sources {
			if src.URL == ref {
				id = e.ReportID
			}
		}
		return nil
	}
	if indexed(tx) {
		err = lookupTargets(tx, lookSource, ref, func(rid []byte) error {
			e, err := getEntry(tx, string(rid))
			if err != nil || e == nil {
				return err
			}
			return see(e)
		})
	} else {
		err = forEachEntry(tx, see)
	}
	if err == nil && id == "" {
		err = fmt.Errorf("report %s: %w", ref, ErrNotFound)
	}
	return id, err
}

// historyOf reads a report's record, versions, changes and URL states.
func historyOf(tx *bolt.Tx, id string) (*History, error) {
	h := &History{}
	var err error
	if h.Current, err = getEntry(tx, id); err != nil {
		return nil, err
	}
	if h.Current == nil {
		return nil, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	c := tx.Bucket(bucketVersions).Cursor()
	prefix := append([]byte(id), 0)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		e := &Entry{}
		if err := decodeRecord(v, e); err != nil {
			return nil, fmt.Errorf("decoding a version of record %s: %w", id, err)
		}
		h.Versions = append(h.Versions, e)
	}
	change := func(c *ReportChange) error {
		if c.ReportID == id {
			h.Changes = append(h.Changes, *c)
		}
		return nil
	}
	doc := func(d *DocState) error {
		if d.ReportID == id {
			h.URLs = append(h.URLs, *d)
		}
		return nil
	}
	if !indexed(tx) {
		if err := forEachChange(tx, change); err != nil {
			return nil, err
		}
		return h, forEachDoc(tx, doc)
	}
	changes := tx.Bucket(bucketChanges)
	err = lookupTargets(tx, lookChange, id, func(seq []byte) error {
		v := changes.Get(seq)
		if v == nil {
			return nil // dropped since (a move's or a merge's change)
		}
		var c ReportChange
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decoding change %x: %w", seq, err)
		}
		return change(&c)
	})
	if err != nil {
		return nil, err
	}
	return h, docsByLookup(tx, lookDocReport, id, doc)
}

func forEachChange(tx *bolt.Tx, fn func(*ReportChange) error) error {
	return tx.Bucket(bucketChanges).ForEach(func(k, v []byte) error {
		var c ReportChange
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decoding change %x: %w", k, err)
		}
		return fn(&c)
	})
}

// archive keeps a superseded version of a report.
func archive(tx *bolt.Tx, old *Entry) error {
	b := tx.Bucket(bucketVersions)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := encodeRecord(old)
	if err != nil {
		return err
	}
	k := append(append([]byte(old.ReportID), 0), u64(seq)...)
	return b.Put(k, v)
}

func getEntry(tx *bolt.Tx, id string) (*Entry, error) {
	v := tx.Bucket(bucketRecords).Get([]byte(id))
	if v == nil {
		return nil, nil
	}
	e := &Entry{}
	if err := decodeRecord(v, e); err != nil {
		return nil, fmt.Errorf("decoding record %s: %w", id, err)
	}
	return e, nil
}
