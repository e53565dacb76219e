// Command mkdict trains the dictionary the store compresses records with
// (store/recorddict): it imports the real reports, the seed reports and the
// samples into a temporary store, reads their records back as the store
// encodes them, and trains a zstd dictionary on them. It prints what the
// dictionary saves on reports it was not trained on: trained on half of the
// documents (split by name), measured on the other half; and, with -eval
// STORE, on that store's records. Records of the simulated web's reports
// (a demo harvest) added to the training made it worse on real ones (3,790
// bytes a record against 3,528 on the scale benchmark's): their prose took
// the dictionary's room.
//
// A dictionary, once records are written with it, is never changed: records
// name it by its ID. A better one is added with the next ID, and the store
// reads with every one and writes with the newest.
//
//	go run ./store/mkdict -id 1851916290 -out store/recorddict/records-1851916290.zdict
//
// The trainer is not deterministic (two runs give dictionaries a few hundred
// bytes apart): a dictionary is kept, never made again under its ID.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/zstd"

	"github.com/nianbao/nianbao/corpus"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

func main() {
	var (
		fixtures = flag.String("fixtures", "../shared/fixtures", "the project's fixtures (real/ and seeds/)")
		samples  = flag.String("samples", "samples", "the samples folder")
		id       = flag.Uint("id", 0, "the dictionary's ID (one more than the newest in store/recorddict)")
		out      = flag.String("out", "", "where to write the dictionary")
		size     = flag.Int("size", 64<<10, "the dictionary's size in bytes")
		eval     = flag.String("eval", "", "a store whose records the dictionary is measured on (up to 5,000)")
	)
	flag.Parse()
	if *id == 0 || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: mkdict -id N -out FILE [-fixtures DIR] [-samples DIR]")
		os.Exit(2)
	}
	if err := run(context.Background(), []string{filepath.Join(*fixtures, "real"), filepath.Join(*fixtures, "seeds"), *samples}, *eval, uint32(*id), *size, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkdict:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dirs []string, eval string, id uint32, size int, out string) error {
	recs, names, err := records(ctx, dirs)
	if err != nil {
		return err
	}
	opts := dict.Options{MaxDictSize: size, HashBytes: 6, ZstdDictID: id, ZstdLevel: zstd.SpeedDefault}
	d, err := dict.BuildZstdDict(clip(recs), opts)
	if err != nil {
		return fmt.Errorf("training on %d records: %w", len(recs), err)
	}
	if err := os.WriteFile(out, d, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes, ID %d, trained on %d records\n", out, len(d), id, len(recs))
	if eval != "" {
		test, err := stored(eval, 5000)
		if err != nil {
			return err
		}
		if err := compare(fmt.Sprintf("%s: %d records", eval, len(test)), test, d); err != nil {
			return err
		}
	}
	// What it saves on reports it has not seen: trained on one half, measured on the other.
	var a, b [][]byte
	for i, r := range recs {
		if crc32.ChecksumIEEE([]byte(names[i]))%2 == 0 {
			a = append(a, r)
		} else {
			b = append(b, r)
		}
	}
	half, err := dict.BuildZstdDict(clip(a), opts)
	if err != nil {
		return fmt.Errorf("training on half of the records: %w", err)
	}
	return compare(fmt.Sprintf("held out: %d records trained on, %d measured", len(a), len(b)), b, half)
}

// compare prints the mean size of recs compressed without a dictionary and
// with d.
func compare(label string, recs [][]byte, d []byte) error {
	plain, err := mean(recs, nil)
	if err != nil {
		return err
	}
	with, err := mean(recs, d)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes a record compressed without a dictionary, %d with (%.0f %%)\n",
		label, plain, with, 100*float64(with)/float64(plain))
	return nil
}

// records imports every document of dirs into a temporary store and returns
// their records as the store encodes them (before compression), with the
// names of their documents.
func records(ctx context.Context, dirs []string) ([][]byte, []string, error) {
	tmp, err := os.MkdirTemp("", "nianbao-mkdict-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	st, err := store.Open(filepath.Join(tmp, "dict.db"), store.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	ex, err := extract.New()
	if err != nil {
		return nil, nil, err
	}
	var paths []string
	for _, dir := range dirs {
		for _, ext := range []string{"*.html", "*.txt", "*.md", "*.pdf", "*.docx"} {
			m, err := filepath.Glob(filepath.Join(dir, ext))
			if err != nil {
				return nil, nil, err
			}
			paths = append(paths, m...)
		}
	}
	if _, err := corpus.Import(ctx, st, ex, paths, nil); err != nil {
		return nil, nil, err
	}
	var recs [][]byte
	var names []string
	err = st.Entries(func(e *store.Entry) error {
		if e.Record == nil || len(e.Sources) == 0 || strings.EqualFold(filepath.Base(e.Sources[0].Name), "README.md") {
			return nil
		}
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		recs = append(recs, b)
		names = append(names, e.Sources[0].Name)
		return nil
	})
	return recs, names, err
}

// maxSample is how much of one record the trainer is given: the library's
// builder fails (a slice out of range) on samples of some hundreds of KB,
// the records of reports merged from many documents.
const maxSample = 64 << 10

// clip cuts every record to maxSample bytes for training.
func clip(recs [][]byte) [][]byte {
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = r[:min(len(r), maxSample)]
	}
	return out
}

// stored reads up to max records of a store (0: every one) as the store
// encodes them before compression.
func stored(path string, max int) ([][]byte, error) {
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out [][]byte
	errEnough := errors.New("enough")
	err = st.Entries(func(e *store.Entry) error {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		out = append(out, b)
		if len(out) == max {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("reading the records of %s: %w", path, err)
	}
	return out, nil
}

// mean is the mean size of recs compressed as the store does, with the
// dictionary d (nil: none).
func mean(recs [][]byte, d []byte) (int, error) {
	opts := []zstd.EOption{zstd.WithEncoderLevel(zstd.SpeedDefault)}
	if d != nil {
		opts = append(opts, zstd.WithEncoderDict(d))
	}
	enc, err := zstd.NewWriter(nil, opts...)
	if err != nil {
		return 0, err
	}
	defer enc.Close()
	n := 0
	for _, r := range recs {
		n += len(enc.EncodeAll(r, nil))
	}
	if len(recs) == 0 {
		return 0, fmt.Errorf("no records")
	}
	return n / len(recs), nil
}
