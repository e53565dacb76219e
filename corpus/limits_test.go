package corpus

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/extract"
)

// A file past a per-document limit (here 8 MB of line breaks, far more lines
// than a document may lay out as) is stored, not extracted, and the import
// says why and goes on with the others.
func TestImportFileOverALimit(t *testing.T) {
	dir, _ := seedCopies(t, 2)
	hostile := filepath.Join(dir, "hostile.txt")
	if err := os.WriteFile(hostile, bytes.Repeat([]byte("\n"), 8<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	st, ex := testStore(t)
	res, err := Import(context.Background(), st, ex, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 2 {
		t.Errorf("%d records, want the 2 seeds'", res.Records)
	}
	var over error
	for _, e := range res.Errors {
		if strings.Contains(e.Error(), "hostile.txt") {
			over = e
		}
	}
	if over == nil || !errors.Is(over, extract.ErrLimit) || !strings.Contains(over.Error(), "stored, not extracted: extracting hostile.txt as text: the text has 8388609 lines, over 50000 (the per-document limit)") {
		t.Errorf("the hostile file's error: %v", over)
	}
	if got := captures(t, st); got != 3 {
		t.Errorf("%d captures, want 3: the hostile file's bytes are kept too", got)
	}
}
