package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/store"
)

// publisher puts documents in the object store and publishes their jobs,
// alongside the collection of results, never more than the window ahead of
// the answers.
type publisher struct {
	missing chan missing    // jobs whose document the store lacks
	done    chan publishEnd // one value when every job is published, or publishing failed
	slots   chan struct{}   // a slot per job published and not answered
	cancel  context.CancelFunc
	ended   chan struct{}
	// count is how many jobs, in the order of the reports, are published
	// (or sent on missing): the others cannot be lost yet.
	count atomic.Int64
}

type missing struct {
	key string
	err error
}

type publishEnd struct {
	uploaded int
	err      error
}

// startPublishing opens the object store and starts publishing the jobs in
// the order of the reports. A job published before a restart is dropped by
// the duplicate window (its message id is the same).
func (c *coordinator) startPublishing(ctx context.Context) (*publisher, error) {
	obs, err := c.js.ObjectStore(ctx, RawBucket)
	if err != nil {
		return nil, fmt.Errorf("opening the object store %s: %w", RawBucket, err)
	}
	c.obs = obs
	jobs := make([]Job, len(c.order)) // copies: the collection owns the job states
	for i, key := range c.order {
		jobs[i] = c.jobs[key].job
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &publisher{
		missing: make(chan missing, 256),
		done:    make(chan publishEnd, 1),
		slots:   make(chan struct{}, c.opt.Window),
		cancel:  cancel,
		ended:   make(chan struct{}),
	}
	go func() {
		defer close(p.ended)
		n, err := p.run(ctx, c.js, obs, c.st, c.msgID, jobs)
		p.done <- publishEnd{uploaded: n, err: err}
	}()
	return p, nil
}

// stop ends the publishing and waits for it.
func (p *publisher) stop() { p.cancel(); <-p.ended }

// release frees the slot of an answered job. A job answered before it was
// published in this process (a result from before a restart) frees none.
func (p *publisher) release() {
	select {
	case <-p.slots:
	default:
	}
}

func (p *publisher) run(ctx context.Context, js jetstream.JetStream, obs jetstream.ObjectStore, st *store.Store, msgID string, jobs []Job) (int, error) {
	uploaded := 0
	for _, job := range jobs {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return uploaded, fmt.Errorf("publishing jobs: %w", ctx.Err())
		}
		up, err := upload(ctx, obs, st, job)
		if err != nil {
			var m missingError
			if !errors.As(err, &m) {
				return uploaded, err
			}
			select {
			case p.missing <- missing{key: job.Key, err: m.err}:
			case <-ctx.Done():
				return uploaded, fmt.Errorf("publishing jobs: %w", ctx.Err())
			}
			p.count.Add(1)
			continue
		}
		if up {
			uploaded++
		}
		b, err := json.Marshal(job)
		if err != nil {
			return uploaded, fmt.Errorf("encoding the job %s: %w", job.Key, err)
		}
		if _, err := js.Publish(ctx, jobsSubject+"."+job.Run, b, jetstream.WithMsgID(job.Key+msgID)); err != nil {
			return uploaded, fmt.Errorf("publishing the job %s: %w", job.Key, err)
		}
		p.count.Add(1)
	}
	return uploaded, nil
}

// missingError is a document the store lacks: its job fails, as it fails a
// local run, and the others go on.
type missingError struct{ err error }

func (m missingError) Error() string { return m.err.Error() }

// upload puts a job's document in the object store unless it is there.
func upload(ctx context.Context, obs jetstream.ObjectStore, st *store.Store, job Job) (bool, error) {
	sha := job.SHA256
	if _, err := obs.GetInfo(ctx, sha); err == nil {
		return false, nil
	} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
		return false, fmt.Errorf("looking up %s in the object store: %w", sha, err)
	}
	body, err := st.Raw(sha)
	if err != nil {
		return false, missingError{corpus.RawMissing(&store.Capture{URL: job.URL, Name: job.Name, SHA256: sha}, err)}
	}
	if _, err := obs.PutBytes(ctx, sha, body); err != nil {
		return false, fmt.Errorf("putting %s in the object store: %w", sha, err)
	}
	return true, nil
}

// firstAnswer is told when a job is answered for the first time: its slot
// is freed, and its document removed from the object store once every job
// reading it is answered.
func (c *coordinator) firstAnswer(ctx context.Context, p *publisher, js *jobState) {
	if p != nil {
		p.release()
	}
	sha := js.job.SHA256
	if c.shaLeft[sha]--; c.shaLeft[sha] == 0 && c.obs != nil {
		if err := c.obs.Delete(ctx, sha); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) && ctx.Err() == nil {
			c.sum.Warnings = append(c.sum.Warnings, fmt.Sprintf("removing %s from the object store: %v", sha, err))
		}
	}
}
