package crawler

import "sync"

// runMoves remembers where this run's pages redirected to, so that a loop
// whose ends were each linked on their own (A → B asked from one link, B → A
// from another, each request's chain empty) is seen as the loop it is, not
// logged as two moves. What it keeps is bounded: past maxMoves it starts
// again (a loop spread across the reset is then logged as moves, as before).
type runMoves struct {
	mu sync.Mutex
	to map[string]string // the address a page redirected to → where to
}

// maxMoves bounds the redirects a run remembers.
const maxMoves = 200_000

// add remembers that from redirected to to.
func (m *runMoves) add(from, to string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.to == nil || len(m.to) >= maxMoves {
		m.to = map[string]string{}
	}
	m.to[from] = to
}

// loops reports whether following this run's redirects from to leads back to
// from within maxRedirects hops.
func (m *runMoves) loops(from, to string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	at := to
	for range maxRedirects {
		next, ok := m.to[at]
		if !ok {
			return false
		}
		if next == from {
			return true
		}
		at = next
	}
	return false
}
