package fanout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/fanout/natstest"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// hostile is an extractor that panics on one document and kills its worker
// on another (the worker's context ends mid-job, as a process killed).
type hostile struct {
	real corpus.Extractor
	die  context.CancelFunc
}

func (h hostile) Extract(ctx context.Context, doc extract.Document) (*report.Record, error) {
	switch doc.Name {
	case "panic.txt":
		var rows []int
		_ = rows[len(doc.Body)] // out of range: the extractor panics
	case "dies.txt":
		h.die()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return h.real.Extract(ctx, doc)
}

// A document that panics the extractor and one every worker dies on end as
// failed reports with their reasons; the other reports are committed.
func TestPanicAndLostJob(t *testing.T) {
	ctx := context.Background()
	url := natstest.Start(t)
	dir := t.TempDir()
	seed, err := os.ReadFile("../../shared/fixtures/seeds/000_594cca86a0db9b9c.txt")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"a.txt": seed, "b.txt": append(seed, '\n'), "panic.txt": []byte("x"), "dies.txt": []byte("y")}
	for name, b := range files {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	if _, err := corpus.Import(ctx, st, ex, []string{dir}, nil); err != nil {
		t.Fatal(err)
	}
	nc, js, err := Connect(ctx, url, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()

	workCtx, stopWork := context.WithCancel(ctx)
	workers := make(chan int, 1)
	go func() { // a worker that dies is replaced, as systemd restarts one
		n := 0
		for workCtx.Err() == nil {
			wctx, die := context.WithCancel(workCtx)
			_ = Work(wctx, js, WorkerOptions{Name: "w", Extractor: hostile{real: ex, die: die}})
			die()
			n++
		}
		workers <- n
	}()
	sum, err := Coordinate(ctx, js, st, CoordinatorOptions{Run: "t1", Group: 100 * time.Millisecond,
		Window: 2, Settings: Settings{AckWait: 2 * time.Second, MaxDeliver: 2, Duplicates: time.Hour}})
	stopWork()
	started := <-workers
	if err != nil {
		t.Fatal(err)
	}
	if sum.Reports != 4 || sum.Committed != 2 || sum.Failed != 2 {
		t.Fatalf("summary: %+v", sum)
	}
	var panicked, lost bool
	for _, e := range sum.Errors {
		panicked = panicked || strings.HasPrefix(e, "panic.txt: the extractor panicked: runtime error: index out of range [1] with length 0")
		lost = lost || strings.HasPrefix(e, "dies.txt: no worker finished the job after 2 deliveries")
	}
	if !panicked || !lost {
		t.Errorf("the failures do not give their reasons: %q", sum.Errors)
	}
	if started < 3 { // two died on dies.txt, the third ran until the end
		t.Errorf("%d workers started", started)
	}
	// The run leaves nothing behind: a new run of the same name starts afresh.
	kv, _ := js.KeyValue(ctx, RunsBucket)
	if _, err := kv.Get(ctx, "t1"); err == nil {
		t.Errorf("the run's record outlived it")
	}
	obs, _ := js.ObjectStore(ctx, RawBucket)
	if list, err := obs.List(ctx); err == nil || !errors.Is(err, jetstream.ErrNoObjectsFound) {
		t.Errorf("documents left in the object store: %d (%v)", len(list), err)
	}
	s, _ := js.Stream(ctx, ResultsStream)
	if info, err := s.Info(ctx); err != nil || info.State.Msgs != 0 {
		t.Errorf("results left: %v %v", info.State.Msgs, err)
	}
}
