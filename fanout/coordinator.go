package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// CoordinatorOptions configure Coordinate.
type CoordinatorOptions struct {
	Run string // the run's name; "": RunName of this host, the store, the extractor version and the scope
	// Scope is what the run rebuilds: "" every report; ScopeUnreadScans
	// only the reports with a scan whose text was not read (a crawl
	// without OCR leaves them so).
	Scope    string
	Settings Settings // the queue's; zero: DefaultSettings
	// Window bounds the jobs published and not answered, and so the
	// documents held in the object store (each is removed once its jobs
	// are answered); 0: 2000.
	Window int
	// Group is the longest a received record waits before it is committed
	// (records are also committed every corpus.EntryBatch); 0: 2 seconds.
	Group time.Duration
	// Progress is told how the run goes after each group and every few
	// seconds while it waits.
	Progress func(Progress)
}

// Progress is a run's state.
type Progress struct {
	Reports   int            // to rebuild in this run (not counting those done before a restart)
	Committed int            // records written
	Failed    int            // reports that could not be rebuilt
	Queued    int            // jobs not answered yet
	Jobs      int            // jobs of the run
	PerWorker map[string]int // results received from each worker
	Elapsed   time.Duration
	Rate      float64       // reports finished a second
	ETA       time.Duration // at that rate; 0 when not known
}

// Summary is what a run did.
type Summary struct {
	Run         string         `json:"run"`
	Resumed     bool           `json:"resumed"`
	Started     time.Time      `json:"started"` // of the run (the first start when resumed)
	Finished    time.Time      `json:"finished"`
	Reports     int            `json:"reports"`      // in the run (every report of the store, or its scope)
	AlreadyDone int            `json:"already_done"` // rebuilt before a restart
	Jobs        int            `json:"jobs"`
	Uploaded    int            `json:"uploaded"` // documents put in the object store by this process
	Committed   int            `json:"committed"`
	Failed      int            `json:"failed"`
	Results     int            `json:"results"`            // results received (a job done twice gives two)
	PerWorker   map[string]int `json:"per_worker"`         // results by worker
	Errors      []string       `json:"errors,omitempty"`   // why each failed report failed
	Warnings    []string       `json:"warnings,omitempty"` // what went wrong without costing a record
}

// runRecord is what the runs bucket keeps of a run under way, so a
// coordinator started again resumes it.
type runRecord struct {
	Run       string    `json:"run"`
	Store     string    `json:"store"`
	Extractor string    `json:"extractor"`
	Started   time.Time `json:"started"`
}

// jobState is one job of the run and what came back for it.
type jobState struct {
	job     Job
	waiting int    // targets not yet assembled that read it
	targets []int  // the targets that read it, by index
	result  []byte // the first result (JSON); nil until one came
	err     error  // set when the job failed before it was published
	msgs    []jetstream.Msg
}

type coordinator struct {
	js        jetstream.JetStream
	st        *store.Store
	opt       CoordinatorOptions
	run       runRecord
	msgID     string // the suffix of every job's message id in this run
	kv        jetstream.KeyValue
	targets   []corpus.Target
	pending   map[int]bool // targets not finished, by index
	jobs      map[string]*jobState
	order     []string       // the job keys in the order of the reports
	shaLeft   map[string]int // jobs not answered yet, by document
	obs       jetstream.ObjectStore
	pub       *publisher
	published bool                 // every job is published
	bySeq     map[uint64]*jobState // held results by stream sequence
	writer    *corpus.Writer
	toAck     []jetstream.Msg
	sum       Summary
	started   time.Time
	finished  int // reports finished (committed or failed) in this process
	// idle is 1 + the workers' consumer's delivered sequence when the
	// queue was last seen with nothing to do; 0 when it was not.
	idle uint64
}

// Coordinate rebuilds every record of the store with workers: it publishes
// a job for each document of each report not yet rebuilt by this run,
// (in the order of the reports, at most Window ahead of the answers),
// collects the results and commits the records in groups, as a local
// reextract does. It returns when every report is committed or recorded as
// failed, or when ctx is cancelled (then the run can be resumed).
func Coordinate(ctx context.Context, js jetstream.JetStream, st *store.Store, opt CoordinatorOptions) (Summary, error) {
	if opt.Scope != "" && opt.Scope != ScopeUnreadScans {
		return Summary{}, fmt.Errorf("unknown scope %q", opt.Scope)
	}
	if opt.Settings == (Settings{}) {
		opt.Settings = DefaultSettings()
	}
	if opt.Window <= 0 {
		opt.Window = 2000
	}
	if opt.Group <= 0 {
		opt.Group = 2 * time.Second
	}
	if opt.Run == "" {
		host, _ := os.Hostname()
		opt.Run = RunName(host, storePath(st)+"\x00"+opt.Scope, extract.Version)
	}
	c := &coordinator{js: js, st: st, opt: opt, jobs: map[string]*jobState{}, shaLeft: map[string]int{}, bySeq: map[uint64]*jobState{},
		pending: map[int]bool{}, writer: corpus.NewWriter(st), started: time.Now()}
	c.sum.Run, c.sum.PerWorker = opt.Run, map[string]int{}
	if err := setup(ctx, js, opt.Settings); err != nil {
		return c.sum, err
	}
	if err := c.begin(ctx); err != nil {
		return c.sum, err
	}
	if err := c.plan(ctx); err != nil {
		return c.sum, err
	}
	pub, err := c.startPublishing(ctx)
	if err != nil {
		return c.sum, err
	}
	err = c.collect(ctx, pub)
	pub.stop()
	if err != nil {
		return c.sum, err
	}
	return c.sum, c.end(ctx)
}

