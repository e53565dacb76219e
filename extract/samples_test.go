package extract

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/samples"
)

// TestSamples extracts every hand-made sample and compares it with the values
// written beside it.
func TestSamples(t *testing.T) {
	e := newTestExtractor(t)
	docs := samples.Documents()
	if len(docs) < 8 {
		t.Fatalf("only %d samples", len(docs))
	}
	for _, name := range docs {
		t.Run(name, func(t *testing.T) {
			body, err := fs.ReadFile(samples.FS(), name)
			if err != nil {
				t.Fatal(err)
			}
			b, err := fs.ReadFile(samples.FS(), strings.TrimSuffix(name, ".html")+".expected.json")
			if err != nil {
				t.Fatal(err)
			}
			var want seedExpect
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			rec, err := e.Extract(context.Background(), Document{Body: body, Name: name, ContentType: want.ContentType})
			if err != nil {
				t.Fatal(err)
			}
			checkSeed(t, rec, want)
			if rec.Source.Format != "html" {
				t.Errorf("format = %q, want html", rec.Source.Format)
			}
			if want.TablesAbsent {
				return
			}
			if len(want.Inferred) == 0 && len(rec.Inferred) > 0 {
				t.Errorf("inferred %v from a document that prints every value or none", rec.Inferred)
			}
			if fails := rec.FailedChecks(); len(fails) > 0 {
				t.Errorf("checks failed on a consistent sample: %v", fails)
			}
		})
	}
}
