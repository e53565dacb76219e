package simweb

import (
	"encoding/json"
	"io"
)

// Manifest is the ground truth of a world: for every unit and year, what a
// correct, polite crawler should record, where, in what format, with what values.
type Manifest struct {
	Seed        uint64           `json:"seed"`
	Epoch       int              `json:"epoch"`
	Clone       string           `json:"clone_domain"`
	Hosts       []ManifestHost   `json:"hosts"`
	Reports     []ManifestReport `json:"reports"`
	Distractors []string         `json:"distractors"`
	Values      bool             `json:"values_included"`
}

// ManifestHost describes a host.
type ManifestHost struct {
	Name         string  `json:"name"`
	Scheme       string  `json:"scheme"`
	Dialect      Dialect `json:"dialect"`
	Encoding     string  `json:"encoding"`
	Charset      string  `json:"charset_declared_in"`
	Robots       string  `json:"robots"`
	Fault        string  `json:"fault,omitempty"`
	Traps        bool    `json:"traps,omitempty"`
	Big5Gate     bool    `json:"big5_gate,omitempty"`
	WAP          bool    `json:"wap,omitempty"`
	DivisionCode string  `json:"division_code"`
	DivisionName string  `json:"division_name"`
	Home         string  `json:"home"`
}

// ManifestReport is one unit and year.
type ManifestReport struct {
	UnitID        string             `json:"unit_id"`
	Unit          string             `json:"unit"`
	Kind          string             `json:"kind"`
	DivisionCode  string             `json:"division_code"`
	Host          string             `json:"host"`
	Year          int                `json:"year"`
	Outcome       Outcome            `json:"outcome"`
	URL           string             `json:"url,omitempty"`
	MovedURL      string             `json:"moved_url,omitempty"`
	DuplicateURL  string             `json:"duplicate_url,omitempty"`
	AttachmentURL string             `json:"attachment_url,omitempty"`
	Format        string             `json:"format,omitempty"`
	Title         string             `json:"title,omitempty"`
	Published     string             `json:"published,omitempty"`
	Template      string             `json:"template,omitempty"`
	Drift         string             `json:"drift,omitempty"`
	Version       int                `json:"version,omitempty"`
	Values        map[string]float64 `json:"values,omitempty"`
}

// Manifest builds the ground truth; withValues adds every report's cells (large
// for big worlds).
func (w *World) Manifest(withValues bool) *Manifest {
	m := &Manifest{Seed: w.cfg.Seed, Epoch: w.cfg.Epoch, Clone: w.Clone, Values: withValues}
	for _, h := range w.Hosts {
		m.Hosts = append(m.Hosts, ManifestHost{Name: h.Name, Scheme: h.Scheme, Dialect: h.Dialect, Encoding: h.Encoding,
			Charset: h.Charset, Robots: string(h.Robots), Fault: string(h.Fault), Traps: h.Traps, Big5Gate: h.Big5Gate, WAP: h.WAP,
			DivisionCode: h.Division.Code, DivisionName: h.Division.Name, Home: h.HomeURL()})
		for _, k := range h.kinds() {
			for _, d := range w.distractors(h, kindColumn[k]) {
				if k == KindGovernment {
					m.Distractors = append(m.Distractors, h.base()+d.Path)
				}
			}
		}
	}
	for _, u := range w.Units {
		for _, rp := range u.Reports {
			mr := ManifestReport{UnitID: u.ID, Unit: u.Name, Kind: u.Kind, DivisionCode: u.Division.Code, Host: u.Host.Name,
				Year: rp.Year, Outcome: rp.Outcome, Drift: rp.Drift, Version: rp.Version}
			if rp.Published {
				mr.URL = rp.URL()
				mr.AttachmentURL = rp.AttachURL()
				mr.Format = rp.Format
				mr.Title = rp.Title
				mr.Published = rp.Date
				mr.Template = string(rp.Template())
				if rp.MovedPath != "" {
					mr.MovedURL = u.Host.base() + rp.MovedPath
				}
				if rp.Duplicate != "" {
					mr.DuplicateURL = u.Host.base() + rp.Duplicate
				}
				if withValues {
					mr.Values = Cells(rp.Carried())
				}
			}
			m.Reports = append(m.Reports, mr)
		}
	}
	return m
}

// WriteJSON writes the manifest.
func (m *Manifest) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(m)
}
