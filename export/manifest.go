package export

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/nianbao/nianbao/store"
)

// WriteManifest writes one JSON line per stored capture (store.ManifestEntry).
func WriteManifest(w io.Writer, st *store.Store) (int, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	err := st.Manifest(func(m store.ManifestEntry) error {
		n++
		if err := enc.Encode(m); err != nil {
			return fmt.Errorf("writing the manifest line of capture %d: %w", m.CaptureID, err)
		}
		return nil
	})
	return n, err
}
