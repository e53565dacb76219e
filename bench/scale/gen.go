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

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// base is one real document the generator varies: its bytes, its file
// extension and the organisation its expected record names.
type base struct {
	name string
	body []byte
	ext  string
	org  string
	// stems are the parts of org the text names (the organisation up to
	// its last division, 咸宁市 of 咸宁市政务服务和大数据管理局, and that
	// division alone), longest first, and enc the body's encoding when it
	// is not UTF-8 (GBK); stems is empty when the body cannot be varied (a
	// PDF, Big5, a traditional-character text).
	stems []string
	enc   encoding.Encoding
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
		b := &base{name: filepath.Base(stem), body: body, ext: ext, org: exp.Organisation}
		b.stems, b.enc = variable(body, ext, exp.Organisation)
		return b, nil
	}
	return nil, nil
}

// divisions are the names the generator gives its documents' publishers:
// every division of a portal list.
func divisions(portals string) ([]string, error) {
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
	for _, r := range rows[1:] {
		if len(r) > 1 && r[1] != "" {
			out = append(out, r[1])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no divisions in %s", portals)
	}
	return out, nil
}

// variable finds what of a document's publisher its text names, and the
// text's encoding: the organisation's stem (up to its last 省, 市, 区, 县,
// 旗, 州, 镇 or 乡) and its last division, those the text holds, read as
// UTF-8 or else as GBK.
func variable(body []byte, ext, org string) ([]string, encoding.Encoding) {
	if ext == ".pdf" || org == "" {
		return nil, nil
	}
	const marks = "省市区县旗州镇乡"
	stem := org
	if i := strings.LastIndexAny(org, marks); i > 0 {
		_, w := utf8.DecodeRuneInString(org[i:])
		stem = org[:i+w]
	}
	// The stem, else its last division (乐都区 of 海东市乐都区).
	stems := []string{stem}
	if i := strings.LastIndexAny(strings.TrimRightFunc(stem, func(r rune) bool { return strings.ContainsRune(marks, r) }), marks); i > 0 {
		_, w := utf8.DecodeRuneInString(stem[i:])
		stems = append(stems, stem[i+w:])
	}
	text, enc := body, encoding.Encoding(nil)
	if !utf8.Valid(body) {
		t, err := simplifiedchinese.GBK.NewDecoder().Bytes(body)
		if err != nil {
			return nil, nil
		}
		text, enc = t, simplifiedchinese.GBK
	}
	var found []string
	for _, s := range stems {
		if bytes.Contains(text, []byte(s)) {
			found = append(found, s)
		}
	}
	return found, enc
}

// townChars make the names of the townships the generator invents: three
// of them and a kind give 30³×3 = 81,000 names, so that every copy of a
// document of 10⁶ (16,667 to each of 60 divisions) names a publisher of
// its own.
var townChars = []rune("青山石田林河平安和西南北大新白金天古江湖松竹梅桥坪岭塘口湾沙")

// publisher is the i-th document's stem: a division and a township of it
// (one of its own for every document up to 60 divisions × 81,000).
func publisher(i int, divs []string) string {
	d := divs[i%len(divs)]
	k := i / len(divs)
	n := len(townChars)
	kind := []string{"镇", "乡", "街道"}[k%3]
	t := k / 3
	return d + string([]rune{townChars[t%n], townChars[t/n%n], townChars[t/n/n%n]}) + kind
}

// document is the i-th generated document: a base chosen in turn (every
// pdfEvery-th a PDF when there is one), its publisher renamed where the
// text names it (each copy of a base a publisher of its own, so that no
// two read alike), and a line that makes its bytes its own. The copies
// of a base that cannot be renamed (the PDF, a Big5 or traditional text)
// read alike; docs/benchmarks.md says how many.
func document(i int, docs, pdfs []base, divs []string, pdfEvery int) (name string, body []byte) {
	if len(pdfs) > 0 && pdfEvery > 0 && i%pdfEvery == pdfEvery-1 {
		b := pdfs[i/pdfEvery%len(pdfs)]
		// Bytes after %%EOF are ignored by every reader.
		return fmt.Sprintf("%07d_%s%s", i, b.name, b.ext), append(bytes.Clone(b.body), fmt.Sprintf("\n%% nianbao scale %d\n", i)...)
	}
	b := docs[i%len(docs)]
	body = bytes.Clone(b.body)
	if len(b.stems) > 0 && len(divs) > 0 {
		body = rename(b, publisher(i, divs))
	}
	if b.ext == ".html" {
		body = append(body, fmt.Sprintf("\n<!-- nianbao scale %d -->\n", i)...)
	} else {
		body = append(body, fmt.Sprintf("\n\n（文档 %d）\n", i)...)
	}
	return fmt.Sprintf("%07d_%s%s", i, b.name, b.ext), body
}

// rename writes the base with its publisher's stems replaced, in the base's
// encoding (the base unchanged when the new name cannot be written in it).
func rename(b base, stem string) []byte {
	text := b.body
	if b.enc != nil {
		t, err := b.enc.NewDecoder().Bytes(b.body)
		if err != nil {
			return bytes.Clone(b.body)
		}
		text = t
	}
	for _, s := range b.stems {
		text = bytes.ReplaceAll(text, []byte(s), []byte(stem))
	}
	if b.enc == nil {
		return text
	}
	out, err := b.enc.NewEncoder().Bytes(text)
	if err != nil {
		return bytes.Clone(b.body)
	}
	return out
}

// generate writes n documents into dir and returns their total size and
// how many of them are copies of a base the generator cannot vary.
func generate(dir string, n int, docs, pdfs []base, divs []string, pdfEvery int) (total int64, alike int, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	for i := range n {
		name, body := document(i, docs, pdfs, divs, pdfEvery)
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return total, alike, fmt.Errorf("writing document %d: %w", i, err)
		}
		total += int64(len(body))
		if strings.HasSuffix(name, ".pdf") || len(docs[i%len(docs)].stems) == 0 {
			alike++
		}
	}
	return total, alike, nil
}
