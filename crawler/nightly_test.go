package crawler

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// TestNightlyHarvest crawls the simulated web one night, lets a day pass (the
// world's epoch 1: new, revised, moved and deleted reports) and crawls the same
// store again.
func TestNightlyHarvest(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a simulated world twice")
	}
	t.Parallel()
	h := newHarness(t, 24, 0)
	night1 := h.crawl(t)
	if night1.Run.Generation != 1 || night1.Resumed {
		t.Fatalf("night 1: %+v", night1.Run)
	}
	m0 := h.w.Manifest(true)
	logged := len(h.srv.Log().Entries())

	list, err := seeds.ReadFile("../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	w1, err := simweb.Generate(simweb.Config{Seed: 11, Hosts: 24, Epoch: 1, Portals: list, Faults: true})
	if err != nil {
		t.Fatal(err)
	}
	h.srv.SetWorld(w1)
	h.cfg.Clock = func() time.Time { return time.Now().Add(24 * time.Hour) } // the next night
	night2 := h.crawl(t)
	t.Logf("night 1: %+v", night1.Run)
	t.Logf("night 2: %+v", night2.Run)
	if night2.Run.Generation != 2 || night2.Run.Finished.IsZero() || night2.Run.Revisits == 0 {
		t.Fatalf("night 2 is not a finished second generation with revisits: %+v", night2.Run)
	}
	m1 := w1.Manifest(true)

	// What night 2 asked for, and how it was answered.
	answered := map[string][]int{} // host+path → statuses
	for _, e := range h.srv.Log().Entries()[logged:] {
		answered[e.Host+e.Path] = append(answered[e.Host+e.Path], e.Status)
	}
	key := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return u.Host + u.Path
	}
	changes := map[string][]store.ReportChange{} // report id → night 2's changes
	if err := h.st.Changes(2, 2, func(c *store.ReportChange) error {
		changes[c.ReportID] = append(changes[c.ReportID], *c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	has := func(id, kind string) bool {
		for _, c := range changes[id] {
			if c.Kind == kind {
				return true
			}
		}
		return false
	}
	idOf := func(raw string) string {
		d, err := h.st.Doc("GET", canon(t, raw), nil)
		if err != nil || d == nil {
			return ""
		}
		return d.ReportID
	}

	before := map[string]simweb.ManifestReport{}
	for _, r := range m0.Reports {
		before[fmt.Sprint(r.UnitID, r.Year)] = r
	}
	counts := map[string]int{}
	// The record of a DOCX or XLSX report is its attachment's.
	recordURL := func(r simweb.ManifestReport) string {
		if r.AttachmentURL != "" {
			return r.AttachmentURL
		}
		return r.URL
	}
	for _, r := range m1.Reports {
		r0, ok := before[fmt.Sprint(r.UnitID, r.Year)]
		if !ok && r.Drift != "new" {
			t.Fatalf("%s %d not in epoch 0", r.UnitID, r.Year)
		}
		switch {
		case r.Format != "html" && r.Format != "docx" && r.Format != "xlsx":
			// PDF and DOC reports are stored as documents without records (yet).
		case r.Drift == "new" && r.Outcome == simweb.Found:
			counts["new"]++
			id := idOf(recordURL(r))
			if id == "" || !has(id, store.ChangeNew) {
				t.Errorf("new report %s not fetched as new (id %q, changes %+v)", r.URL, id, changes[id])
				continue
			}
			if e, err := h.st.Entry(id); err != nil || !cellsMatch(e, r.Values) {
				t.Errorf("new report %s: record %v does not match the manifest", r.URL, err)
				if e != nil {
					for p, v := range r.Values {
						if got, _ := e.Record.Cell(p); got == nil || *got != v {
							t.Logf("  %s: got %v want %v (%s %s)", p, got, v, e.Record.Template, r.Template)
						}
					}
				}
			}
		case r0.Outcome != simweb.Found:
			// Not stored on night 1 (a host fault or drift from the first night).
		case r.Drift == "revised" && r.Outcome == simweb.Found:
			counts["revised"]++
			id := idOf(recordURL(r))
			if !has(id, store.ChangeRevised) {
				d, _ := h.st.Doc("GET", canon(t, r.URL), nil)
				t.Errorf("revised report %s: no revision logged (%+v); night 2 answers %v; doc %+v", r.URL, changes[id], answered[key(r.URL)], d)
				continue
			}
			hist, err := h.st.History(id)
			if err != nil {
				t.Fatal(err)
			}
			if len(hist.Versions) != 1 || !cellsMatch(hist.Versions[0], r0.Values) || !cellsMatch(hist.Current, r.Values) {
				t.Errorf("revised report %s: %d old versions; old matches epoch 0 %v, current matches epoch 1 %v", r.URL,
					len(hist.Versions), len(hist.Versions) == 1 && cellsMatch(hist.Versions[0], r0.Values), cellsMatch(hist.Current, r.Values))
				continue
			}
			// Both versions' raw bytes are kept.
			oldRaw, err1 := h.st.Raw(hist.Versions[0].Sources[0].SHA256)
			newRaw, err2 := h.st.Raw(hist.Current.Sources[0].SHA256)
			if err1 != nil || err2 != nil || string(oldRaw) == string(newRaw) {
				t.Errorf("revised report %s: raw versions not both kept (%v, %v)", r.URL, err1, err2)
			}
		case (r.Drift == "moved" || r.Drift == "migrated") && r0.Drift == "":
			counts["moved"]++
			id := idOf(r0.URL)
			var ok bool
			for _, c := range changes[id] {
				ok = ok || c.Kind == store.ChangeMoved && c.URL == canon(t, r.URL) && c.To == canon(t, r.MovedURL)
			}
			if !ok {
				t.Errorf("moved report %s → %s (%s, %s) not logged as moved: %+v", r.URL, r.MovedURL, r.Drift, r.Format, changes[id])
			}
			if has(id, store.ChangeGone) || has(idOf(r.MovedURL), store.ChangeNew) && idOf(r.MovedURL) != id {
				t.Errorf("moved report %s logged as gone or as a new report", r.URL)
			}
		case r.Outcome == simweb.Gone && r0.Drift == "":
			counts["gone"]++
			id := idOf(r.URL)
			if !has(id, store.ChangeGone) {
				d, _ := h.st.Doc("GET", canon(t, r.URL), nil)
				t.Errorf("deleted report %s (%s) not logged as gone: %+v; night 2 answers %v; doc %+v", r.URL, r.Drift, changes[id], answered[key(r.URL)], d)
			}
			if _, err := h.st.Entry(id); err != nil {
				t.Errorf("deleted report %s lost its record: %v", r.URL, err)
			}
		case r.Outcome == simweb.Found && r.Drift == "":
			counts["unchanged"]++
			for _, u := range []string{r.URL, r.AttachmentURL} {
				for _, status := range answered[key(u)] {
					if status == 200 {
						t.Errorf("unchanged %s downloaded again on night 2", u)
					}
				}
			}
			if id := idOf(r.URL); len(changes[id]) > 0 {
				t.Errorf("unchanged report %s has changes %+v", r.URL, changes[id])
			}
		}
	}
	t.Logf("night 2 checked: %v", counts)
	for _, k := range []string{"new", "revised", "moved", "gone", "unchanged"} {
		if counts[k] == 0 {
			t.Errorf("the world has no %s report to check", k)
		}
	}
	if night2.Run.Counts.NotModified == 0 {
		t.Errorf("no conditional request answered 304")
	}
}

func cellsMatch(e *store.Entry, values map[string]float64) bool {
	if e == nil || len(values) == 0 {
		return false
	}
	for p, v := range values {
		if got, _ := e.Record.Cell(p); got == nil || *got != v {
			return false
		}
	}
	return true
}
