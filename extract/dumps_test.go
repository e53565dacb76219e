package extract

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shapes crawlers' text dumps give a report, made from the seeds and the
// real text fixtures: one text node per line (every cell on a line of its
// own), with some cells' digits split over two lines as a page's markup
// splits them (<span>1</span><span>62</span>), with consecutive repeated
// lines dropped as some dumps do, and every row's cells run together. What a
// shape loses may be null; no cell may hold a wrong number, whatever the
// splits. Each shape is tried with several random splits.
func TestDumpShapesGiveNoWrongCell(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	defer e.Close()
	var docs []string
	for _, dir := range []string{seedDir, realDir} {
		exps, _ := filepath.Glob(filepath.Join(dir, "*.expected.json"))
		for _, exp := range exps {
			if base := strings.TrimSuffix(exp, ".expected.json"); fileExists(base + ".txt") {
				docs = append(docs, base)
			}
		}
	}
	if len(docs) < 10 {
		t.Fatalf("found %d text fixtures in %s and %s (is ../shared beside the project?)", len(docs), seedDir, realDir)
	}
	shapes := []struct {
		name    string
		reshape func(s string, rng *rand.Rand) string
	}{
		{"one value per line", func(s string, _ *rand.Rand) string { return perLine(s, nil) }},
		{"one value per line, digits split", func(s string, rng *rand.Rand) string { return perLine(s, rng) }},
		{"one value per line, repeats collapsed", func(s string, _ *rand.Rand) string { return collapseRepeats(perLine(s, nil)) }},
		{"split and collapsed", func(s string, rng *rand.Rand) string { return collapseRepeats(perLine(s, rng)) }},
		{"run together", func(s string, _ *rand.Rand) string { return flattenLines(s, "") }},
	}
	for _, sh := range shapes {
		right, total := 0, 0
		for seed := uint64(1); seed <= 4; seed++ {
			rng := rand.New(rand.NewPCG(seed, 33))
			for _, base := range docs {
				body, err := os.ReadFile(base + ".txt")
				if err != nil {
					t.Fatal(err)
				}
				var want realExpect
				if b, err := os.ReadFile(base + ".expected.json"); err != nil || json.Unmarshal(b, &want) != nil {
					t.Fatalf("reading %s.expected.json: %v", base, err)
				}
				text := sh.reshape(string(body), rng)
				rec, err := e.Extract(context.Background(), Document{Body: []byte(text), Name: "dump.txt"})
				if err != nil {
					t.Fatalf("%s, %s: %v", sh.name, filepath.Base(base), err)
				}
				r, n, wrong, _, _ := score(rec, want)
				right, total = right+r, total+n
				if len(wrong) > 0 {
					t.Errorf("%s (seed %d), %s: wrong cells %v", sh.name, seed, filepath.Base(base), wrong)
				}
			}
		}
		t.Logf("%s: %d/%d cells right or left null where undecidable", sh.name, right, total)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// perLine puts every tab-separated cell of a text on a line of its own, as a
// dump of a page's text nodes does; with rng, a third of the numbers of two
// or more digits are split over two lines at a random place.
func perLine(s string, rng *rand.Rand) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		for _, c := range strings.Split(l, "\t") {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			if rng != nil && len(c) >= 2 && isDigits(c) && rng.IntN(3) == 0 {
				at := 1 + rng.IntN(len(c)-1)
				out = append(out, c[:at], c[at:])
				continue
			}
			out = append(out, c)
		}
	}
	return strings.Join(out, "\n")
}

// collapseRepeats drops a line that repeats the line before it.
func collapseRepeats(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	for i, l := range lines {
		if i > 0 && l == lines[i-1] {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
