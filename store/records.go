package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Records, and their superseded versions, are kept compressed (zstd): a
// record holds its report's section texts as well as its tables, 9.5 KB of
// JSON on average over the real fixtures, 2.8 times less compressed, so the
// store file stays a few KB a document beside the raw documents' files
// (issue 34). A value that starts with zstd's magic is a compressed record;
// one that starts with "{" is a record written before (read as it is), so a
// store needs no migration.

// maxRecordBytes bounds what one stored record may decompress to.
const maxRecordBytes = 64 << 20

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// recordCodec is the encoder and decoder every record goes through. Both are
// safe for concurrent use and hold nothing between calls but their buffers:
// made once, like a compiled expression.
type recordCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

var records = sync.OnceValue(func() recordCodec {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2), zstd.WithWindowSize(1<<20))
	if err != nil {
		panic(fmt.Sprintf("store: making the record encoder: %v", err)) // options are constants
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(2), zstd.WithDecoderMaxMemory(maxRecordBytes))
	if err != nil {
		panic(fmt.Sprintf("store: making the record decoder: %v", err))
	}
	return recordCodec{enc: enc, dec: dec}
})

// encodeRecord is v (an Entry) as stored: JSON, compressed.
func encodeRecord(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return records().enc.EncodeAll(b, make([]byte, 0, len(b)/2)), nil
}

// decodeRecord reads a stored record (compressed, or JSON as written before)
// into out: an Entry, or a struct of some of its fields.
func decodeRecord(v []byte, out any) error {
	if bytes.HasPrefix(v, zstdMagic) {
		b, err := records().dec.DecodeAll(v, nil)
		if err != nil {
			return fmt.Errorf("decompressing: %w", err)
		}
		v = b
	}
	return json.Unmarshal(v, out)
}
