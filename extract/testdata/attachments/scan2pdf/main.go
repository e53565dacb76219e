// Command scan2pdf wraps page images into a PDF with no text layer, as a
// scanner would: one image per page, either black-and-white (PBM "P4", as
// pdftoppm -mono writes, stored with Flate) or grey JPEG. The first argument
// is the images' resolution in dpi. It makes a test fixture.
package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"strconv"
)

func main() {
	dpi, err := strconv.ParseFloat(os.Args[1], 64)
	if err != nil {
		panic(err)
	}
	var pages [][]byte
	for _, p := range os.Args[2:] {
		b, err := os.ReadFile(p)
		if err != nil {
			panic(err)
		}
		pages = append(pages, b)
	}
	var out bytes.Buffer
	var offsets []int
	obj := func(s string, stream []byte) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s", len(offsets), s)
		if stream != nil {
			out.WriteString("\nstream\n")
			out.Write(stream)
			out.WriteString("\nendstream")
		}
		out.WriteString("\nendobj\n")
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	kids := ""
	for i := range n {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n), nil)
	for i, img := range pages {
		var (
			width, height int
			dict          string
		)
		if bytes.HasPrefix(img, []byte("P4")) {
			// PBM: "P4", width and height, one whitespace byte, then rows of
			// bits with 1 for black, which /Decode [1 0] says.
			r := bufio.NewReader(bytes.NewReader(img))
			var magic string
			if _, err := fmt.Fscan(r, &magic, &width, &height); err != nil {
				panic(err)
			}
			r.ReadByte()
			bits, _ := io.ReadAll(r)
			var z bytes.Buffer
			zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
			zw.Write(bits)
			zw.Close()
			img = z.Bytes()
			dict = fmt.Sprintf("/BitsPerComponent 1 /Decode [1 0] /Filter /FlateDecode /Length %d", len(img))
		} else {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
			if err != nil {
				panic(err)
			}
			width, height = cfg.Width, cfg.Height
			dict = fmt.Sprintf("/BitsPerComponent 8 /Filter /DCTDecode /Length %d", len(img))
		}
		w, h := float64(width)*72/dpi, float64(height)*72/dpi
		page, image, content := 3+3*i, 4+3*i, 5+3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im%d %d 0 R >> >> /Contents %d 0 R >>", w, h, i, image, content), nil)
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray %s >>", width, height, dict), img)
		draw := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im%d Do Q", w, h, i)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), []byte(draw))
		_ = page
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	os.Stdout.Write(out.Bytes())
}