// begin loads the run under way or starts one.
func (c *coordinator) begin(ctx context.Context) error {
	kv, err := c.js.KeyValue(ctx, RunsBucket)
	if err != nil {
		return fmt.Errorf("opening the bucket %s: %w", RunsBucket, err)
	}
	c.kv = kv
	entry, err := kv.Get(ctx, c.opt.Run)
	switch {
	case err == nil:
		if err := json.Unmarshal(entry.Value(), &c.run); err != nil {
			return fmt.Errorf("reading the run %s: %w", c.opt.Run, err)
		}
		if c.run.Store != storePath(c.st) {
			return fmt.Errorf("the run %s is the run of the store %s, not %s: give another --run", c.opt.Run, c.run.Store, storePath(c.st))
		}
		if c.run.Extractor != extract.Version {
			return fmt.Errorf("the run %s was started with extractor %s, this is %s: give another --run", c.opt.Run, c.run.Extractor, extract.Version)
		}
		c.sum.Resumed = true
	case errors.Is(err, jetstream.ErrKeyNotFound):
		c.run = runRecord{Run: c.opt.Run, Store: storePath(c.st), Extractor: extract.Version, Started: time.Now().UTC()}
		b, _ := json.Marshal(c.run)
		if _, err := kv.Create(ctx, c.opt.Run, b); err != nil {
			return fmt.Errorf("recording the run %s: %w", c.opt.Run, err)
		}
	default:
		return fmt.Errorf("reading the run %s: %w", c.opt.Run, err)
	}
	c.sum.Started = c.run.Started
	c.msgID = "@" + c.opt.Run + "." + fmt.Sprint(c.run.Started.UnixNano())
	return nil
}

// storePath is the store file's absolute path: the same store is named the
// same from any working directory.
func storePath(st *store.Store) string {
	if p, err := filepath.Abs(st.Path()); err == nil {
		return p
	}
	return st.Path()
}

// failedKey is where a report's failure is kept while the run is under way.
func (c *coordinator) failedKey(reportID string) string {
	return c.opt.Run + ".failed." + reportID
}

// plan lists the reports and, for those not finished before a restart, the
// jobs they need.
func (c *coordinator) plan(ctx context.Context) error {
	targets, err := corpus.Plan(c.st)
	if err != nil {
		return err
	}
	c.targets = targets
	failed := map[string]string{}
	if c.sum.Resumed {
		if failed, err = c.failedBefore(ctx); err != nil {
			return err
		}
	}
	for i := range targets {
		t := &targets[i]
		if reason, ok := failed[t.ReportID]; ok {
			c.sum.Failed++
			c.sum.Errors = append(c.sum.Errors, reason)
			continue
		}
		if c.opt.Scope == ScopeUnreadScans && !c.unreadScan(t.ReportID) {
			continue
		}
		if c.sum.Resumed && c.doneBefore(t.ReportID) {
			c.sum.AlreadyDone++
			continue
		}
		c.pending[i] = true
		for _, capt := range t.Captures() {
			key := JobKey(extract.Version, capt)
			js := c.jobs[key]
			if js == nil {
				js = &jobState{job: Job{V: MessageVersion, Run: c.opt.Run, Key: key, Op: OpExtract, SHA256: capt.SHA256,
					Size: capt.Size, URL: capt.URL, Name: capt.Name, ContentType: corpus.Document(capt, nil).ContentType,
					Extractor: extract.Version}}
				c.jobs[key] = js
				c.order = append(c.order, key)
				c.shaLeft[capt.SHA256]++
			}
			if len(js.targets) == 0 || js.targets[len(js.targets)-1] != i {
				js.waiting++
				js.targets = append(js.targets, i)
			}
		}
	}
	c.sum.Jobs = len(c.jobs)
	c.sum.Reports = len(c.pending) + c.sum.AlreadyDone + c.sum.Failed
	return nil
}

// ScopeUnreadScans names the run that reads only the scans left unread.
const ScopeUnreadScans = "unread-scans"

// unreadScan reports whether a report's record, or one of its documents'
// records, says a scan was not read (extract.UnreadScan).
func (c *coordinator) unreadScan(reportID string) bool {
	e, err := c.st.Entry(reportID)
	if err != nil {
		return false
	}
	recs := []*report.Record{e.Record}
	for _, comp := range e.Components {
		recs = append(recs, comp.Record)
	}
	for _, r := range recs {
		if extract.UnreadScan(r) {
			return true
		}
	}
	return false
}

// failedBefore reads the failures recorded before a restart.
func (c *coordinator) failedBefore(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	lister, err := c.kv.ListKeysFiltered(ctx, c.opt.Run+".failed.>")
	if err != nil {
		return nil, fmt.Errorf("listing the failures of the run %s: %w", c.opt.Run, err)
	}
	prefix := c.opt.Run + ".failed."
	for key := range lister.Keys() {
		e, err := c.kv.Get(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", key, err)
		}
		out[key[len(prefix):]] = string(e.Value())
	}
	return out, nil
}

// doneBefore reports whether this run already committed the report: its
// record is of this extractor and was written after the run began.
func (c *coordinator) doneBefore(reportID string) bool {
	e, err := c.st.Entry(reportID)
	return err == nil && e.Extractor == c.run.Extractor && !e.ExtractedAt.Before(c.run.Started)
}
