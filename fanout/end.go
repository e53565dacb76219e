package fanout

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/store"
)

// lostJobs fails the jobs no worker will answer: the workers' queue holds
// nothing to deliver and nothing in hand, every result has reached the
// coordinator, and still jobs of the run that were published are
// unanswered. That is a job delivered the most times allowed to workers
// that died on it (or ran out of time) without a word.
//
// (JetStream also publishes an advisory when a job reaches its last
// delivery; this look at the queue needs no subscription that a
// coordinator stopped at the time would have missed.)
func (c *coordinator) lostJobs(ctx context.Context, results jetstream.Consumer) error {
	published := c.order[:c.pub.count.Load()] // before the queue is read: all of them are in it
	if err := c.publishing(ctx); err != nil { // the documents found missing among them
		return err
	}
	workers, err := c.js.Consumer(ctx, JobsStream, WorkersConsumer)
	if err != nil {
		return fmt.Errorf("reading the consumer %s: %w", WorkersConsumer, err)
	}
	wi, err := workers.Info(ctx)
	if err != nil {
		return fmt.Errorf("reading the consumer %s: %w", WorkersConsumer, err)
	}
	// A job past its last delivery stays counted as redelivered: pending
	// and in hand are what say work is under way. Two looks, with nothing
	// delivered between them, make sure no job was between deliveries.
	if wi.NumPending > 0 || wi.NumAckPending > 0 {
		c.idle = 0
		return nil
	}
	if c.idle == 0 || c.idle != wi.Delivered.Consumer+1 {
		c.idle = wi.Delivered.Consumer + 1
		return nil
	}
	ri, err := results.Info(ctx)
	if err != nil {
		return fmt.Errorf("reading the consumer of the results: %w", err)
	}
	if ri.NumPending > 0 || ri.NumAckPending > len(c.bySeq) {
		return nil
	}
	for _, key := range published {
		js := c.jobs[key]
		if js.result == nil && js.err == nil && js.waiting > 0 {
			js.err = fmt.Errorf("%s: no worker finished the job after %d deliveries (each worker died on it or ran out of time)",
				corpus.Describe(&store.Capture{URL: js.job.URL, Name: js.job.Name, SHA256: js.job.SHA256}), wi.Config.MaxDeliver)
			c.firstAnswer(ctx, c.pub, js)
			if err := c.answered(ctx, js); err != nil {
				return err
			}
		}
	}
	return nil
}

// end removes the run's traces from the server once every report is
// finished: its jobs, results, consumer and record.
func (c *coordinator) end(ctx context.Context) error {
	c.sum.Finished = time.Now().UTC()
	if err := c.js.DeleteConsumer(ctx, ResultsStream, c.resultsConsumer()); err != nil {
		return fmt.Errorf("removing the consumer of the run's results: %w", err)
	}
	for stream, subject := range map[string]string{
		ResultsStream:      resultsSubject + "." + c.opt.Run,
		JobsStream:         jobsSubject + "." + c.opt.Run,
		"KV_" + RunsBucket: "$KV." + RunsBucket + "." + c.opt.Run + ".>",
	} {
		s, err := c.js.Stream(ctx, stream)
		if err != nil {
			return fmt.Errorf("opening the stream %s: %w", stream, err)
		}
		if err := s.Purge(ctx, jetstream.WithPurgeSubject(subject)); err != nil {
			return fmt.Errorf("purging %s of %s: %w", subject, stream, err)
		}
	}
	if err := c.kv.Purge(ctx, c.opt.Run); err != nil {
		return fmt.Errorf("removing the record of the run %s: %w", c.opt.Run, err)
	}
	return nil
}

// progress says how the run goes.
func (c *coordinator) progress() Progress {
	p := Progress{Reports: c.sum.Reports - c.sum.AlreadyDone, Committed: c.writer.Written(), Failed: c.sum.Failed,
		Jobs: c.sum.Jobs, PerWorker: map[string]int{}, Elapsed: time.Since(c.started)}
	for w, n := range c.sum.PerWorker {
		p.PerWorker[w] = n
	}
	for _, js := range c.jobs {
		if js.waiting > 0 && js.result == nil && js.err == nil {
			p.Queued++
		}
	}
	if s := p.Elapsed.Seconds(); s > 0 && c.finished > 0 {
		p.Rate = float64(c.finished) / s
		p.ETA = time.Duration(float64(len(c.pending)) / p.Rate * float64(time.Second))
	}
	return p
}
