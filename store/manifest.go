package store

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ManifestEntry is one raw document of the corpus: where and when it came
// from, its SHA-256, and whether a current record is read from it. The list
// lets anyone check the stored bytes (verify) or fetch them again (rebuild).
type ManifestEntry struct {
	SHA256      string    `json:"sha256"`
	Size        int       `json:"size"`
	URL         string    `json:"url,omitempty"`
	FinalURL    string    `json:"final_url,omitempty"`
	Name        string    `json:"name,omitempty"` // the file name of an imported document
	ContentType string    `json:"content_type,omitempty"`
	Status      int       `json:"status,omitempty"`
	FetchedAt   time.Time `json:"fetched_at"`
	Origin      string    `json:"origin"` // fetch or import
	CaptureID   uint64    `json:"capture_id"`
	ReportID    string    `json:"report_id,omitempty"`
	Record      bool      `json:"record"`              // a current record is read from it
	Extractor   string    `json:"extractor,omitempty"` // the version that read that record
}

// Manifest calls fn with the manifest entry of every stored capture, in
// capture order.
func (s *Store) Manifest(fn func(ManifestEntry) error) error {
	// What a capture's line needs of the record read from it: the report
	// id and the extractor, never the record itself (a map of whole records
	// held every record of the store at once).
	type reading struct{ reportID, extractor string }
	current := map[uint64]reading{}
	err := s.view(func(tx *bolt.Tx) error {
		return s.forEachReleasing(tx, tx.Bucket(bucketRecords), func(k, v []byte) error {
			// Only the sources and the extractor: the record is skipped over,
			// never built.
			var e struct {
				ReportID  string `json:"report_id"`
				Extractor string `json:"extractor"`
				Sources   []struct {
					CaptureID uint64 `json:"capture_id"`
				} `json:"sources"`
			}
			if err := decodeRecord(v, &e); err != nil {
				return fmt.Errorf("decoding record %s: %w", k, err)
			}
			for _, src := range e.Sources {
				current[src.CaptureID] = reading{e.ReportID, e.Extractor}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return s.Captures(func(c *Capture) error {
		m := ManifestEntry{SHA256: c.SHA256, Size: c.Size, URL: c.URL, FinalURL: c.FinalURL, Name: c.Name, ContentType: c.ContentType,
			Status: c.Status, FetchedAt: c.FetchedAt.UTC(), Origin: c.Origin, CaptureID: c.ID, ReportID: c.ReportID}
		if e, ok := current[c.ID]; ok {
			m.Record, m.Extractor, m.ReportID = true, e.extractor, e.reportID
		}
		return fn(m)
	})
}

// ReadManifest reads a manifest of JSON lines (export --manifest).
func ReadManifest(r io.Reader, fn func(ManifestEntry) error) error {
	dec := json.NewDecoder(r)
	for line := 1; ; line++ {
		var m ManifestEntry
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the manifest, entry %d: %w", line, err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
}
