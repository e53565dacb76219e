package crawler

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// The bytes of answers held in flight are bounded across the whole crawl, not
// only per answer: 80 hosts answering 41 MB bodies at once (each under
// max_bytes) had the process killed in 8 seconds. A body is read freely up
// to smallBody; past it, it needs one of the crawl's permits for large
// bodies, held until its request has been processed and committed, and the
// permits are MemoryBudget ÷ max_bytes. A large body waits for a permit
// (its server waits with it) while the bodies that hold one finish, so the
// crawl never holds more than MemoryBudget of large bodies, plus smallBody
// a request in flight, and cannot deadlock: a body waiting holds no permit.
const smallBody = 1 << 20

// slotHeader carries a request's slot from the collector to the transport,
// which takes it off before the request is sent.
const slotHeader = "X-Nianbao-Slot"

// bodyGate hands out the permits.
type bodyGate struct {
	permits chan struct{}
	slots   sync.Map // slot id → *slot, while its request is fetched
	ids     atomic.Uint64
	held    atomic.Int64 // permits held now
	most    atomic.Int64 // the most held at once (for the tests)
}

func newBodyGate(budget, maxBytes int64) *bodyGate {
	n := max(1, budget/max(maxBytes, smallBody))
	return &bodyGate{permits: make(chan struct{}, n)}
}

// register names a slot for the transport; the returned func forgets it.
func (g *bodyGate) register(s *slot, h http.Header) func() {
	id := strconv.FormatUint(g.ids.Add(1), 10)
	g.slots.Store(id, s)
	h.Set(slotHeader, id)
	return func() { g.slots.Delete(id) }
}

// acquire takes a permit for s, waiting for one or for ctx to end.
func (g *bodyGate) acquire(ctx context.Context, s *slot) error {
	select {
	case g.permits <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.permit = true
	held := g.held.Add(1)
	for m := g.most.Load(); held > m && !g.most.CompareAndSwap(m, held); m = g.most.Load() {
	}
	return nil
}

// release gives back s's permit, once its answer is processed.
func (g *bodyGate) release(s *slot) {
	if s != nil && s.permit {
		s.permit = false
		g.held.Add(-1)
		<-g.permits
	}
}

// gated is a transport that finds a request's slot and reads its body
// through the gate.
type gated struct {
	next http.RoundTripper
	gate *bodyGate
}

func (t gated) RoundTrip(r *http.Request) (*http.Response, error) {
	id := r.Header.Get(slotHeader)
	if id == "" {
		return t.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Del(slotHeader)
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if v, ok := t.gate.slots.Load(id); ok {
		resp.Body = &gatedBody{ReadCloser: resp.Body, ctx: r.Context(), gate: t.gate, slot: v.(*slot)}
	}
	return resp, nil
}

// gatedBody asks the gate for a permit once it has given smallBody bytes.
type gatedBody struct {
	io.ReadCloser
	ctx  context.Context
	gate *bodyGate
	slot *slot
	read int64
}

func (b *gatedBody) Read(p []byte) (int, error) {
	if b.read >= smallBody && !b.slot.permit {
		if err := b.gate.acquire(b.ctx, b.slot); err != nil {
			return 0, err
		}
	}
	if !b.slot.permit && int64(len(p)) > smallBody-b.read {
		p = p[:smallBody-b.read] // up to the line, then a permit for the rest
	}
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	return n, err
}
