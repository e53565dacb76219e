package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// resultsConsumer is the coordinator's durable consumer of its run's
// results: what it has not acknowledged (not committed) comes back after a
// restart.
func (c *coordinator) resultsConsumer() string { return "coord-" + c.opt.Run }

// collect receives results and commits records until every report of the
// run is finished.
func (c *coordinator) collect(ctx context.Context, pub *publisher) error {
	cons, err := c.js.CreateOrUpdateConsumer(ctx, ResultsStream, jetstream.ConsumerConfig{
		Durable: c.resultsConsumer(), FilterSubject: resultsSubject + "." + c.opt.Run,
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: 2 * time.Minute, MaxDeliver: -1, MaxAckPending: 100000,
	})
	if err != nil {
		return fmt.Errorf("creating the consumer of the run's results: %w", err)
	}
	c.pub = pub
	lastFlush, lastProgress := time.Now(), time.Now()
	for len(c.pending) > 0 {
		if err := ctx.Err(); err != nil {
			return c.stop(ctx, err)
		}
		batch, err := cons.Fetch(100, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return c.stop(ctx, fmt.Errorf("fetching results: %w", err))
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			if err := c.receive(ctx, msg); err != nil {
				return c.stop(ctx, err)
			}
		}
		if err := c.publishing(ctx); err != nil {
			return c.stop(ctx, err)
		}
		if time.Since(lastFlush) >= c.opt.Group || len(c.pending) == 0 {
			if err := c.commit(ctx); err != nil {
				return err
			}
			lastFlush = time.Now()
		}
		if got == 0 && len(c.pending) > 0 {
			if err := c.lostJobs(ctx, cons); err != nil {
				return c.stop(ctx, err)
			}
		}
		if c.opt.Progress != nil && (time.Since(lastProgress) >= 3*time.Second || len(c.pending) == 0) {
			c.opt.Progress(c.progress())
			lastProgress = time.Now()
		}
	}
	return c.commit(ctx)
}

// publishing takes what the publisher has reported: jobs whose document
// the store lacks, and its end.
func (c *coordinator) publishing(ctx context.Context) error {
	pub := c.pub
	for !c.published {
		select {
		case m := <-pub.missing:
			js := c.jobs[m.key]
			if js.result == nil && js.err == nil {
				js.err = m.err
				c.firstAnswer(ctx, pub, js)
				if err := c.answered(ctx, js); err != nil {
					return err
				}
			}
		case end := <-pub.done:
			c.sum.Uploaded, c.published = end.uploaded, true
			return end.err
		default:
			return nil
		}
	}
	return nil
}

// stop commits what is in hand and ends the collection with err.
func (c *coordinator) stop(ctx context.Context, err error) error {
	if cerr := c.commit(context.WithoutCancel(ctx)); cerr != nil {
		return errors.Join(err, cerr)
	}
	return err
}

// receive takes one result.
func (c *coordinator) receive(ctx context.Context, msg jetstream.Msg) error {
	meta, err := msg.Metadata()
	if err != nil {
		return fmt.Errorf("reading a result's metadata: %w", err)
	}
	if js := c.bySeq[meta.Sequence.Stream]; js != nil { // delivered again while held
		for i, m := range js.msgs {
			if mm, err := m.Metadata(); err == nil && mm.Sequence.Stream == meta.Sequence.Stream {
				js.msgs[i] = msg
			}
		}
		return nil
	}
	var res Result
	if err := json.Unmarshal(msg.Data(), &res); err != nil || res.V != MessageVersion {
		c.sum.Errors = append(c.sum.Errors, fmt.Sprintf("a result that is not version %d of this layout (%v): dropped", MessageVersion, err))
		return msg.Term()
	}
	c.sum.Results++
	c.sum.PerWorker[res.Worker]++
	js := c.jobs[res.Key]
	if js == nil || js.waiting == 0 {
		return msg.Ack() // a report finished before a restart, or a job done twice
	}
	js.msgs = append(js.msgs, msg)
	c.bySeq[meta.Sequence.Stream] = js
	if js.result != nil {
		return nil // done twice: the first answer stands
	}
	if res.Error == "" && res.Extractor != extract.Version {
		res.Error = fmt.Sprintf("the worker %s ran extractor %s, not %s", res.Worker, res.Extractor, extract.Version)
		res.Record = nil
	}
	js.result, _ = json.Marshal(res)
	if js.err == nil {
		c.firstAnswer(ctx, c.pub, js)
	}
	js.err = nil // a job given up as lost that was answered after all
	return c.answered(ctx, js)
}

