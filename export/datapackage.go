package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// A Frictionless data package (datapackage.json) describes an exported file
// for the data portals and the R and Python readers that understand one: its
// format, its columns with their types, Chinese labels and meanings (the
// codebook), how a blank cell is written, and where the data came from (the
// extractor, the filters, and the SHA-256 of the store's manifest of raw
// documents, which `verify` and `rebuild` check the corpus against).

// DataPackage is the datapackage.json of one export.
type DataPackage struct {
	Profile     string     `json:"profile"`
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Created     string     `json:"created,omitempty"`
	Resources   []Resource `json:"resources"`
	Nianbao     Provenance `json:"nianbao"`
}

// Resource is the exported file.
type Resource struct {
	Profile   string       `json:"profile"`
	Name      string       `json:"name"`
	Path      string       `json:"path"`
	Format    string       `json:"format"`
	MediaType string       `json:"mediatype"`
	Encoding  string       `json:"encoding,omitempty"`
	Rows      int          `json:"nianbao:rows"`
	Schema    *TableSchema `json:"schema,omitempty"`
}

// TableSchema is a Frictionless Table Schema.
type TableSchema struct {
	Fields        []Field  `json:"fields"`
	MissingValues []string `json:"missingValues"`
	PrimaryKey    []string `json:"primaryKey,omitempty"`
}

// Field is one column.
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Provenance says what the data was made from.
type Provenance struct {
	Extractor      string   `json:"extractor"`
	ManifestSHA256 string   `json:"manifest_sha256"`
	Documents      int      `json:"documents"`
	Filters        []string `json:"filters,omitempty"`
	FillInferred   bool     `json:"fill_inferred"`
}

// PackageRequest is what NewDataPackage describes.
type PackageRequest struct {
	Request
	Path      string // the exported file
	Rows      int
	Extractor string
	Created   string // RFC 3339, or empty
}

// NewDataPackage describes an export of st; it reads the store's manifest
// to hash it.
func NewDataPackage(st *store.Store, req PackageRequest) (*DataPackage, error) {
	h := sha256.New()
	docs, err := WriteManifest(h, st)
	if err != nil {
		return nil, fmt.Errorf("hashing the manifest of raw documents: %w", err)
	}
	res := ResourceFor(req.Request, req.Path, req.Rows)
	return &DataPackage{
		Profile:     "tabular-data-package",
		Name:        "nianbao-reports",
		Title:       "政府信息公开工作年度报告 — open government information annual reports, as printed",
		Description: "One row per report (SCHEMA.md): metadata, attribution to an administrative division, and every cell of the national templates' tables as the government printed it; a blank cell is one the document leaves blank or that could not be read (the record's warnings say why).",
		Created:     req.Created,
		Resources:   []Resource{res},
		Nianbao: Provenance{Extractor: req.Extractor, ManifestSHA256: hex.EncodeToString(h.Sum(nil)), Documents: docs,
			Filters: req.Filter.describe(), FillInferred: req.Options.FillInferred},
	}, nil
}

// ResourceFor describes one exported file of the reports.
func ResourceFor(req Request, path string, rows int) Resource {
	res := Resource{Profile: "tabular-data-resource", Name: "reports", Path: filepath.Base(path), Rows: rows}
	switch {
	case req.Format == "parquet":
		res.Format, res.MediaType, res.Schema = "parquet", "application/vnd.apache.parquet", wideSchema()
	case req.Format == "jsonl":
		res.Profile, res.Format, res.MediaType, res.Encoding = "data-resource", "jsonl", "application/jsonl", "utf-8"
	case req.Long:
		res.Format, res.MediaType, res.Encoding, res.Schema = "csv", "text/csv", "utf-8", longSchema()
	default:
		res.Format, res.MediaType, res.Encoding, res.Schema = "csv", "text/csv", "utf-8-sig", wideSchema()
	}
	return res
}

// Add describes another file of the same export (the same reports in
// another format), named after its format.
func (p *DataPackage) Add(r Resource) {
	r.Name = "reports-" + r.Format
	p.Resources = append(p.Resources, r)
}

// Write writes the package as indented JSON.
func (p *DataPackage) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// wideSchema is the wide table's schema, from the codebook.
func wideSchema() *TableSchema {
	s := &TableSchema{MissingValues: []string{""}, PrimaryKey: []string{"report_id"}}
	for _, c := range MetaColumns {
		d := metaDoc[c]
		f := Field{Name: c, Title: d[1], Description: d[2]}
		switch d[0] {
		case "integer":
			f.Type = "integer"
		case "date":
			f.Type = "date"
		case "datetime":
			f.Type = "datetime"
		default:
			f.Type = "string"
		}
		s.Fields = append(s.Fields, f)
	}
	for _, p := range report.CSVCells() {
		table, _, _, _ := report.SplitPath(p)
		f := Field{Name: CellColumn(p), Type: "integer", Title: report.CellLabel(p), Description: table + " table: a count as printed"}
		if isMoney(p) {
			f.Type, f.Description = "number", table+" table: an amount of money as printed"
			if strings.HasSuffix(p, "10k_yuan") {
				f.Description += ", in 万元 (10,000 yuan)"
			} else {
				f.Description += ", in 元"
			}
		}
		s.Fields = append(s.Fields, f)
	}
	return s
}

// longSchema is the long CSV's schema.
func longSchema() *TableSchema {
	return &TableSchema{MissingValues: []string{""}, Fields: []Field{
		{Name: "report_id", Type: "string", Title: "报告编号", Description: "the report's id, as in the wide table"},
		{Name: "table", Type: "string", Title: "表", Description: "active, requests or review_litigation"},
		{Name: "row", Type: "string", Title: "行", Description: "the template row's key (SCHEMA.md)"},
		{Name: "column", Type: "string", Title: "列", Description: "the template column's key"},
		{Name: "value", Type: "number", Title: "数值", Description: "as printed; blank where the document prints nothing"},
		{Name: "inferred", Type: "boolean", Title: "推算", Description: "true: the document leaves the cell blank and the identities determine the value"},
	}}
}

// describe lists the filter's settings as flags.
func (f Filter) describe() []string {
	var out []string
	if len(f.Years) > 0 {
		var ys []string
		for _, y := range f.Years {
			ys = append(ys, fmt.Sprint(y))
		}
		out = append(out, "--year "+strings.Join(ys, ","))
	}
	for _, kv := range [][2]string{{"region", f.Region}, {"level", f.Level}, {"unit", f.Unit}, {"template", f.Template}, {"checks", f.Checks}} {
		if kv[1] != "" {
			out = append(out, "--"+kv[0]+" "+kv[1])
		}
	}
	return out
}
