package export

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/nianbao/nianbao/store"
)

// WARCWriter writes captures as WARC 1.1 files for web-archive tools: a response
// record (the HTTP status line and headers as fetched, then the raw body) per
// fetched document, a resource record per imported file, each record its own
// gzip member, files rotated at MaxFileSize.
type WARCWriter struct {
	Dir         string
	Prefix      string // file names: PREFIX-00000.warc.gz
	MaxFileSize int64  // default 1 GiB
	Software    string

	f       *os.File
	final   string // the name f gets when it is complete
	size    int64
	seq     int
	infoID  string
	Files   []string
	Records int
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + base32.StdEncoding.EncodeToString(sum[:])
}

func (w *WARCWriter) open() error {
	if w.Prefix == "" {
		w.Prefix = "nianbao"
	}
	if w.MaxFileSize <= 0 {
		w.MaxFileSize = 1 << 30
	}
	name := fmt.Sprintf("%s-%05d.warc.gz", w.Prefix, w.seq)
	w.seq++
	// Written under a .part name and renamed when complete: a killed export
	// leaves no truncated file under a final name.
	final := filepath.Join(w.Dir, name)
	f, err := os.Create(final + ".part")
	if err != nil {
		return fmt.Errorf("creating WARC file: %w", err)
	}
	w.f, w.size, w.final = f, 0, final
	w.infoID = newUUID()
	fields := fmt.Sprintf("software: %s\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n", w.Software)
	return w.record([][2]string{{"WARC-Type", "warcinfo"}, {"WARC-Record-ID", w.infoID}, {"WARC-Date", time.Now().UTC().Format(time.RFC3339)},
		{"WARC-Filename", name}, {"Content-Type", "application/warc-fields"}}, []byte(fields))
}

// record writes one record as its own gzip member.
func (w *WARCWriter) record(headers [][2]string, block []byte) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprint(zw, "WARC/1.1\r\n")
	for _, h := range headers {
		fmt.Fprintf(zw, "%s: %s\r\n", h[0], h[1])
	}
	fmt.Fprintf(zw, "Content-Length: %d\r\n\r\n", len(block))
	zw.Write(block)
	fmt.Fprint(zw, "\r\n\r\n")
	if err := zw.Close(); err != nil {
		return err
	}
	n, err := w.f.Write(buf.Bytes())
	w.size += int64(n)
	if err != nil {
		return fmt.Errorf("writing %s: %w", w.f.Name(), err)
	}
	return nil
}

// httpBlock rebuilds the HTTP response as fetched: status line, the headers
// (without transfer codings: the body is stored decoded) and the body.
func httpBlock(c *store.Capture, body []byte) []byte {
	var b bytes.Buffer
	status := c.Status
	if status == 0 {
		status = http.StatusOK
	}
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	keys := make([]string, 0, len(c.Header))
	for k := range c.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Transfer-Encoding", "Content-Encoding":
			continue
		}
		for _, v := range c.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, strings.NewReplacer("\r", " ", "\n", " ").Replace(v))
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return b.Bytes()
}

// Write adds one capture and its raw bytes.
func (w *WARCWriter) Write(c *store.Capture, body []byte) error {
	if w.f == nil || w.size >= w.MaxFileSize {
		if err := w.Close(); err != nil {
			return err
		}
		if err := w.open(); err != nil {
			return err
		}
	}
	date := c.FetchedAt.UTC().Format(time.RFC3339)
	h := [][2]string{{"WARC-Record-ID", newUUID()}, {"WARC-Date", date}, {"WARC-Warcinfo-ID", w.infoID}}
	var block []byte
	if c.Origin == "fetch" && c.URL != "" {
		block = httpBlock(c, body)
		h = append([][2]string{{"WARC-Type", "response"}}, h...)
		h = append(h, [2]string{"WARC-Target-URI", c.URL}, [2]string{"Content-Type", "application/http; msgtype=response"},
			[2]string{"WARC-Payload-Digest", digest(body)})
	} else {
		block = body
		target := "urn:nianbao:import:" + url.PathEscape(c.Name)
		if c.URL != "" {
			target = c.URL
		}
		ct := c.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h = append([][2]string{{"WARC-Type", "resource"}}, h...)
		h = append(h, [2]string{"WARC-Target-URI", target}, [2]string{"Content-Type", ct})
	}
	h = append(h, [2]string{"WARC-Block-Digest", digest(block)}, [2]string{"WARC-Nianbao-Report-ID", c.ReportID})
	if err := w.record(h, block); err != nil {
		return err
	}
	w.Records++
	return nil
}

// Close finishes the current file and gives it its final name.
func (w *WARCWriter) Close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	if err == nil {
		err = os.Rename(w.f.Name(), w.final)
	}
	if err == nil {
		w.Files = append(w.Files, w.final)
	} else {
		os.Remove(w.f.Name())
	}
	w.f = nil
	return err
}

// abandon drops the file being written (an export that failed part way).
func (w *WARCWriter) abandon() {
	if w.f != nil {
		w.f.Close()
		os.Remove(w.f.Name())
		w.f = nil
	}
}

// WriteWARC writes every capture of the store into dir.
func WriteWARC(dir string, st *store.Store, software string) (*WARCWriter, error) {
	w := &WARCWriter{Dir: dir, Software: software}
	err := st.Captures(func(c *store.Capture) error {
		body, err := st.Raw(c.SHA256)
		if err != nil {
			return fmt.Errorf("capture %d: %w", c.ID, err)
		}
		return w.Write(c, body)
	})
	if err != nil {
		w.abandon()
		return w, err
	}
	return w, w.Close()
}
