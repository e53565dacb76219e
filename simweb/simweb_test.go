package simweb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/decode"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/seeds"
)

func portals(t testing.TB) *seeds.List {
	t.Helper()
	l, err := seeds.ReadFile("../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func world(t testing.TB, hosts int, epoch int, faults bool) *World {
	t.Helper()
	w, err := Generate(Config{Seed: 42, Hosts: hosts, Epoch: epoch, Portals: portals(t), Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// serve starts a world and returns a client that goes through its proxy and
// trusts its CA, like a crawler configured for it.
func serve(t *testing.T, w *World, opt Options) (*Server, *http.Client) {
	t.Helper()
	s, err := NewServer(w, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CACertPEM())
	pu, _ := url.Parse(s.ProxyURL())
	c := &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true},
		Timeout:   5 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return s, c
}

var testDecoder *decode.Decoder

// get fetches a URL and decodes the body as a crawler would.
// servePlain serves a world without faults with every host on plain HTTP.
func servePlain(t *testing.T, hosts, epoch int) (*World, *http.Client) {
	t.Helper()
	w := world(t, hosts, epoch, false)
	for _, h := range w.Hosts {
		h.Scheme = "http"
	}
	_, c := serve(t, w, Options{})
	return w, c
}

// serveOne serves a small world whose first host is set up by prepare before the
// server starts (hosts are never changed while served).
func serveOne(t *testing.T, opt Options, prepare func(h *Host)) (*Host, *Server, *http.Client) {
	t.Helper()
	w := world(t, 10, 0, false)
	h := w.Hosts[0]
	h.Scheme = "http"
	prepare(h)
	s, c := serve(t, w, opt)
	return h, s, c
}

func get(t *testing.T, c *http.Client, u string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("User-Agent", "nianbao-test/1.0 (+https://github.com/nianbao/nianbao)")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if testDecoder == nil {
		if testDecoder, err = decode.New(); err != nil {
			t.Fatal(err)
		}
	}
	if extract.Sniff(b) != "html" && extract.Sniff(b) != "text" {
		return resp.StatusCode, resp.Header, string(b)
	}
	return resp.StatusCode, resp.Header, testDecoder.Bytes(b, resp.Header.Get("Content-Type"), true).Text
}

func hostWith(t *testing.T, w *World, ok func(*Host) bool) *Host {
	t.Helper()
	for _, h := range w.Hosts {
		if ok(h) {
			return h
		}
	}
	t.Fatal("no host in the world has the wanted property")
	return nil
}

func TestGenerateDeterministicAndSized(t *testing.T) {
	t.Parallel()
	a := world(t, 60, 0, true)
	b := world(t, 60, 0, true)
	if len(a.Hosts) != 60 || len(b.Hosts) != 60 {
		t.Fatalf("hosts: %d and %d, want 60", len(a.Hosts), len(b.Hosts))
	}
	ma, _ := json.Marshal(a.Manifest(true))
	mb, _ := json.Marshal(b.Manifest(true))
	if string(ma) != string(mb) {
		t.Fatal("the same config gave two worlds")
	}
	dialects := map[Dialect]bool{}
	outcomes := map[Outcome]int{}
	formats := map[string]int{}
	for _, h := range a.Hosts {
		dialects[h.Dialect] = true
	}
	for _, r := range a.Manifest(false).Reports {
		outcomes[r.Outcome]++
		formats[r.Format]++
	}
	t.Logf("dialects %v, outcomes %v, formats %v", dialects, outcomes, formats)
	for _, o := range []Outcome{Found, RobotsDisallowed, BlockedWAF, Unreachable, NotPublished} {
		if outcomes[o] == 0 {
			t.Errorf("no %s unit-year in a 60-host world with faults", o)
		}
	}
	for _, f := range []string{"html", "pdf", "docx", "doc", "xlsx", "scanned_pdf"} {
		if formats[f] == 0 {
			t.Errorf("no %s report", f)
		}
	}
	e1 := world(t, 60, 1, true)
	drift := map[string]int{}
	for _, r := range e1.Manifest(false).Reports {
		drift[r.Drift]++
	}
	for _, d := range []string{"new", "gone_404", "soft_404", "moved", "revised", "migrated", "moved_host_404"} {
		if drift[d] == 0 {
			t.Errorf("epoch 1 has no %s report: %v", d, drift)
		}
	}
}

func TestEveryDialectServedAsDescribed(t *testing.T) {
	t.Parallel()
	w := world(t, 120, 0, false)
	s, c := serve(t, w, Options{})
	_ = s
	for _, d := range Dialects {
		d := d
		t.Run(string(d), func(t *testing.T) {
			h := hostWith(t, w, func(h *Host) bool { return h.Dialect == d })
			code, _, home := get(t, c, homeURL(h))
			if code != 200 || !strings.Contains(home, "政府信息公开") {
				t.Fatalf("home %d", code)
			}
			entry := h.base() + h.columnEntry(h.kinds()[0], 0)
			code, hdr, body := get(t, c, entry)
			if code != 200 {
				t.Fatalf("column %s: %d", entry, code)
			}
			switch d {
			case TRS:
				if !strings.Contains(body, "createPageHTML(") && !strings.Contains(body, "countPage") {
					t.Error("no TRS paging script")
				}
			case Hanweb:
				if !strings.Contains(body, `<script type="text/xml"><datastore>`) || !strings.Contains(body, "<![CDATA[<li><a href=") {
					t.Error("the list is not inside the datastore script")
				}
				form := url.Values{"col": {"1"}, "appid": {"1"}, "webid": {"1"}, "path": {"/"}, "columnid": {fmt.Sprint(h.ColumnID)}, "unitid": {"1"}, "webname": {"x"}, "permissiontype": {"0"}}
				resp, err := c.PostForm(h.base()+h.hanwebProxy()+"?startrecord=1&endrecord=15&perpage=15", form)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !strings.Contains(string(b), "<datastore>") && !strings.HasPrefix(string(b), "raw(") {
					t.Errorf("dataproxy.jsp answered %q", string(b)[:min(200, len(b))])
				}
			case Gkmlpt:
				if strings.Contains(body, "<a href") {
					t.Error("the annualreport shell is not empty")
				}
				_, _, idx := get(t, c, h.base()+h.gkPrefix()+"/gkmlpt/index")
				if !strings.Contains(idx, "_CONFIG") || !strings.Contains(idx, fmt.Sprint(s.gkmlptSID(h))) {
					t.Fatal("no _CONFIG with the SID in the index")
				}
				_, _, api := get(t, c, fmt.Sprintf("%s%s/gkmlpt/api/all/%d?page=1&sid=%d", h.base(), h.gkPrefix(), h.ColumnID, s.gkmlptSID(h)))
				var v struct {
					Classify struct {
						PostCount int `json:"post_count"`
					} `json:"classify"`
					Articles []struct {
						URL string `json:"url"`
					} `json:"articles"`
				}
				if err := json.Unmarshal([]byte(api), &v); err != nil || v.Classify.PostCount == 0 || len(v.Articles) == 0 {
					t.Fatalf("API: %v %q", err, api[:min(200, len(api))])
				}
				_, _, detail := get(t, c, v.Articles[0].URL)
				if !strings.Contains(detail, "DETAIL:") {
					t.Error("detail page body not in _CONFIG.DETAIL")
				}
			case Tabs:
				if !strings.Contains(body, "branch_id=") {
					t.Error("no department tabs")
				}
			case PageIndex:
				if !strings.Contains(body, "Ls.pagination(") {
					t.Error("no Ls.pagination")
				}
			case YearDir:
				if !strings.Contains(body, `class="years"`) {
					t.Error("no year directories")
				}
			case JSList:
				if !strings.Contains(body, "var dataList=[") || !strings.Contains(body, "ms-repeat") {
					t.Error("no JS-embedded list with an empty template")
				}
			case Legacy:
				if hdr.Get("Content-Type") != "text/html" || strings.Contains(strings.ToLower(body), "charset") {
					t.Errorf("a legacy host declared its charset: %q", hdr.Get("Content-Type"))
				}
				if !strings.Contains(h.Name, ":") || h.Encoding != "gbk" {
					t.Errorf("legacy host %s in %s", h.Name, h.Encoding)
				}
			}
		})
	}
}

func TestRobotsCases(t *testing.T) {
	t.Parallel()
	want := map[RobotsCase]struct {
		code int
		has  string
	}{
		Robots404: {404, ""}, RobotsAllow: {200, "Sitemap:"}, RobotsDisallow: {200, "Disallow: /\n"},
		RobotsPath: {200, "Disallow: /xxgk/bmxxgknb/"}, RobotsCrawlDelay: {200, "Crawl-delay: 1"},
		RobotsHTML: {200, "<html>"}, Robots5xx: {503, ""},
	}
	for rc, exp := range want {
		h, _, c := serveOne(t, Options{}, func(h *Host) { h.Robots = rc })
		code, _, body := get(t, c, h.base()+"/robots.txt")
		if code != exp.code || !strings.Contains(body, exp.has) {
			t.Errorf("robots %s: %d %q", rc, code, body)
		}
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	fault := func(f Fault) (*Host, *http.Client) {
		h, _, c := serveOne(t, Options{RateInterval: time.Second}, func(h *Host) { h.Fault = f })
		return h, c
	}
	for f, code := range map[Fault]int{FaultWAF412: 412, FaultWAF521: 521, FaultWAF512: 512, FaultWAF418: 418, FaultWAF202: 202, FaultUnreachable: 504} {
		h, c := fault(f)
		got, _, body := get(t, c, h.base()+"/xxgk/")
		if got != code {
			t.Errorf("%s: %d, want %d", f, got, code)
		}
		if f == FaultWAF412 && !strings.Contains(body, "$_ts") || f == FaultWAF521 && !strings.Contains(body, "document.cookie=") || f == FaultWAF418 && !strings.Contains(body, "访问被拦截") {
			t.Errorf("%s: body %q", f, body)
		}
	}
	h, c := fault(FaultShell)
	if code, _, body := get(t, c, h.base()+"/xxgk/"); code != 200 || len(body) >= 1024 {
		t.Errorf("shell: %d, %d bytes", code, len(body))
	}
	h, c = fault(FaultSection403)
	if code, _, _ := get(t, c, h.base()+"/"); code != 200 {
		t.Errorf("section 403 blocked the home page: %d", code)
	}
	if code, _, _ := get(t, c, h.base()+"/xxgk/"); code != 403 {
		t.Errorf("section 403: %d", code)
	}
	h, c = fault(FaultUAReset)
	req, _ := http.NewRequest("GET", h.base()+"/", nil)
	req.Header.Set("User-Agent", "nianbao/0.1")
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode < 500 {
			t.Errorf("a non-browser user agent was not reset: %d", resp.StatusCode)
		}
	}
	h, c = fault(FaultRate429)
	get(t, c, h.base()+"/")
	code, hdr, _ := get(t, c, h.base()+"/")
	if code != 429 || hdr.Get("Retry-After") == "" {
		t.Errorf("rate limit: %d Retry-After %q", code, hdr.Get("Retry-After"))
	}
	h, c = fault(FaultFlaky)
	fails := 0
	for i := 0; i < 9; i++ {
		if code, _, _ := get(t, c, h.base()+"/"); code == 503 {
			fails++
		}
	}
	if fails != 3 {
		t.Errorf("flaky host failed %d of 9, want 3", fails)
	}
}

// The burst detector trips at the configured rate and not below it.
func TestBurstDetector(t *testing.T) {
	h, _, c := serveOne(t, Options{BurstLimit: 5, BurstWindow: time.Second, BurstPenalty: time.Second}, func(h *Host) { h.Fault = FaultBurst })
	column := h.base() + h.columnEntry(h.kinds()[0], 0)
	_, _, normal := get(t, c, column)
	for i := 0; i < 6; i++ {
		get(t, c, column)
	}
	_, _, substituted := get(t, c, column)
	if substituted == normal || !strings.Contains(substituted, "门户网站") {
		t.Fatal("the burst detector did not trip after 7 requests in a second")
	}
	time.Sleep(1200 * time.Millisecond)
	for i := 0; i < 3; i++ {
		time.Sleep(250 * time.Millisecond) // 4 a second: under the limit
		if _, _, b := get(t, c, column); b != normal {
			t.Fatal("the burst detector tripped under its rate")
		}
	}
}

func TestTLSCases(t *testing.T) {
	t.Parallel()
	h, _, c := serveOne(t, Options{}, func(h *Host) { h.Scheme = "https" })
	if code, _, _ := get(t, c, h.HomeURL()); code != 200 {
		t.Fatalf("a host with a CA-signed certificate: %d", code)
	}
	for _, f := range []Fault{FaultTLSSelf, FaultTLSExpired, FaultTLSMismatch, FaultTLSLegacy} {
		h, _, c := serveOne(t, Options{}, func(h *Host) { h.Scheme, h.Fault = "https", f })
		if _, err := c.Get(h.HomeURL()); err == nil || !strings.Contains(err.Error(), "certificate") && !strings.Contains(err.Error(), "protocol version") {
			t.Errorf("%s: %v", f, err)
		}
	}
	w := world(t, 40, 0, false)
	ipHost := hostWith(t, w, func(h *Host) bool { return h.Dialect == Legacy })
	ipHost.Scheme = "https"
	_, c2 := serve(t, w, Options{})
	if code, _, _ := get(t, c2, ipHost.HomeURL()); code != 200 {
		t.Errorf("HTTPS on a bare IP (%s): %d", ipHost.Name, code)
	}
	h, _, c = serveOne(t, Options{}, func(h *Host) {})
	if _, err := c.Get("https://" + h.Name + "/"); err == nil {
		t.Error("an HTTP-only host answered on HTTPS")
	}
}

func TestTrapsAndDuplicates(t *testing.T) {
	t.Parallel()
	w := world(t, 40, 0, false)
	h := hostWith(t, w, func(h *Host) bool { return h.Dialect == TRS })
	h.Scheme, h.Traps, h.Big5Gate = "http", true, true
	_, c := serve(t, w, Options{})
	_, _, body := get(t, c, h.base()+"/search.jsp?currpage=41")
	if !strings.Contains(body, "currpage=42") {
		t.Error("search.jsp does not lead on")
	}
	_, _, body = get(t, c, h.base()+"/calendar/?d=2031-05-01")
	if !strings.Contains(body, "2031-05-02") {
		t.Error("the calendar does not lead on")
	}
	_, _, body = get(t, c, h.base()+"/xxgk/zfxxgknb/index.html")
	if !strings.Contains(body, ";jsessionid=") {
		t.Error("no session ids in list links")
	}
	var rp *Report
	for _, u := range h.Units {
		for _, r := range u.Reports {
			if r.Published && r.Format == "html" && rp == nil {
				rp = r
			}
		}
	}
	code, _, _ := get(t, c, rp.URL()+";jsessionid=ABC")
	if code != 200 {
		t.Errorf("a detail URL with a session id: %d", code)
	}
	code, hdr, big5 := get(t, c, h.base()+"/gate/big5/"+h.Name+rp.Path)
	if code != 200 || !strings.Contains(hdr.Get("Content-Type"), "big5") || !strings.Contains(big5, "/gate/big5/"+h.Name+"/") {
		t.Errorf("big5 gateway: %d %q", code, hdr.Get("Content-Type"))
	}
	_, _, clone := get(t, c, "http://"+w.Clone+"/"+h.Name+rp.Path)
	if !strings.Contains(clone, "(qū)") && !strings.Contains(clone, "(wù)") {
		t.Error("the clone copy has no pinyin annotations")
	}
}

func TestDriftAndConditionalRequests(t *testing.T) {
	t.Parallel()
	w, c := servePlain(t, 60, 1)
	seen := map[string]bool{}
	for _, u := range w.Units {
		for _, rp := range u.Reports {
			if !rp.Published || rp.Format != "html" || seen[rp.Drift] || u.Host.CookieRedirect() {
				continue // (cookie redirects: TestCookieRedirect)
			}
			code, hdr, body := get(t, c, rp.URL())
			switch rp.Drift {
			case "gone_404":
				if code != 404 {
					t.Errorf("gone: %d", code)
				}
			case "soft_404":
				if code != 200 || !strings.Contains(body, "页面不存在") {
					t.Errorf("soft 404: %d", code)
				}
			case "moved":
				if code != 301 || !strings.HasSuffix(hdr.Get("Location"), rp.MovedPath) {
					t.Errorf("moved: %d %s", code, hdr.Get("Location"))
				}
			case "", "revised", "new":
				if code != 200 {
					t.Errorf("%s report %s (%s, %s): %d", rp.Drift, rp.URL(), rp.Unit.Host.Dialect, rp.Unit.Kind, code)
					continue
				}
				req, _ := http.NewRequest("GET", rp.URL(), nil)
				req.Header.Set("If-None-Match", hdr.Get("ETag"))
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 304 {
					t.Errorf("conditional GET: %d", resp.StatusCode)
				}
			default:
				continue
			}
			seen[rp.Drift] = true
		}
	}
	for _, d := range []string{"", "gone_404", "soft_404", "moved", "revised", "new"} {
		if !seen[d] {
			t.Errorf("no %q report checked", d)
		}
	}
}

// The report pages extract with the foundation extractor to the manifest's values.
func TestReportsExtractToManifestValues(t *testing.T) {
	t.Parallel()
	w, c := servePlain(t, 40, 0)
	ex, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	m := w.Manifest(true)
	checked := map[string]int{}
	for _, r := range m.Reports {
		gk := w.Host(r.Host).Dialect == Gkmlpt
		if r.Outcome != Found || r.Format != "html" || checked[r.Template] >= 6 && !(gk && checked["gkmlpt"] == 0) {
			continue
		}
		if gk {
			checked["gkmlpt"]++
		}
		u := r.URL
		code, hdr, _ := get(t, c, u)
		if code != 200 {
			t.Fatalf("%s: %d", u, code)
		}
		req, _ := http.NewRequest("GET", u, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if i := strings.Index(string(raw), "DETAIL: "); i >= 0 {
			// gkmlpt: the body is JSON inside the page's _CONFIG, as the crawler reads it.
			var detail struct {
				Content string `json:"content"`
			}
			js := string(raw)[i+len("DETAIL: "):]
			if err := json.NewDecoder(strings.NewReader(js)).Decode(&detail); err != nil {
				t.Fatal(err)
			}
			raw = []byte("<html><body>" + detail.Content + "</body></html>")
			hdr.Set("Content-Type", "text/html; charset=utf-8")
		}
		rec, err := ex.Extract(context.Background(), extract.Document{Body: raw, URL: u, ContentType: hdr.Get("Content-Type")})
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.Template) != r.Template || rec.Year == nil || *rec.Year != r.Year || string(rec.Organisation) != r.Unit {
			t.Errorf("%s: template %s year %v org %q; want %s %d %q", u, rec.Template, rec.Year, rec.Organisation, r.Template, r.Year, r.Unit)
		}
		for path, want := range r.Values {
			got, _ := rec.Cell(path)
			if got == nil || *got != want {
				t.Errorf("%s: %s = %v, want %v", u, path, got, want)
			}
		}
		if len(rec.FailedChecks()) > 0 {
			t.Errorf("%s: checks failed %v", u, rec.FailedChecks())
		}
		checked[r.Template]++
	}
	if checked["gkmlpt"] == 0 {
		t.Error("no gkmlpt detail page checked")
	}
	for _, tpl := range []string{"2019", "2021", "legacy"} {
		if checked[tpl] == 0 {
			t.Errorf("no %s report checked", tpl)
		}
	}
}

func TestAttachmentsServed(t *testing.T) {
	t.Parallel()
	w, c := servePlain(t, 80, 0)
	seen := map[string]bool{}
	for _, u := range w.Units {
		for _, rp := range u.Reports {
			if !rp.Published || rp.Attach == "" || seen[rp.Format] || rp.Unit.Host.ExpiringLinks() {
				continue
			}
			code, _, body := get(t, c, rp.AttachURL())
			if rp.Unit.Host.Dialect == Hanweb {
				if code != 302 {
					t.Errorf("downfile.jsp: %d", code)
				}
				code, _, body = get(t, c, rp.Unit.Host.base()+"/attach/0/"+rp.Attach[strings.Index(rp.Attach, "filename=")+9:])
			}
			if code != 200 || extract.Sniff([]byte(body)) != map[string]string{"pdf": "pdf", "scanned_pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "doc": "ole"}[rp.Format] {
				t.Errorf("%s attachment: %d, sniffed %s", rp.Format, code, extract.Sniff([]byte(body)))
			}
			seen[rp.Format] = true
		}
	}
	if len(seen) < 5 {
		t.Errorf("attachment formats checked: %v", seen)
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	h, s, c := serveOne(t, Options{}, func(h *Host) {})
	get(t, c, h.HomeURL())
	get(t, c, h.base()+"/robots.txt")
	es := s.Log().ByHost()[h.Name]
	if len(es) != 2 || es[0].Path != "/" || es[1].Status != 404 || es[0].End.Before(es[0].Start) || es[0].UserAgent == "" {
		t.Fatalf("log: %+v", es)
	}
}

// BenchmarkGenerate2000 measures building a 2,000-host world (pages are rendered
// on request, so this is the whole cost of a world).
func BenchmarkGenerate2000(b *testing.B) { benchGenerate(b, 2000) }

// BenchmarkGenerate4000: about 10⁵ unit-years.
func BenchmarkGenerate4000(b *testing.B) { benchGenerate(b, 4000) }

func benchGenerate(b *testing.B, hosts int) {
	p := portals(b)
	for b.Loop() {
		w, err := Generate(Config{Seed: 7, Hosts: hosts, Portals: p, Faults: true})
		if err != nil || len(w.Hosts) != hosts {
			b.Fatalf("%v, %d hosts", err, len(w.Hosts))
		}
		n := 0
		for _, u := range w.Units {
			n += len(u.Reports)
		}
		b.ReportMetric(float64(n), "reports")
	}
}

func TestNetworkFaults(t *testing.T) {
	h, _, c := serveOne(t, Options{}, func(h *Host) { h.Fault = FaultTarpit })
	c.Timeout = 1500 * time.Millisecond
	start := time.Now()
	resp, err := c.Get(h.HomeURL())
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil || time.Since(start) < time.Second {
		t.Errorf("tarpit: %v after %s", err, time.Since(start))
	}
	h, _, c = serveOne(t, Options{}, func(h *Host) { h.Fault = FaultTruncated })
	cut := 0
	for i := 0; i < 4; i++ {
		resp, err := c.Get(h.base() + "/xxgk/")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err != nil {
			cut++
		}
	}
	if cut != 2 {
		t.Errorf("truncated bodies: %d of 4, want 2", cut)
	}
	h, _, c = serveOne(t, Options{}, func(h *Host) { h.Fault = FaultMaintenance })
	if code, _, body := get(t, c, h.base()+"/xxgk/"); code != 200 || !strings.Contains(body, "临时维护") {
		t.Errorf("maintenance: %d", code)
	}
}

func TestRedirectDrift(t *testing.T) {
	t.Parallel()
	w := world(t, 120, 1, true)
	for _, h := range w.Hosts {
		h.Scheme, h.Fault, h.Robots = "http", "", Robots404
	}
	_, c := serve(t, w, Options{})
	seen := map[string]bool{}
	for _, u := range w.Units {
		for _, rp := range u.Reports {
			if !rp.Published || seen[rp.Drift] {
				continue
			}
			switch rp.Drift {
			case "migrated":
				if code, _, _ := get(t, c, rp.URL()); code != 404 {
					t.Errorf("migrated old URL: %d", code)
				}
				if code, _, _ := get(t, c, u.Host.base()+rp.MovedPath); code != 200 {
					t.Errorf("migrated new URL: %d", code)
				}
			case "moved_host_404":
				code, hdr, _ := get(t, c, rp.URL())
				loc := hdr.Get("Location")
				if code != 301 || !strings.Contains(loc, "://new.") {
					t.Fatalf("moved to a new host: %d %s", code, loc)
				}
				if code, _, _ := get(t, c, loc); code != 404 {
					t.Errorf("the new host: %d", code)
				}
			case "loop":
				code, hdr, _ := get(t, c, rp.URL())
				code2, hdr2, _ := get(t, c, absolute(u.Host, hdr.Get("Location")))
				if code != 302 || code2 != 302 || absolute(u.Host, hdr2.Get("Location")) != rp.URL() {
					t.Errorf("loop: %d %s → %d %s", code, hdr.Get("Location"), code2, hdr2.Get("Location"))
				}
			case "offsite":
				if code, hdr, _ := get(t, c, rp.URL()); code != 302 || strings.Contains(hdr.Get("Location"), ".gov.cn") {
					t.Errorf("offsite: %d %s", code, hdr.Get("Location"))
				}
			default:
				continue
			}
			seen[rp.Drift] = true
		}
	}
	for _, d := range []string{"migrated", "moved_host_404", "loop", "offsite"} {
		if !seen[d] {
			t.Errorf("no %s report in the world", d)
		}
	}
}

func TestExpiringAttachmentLinks(t *testing.T) {
	w := world(t, 1500, 0, false)
	var rp *Report
	for _, u := range w.Units {
		for _, r := range u.Reports {
			if rp == nil && r.Published && r.Attach != "" && u.Host.ExpiringLinks() {
				rp = r
			}
		}
	}
	if rp == nil {
		t.Fatal("no host with expiring attachment links")
	}
	rp.Unit.Host.Scheme = "http"
	var now atomic.Int64 // the server's log reads the clock after it has answered
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	_, c := serve(t, w, Options{Now: func() time.Time { return clock() }, AttachmentTTL: time.Minute})
	_, _, page := get(t, c, rp.URL())
	i := strings.Index(page, rp.Attach+"?t=")
	if i < 0 {
		t.Fatal("the attachment link carries no expiry")
	}
	link := page[i:]
	link = strings.ReplaceAll(link[:strings.Index(link, `"`)], "&amp;", "&")
	if code, _, _ := get(t, c, rp.Unit.Host.base()+link); code != 200 {
		t.Errorf("a fresh link: %d", code)
	}
	now.Add(int64(2 * time.Minute))
	if code, _, _ := get(t, c, rp.Unit.Host.base()+link); code != 403 {
		t.Errorf("an expired link: %d", code)
	}
}

func TestMobileAndDuplicates(t *testing.T) {
	t.Parallel()
	w := world(t, 200, 0, false)
	h := hostWith(t, w, func(h *Host) bool { return h.WAP && strings.HasPrefix(h.Name, "www.") })
	h.Scheme = "http"
	var dup *Report
	for _, hh := range w.Hosts {
		for _, u := range hh.Units {
			for _, r := range u.Reports {
				if dup == nil && r.Published && r.Duplicate != "" && r.Format == "html" {
					dup = r
					hh.Scheme = "http"
				}
			}
		}
	}
	_, c := serve(t, w, Options{})
	_, _, home := get(t, c, homeURL(h))
	mobile := "http://m." + strings.TrimPrefix(h.Name, "www.") + "/"
	if !strings.Contains(home, mobile) {
		t.Fatal("no link to the m. site")
	}
	if h.scriptEntry() != 0 {
		mobile += "index.shtml" // the mobile host's home is the same script shell
	}
	if code, _, body := get(t, c, mobile); code != 200 || !strings.Contains(body, "门户网站") {
		t.Errorf("m. site: %d", code)
	}
	if dup == nil {
		t.Fatal("no duplicate report")
	}
	_, _, list := get(t, c, dup.Unit.Host.base()+"/xxgk/tzgg/")
	if !strings.Contains(list, dup.Duplicate) {
		t.Error("the duplicate URL is not linked")
	}
	_, _, a := get(t, c, dup.URL())
	_, _, b := get(t, c, dup.Unit.Host.base()+dup.Duplicate)
	if a != b {
		t.Error("the duplicate is not the same report")
	}
}

// A 50-host world with faults has every fault and every robots.txt case.
func TestSmallWorldHasEveryFault(t *testing.T) {
	t.Parallel()
	w := world(t, 50, 0, true)
	faults := map[Fault]bool{}
	robots := map[RobotsCase]bool{}
	for _, h := range w.Hosts {
		faults[h.Fault] = true
		robots[h.Robots] = true
	}
	for _, f := range []Fault{FaultWAF412, FaultWAF521, FaultWAF512, FaultWAF418, FaultWAF202, FaultShell, FaultUAReset, FaultSection403,
		FaultUnreachable, FaultTarpit, FaultFlaky, FaultRate429, FaultBurst, FaultTLSSelf, FaultTLSExpired, FaultTLSMismatch,
		FaultTruncated, FaultMaintenance, FaultTLSLegacy} {
		if !faults[f] {
			t.Errorf("no host with %s", f)
		}
	}
	for _, rc := range []RobotsCase{Robots404, RobotsAllow, RobotsDisallow, RobotsPath, RobotsCrawlDelay, RobotsHTML, Robots5xx} {
		if !robots[rc] {
			t.Errorf("no host with robots %s", rc)
		}
	}
}

// homeURL is the page a host's home sends the browser to (itself, or the
// /index.shtml its script entry names).
func homeURL(h *Host) string {
	if h.scriptEntry() != 0 {
		return h.base() + "/index.shtml"
	}
	return h.HomeURL()
}

// TestSpellingsVary: the hosts of one world spell every dialect in more than
// one way, so that no reader passes by matching one template.
func TestSpellingsVary(t *testing.T) {
	t.Parallel()
	w := world(t, 400, 0, false)
	seen := map[string]map[int]bool{}
	note := func(k string, v int) {
		if seen[k] == nil {
			seen[k] = map[int]bool{}
		}
		seen[k][v] = true
	}
	b := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	for _, h := range w.Hosts {
		switch h.Dialect {
		case TRS:
			note("trs form", h.trsForm())
		case Hanweb:
			note("hanweb form", h.hanwebForm())
		case Gkmlpt:
			note("gkmlpt prefix", b(h.gkPrefix() != ""))
			note("gkmlpt nested", b(h.gkNested()))
			note("gkmlpt url key", b(h.gkURLKey() == "url"))
		case PageIndex:
			note("pagination callback", b(h.pageIndexCallback()))
		case JSList:
			note("dataList nested", b(h.jsListNested()))
		}
		note("cookie redirect", b(h.CookieRedirect()))
		note("script entry", h.scriptEntry())
		note("list titled as a report", b(h.listTitle("x", 2023) != "x"))
	}
	want := map[string]int{"trs form": trsForms, "hanweb form": 3, "gkmlpt prefix": 2, "gkmlpt nested": 2, "gkmlpt url key": 2,
		"pagination callback": 2, "dataList nested": 2, "cookie redirect": 2, "script entry": 4, "list titled as a report": 2}
	for k, n := range want {
		if len(seen[k]) != n {
			t.Errorf("%s: %d spellings in the world, want %d", k, len(seen[k]), n)
		}
	}
}

// TestCookieRedirect: a cookie-redirect host answers a report's address with
// a 302 to itself that sets a cookie, then, with the cookie, the report.
func TestCookieRedirect(t *testing.T) {
	t.Parallel()
	w, c := servePlain(t, 120, 0)
	for _, u := range w.Units {
		if !u.Host.CookieRedirect() {
			continue
		}
		for _, rp := range u.Reports {
			if !rp.Published || rp.Format != "html" || rp.Drift != "" {
				continue
			}
			code, hdr, _ := get(t, c, rp.URL())
			if code != http.StatusFound || hdr.Get("Set-Cookie") == "" || !strings.HasSuffix(rp.URL(), hdr.Get("Location")) {
				t.Fatalf("first answer %d, Location %q, Set-Cookie %q", code, hdr.Get("Location"), hdr.Get("Set-Cookie"))
			}
			req, _ := http.NewRequest("GET", rp.URL(), nil)
			req.AddCookie(&http.Cookie{Name: "nb_visit", Value: "1"})
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("with the cookie: %d", resp.StatusCode)
			}
			return
		}
	}
	t.Fatal("no cookie-redirect host with an HTML report")
}
