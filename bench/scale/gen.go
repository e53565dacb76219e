package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// base is one real document the generator varies: its bytes, its file
// extension and the organisation its expected record names.
type base struct {
	name string
	body []byte
	ext  string
	org  string
}

// readBases reads every document with an expected record (NAME.expected.json
// beside NAME.EXT) in the given folders.
func readBases(dirs ...string) (docs, pdfs []base, err error) {
	for _, dir := range dirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.expected.json"))
		if err != nil {
			return nil, nil, err
		}
		for _, m := range matches {
			stem := strings.TrimSuffix(m, ".expected.json")
			b, err := readBase(stem, m)
			if err != nil {
				return nil, nil, err
			}
			if b == nil {
				continue
			}
			if b.ext == ".pdf" {
				pdfs = append(pdfs, *b)
			} else {
				docs = append(docs, *b)
			}
		}
	}
	if len(docs) == 0 {
		return nil, nil, fmt.Errorf("no documents with an expected record in %s", strings.Join(dirs, ", "))
	}
	return docs, pdfs, nil
}

// readBase reads the document of an expected record (nil when there is none).
func readBase(stem, expected string) (*base, error) {
	for _, ext := range []string{".html", ".txt", ".md", ".pdf"} {
		body, err := os.ReadFile(stem + ext)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var exp struct {
			Organisation string `json:"organisation"`
		}
		j, err := os.ReadFile(expected)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(j, &exp); err != nil {
			return nil, fmt.Errorf("reading %s: %w", expected, err)
		}
		return &base{name: filepath.Base(stem), body: body, ext: ext, org: exp.Organisation}, nil
	}
	return nil, nil
}

// orgNames are the names the generator gives its documents' publishers:
// every division of a portal list with a kind of publisher.
func orgNames(portals string) ([]string, error) {
	f, err := os.Open(portals)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", portals, err)
	}
	var out []string
	for _, unit := range []string{"人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "自然资源局", "生态环境局", "卫生健康委员会", "市场监督管理局"} {
		for _, r := range rows[1:] {
			if len(r) > 1 && r[1] != "" {
				out = append(out, r[1]+unit)
			}
		}
	}
	return out, nil
}

// document is the i-th generated document: a base chosen in turn (every
// pdfEvery-th a PDF when there is one), its publisher renamed where the
// text names it in UTF-8, and a line that makes its bytes its own.
func document(i int, docs, pdfs []base, orgs []string, pdfEvery int) (name string, body []byte) {
	if len(pdfs) > 0 && pdfEvery > 0 && i%pdfEvery == pdfEvery-1 {
		b := pdfs[i/pdfEvery%len(pdfs)]
		// Bytes after %%EOF are ignored by every reader.
		return fmt.Sprintf("%07d_%s%s", i, b.name, b.ext), append(bytes.Clone(b.body), fmt.Sprintf("\n%% nianbao scale %d\n", i)...)
	}
	b := docs[i%len(docs)]
	body = b.body
	if b.org != "" && utf8.Valid(body) && len(orgs) > 0 {
		body = bytes.ReplaceAll(body, []byte(b.org), []byte(orgs[(i/len(docs))%len(orgs)]))
	} else {
		body = bytes.Clone(body)
	}
	if b.ext == ".html" {
		body = append(body, fmt.Sprintf("\n<!-- nianbao scale %d -->\n", i)...)
	} else {
		body = append(body, fmt.Sprintf("\n\n（文档 %d）\n", i)...)
	}
	return fmt.Sprintf("%07d_%s%s", i, b.name, b.ext), body
}

// generate writes n documents into dir and returns their total size.
func generate(dir string, n int, docs, pdfs []base, orgs []string, pdfEvery int) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var total int64
	for i := range n {
		name, body := document(i, docs, pdfs, orgs, pdfEvery)
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return total, fmt.Errorf("writing document %d: %w", i, err)
		}
		total += int64(len(body))
	}
	return total, nil
}