// answered assembles every target of a job whose every document is now
// answered.
func (c *coordinator) answered(ctx context.Context, js *jobState) error {
	if js.result == nil && js.err == nil {
		return nil
	}
	for _, i := range js.targets {
		if !c.pending[i] || !c.ready(&c.targets[i]) {
			continue
		}
		if err := c.finish(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// ready reports whether every document of a target is answered.
func (c *coordinator) ready(t *corpus.Target) bool {
	for _, capt := range t.Captures() {
		js := c.jobs[JobKey(extract.Version, capt)]
		if js.result == nil && js.err == nil {
			return false
		}
	}
	return true
}

// finish assembles a target's record (with the code a local run uses) and
// queues it, or records its failure.
func (c *coordinator) finish(ctx context.Context, i int) error {
	t := &c.targets[i]
	delete(c.pending, i)
	c.finished++
	e, err := t.Assemble(ctx, c.read, time.Now().UTC())
	if err != nil {
		c.sum.Failed++
		c.sum.Errors = append(c.sum.Errors, err.Error())
		if _, kerr := c.kv.Put(ctx, c.failedKey(t.ReportID), []byte(err.Error())); kerr != nil {
			return fmt.Errorf("recording the failure of report %s: %w", t.ReportID, kerr)
		}
	}
	seen := map[string]bool{}
	for _, capt := range t.Captures() {
		key := JobKey(extract.Version, capt)
		if seen[key] {
			continue
		}
		seen[key] = true
		js := c.jobs[key]
		if js.waiting--; js.waiting == 0 {
			c.toAck = append(c.toAck, js.msgs...)
			for _, m := range js.msgs {
				if mm, err := m.Metadata(); err == nil {
					delete(c.bySeq, mm.Sequence.Stream)
				}
			}
			js.msgs, js.result = nil, nil // the record is in hand: the answer is no longer needed
		}
	}
	if err != nil {
		return nil
	}
	return c.writer.Add(e)
}

// read is the Reader of a distributed run: a document's record is its
// job's result, decoded afresh for every report that reads it.
func (c *coordinator) read(_ context.Context, capt *store.Capture) (*report.Record, error) {
	js := c.jobs[JobKey(extract.Version, capt)]
	if js.err != nil {
		return nil, js.err
	}
	var res Result
	if err := json.Unmarshal(js.result, &res); err != nil {
		return nil, fmt.Errorf("%s: decoding the worker's result: %w", corpus.Describe(capt), err)
	}
	if res.Error != "" {
		return nil, fmt.Errorf("%s: %s", corpus.Describe(capt), res.Error)
	}
	if res.Record == nil {
		return nil, fmt.Errorf("%s: the worker %s answered without a record", corpus.Describe(capt), res.Worker)
	}
	return res.Record, nil
}

// commit writes the queued records in one transaction, then acknowledges
// the results they were built from.
func (c *coordinator) commit(ctx context.Context) error {
	if err := c.writer.Flush(); err != nil {
		return err
	}
	c.sum.Committed = c.writer.Written()
	for _, m := range c.toAck {
		if err := m.Ack(); err != nil && ctx.Err() == nil {
			return fmt.Errorf("acknowledging a committed result: %w", err)
		}
	}
	c.toAck = c.toAck[:0]
	return nil
}
