package crawler

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
	"github.com/nianbao/nianbao/truth"
)

// TestNightlyHarvest crawls the simulated web one night, lets a day pass (the
// world's epoch 1: new, revised, moved and deleted reports) and crawls the same
// store again.
func TestNightlyHarvest(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a simulated world twice")
	}
	t.Parallel()
	// Report years 2018–2021 on night 1 (every template, and a third fewer
	// pages than to 2023); night 2 adds 2022.
	years := func(c *simweb.Config) { c.LastYear = 2021 }
	h := newHarnessOpts(t, 24, 0, true, simweb.Options{}, years)
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
	c1 := worldConfig(list, 24, 1, true)
	years(&c1)
	w1, err := simweb.Generate(c1)
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

	n := newNightTwo(t, h, logged)
	before := map[string]simweb.ManifestReport{}
	for _, r := range m0.Reports {
		before[fmt.Sprint(r.UnitID, r.Year)] = r
	}
	counts := map[string]int{}
	for _, r := range m1.Reports {
		r0, ok := before[fmt.Sprint(r.UnitID, r.Year)]
		if !ok && r.Drift != "new" {
			t.Fatalf("%s %d not in epoch 0", r.UnitID, r.Year)
		}
		if kind := n.check(r, r0); kind != "" {
			counts[kind]++
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
	return e != nil && len(values) > 0 && len(truth.Cells(e, values)) == 0
}

// nightTwo is what the second night left: the requests it made, with their
// answers, and the report changes it logged.
type nightTwo struct {
	t        *testing.T
	h        *harness
	answered map[string][]int // host+path → statuses
	changes  map[string][]store.ReportChange
}

func newNightTwo(t *testing.T, h *harness, logged int) *nightTwo {
	n := &nightTwo{t: t, h: h, answered: map[string][]int{}, changes: map[string][]store.ReportChange{}}
	for _, e := range h.srv.Log().Entries()[logged:] {
		n.answered[e.Host+e.Path] = append(n.answered[e.Host+e.Path], e.Status)
	}
	if err := h.st.Changes(2, 2, func(c *store.ReportChange) error {
		n.changes[c.ReportID] = append(n.changes[c.ReportID], *c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *nightTwo) key(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		n.t.Fatal(err)
	}
	return u.Host + u.Path
}

func (n *nightTwo) has(id, kind string) bool {
	for _, c := range n.changes[id] {
		if c.Kind == kind {
			return true
		}
	}
	return false
}

// like lists the stored addresses whose path ends as raw's does, with their
// report and state, to explain a report not found under its own.
func (n *nightTwo) like(raw string) string {
	base := path.Base(n.key(raw))
	var out []string
	n.h.st.Docs(func(d *store.DocState) error {
		if strings.Contains(d.URL, base) {
			out = append(out, fmt.Sprintf("%s (report %s, %s, key %s, from %q)", d.URL, d.ReportID, d.State, d.Key, d.Anchor))
		}
		return nil
	})
	for _, e := range n.h.srv.Log().Entries() {
		if strings.Contains(e.Path, base) {
			out = append(out, fmt.Sprintf("served %s%s", e.Host, e.Path))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// idOf is the report a URL leads to (store.ReportAt).
func (n *nightTwo) idOf(raw string) string {
	id, err := n.h.st.ReportAt(canon(n.t, raw))
	if err != nil {
		n.t.Fatal(err)
	}
	return id
}

// recordURL: the record of a DOCX or XLSX report is its attachment's.
func recordURL(r simweb.ManifestReport) string {
	if r.AttachmentURL != "" {
		return r.AttachmentURL
	}
	return r.URL
}

// check checks one report of epoch 1 (r0: the same unit and year in epoch 0)
// and says which kind of drift it checked, "" for none.
func (n *nightTwo) check(r, r0 simweb.ManifestReport) string {
	if r.Format != "html" && r.Format != "docx" && r.Format != "xlsx" {
		return "" // PDF and DOC reports are stored as documents without records (yet)
	}
	kind := truth.Expected(r, r0)
	switch kind {
	case truth.New:
		n.checkNew(r)
	case truth.Revised:
		n.checkRevised(r, r0)
	case truth.Moved:
		n.checkMoved(r, r0)
	case truth.Gone:
		n.checkGone(r)
	case truth.Unchanged:
		n.checkUnchanged(r)
	}
	return string(kind)
}

func (n *nightTwo) checkNew(r simweb.ManifestReport) {
	t := n.t
	id := n.idOf(recordURL(r))
	if id == "" || !n.has(id, store.ChangeNew) {
		t.Errorf("new report %s not fetched as new (id %q, changes %+v)", r.URL, id, n.changes[id])
		return
	}
	if e, err := n.h.st.Entry(id); err != nil || !cellsMatch(e, r.Values) {
		t.Errorf("new report %s: record %v does not match the manifest", r.URL, err)
		if e != nil {
			for p, v := range r.Values {
				if got, _ := e.Record.Cell(p); got == nil || *got != v {
					t.Logf("  %s: got %v want %v (%s %s)", p, got, v, e.Record.Template, r.Template)
				}
			}
		}
	}
}

func (n *nightTwo) checkRevised(r, r0 simweb.ManifestReport) {
	t := n.t
	id := n.idOf(recordURL(r))
	if !n.has(id, store.ChangeRevised) {
		d, _ := n.h.st.Doc("GET", canon(t, r.URL), nil)
		t.Errorf("revised report %s: no revision logged (%+v); night 2 answers %v; doc %+v; addresses like it: %s", r.URL, n.changes[id], n.answered[n.key(r.URL)], d, n.like(r.URL))
		return
	}
	hist, err := n.h.st.History(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Versions) != 1 || !cellsMatch(hist.Versions[0], r0.Values) || !cellsMatch(hist.Current, r.Values) {
		t.Errorf("revised report %s: %d old versions; old matches epoch 0 %v, current matches epoch 1 %v", r.URL,
			len(hist.Versions), len(hist.Versions) == 1 && cellsMatch(hist.Versions[0], r0.Values), cellsMatch(hist.Current, r.Values))
		return
	}
	// Both versions' raw bytes are kept.
	oldRaw, err1 := n.h.st.Raw(hist.Versions[0].Sources[0].SHA256)
	newRaw, err2 := n.h.st.Raw(hist.Current.Sources[0].SHA256)
	if err1 != nil || err2 != nil || string(oldRaw) == string(newRaw) {
		t.Errorf("revised report %s: raw versions not both kept (%v, %v)", r.URL, err1, err2)
	}
}

func (n *nightTwo) checkMoved(r, r0 simweb.ManifestReport) {
	t := n.t
	id := n.idOf(r0.URL)
	var ok bool
	for _, c := range n.changes[id] {
		ok = ok || c.Kind == store.ChangeMoved && c.URL == canon(t, r.URL) && c.To == canon(t, r.MovedURL)
	}
	if !ok {
		t.Errorf("moved report %s → %s (%s, %s) not logged as moved: %+v", r.URL, r.MovedURL, r.Drift, r.Format, n.changes[id])
	}
	if n.has(id, store.ChangeGone) || n.has(n.idOf(r.MovedURL), store.ChangeNew) && n.idOf(r.MovedURL) != id {
		t.Errorf("moved report %s logged as gone or as a new report", r.URL)
	}
}

func (n *nightTwo) checkGone(r simweb.ManifestReport) {
	t := n.t
	id := n.idOf(r.URL)
	if !n.has(id, store.ChangeGone) {
		d, _ := n.h.st.Doc("GET", canon(t, r.URL), nil)
		t.Errorf("deleted report %s (%s) not logged as gone: %+v; night 2 answers %v; doc %+v", r.URL, r.Drift, n.changes[id], n.answered[n.key(r.URL)], d)
	}
	if _, err := n.h.st.Entry(id); err != nil {
		t.Errorf("deleted report %s lost its record: %v", r.URL, err)
	}
}

func (n *nightTwo) checkUnchanged(r simweb.ManifestReport) {
	t := n.t
	for _, u := range []string{r.URL, r.AttachmentURL} {
		for _, status := range n.answered[n.key(u)] {
			if status == 200 {
				t.Errorf("unchanged %s downloaded again on night 2", u)
			}
		}
	}
	if id := n.idOf(r.URL); len(n.changes[id]) > 0 {
		t.Errorf("unchanged report %s has changes %+v", r.URL, n.changes[id])
	}
}
