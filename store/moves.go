package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/report"
)

// A report's address that now sends the browser on (a 30x, a meta refresh, a
// script shell) has moved, whichever of its two ends the run reads first:
//
//   - the old address first: the redirect's target is queued with the old
//     address as its origin (Commit.Origin), and storeEntry keeps the
//     report's id at the new address (followedMove logs the move);
//   - the new address first, already read as the report (joined to it by its
//     content, or stored as a new report) when the old one answers: moveFound
//     makes the old address's report the new address's and logs the move;
//   - the new address fetched first but still being read when the old one
//     answers: the new address's state names the old one (MovedFrom), and its
//     commit takes it as its origin (movedHere), as in the first order.

// moveFound handles the old address od of a report that answered this run by
// sending the browser on (od.MovedTo), for the first time.
func (f *Frontier) moveFound(tx *bolt.Tx, run *RunInfo, od *DocState, t time.Time) error {
	key := docKey("GET", od.MovedTo, nil)
	td, err := getDoc(tx, key)
	if err != nil {
		return err
	}
	readHere := td != nil && td.ReportID != "" && td.State == DocOK && td.Visits > 0 &&
		(td.Kind != crawl.Attachment || od.Kind == crawl.Attachment)
	if !readHere {
		if td == nil {
			td = &DocState{URL: od.MovedTo, Kind: od.Kind, Depth: od.Depth, FirstSeen: t}
		}
		td.MovedFrom = od.URL
		return putDoc(tx, key, td)
	}
	if td.ReportID != od.ReportID {
		if err := f.adoptReport(tx, run, od.ReportID, td, t); err != nil {
			return err
		}
	}
	e, err := getEntry(tx, od.ReportID)
	if err != nil {
		return err
	}
	fp := ""
	if e != nil {
		// The old address's reading leaves the record: it is read at the new one.
		if dropComponent(e, od.URL) {
			if err := putEntry(tx, e); err != nil {
				return err
			}
		}
		fp = report.Fingerprint(e.Record)
	}
	run.Counts.Moved++
	return addChange(tx, &ReportChange{Generation: f.gen, Time: t, Kind: ChangeMoved, ReportID: od.ReportID, URL: od.URL, To: td.URL,
		Fingerprint: fp, Detail: "sent on to an address read already"})
}

// adoptReport makes the report read at the new address td (stored under
// another id, as a report of its own) the report whose old address moved
// there (id): its record takes the old report's id (the old record archived
// as a version when it reads otherwise, the change logged as a revision), the
// new report's "new" change of this run is dropped, and the addresses its
// record was read from lead to the old report.
func (f *Frontier) adoptReport(tx *bolt.Tx, run *RunInfo, id string, td *DocState, t time.Time) error {
	newID := td.ReportID
	ne, err := getEntry(tx, newID)
	if err != nil {
		return err
	}
	oe, err := getEntry(tx, id)
	if err != nil {
		return err
	}
	if err := f.dropNew(tx, run, newID); err != nil {
		return err
	}
	relink := []string{td.URL}
	if ne != nil {
		if err := tx.Bucket(bucketRecords).Delete([]byte(newID)); err != nil {
			return fmt.Errorf("removing record %s, moved into %s: %w", newID, id, err)
		}
		if err := unindexEntry(tx, newID); err != nil {
			return err
		}
		for _, s := range ne.Sources {
			relink = append(relink, s.URL)
		}
		ne.ReportID = id
		if oe != nil {
			if report.Fingerprint(oe.Record) != report.Fingerprint(ne.Record) {
				if err := archive(tx, oe); err != nil {
					return err
				}
				run.Counts.Revised++
				if err := addChange(tx, &ReportChange{Generation: f.gen, Time: t, Kind: ChangeRevised, ReportID: id,
					URL: string(ne.Record.Source.URL), Fingerprint: report.Fingerprint(ne.Record), Cells: report.Diff(oe.Record, ne.Record)}); err != nil {
					return err
				}
			}
			ne.Sources = append(ne.Sources, oe.Sources...)
			ne.Sources = ne.Sources[:min(len(ne.Sources), 32)]
		}
		if err := putEntry(tx, ne); err != nil {
			return err
		}
	}
	for _, u := range relink {
		key := docKey("GET", u, nil)
		d, err := getDoc(tx, key)
		if err != nil {
			return err
		}
		if d != nil && d.ReportID == newID {
			d.ReportID = id
			if err := putDoc(tx, key, d); err != nil {
				return err
			}
		}
	}
	td.ReportID = id
	return nil
}

// dropNew removes this run's "new" change of a report (it was another's,
// moved).
func (f *Frontier) dropNew(tx *bolt.Tx, run *RunInfo, id string) error {
	mine, err := f.runChanges(tx)
	if err != nil {
		return err
	}
	for _, c := range mine {
		if c.Kind == ChangeNew && c.ReportID == id {
			run.Counts.New--
			return tx.Bucket(bucketChanges).Delete(u64(c.Seq))
		}
	}
	return nil
}

// movedHere gives a fetched page that an old address of a report was sent
// on to, while it was not read yet, that address as its origin, unless its
// fetch came through the redirect itself; the mark is then spent.
func movedHere(tx *bolt.Tx, cm *Commit) error {
	if cm.Done == nil || cm.Done.Kind() == crawl.Attachment {
		return nil
	}
	key := docKey(cm.Done.Method, cm.Done.URL, cm.Done.Body)
	d, err := getDoc(tx, key)
	if err != nil || d == nil || d.MovedFrom == "" {
		return err
	}
	if cm.Origin == "" {
		od, err := getDoc(tx, docKey("GET", d.MovedFrom, nil))
		if err != nil {
			return err
		}
		if od != nil && od.State == DocMoved && od.MovedTo == d.URL && od.ReportID != "" {
			cm.Origin = d.MovedFrom
		}
	}
	d.MovedFrom = ""
	return putDoc(tx, key, d)
}
