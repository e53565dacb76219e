package extract

import (
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/samples"
)

// walked is what the walker reads from a page, parsed as given.
func walked(t *testing.T, page string) *htmlWalker {
	t.Helper()
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	w := &htmlWalker{}
	w.walk(root, 0)
	w.flush()
	w.cur.Reset()
	return w
}

// sameReading fails when dropping attributes changed anything the walker
// reads: lines, cells, links, titles or the published date.
func sameReading(t *testing.T, page string) {
	t.Helper()
	want, got := walked(t, page), walked(t, dropAttrs(page))
	if !reflect.DeepEqual(want.lines, got.lines) {
		for i := range min(len(want.lines), len(got.lines)) {
			if !reflect.DeepEqual(want.lines[i], got.lines[i]) {
				t.Fatalf("line %d differs:\n%+v\n%+v", i, want.lines[i], got.lines[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(got.lines), len(want.lines))
	}
	if !reflect.DeepEqual(want.links, got.links) || want.title != got.title || want.h1 != got.h1 ||
		want.metaTitle != got.metaTitle || want.pub != got.pub {
		t.Fatalf("links or titles differ: %+v / %+v", want.links, got.links)
	}
}

// Pages in every shape the project holds read the same with and without the
// attributes slimHTML drops: the samples, the seeds pasted from Word, and
// markup the tokenizer treats specially.
func TestSlimReadsTheSame(t *testing.T) {
	dec, err := decode.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range samples.Documents() {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		b, err := fs.ReadFile(samples.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { sameReading(t, dec.Bytes(b, "", true).Text) })
	}
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "shared", "fixtures", "seeds", "*.txt"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		page := samples.WordPasted(string(b))
		t.Run(filepath.Base(p), func(t *testing.T) {
			sameReading(t, page)
			if slim := slimHTML(page); len(slim) >= len(page) {
				t.Fatalf("a Word-pasted page of %d bytes was not slimmed", len(page))
			}
		})
	}
	for _, page := range []string{
		`<p class="a>b" style='x>y'>一、总体情况</p><td rowspan=2 class=x>3</td>`,
		`<title><b class="x">年报</b></title><p>文本 a<b c=1>粗</b></p>`,
		`<script>var s = "<p class='x'>内容</p>";</script><p style="x">后</p>`,
		`<!-- <p class="x">注释</p> --><p class=y>正文</p><!--> <p class=z>x</p>`,
		`<textarea><p class="a">不是标签</p></textarea><p lang=zh>是</p>`,
		`<a href="x.pdf" class="btn" target=_blank>附件</a><a/href=y.doc>二</a><p =x>等号</p>`,
		`<plaintext><p class="a">全是文本</p>`,
		`<table><tr><td style="x" colspan="2"rowspan="2">合并</td></tr></table><p class="unterminated`,
		`<meta name="description" content="某某县人民政府2023年政府信息公开工作年度报告" class=m><div id=a class="b c">正文</div>`,
		`<SCRIPT type=text/javascript>document.write('<td class=x>')</Script ><P CLASS=X>大写</P>`,
	} {
		sameReading(t, page)
	}
}

// Mutated pages (real pages with bytes changed to the characters the
// tokenizer's states turn on, spans cut out and spans copied elsewhere) read
// the same with and without the dropped attributes: a deterministic sweep
// beside FuzzSlim, run on every test.
func TestSlimMutatedPages(t *testing.T) {
	t.Parallel()
	var pages []string
	for _, name := range samples.Documents() {
		if b, err := fs.ReadFile(samples.FS(), name); err == nil && len(b) < 70_000 && strings.HasSuffix(name, ".html") {
			pages = append(pages, string(b))
		}
	}
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "shared", "fixtures", "seeds", "*.txt"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			page := samples.WordPasted(string(b))
			pages = append(pages, page[:min(len(page), 20_000)])
		}
	}
	const alphabet = "<>\"'=/ !-ab"
	r := rand.New(rand.NewSource(1))
	// A fixed sample of mutations, the same on every run; CI's fuzz pass
	// (FuzzSlim) explores beyond it.
	for range 500 {
		p := []byte(pages[r.Intn(len(pages))])
		for range 1 + r.Intn(5) {
			i := r.Intn(len(p))
			switch r.Intn(3) {
			case 0:
				p[i] = alphabet[r.Intn(len(alphabet))]
			case 1:
				p = append(p[:i], p[min(len(p), i+r.Intn(20)):]...)
			default:
				j := r.Intn(len(p))
				span := string(p[j:min(len(p), j+30)])
				p = append(p[:i:i], append([]byte(span), p[i:]...)...)
			}
		}
		sameReading(t, string(p))
	}
}

// FuzzSlim checks on any bytes that dropping attributes never changes what
// the walker reads.
func FuzzSlim(f *testing.F) {
	for _, name := range samples.Documents() {
		if b, err := fs.ReadFile(samples.FS(), name); err == nil && len(b) < 70_000 && strings.HasSuffix(name, ".html") {
			f.Add(string(b))
		}
	}
	f.Add(`<p class="a>b" style='x>y'>一、总体情况</p><td rowspan=2 class=x>3</td>`)
	f.Add(`<title><b class="x">年报</b></title><script>"<p class='x'>"</script><!--><p class=z>`)
	f.Fuzz(func(t *testing.T, page string) {
		sameReading(t, page)
	})
}
