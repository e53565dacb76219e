package crawler

import (
	"testing"

	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// TestPageAndAttachmentMerge: a report published as a page that names its PDF
// (or DOCX, XLSX) is one record, read from both documents.
func TestPageAndAttachmentMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a simulated world")
	}
	h := newHarnessFaults(t, 8, 0, false)
	h.crawl(t)
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
			continue
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
		checked[r.Format]++
	}
	t.Logf("%d records; merged pairs checked: %v", n, checked)
	if checked["pdf"] == 0 || checked["docx"]+checked["xlsx"] == 0 {
		t.Errorf("the world has no page+PDF or page+DOCX/XLSX pair to check: %v", checked)
	}
}
