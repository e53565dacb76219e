package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The project's config.yaml reads as the defaults say, and extract.deadline
// is read, and refused below a second.
func TestExtractDeadline(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "config.yaml"), false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Extract.Deadline != Default().Extract.Deadline || cfg.Extract.Deadline != time.Minute {
		t.Errorf("config.yaml: extract.deadline %s, the default %s", cfg.Extract.Deadline, Default().Extract.Deadline)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		yaml string
		want time.Duration
		err  string
	}{
		{"extract:\n  deadline: 90s\n", 90 * time.Second, ""},
		{"extract:\n  deadline: 10ms\n", 0, "extract.deadline: must be at least 1s"},
	} {
		path := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path, false)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want an error that says %q", c.yaml, err, c.err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.yaml, err)
		case cfg.Extract.Deadline != c.want:
			t.Errorf("%q: deadline %s, want %s", c.yaml, cfg.Extract.Deadline, c.want)
		}
	}
}
