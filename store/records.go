package store

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Records, and their superseded versions, are kept compressed (zstd) with a
// dictionary trained on real reports' records (store/recorddict, made by
// go run ./store/mkdict): a record holds its report's section texts as well
// as its tables, 9.5 KB of JSON on average over the real fixtures; without a
// dictionary it compresses 2.8 times, and with one, on reports it was not
// trained on, to 71 % of that again, so the store file stays a few KB a
// document beside the raw documents' files (issue 34). A value that starts
// with zstd's magic is a compressed record (its frame names its dictionary,
// or none: records written before the dictionary); one that starts with "{"
// is a record written before compression (read as it is), so a store needs
// no migration.

// maxRecordBytes bounds what one stored record may decompress to.
const maxRecordBytes = 64 << 20

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// dictFiles are the record dictionaries, named records-ID.zdict. A
// dictionary records were written with is never changed or removed: a
// better one is added with a higher ID, and the newest writes.
//
//go:embed recorddict/records-*.zdict
var dictFiles embed.FS

// recordCodec is the encoder and decoder every record goes through. Both are
// safe for concurrent use and hold nothing between calls but their buffers:
// made once, like a compiled expression.
type recordCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

var records = sync.OnceValue(func() recordCodec {
	dicts, err := recordDicts()
	if err != nil {
		panic(fmt.Sprintf("store: reading the record dictionaries: %v", err)) // embedded: a broken build
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2),
		zstd.WithWindowSize(1<<20), zstd.WithEncoderDict(dicts[len(dicts)-1]))
	if err != nil {
		panic(fmt.Sprintf("store: making the record encoder: %v", err)) // options are constants
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(2), zstd.WithDecoderMaxMemory(maxRecordBytes), zstd.WithDecoderDicts(dicts...))
	if err != nil {
		panic(fmt.Sprintf("store: making the record decoder: %v", err))
	}
	return recordCodec{enc: enc, dec: dec}
})

// recordDicts reads the embedded dictionaries, oldest (lowest ID) first.
func recordDicts() ([][]byte, error) {
	names, err := fs.Glob(dictFiles, "recorddict/records-*.zdict")
	if err != nil {
		return nil, err
	}
	type dict struct {
		id   uint64
		body []byte
	}
	var ds []dict
	for _, n := range names {
		id, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(path.Base(n), "records-"), ".zdict"), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: the name holds no ID: %w", n, err)
		}
		b, err := dictFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ds = append(ds, dict{id, b})
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("no dictionary embedded")
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].id < ds[j].id })
	out := make([][]byte, len(ds))
	for i, d := range ds {
		out[i] = d.body
	}
	return out, nil
}

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
