package fanout

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lostJobs fails the jobs no worker will answer: the workers' queue holds
// nothing to deliver and nothing in hand, every result has reached the
// coordinator, and still jobs of the run are unanswered. That is a job
// delivered the most times allowed to workers that died on it (or ran out
// of time) without a word.
func (c *coordinator) lostJobs(ctx context.Context, results jetstream.Consumer) error {
	workers, err := c.js.Consumer(ctx, JobsStream, WorkersConsumer)
	if err != nil {
		return fmt.Errorf("reading the consumer %s: %w", WorkersConsumer, err)
	}
	wi, err := workers.Info(ctx)
	if err != nil {
		return fmt.Errorf("reading the consumer %s: %w", WorkersConsumer, err)
	}
	if wi.NumPending > 0 || wi.NumAckPending > 0 || wi.NumRedelivered > 0 {
		return nil
	}
	ri, err := results.Info(ctx)
	if err != nil {
		return fmt.Errorf("reading the consumer of the results: %w", err)
	}
	if ri.NumPending > 0 || ri.NumAckPending > len(c.bySeq) {
		return nil
	}
	reason := fmt.Errorf("no worker finished the job after %d deliveries (each worker died on it or ran out of time)", wi.Config.MaxDeliver)
	for _, js := range c.jobs {
		if js.result == nil && js.err == nil && js.waiting > 0 {
			js.err = reason
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
