package crawler

import (
	"testing"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/report"

	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// TestCleanWorld crawls one world without faults once and checks how its
// documents become records (copies by content, then pages with their
// attachments, which re-extracts), then that crawls killed at random instants
// and resumed end with the records this uninterrupted one stored.
func TestCleanWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a simulated world")
	}
	t.Parallel()
	const hosts = 8
	// Report years 2018–2021: every template, and a third fewer pages than
	// to 2023 for the four killed crawls and the re-extraction.
	years := func(c *simweb.Config) { c.LastYear = 2021 }
	h := newHarnessOpts(t, hosts, 0, false, simweb.Options{}, years)
	h.cfg.Workers = 8 // as the killed crawlers run
	h.crawl(t)
	ref := reference{hosts: hosts, world: years, reports: reportsOf(t, h.st), sources: sourcesOf(t, h.st), requests: h.srv.Log().Len(), dups: duplicates(h)}
	t.Run("CopiesMergeByContent", func(t *testing.T) { copiesMergeByContent(t, h) })
	t.Run("PageAndAttachmentMerge", func(t *testing.T) { pageAndAttachmentMerge(t, h) })
	t.Run("KilledCrawlResumes", func(t *testing.T) { killedCrawlResumes(t, ref) })
}

// pageAndAttachmentMerge: a report published as a page that names its PDF
// (or DOCX, XLSX) is one record, read from both documents.
func pageAndAttachmentMerge(t *testing.T, h *harness) {
	byURL := map[string]*store.Entry{}
	n := 0
	h.st.Entries(func(e *store.Entry) error {
		n++
		for _, s := range e.Sources {
			if o := byURL[s.URL]; o != nil && o != e {
				t.Errorf("%s is a source of two records: %s %q (%d components) and %s %q (%d components)", s.URL,
					o.ReportID, o.Record.Title, len(o.Components), e.ReportID, e.Record.Title, len(e.Components))
			}
			byURL[s.URL] = e
		}
		return nil
	})
	checked := map[string]int{}
	for _, r := range h.w.Manifest(true).Reports {
		if r.Outcome != simweb.Found || r.AttachmentURL == "" || r.Format == "doc" || r.Format == "scanned_pdf" {
			continue
		}
		if checkPair(t, byURL, r) {
			checked[r.Format]++
		}
	}
	t.Logf("%d records; merged pairs checked: %v", n, checked)

	// Re-extraction reads every part again and merges them again.
	before := map[string]string{}
	recs := map[string]*report.Record{}
	h.st.Entries(func(e *store.Entry) error {
		if len(e.Components) > 1 {
			before[e.ReportID] = report.Fingerprint(e.Record)
			recs[e.ReportID] = e.Record
		}
		return nil
	})
	if _, err := corpus.Reextract(t.Context(), h.st, testExtractor(t), nil); err != nil {
		t.Fatal(err)
	}
	for id, fp := range before {
		e, err := h.st.Entry(id)
		if err != nil || len(e.Components) < 2 || report.Fingerprint(e.Record) != fp {
			t.Errorf("report %s after reextract: %v, %d components, same content %v", id, err, len(e.Components), err == nil && report.Fingerprint(e.Record) == fp)
			if err == nil {
				t.Logf("  %s: %+v", e.Components[0].Source.URL, report.Diff(recs[id], e.Record))
			}
		}
	}
	if checked["pdf"] == 0 || checked["docx"]+checked["xlsx"] == 0 {
		t.Errorf("the world has no page+PDF or page+DOCX/XLSX pair to check: %v", checked)
	}
}

// copiesMergeByContent: a report published at two addresses that share no
// link (the same page in two columns of a site) is one record with both
// sources, found by its content.
func copiesMergeByContent(t *testing.T, h *harness) {
	bySource := map[string]*store.Entry{}
	h.st.Entries(func(e *store.Entry) error {
		for _, s := range e.Sources {
			bySource[s.URL] = e
		}
		return nil
	})
	checked := 0
	for _, r := range h.w.Manifest(true).Reports {
		if r.Outcome != simweb.Found || r.DuplicateURL == "" {
			continue
		}
		a, b := canon(t, r.URL), canon(t, r.DuplicateURL)
		ea, eb := bySource[a], bySource[b]
		if ea == nil || eb == nil {
			continue // an address the crawl did not reach (a list beyond its limits)
		}
		checked++
		if ea != eb {
			t.Errorf("%s and its copy %s are two records: %s and %s", a, b, ea.ReportID, eb.ReportID)
			continue
		}
		for p, v := range r.Values {
			if got, _ := ea.Record.Cell(p); got != nil && *got != v {
				t.Errorf("%s %s: %v, the report prints %v", r.URL, p, *got, v)
			}
		}
	}
	t.Logf("%d reports with a copy checked", checked)
	if checked == 0 {
		t.Fatal("the world has no report with a copy that the crawl reached")
	}
	// No two records are read from the same bytes: the world's DOC, one file
	// served at many addresses on several hosts, is one record.
	readFrom := map[string]string{}
	h.st.Entries(func(e *store.Entry) error {
		sha := e.Sources[0].SHA256
		if o, ok := readFrom[sha]; ok {
			t.Errorf("records %s and %s are both read from the bytes %.12s (%s)", o, e.ReportID, sha, e.Sources[0].URL)
		}
		readFrom[sha] = e.ReportID
		return nil
	})
}

// checkPair checks that a report's page and attachment are one record whose
// cells are the report's; false when they are not.
func checkPair(t *testing.T, byURL map[string]*store.Entry, r simweb.ManifestReport) bool {
	page, att := canon(t, r.URL), canon(t, r.AttachmentURL)
	e := byURL[page]
	if e != nil && byURL[att] == nil {
		// An attachment link that redirects (downfile.jsp → /attach/…) is
		// stored under the address it redirects to.
		for _, c := range e.Components {
			if c.Attachment {
				att = c.Source.URL
			}
		}
	}
	if e == nil || byURL[att] != e {
		t.Errorf("%s report %s: page and attachment are not one record (%v, %v)", r.Format, r.URL, e != nil, byURL[att] != nil)
		if e != nil {
			t.Logf("  page record's attachments: %+v; attachment %s", e.Record.Attachments, att)
		}
		return false
	}
	// The page (or a copy of it at another address) first, the attachment
	// among the rest.
	hasAtt := false
	for _, c := range e.Components {
		hasAtt = hasAtt || c.Attachment && c.Source.URL == att
	}
	if len(e.Components) < 2 || e.Components[0].Attachment || !hasAtt {
		t.Errorf("%s: components %+v", r.URL, e.Components)
	}
	if string(e.Record.Title) != r.Title && len(e.Record.Title) == 0 {
		t.Errorf("%s: title %q", r.URL, e.Record.Title)
	}
	// Whatever cell the merged record fills is the report's.
	for p, v := range r.Values {
		if got, _ := e.Record.Cell(p); got != nil && *got != v {
			t.Errorf("%s %s: %v, the report prints %v", r.URL, p, *got, v)
		}
	}
	return true
}
