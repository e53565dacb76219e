package extract

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// requireTool finds a command the tests need; CI (NIANBAO_REQUIRE_TOOLS=1)
// installs them all, so there a missing one fails instead of skipping.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("NIANBAO_REQUIRE_TOOLS") != "" {
			t.Fatalf("%s is not installed, and NIANBAO_REQUIRE_TOOLS is set", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// asWord6 is a DOC fixture with its version number set to Word 6's, which the
// Go reader leaves to antiword.
func asWord6(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/attachments/" + name)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := openCFB(b)
	if err != nil {
		t.Fatal(err)
	}
	e := cf.root["WordDocument"]
	off := 512 + int(e.start)*cf.sector
	if binary.LittleEndian.Uint16(b[off:]) != 0xA5EC {
		t.Fatal("no Word file information block where the directory says")
	}
	out := append([]byte(nil), b...)
	binary.LittleEndian.PutUint16(out[off+2:], 0x65)
	return out
}

func TestDocOlderThanWord97(t *testing.T) {
	body := asWord6(t, "001.doc")
	// Without antiword, the error names it and how to install it.
	e, err := NewWithOptions(Options{NoPDF: true, Antiword: "-"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Extract(context.Background(), Document{Body: body, Name: "old.doc"})
	if err == nil || !strings.Contains(err.Error(), "antiword") || !strings.Contains(err.Error(), "apt-get install antiword") || !strings.Contains(err.Error(), "before Word 97") {
		t.Fatalf("no antiword: %v", err)
	}
	// With antiword, the file is handed to it; this one is not a real Word 6
	// file, and antiword's own complaint comes back.
	e, err = NewWithOptions(Options{NoPDF: true, Antiword: requireTool(t, "antiword")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Extract(context.Background(), Document{Body: body, Name: "old.doc"})
	if err == nil || !strings.Contains(err.Error(), "antiword failed") {
		t.Fatalf("with antiword: %v", err)
	}
}

// antiword's text is read back as lines, its table rows as cells.
func TestAntiwordLayout(t *testing.T) {
	bin := requireTool(t, "antiword")
	body, err := os.ReadFile("testdata/attachments/000.doc")
	if err != nil {
		t.Fatal(err)
	}
	lay, err := runAntiword(context.Background(), bin, body, errNotWord97)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range lay.Lines {
		if l.Table && len(l.Cells) == 2 && l.Cells[0] == "行政许可" && l.Cells[1] == "0" {
			found = true
		}
	}
	if !found || len(lay.Warnings) == 0 {
		t.Fatalf("antiword's table row not read as cells (warnings %v)", lay.Warnings)
	}
}

// A Word file cut anywhere, or with its sectors scrambled, ends in an error or
// a record, never a panic.
func TestDocBroken(t *testing.T) {
	e := newTestExtractor(t)
	for _, name := range []string{"000.doc", "003.xls"} {
		b, err := os.ReadFile("testdata/attachments/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 8, 511, 512, 1000, len(b) / 3, len(b) / 2, len(b) - 1} {
			_, err := e.Extract(context.Background(), Document{Body: b[:n], Name: name})
			if n < len(b)/2 && err == nil {
				t.Errorf("%s cut to %d bytes read without an error", name, n)
			}
		}
		// Every FAT entry pointing at itself: the chains loop.
		cf, _ := openCFB(b)
		loop := append([]byte(nil), b...)
		first := binary.LittleEndian.Uint32(b[0x4C:])
		off := 512 + int(first)*cf.sector
		for i := 0; i < cf.sector/4; i++ {
			binary.LittleEndian.PutUint32(loop[off+4*i:], uint32(i))
		}
		if _, err := e.Extract(context.Background(), Document{Body: loop, Name: name}); err == nil || !errors.Is(err, errCFB) {
			t.Errorf("%s with looping sector chains: %v", name, err)
		}
	}
}

// Word and Excel fixtures with bytes overwritten here and there (a fixed
// random sequence): each read ends in an error or a record, never a panic, and
// quickly. The fuzzer rarely gets this deep into a 20 KB compound file.
// damagedCopies is how many damaged copies of each file TestOLEDamaged reads:
// a sample of the same damage FuzzOLE applies at length (CI runs it 100,000
// times).
const damagedCopies = 150

func TestOLEDamaged(t *testing.T) {
	t.Parallel()
	e := newTestExtractor(t)
	for _, name := range []string{"001.doc", "003.xls"} {
		b, err := os.ReadFile("testdata/attachments/" + name)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, uint64(len(b))))
		seen := map[[32]byte]bool{}
		for range damagedCopies {
			m := append([]byte(nil), b...)
			for range 1 + rng.IntN(8) {
				m[rng.IntN(len(m))] = []byte{0, 0xFF, byte(rng.IntN(256))}[rng.IntN(3)]
			}
			fuzzReadDistinct(t, e, e.readers["ole"], m, seen)
		}
		t.Logf("%s: %d damaged copies, %d distinct layouts built", name, damagedCopies, len(seen))
	}
}
