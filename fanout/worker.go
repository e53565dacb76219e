package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// WorkerOptions configure Work.
type WorkerOptions struct {
	Name       string           // how the worker is named in results and progress
	Extractor  corpus.Extractor // the same extractor a local run builds
	JobTimeout time.Duration    // the most one extraction may take; 0: 10 minutes
	Log        io.Writer        // one line per job; nil: none
}

// Work pulls jobs and answers them until ctx is cancelled. It waits for a
// coordinator to set up the queue. A job is acknowledged only after its
// result is stored on the results stream, so a worker stopped at any point
// loses nothing.
func Work(ctx context.Context, js jetstream.JetStream, opt WorkerOptions) error {
	if opt.JobTimeout <= 0 {
		opt.JobTimeout = 10 * time.Minute
	}
	cons, err := waitConsumer(ctx, js)
	if err != nil {
		return err
	}
	obs, err := js.ObjectStore(ctx, RawBucket)
	if err != nil {
		return fmt.Errorf("worker %s: opening the object store %s: %w", opt.Name, RawBucket, err)
	}
	w := &worker{js: js, cons: cons, obs: obs, opt: opt}
	var read time.Time
	for ctx.Err() == nil {
		if time.Since(read) > 10*time.Second { // the coordinator may change the settings
			info, err := cons.Info(ctx)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				return fmt.Errorf("worker %s: reading the consumer %s: %w", opt.Name, WorkersConsumer, err)
			}
			w.maxDeliver, w.ackWait, read = info.Config.MaxDeliver, info.Config.AckWait, time.Now()
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("worker %s: fetching a job: %w", opt.Name, err)
		}
		for msg := range batch.Messages() {
			if err := w.handle(ctx, msg); err != nil {
				return err
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && ctx.Err() == nil {
			w.logf("fetch: %v", err)
		}
	}
	return nil
}

// waitConsumer waits for the workers' consumer, which the coordinator makes.
func waitConsumer(ctx context.Context, js jetstream.JetStream) (jetstream.Consumer, error) {
	for {
		cons, err := js.Consumer(ctx, JobsStream, WorkersConsumer)
		if err == nil {
			return cons, nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, fmt.Errorf("opening the consumer %s: %w", WorkersConsumer, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the queue: %w: %w", errNoWorkers, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

type worker struct {
	js         jetstream.JetStream
	cons       jetstream.Consumer
	obs        jetstream.ObjectStore
	opt        WorkerOptions
	maxDeliver int
	ackWait    time.Duration
}

func (w *worker) logf(format string, args ...any) {
	if w.opt.Log != nil {
		fmt.Fprintf(w.opt.Log, "worker %s: %s\n", w.opt.Name, fmt.Sprintf(format, args...))
	}
}

// handle does one job. Its error ends the worker (the results stream cannot
// be written); a job's own failure is a result.
func (w *worker) handle(ctx context.Context, msg jetstream.Msg) error {
	meta, err := msg.Metadata()
	if err != nil {
		return fmt.Errorf("worker %s: reading a job's metadata: %w", w.opt.Name, err)
	}
	attempt := int(meta.NumDelivered)
	last := w.maxDeliver > 0 && attempt >= w.maxDeliver
	var job Job
	if err := json.Unmarshal(msg.Data(), &job); err != nil || job.V != MessageVersion {
		w.logf("a job that is not version %d of this layout (%v): dropped", MessageVersion, err)
		return msg.Term()
	}
	if job.Extractor != extract.Version && !last {
		w.logf("job %s wants extractor %s, this worker runs %s: left for another worker", job.Key, job.Extractor, extract.Version)
		return msg.NakWithDelay(5 * time.Second)
	}
	w.logf("job %s attempt %d: start", job.Key, attempt)
	start := time.Now()
	stop := w.keepAlive(msg)
	rec, jobErr := w.run(ctx, job)
	stop()
	if ctx.Err() != nil {
		_ = msg.Nak() // stopped: the job is delivered again, to another worker
		return nil
	}
	res := Result{V: MessageVersion, Run: job.Run, Key: job.Key, SHA256: job.SHA256, Extractor: extract.Version,
		Record: rec, Worker: w.opt.Name, Attempt: attempt, Millis: time.Since(start).Milliseconds()}
	if jobErr != nil {
		if info, err := w.cons.Info(ctx); err == nil { // the settings as they are now
			w.maxDeliver = info.Config.MaxDeliver
			last = w.maxDeliver > 0 && attempt >= w.maxDeliver
		}
		if !last {
			w.logf("job %s attempt %d of %d failed, to be tried again: %v", job.Key, attempt, w.maxDeliver, jobErr)
			return msg.NakWithDelay(time.Second)
		}
		res.Error = jobErr.Error()
	}
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("worker %s: encoding the result of %s: %w", w.opt.Name, job.Key, err)
	}
	if _, err := w.js.Publish(ctx, resultsSubject+"."+job.Run, b); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("worker %s: publishing the result of %s: %w", w.opt.Name, job.Key, err)
	}
	if err := msg.DoubleAck(ctx); err != nil && ctx.Err() == nil {
		w.logf("job %s: the acknowledgement was not confirmed (%v): it may be done again", job.Key, err)
	}
	w.logf("job %s attempt %d: done in %s (error: %v)", job.Key, attempt, time.Since(start).Round(time.Millisecond), jobErr)
	return nil
}

// keepAlive tells the server the job is in hand every third of the ack
// wait, until stop is called.
func (w *worker) keepAlive(msg jetstream.Msg) (stop func()) {
	every := w.ackWait / 3
	if every <= 0 {
		every = 10 * time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = msg.InProgress() // a lost one only risks the job done twice
			}
		}
	}()
	return func() { close(done); <-finished }
}

// run fetches the document and extracts it within the job's time, turning
// a panic of the extractor into an error.
func (w *worker) run(ctx context.Context, job Job) (rec *report.Record, err error) {
	if job.Op != OpExtract {
		return nil, fmt.Errorf("unknown operation %q", job.Op)
	}
	ctx, cancel := context.WithTimeout(ctx, w.opt.JobTimeout)
	defer cancel()
	body, err := w.obs.GetBytes(ctx, job.SHA256)
	if err != nil {
		return nil, fmt.Errorf("fetching the document %s from the object store: %w", job.SHA256, err)
	}
	if got := store.SHA256(body); got != job.SHA256 {
		return nil, fmt.Errorf("the object store's copy of %s hashes to %s", job.SHA256, got)
	}
	defer func() {
		if p := recover(); p != nil {
			w.logf("job %s: the extractor panicked: %v\n%s", job.Key, p, debug.Stack())
			rec, err = nil, fmt.Errorf("the extractor panicked: %v", p)
		}
	}()
	c := &store.Capture{URL: job.URL, Name: job.Name, ContentType: job.ContentType}
	rec, err = w.opt.Extractor.Extract(ctx, corpus.Document(c, body))
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("extraction took longer than %s: %w", w.opt.JobTimeout, err)
	}
	return rec, err
}
