package corpus

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/nianbao/nianbao/store"
)

// VerifyResult is what Verify found.
type VerifyResult struct {
	Checked int
	Bad     []string // one line per document that is missing or differs
	// Orphans are the documents beside the store that no capture names
	// (without a manifest, and not read from a crawl's snapshot): left by a
	// process killed between a document and its commit. Harmless; a repair
	// removes them.
	Orphans     int
	OrphanBytes int64
}

// Verify re-hashes stored documents: those of a manifest (checking size too),
// or, with a nil manifest, every document a capture names (and any still
// inside an unmoved store file) against its key, and counts the orphans. One
// document is held at a time; progress (when set) is told of each (total 0:
// the store's documents, not counted beforehand).
func Verify(ctx context.Context, st *store.Store, manifest []store.ManifestEntry, progress Progress) (VerifyResult, error) {
	var res VerifyResult
	total := len(manifest)
	check := func(sha string, size int, what string) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("verify stopped after %d document(s): %w", res.Checked, err)
		}
		res.Checked++
		if progress != nil {
			defer progress(res.Checked, total, what, nil)
		}
		if err := st.Verify(sha, size); err != nil {
			if errors.Is(err, store.ErrMismatch) || errors.Is(err, store.ErrNotFound) {
				res.Bad = append(res.Bad, fmt.Sprintf("%s: %v", what, err))
				return nil
			}
			res.Bad = append(res.Bad, fmt.Sprintf("%s: unreadable: %v", what, err))
		}
		return nil
	}
	if manifest == nil {
		if err := st.DocumentHashes(func(sha string) error { return check(sha, -1, sha) }); err != nil {
			return res, err
		}
		if !st.Snapshotted().IsZero() {
			return res, nil // the running crawl's documents since the snapshot would count
		}
		err := st.Orphans(ctx, func(_, _ string, size int64) error {
			res.Orphans++
			res.OrphanBytes += size
			return nil
		})
		return res, err
	}
	seen := map[string]bool{}
	for _, m := range manifest {
		if seen[m.SHA256] {
			continue
		}
		seen[m.SHA256] = true
		what := m.URL
		if what == "" {
			what = m.Name
		}
		if err := check(m.SHA256, m.Size, what); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Latest keeps, for every URL of a manifest, its most recent fetch: what a
// rebuild fetches again and compares with.
func Latest(manifest []store.ManifestEntry) []store.ManifestEntry {
	byURL := map[string]store.ManifestEntry{}
	for _, m := range manifest {
		if m.Origin != "fetch" || m.URL == "" {
			continue
		}
		if old, ok := byURL[m.URL]; !ok || m.FetchedAt.After(old.FetchedAt) {
			byURL[m.URL] = m
		}
	}
	out := make([]store.ManifestEntry, 0, len(byURL))
	for _, m := range byURL {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

// RebuildResult compares a rebuilt store with the manifest it was fetched from.
type RebuildResult struct {
	Same    int
	Differ  []string // URL: old sha → new sha
	Missing []string // URL: why it was not fetched again (the class and detail of its last fetch)
}

// CompareRebuild compares each manifest document with the latest capture of
// its URL in the rebuilt store.
func CompareRebuild(st *store.Store, latest []store.ManifestEntry) (RebuildResult, error) {
	got := map[string]*store.Capture{}
	err := st.Captures(func(c *store.Capture) error {
		if old := got[c.URL]; old == nil || c.FetchedAt.After(old.FetchedAt) {
			got[c.URL] = c
		}
		return nil
	})
	var res RebuildResult
	if err != nil {
		return res, err
	}
	last := map[string]*store.FetchLog{} // why a document did not come back
	if err := st.Fetches(func(f *store.FetchLog) error { last[f.URL] = f; return nil }); err != nil {
		return res, err
	}
	for _, m := range latest {
		c := got[m.URL]
		switch {
		case c == nil:
			why := "never asked (out of scope, or its host given up before it: see the run's hosts)"
			if f := last[m.URL]; f != nil {
				why = string(f.Class)
				if f.Detail != "" {
					why += ": " + f.Detail
				}
				if f.Status != 0 {
					why += fmt.Sprintf(" (status %d)", f.Status)
				}
			}
			res.Missing = append(res.Missing, m.URL+": "+why)
		case c.SHA256 == m.SHA256:
			res.Same++
		default:
			res.Differ = append(res.Differ, fmt.Sprintf("%s: %s → %s", m.URL, short(m.SHA256), short(c.SHA256)))
		}
	}
	return res, nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
