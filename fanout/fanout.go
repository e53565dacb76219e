// Package fanout spreads the work on documents — re-extraction, and the OCR
// of scans it includes — over any number of machines with NATS JetStream,
// while the store stays one bbolt file with one writer.
//
// The coordinator (Coordinate, `nianbao reextract --nats URL`) reads the
// store, puts each document's raw bytes in a JetStream object store and
// publishes one job per document on a work-queue stream. Workers (Work,
// `nianbao worker --nats URL`) pull jobs, run the same extractor as a local
// run and publish the record on a results stream, then acknowledge the job.
// The coordinator assembles each report's record with the code a local run
// uses (corpus.Target.Assemble) and commits them in groups (corpus.Writer).
//
// Everything is idempotent by content: a job's message id is its key (the
// extractor version, the document's hash and how it is named), so jobs
// published again after a coordinator restart are dropped by JetStream's
// duplicate window; a result is acknowledged only once its report is
// committed (or recorded as failed), so a coordinator killed mid-run finds
// the uncommitted results again; a report whose record already carries this
// run's extraction is not written twice. A worker killed mid-job loses
// nothing: the job is delivered again after the ack wait. A job that fails
// is retried up to MaxDeliver times, then reported failed with its reason.
//
// A run may be limited to the reports with a scan left unread
// (ScopeUnreadScans): `crawl --nats` crawls without OCR and then has the
// workers read its scans.
package fanout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// Names of the JetStream resources. They are shared by every run: a run's
// jobs and results have their own subjects.
const (
	JobsStream      = "NIANBAO_JOBS"
	ResultsStream   = "NIANBAO_RESULTS"
	WorkersConsumer = "workers"
	RawBucket       = "nianbao_raw"
	RunsBucket      = "nianbao_runs"
	jobsSubject     = "nianbao.jobs"
	resultsSubject  = "nianbao.results"
)

// MessageVersion is the layout version of Job and Result; a worker refuses
// a job of another version.
const MessageVersion = 1

// OpExtract is a job's one operation: extract the document (reading scans
// with OCR where the worker has it, as a local run does).
const OpExtract = "extract"

// Job is one document to extract.
type Job struct {
	V   int    `json:"v"`
	Run string `json:"run"`
	// Key names the work: the extractor version, the document's hash and
	// its name, URL and content type (which the extractor reads too). It is
	// the message id that JetStream deduplicates by.
	Key         string `json:"key"`
	Op          string `json:"op"`
	SHA256      string `json:"sha256"`
	Size        int    `json:"size"`
	URL         string `json:"url,omitempty"`
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// Extractor is the extractor version the coordinator runs: a worker
	// with another version does not do the job.
	Extractor string `json:"extractor"`
}

// Result is a worker's answer to a job: the record, or why there is none.
type Result struct {
	V         int            `json:"v"`
	Run       string         `json:"run"`
	Key       string         `json:"key"`
	SHA256    string         `json:"sha256"`
	Extractor string         `json:"extractor"`
	Record    *report.Record `json:"record,omitempty"`
	Error     string         `json:"error,omitempty"`
	Worker    string         `json:"worker"`
	Attempt   int            `json:"attempt"` // the job's delivery this result answers
	Millis    int64          `json:"ms"`      // the extraction's time
}

// Settings tune the queue. The coordinator sets them on the shared consumer;
// workers read them from it.
type Settings struct {
	// AckWait is how long a job may go without word from its worker before
	// it is delivered again; a worker working on a job says so every
	// AckWait/3, so a long OCR is not taken for a dead worker.
	AckWait time.Duration
	// MaxDeliver bounds the attempts at one job.
	MaxDeliver int
	// Duplicates is JetStream's duplicate window: a job published again
	// within it (a coordinator restarted) is dropped.
	Duplicates time.Duration
}

// DefaultSettings suit a real corpus.
func DefaultSettings() Settings {
	return Settings{AckWait: time.Minute, MaxDeliver: 3, Duplicates: 24 * time.Hour}
}

// Connect dials a NATS server and opens JetStream on it.
func Connect(ctx context.Context, url, name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to NATS at %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("opening JetStream at %s: %w", url, err)
	}
	if _, err := js.AccountInfo(ctx); err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("JetStream at %s (is the server started with -js?): %w", url, err)
	}
	return nc, js, nil
}

// setup creates (or updates) the streams, the workers' consumer and the
// buckets.
func setup(ctx context.Context, js jetstream.JetStream, s Settings) error {
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: JobsStream, Subjects: []string{jobsSubject + ".>"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Duplicates: s.Duplicates,
	})
	if err != nil {
		return fmt.Errorf("creating the stream %s: %w", JobsStream, err)
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ResultsStream, Subjects: []string{resultsSubject + ".>"}, Retention: jetstream.LimitsPolicy,
		Storage: jetstream.FileStorage, MaxAge: 30 * 24 * time.Hour,
	})
	if err != nil {
		return fmt.Errorf("creating the stream %s: %w", ResultsStream, err)
	}
	_, err = js.CreateOrUpdateConsumer(ctx, JobsStream, jetstream.ConsumerConfig{
		Durable: WorkersConsumer, AckPolicy: jetstream.AckExplicitPolicy, AckWait: s.AckWait,
		MaxDeliver: s.MaxDeliver, MaxAckPending: -1,
	})
	if err != nil {
		return fmt.Errorf("creating the consumer %s: %w", WorkersConsumer, err)
	}
	if _, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: RawBucket, Storage: jetstream.FileStorage}); err != nil {
		return fmt.Errorf("creating the object store %s: %w", RawBucket, err)
	}
	if _, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: RunsBucket, Storage: jetstream.FileStorage}); err != nil {
		return fmt.Errorf("creating the bucket %s: %w", RunsBucket, err)
	}
	return nil
}

// JobKey is the key of the job that extracts capture c with extractor
// version: two captures that give the extractor the same input share it.
func JobKey(version string, c *store.Capture) string {
	d := corpus.Document(c, nil)
	h := sha256.Sum256([]byte(version + "\x00" + d.URL + "\x00" + d.Name + "\x00" + d.ContentType))
	return c.SHA256 + "-" + hex.EncodeToString(h[:6])
}

// RunName names the run of an extractor version on a store, so that a
// coordinator started again on the same store resumes its run.
func RunName(host, storePath, version string) string {
	h := sha256.Sum256([]byte(host + "\x00" + storePath + "\x00" + version))
	return "r" + hex.EncodeToString(h[:8])
}

// errNoWorkers says the queue holds no consumer yet.
var errNoWorkers = errors.New("no coordinator has set up the queue yet")
