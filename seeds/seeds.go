// Package seeds reads the list of portals a harvest starts from: the CSV of
// administrative divisions with their 6-digit 行政区划代码, parent code and portal
// URL (../shared/data/portals.csv), or a plain list of URLs, one per line. It also
// answers which division a code belongs to, for attribution.
package seeds

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// Portal is one division's portal.
type Portal struct {
	Code       string   // 6-digit 行政区划代码; empty for a plain URL list
	Name       string   // 北京市, 东城区, …
	Level      string   // province, prefecture, county, county_bingtuan
	ParentCode string   // the parent division's code
	URL        string   // the portal, sometimes a deep link
	Flags      []string // deep_link_not_homepage, raw_ip_host, non_gov_cn_host, missing, …
	Note       string
}

// Host returns the portal URL's host name, lower-cased, without a port.
func (p Portal) Host() string {
	u, err := url.Parse(p.URL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// HasFlag reports whether the portal carries a flag.
func (p Portal) HasFlag(f string) bool {
	for _, x := range p.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// List is a set of portals with a lookup by code.
type List struct {
	Portals []Portal
	byCode  map[string]int
}

// Read reads either form: a CSV whose header starts with "code,", or a list of
// URLs (blank lines and lines starting with # are skipped).
func Read(r io.Reader) (*List, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(8)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading seeds: %w", err)
	}
	if strings.HasPrefix(strings.TrimPrefix(string(head), "\uFEFF"), "code") {
		return readCSV(br)
	}
	return readURLs(br)
}

func readCSV(r io.Reader) (*List, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading seeds CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\uFEFF")] = i
	}
	for _, need := range []string{"code", "name", "level", "url"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("seeds CSV lacks the %q column", need)
		}
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	l := &List{byCode: map[string]int{}}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("seeds CSV line %d: %w", line, err)
		}
		p := Portal{Code: get(rec, "code"), Name: get(rec, "name"), Level: get(rec, "level"),
			ParentCode: get(rec, "parent_code"), URL: get(rec, "url"), Note: get(rec, "note")}
		if f := get(rec, "url_flags"); f != "" {
			p.Flags = strings.Split(f, "|")
		}
		if len(p.Code) != 6 {
			return nil, fmt.Errorf("seeds CSV line %d: code %q is not a 6-digit 行政区划代码", line, p.Code)
		}
		if _, dup := l.byCode[p.Code]; dup {
			return nil, fmt.Errorf("seeds CSV line %d: code %s appears twice", line, p.Code)
		}
		l.byCode[p.Code] = len(l.Portals)
		l.Portals = append(l.Portals, p)
	}
	return l, nil
}

func readURLs(r io.Reader) (*List, error) {
	l := &List{byCode: map[string]int{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("seeds line %d: %q is not an http(s) URL", n, s)
		}
		l.Portals = append(l.Portals, Portal{URL: s})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading seeds: %w", err)
	}
	return l, nil
}

// ByCode returns the portal of a division.
func (l *List) ByCode(code string) (Portal, bool) {
	i, ok := l.byCode[code]
	if !ok {
		return Portal{}, false
	}
	return l.Portals[i], true
}

// Chain returns a division and its ancestors, nearest first.
func (l *List) Chain(code string) []Portal {
	var out []Portal
	for range 5 {
		p, ok := l.ByCode(code)
		if !ok {
			break
		}
		out = append(out, p)
		if p.ParentCode == "" || p.ParentCode == code {
			break
		}
		code = p.ParentCode
	}
	return out
}

// ReadFile reads a portal list or URL list from a file.
func ReadFile(path string) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading seeds: %w", err)
	}
	defer f.Close()
	l, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// HasDivisions: the list names administrative divisions (a portal list), not
// only URLs.
func (l *List) HasDivisions() bool { return len(l.byCode) > 0 }
