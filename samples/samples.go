// Package samples holds hand-made sample reports with the values read from them
// (NAME.expected.json beside each NAME.html). They are the extractor's test
// fixtures and the demo's embedded corpus. Each exercises one reality of the
// published reports: the 2019 template with 政府集中采购 in 万元, GBK with the
// charset only in <meta> or nowhere, Big5, a header that claims UTF-8 over GBK
// bytes, a 小计 column, header-only tables, a pre-2019 free-form report, and a
// 300 KB Word-exported page. portals_demo.csv holds sixty real divisions of one
// province (from the shared portal list) for the demo on a machine without it.
package samples

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.html *.expected.json portals_demo.csv
var files embed.FS

// FS returns the sample files.
func FS() fs.FS { return files }

// Documents lists the sample documents' file names, sorted.
func Documents() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".html") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}
