package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
)

// A file attached to the pages of two different reports is neither's: it is
// a report of its own, kept under an id from its content, and each page stays
// its own report. One page alone that attaches it is merged with it as
// before. Which page was read first must not decide the record, so when a
// second report's page turns out to attach the file that the first one's
// record was merged with, the file leaves that record (splitShared): the
// first page's record is read again from its pages only, and the file's
// addresses are copies in the file's own report from then on.

// pageBesides reports whether the report's record is merged from a page (a
// document not read as an attachment) with other bytes than sha and
// something else.
func (e *Entry) pageBesides(sha string) bool {
	return e != nil && slices.ContainsFunc(e.Components, func(c Component) bool { return !c.Attachment && c.Source.SHA256 != sha })
}

// holdsFile reports whether one of the report's attachments has these bytes.
func (e *Entry) holdsFile(sha string) bool {
	return e != nil && sha != "" && slices.ContainsFunc(e.Components, func(c Component) bool { return c.Attachment && c.Source.SHA256 == sha })
}

// sharedFile is the report the committed attachment belongs to when stored,
// a report with a page, holds the same bytes and the attachment's own page is
// another report's: the file's own report, split off stored. Otherwise it is
// stored, unchanged.
func (f *Frontier) sharedFile(tx *bolt.Tx, cm *Commit, run *RunInfo, stored *Entry) (*Entry, error) {
	if cm.Capture == nil || !stored.pageBesides(cm.Capture.SHA256) || !stored.holdsFile(cm.Capture.SHA256) {
		return stored, nil
	}
	parent, err := storedReportOf(tx, cm.Done.Parent())
	if err != nil || parent == "" || parent == stored.ReportID {
		return stored, err // its page is not a report (yet), or it is this one
	}
	return f.splitShared(tx, run, stored, cm.Capture.SHA256, cm.Capture.FetchedAt)
}

// pagesSharedFiles splits, after a page's commit, the reports its attachments
// joined as copies before the page was read (the attachment was linked from a
// list too), when such a report is another page's: the file is attached to
// two reports' pages.
func (f *Frontier) pagesSharedFiles(tx *bolt.Tx, cm *Commit, run *RunInfo, now time.Time) error {
	for _, a := range cm.Attachments {
		d, err := getDoc(tx, docKey("GET", a, nil))
		if err != nil {
			return err
		}
		if d == nil || !d.Copy || d.ReportID == "" || d.ReportID == cm.Entry.ReportID {
			continue
		}
		r, err := getEntry(tx, d.ReportID)
		if err != nil {
			return err
		}
		if r.pageBesides(d.SHA256) && r.holdsFile(d.SHA256) {
			if _, err := f.splitShared(tx, run, r, d.SHA256, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// splitShared takes the documents with the bytes sha out of r, a report
// merged from a page and its attachments, into the report of those bytes (kept
// under ReportID("", sha), created or joined), and returns that report. r is
// read again from what it keeps, its old version archived and the change
// logged; the file's addresses lead to its own report as copies, and their
// captures name it.
func (f *Frontier) splitShared(tx *bolt.Tx, run *RunInfo, r *Entry, sha string, now time.Time) (*Entry, error) {
	var pages, files []Component
	for _, c := range r.Components {
		if c.Source.SHA256 == sha {
			files = append(files, c)
		} else {
			pages = append(pages, c)
		}
	}
	id := ReportID("", sha)
	log := func(c *ReportChange) error {
		c.Generation, c.Time = f.gen, now
		count(&run.Counts, c.Kind, 1)
		return addChange(tx, c)
	}
	left := &Entry{ReportID: r.ReportID, Extractor: r.Extractor, ExtractedAt: r.ExtractedAt}
	remerge(left, pages)
	if len(pages) == 1 {
		left.Components = nil
	}
	if err := f.revisedBySplit(tx, r, left, files[0].Source.URL, log); err != nil {
		return nil, err
	}
	if err := putEntryPrints(tx, left, report.Fingerprint); err != nil {
		return nil, err
	}
	own, err := getEntry(tx, id)
	if err != nil {
		return nil, err
	}
	created := own == nil
	for _, c := range files {
		e := &Entry{ReportID: id, Record: c.Record, Sources: []SourceRef{c.Source}, Extractor: r.Extractor, ExtractedAt: r.ExtractedAt}
		if own != nil {
			mergeInto(own, e, true, true)
		}
		own = e
	}
	if created {
		if err := log(&ReportChange{Kind: ChangeNew, ReportID: id, URL: string(own.Record.Source.URL), Fingerprint: report.Fingerprint(own.Record),
			Detail: "split off " + r.ReportID + ": attached to the pages of two reports"}); err != nil {
			return nil, err
		}
	}
	if err := putEntryPrints(tx, own, report.Fingerprint); err != nil {
		return nil, err
	}
	return own, relinkFiles(tx, files, id)
}

// revisedBySplit archives r, a report stored before this run, and logs its
// revision to left, what it keeps once the file at url is a report of its
// own. A report new this run was never anyone's version: its one change is
// that it is new.
func (f *Frontier) revisedBySplit(tx *bolt.Tx, r, left *Entry, url string, log func(*ReportChange) error) error {
	mine, err := f.runChanges(tx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(mine, func(c *ReportChange) bool { return c.Kind == ChangeNew && c.ReportID == r.ReportID }) {
		return nil
	}
	if err := archive(tx, r); err != nil {
		return err
	}
	return log(&ReportChange{Kind: ChangeRevised, ReportID: r.ReportID, URL: string(left.Record.Source.URL), Fingerprint: report.Fingerprint(left.Record),
		Cells: report.Diff(r.Record, left.Record), Detail: "its attachment " + url + " is attached to another report's page too: a report of its own"})
}

// relinkFiles points the files' addresses at report id, as copies (no page
// follows them there), and names it in their captures.
func relinkFiles(tx *bolt.Tx, files []Component, id string) error {
	caps := tx.Bucket(bucketCaptures)
	for _, c := range files {
		key := docKey("GET", c.Source.URL, nil)
		d, err := getDoc(tx, key)
		if err != nil {
			return err
		}
		if d != nil {
			d.ReportID, d.Copy = id, d.Kind == crawl.Attachment
			if err := putDoc(tx, key, d); err != nil {
				return err
			}
		}
		v := caps.Get(u64(c.Source.CaptureID))
		if v == nil {
			continue
		}
		var capt Capture
		if err := json.Unmarshal(v, &capt); err != nil {
			return fmt.Errorf("decoding capture %d: %w", c.Source.CaptureID, err)
		}
		capt.ReportID = id
		b, err := json.Marshal(&capt)
		if err != nil {
			return err
		}
		if err := caps.Put(u64(c.Source.CaptureID), b); err != nil {
			return err
		}
	}
	return nil
}
