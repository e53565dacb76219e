// Command scan2pdf wraps JPEG page images (100 dpi) into a PDF with no text
// layer, as a scanner would: one image per page. It makes a test fixture.
package main

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
)

func main() {
	var pages [][]byte
	for _, p := range os.Args[1:] {
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
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			panic(err)
		}
		w, h := float64(cfg.Width)*72/100, float64(cfg.Height)*72/100
		page, image, content := 3+3*i, 4+3*i, 5+3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im%d %d 0 R >> >> /Contents %d 0 R >>", w, h, i, image, content), nil)
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>", cfg.Width, cfg.Height, len(img)), img)
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
