// Package simweb generates and serves a simulated gov.cn web on loopback for the
// crawler's tests and the demo: from a seed and the real portal list it builds
// provinces, prefectures and counties with their departments, townships and a
// 开发区, report columns in the CMS dialects real portals use, report pages of many
// years in every format, the distractors, encodings and traditional-script copies,
// and the access realities a polite crawler must classify and back off from. It is
// reached through an ordinary HTTP(S) proxy so URLs keep their real host names, and
// it writes a ground-truth manifest of what a crawler should find, and a log of
// every request it served. A second epoch is the same world one night later.
package simweb

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"sort"
	"strings"

	"github.com/nianbao/nianbao/seeds"
)

// Dialect is the CMS a host runs (PORTALS.md, "CMS dialects").
type Dialect string

// The dialects.
const (
	TRS       Dialect = "trs"       // index.html, index_1.html, createPageHTML
	Hanweb    Dialect = "hanweb"    // /col/colN/, datastore XML, dataproxy.jsp
	Gkmlpt    Dialect = "gkmlpt"    // Guangdong: empty shell, JSON API
	Tabs      Dialect = "tabs"      // /opennessAnnualReport/?branch_id=N
	PageIndex Dialect = "pageindex" // Ls.pagination, /content/column/ID?pageIndex=N
	YearDir   Dialect = "yeardir"   // irregular year directories
	JSList    Dialect = "jslist"    // var dataList=[…]
	Legacy    Dialect = "legacy"    // HTTP only, GBK, no charset, IP:port
)

// Dialects lists every dialect, in a fixed order.
var Dialects = []Dialect{TRS, Hanweb, Gkmlpt, Tabs, PageIndex, YearDir, JSList, Epoint, JPaaS, TrueCMS, Xxgk, Legacy}

// provinceDialects are the dialects a whole province runs; the vendor
// platforms (vendors.go) are bought by a city or county, and legacy is per host.
var provinceDialects = []Dialect{TRS, Hanweb, Gkmlpt, Tabs, PageIndex, YearDir, JSList}

// Outcome is what a crawler should record for a unit and year.
type Outcome string

// The outcomes of the manifest.
const (
	Found            Outcome = "found"
	RobotsDisallowed Outcome = "robots_disallowed"
	BlockedWAF       Outcome = "blocked_waf"
	Unreachable      Outcome = "unreachable"
	Gone             Outcome = "gone"
	Moved            Outcome = "moved"
	NotPublished     Outcome = "not_published"
)

// Fault is an access reality a host shows (PORTALS.md, "Access realities").
type Fault string

// The host faults.
const (
	FaultNone        Fault = ""
	FaultWAF412      Fault = "waf_412"     // 412 with an inline $_ts script (瑞数)
	FaultWAF521      Fault = "waf_521"     // 521 with document.cookie= JS (加速乐)
	FaultWAF512      Fault = "waf_512"     // the same on 512
	FaultWAF418      Fault = "waf_418"     // 418 访问被拦截
	FaultWAF202      Fault = "waf_202"     // a 202 stub
	FaultShell       Fault = "shell"       // 200 shells under 1 KB
	FaultUAReset     Fault = "ua_reset"    // connection reset for non-browser user agents
	FaultSection403  Fault = "section_403" // 403 on the disclosure section only
	FaultUnreachable Fault = "unreachable" // never answers
	FaultTarpit      Fault = "tarpit"      // answers a byte at a time
	FaultFlaky       Fault = "flaky_5xx"   // intermittent 503s
	FaultRate429     Fault = "rate_429"    // 429 with Retry-After when asked too fast
	FaultBurst       Fault = "burst"       // a burst detector that serves a substitute index
	FaultTLSSelf     Fault = "tls_selfsigned"
	FaultTLSExpired  Fault = "tls_expired"
	FaultTLSMismatch Fault = "tls_mismatch"
	FaultTLSLegacy   Fault = "tls_legacy"  // a server that speaks only TLS 1.0
	FaultTruncated   Fault = "truncated"   // every other page cut short under a full Content-Length
	FaultMaintenance Fault = "maintenance" // 200 临时维护 pages for everything
)

// RobotsCase is how a host answers /robots.txt.
type RobotsCase string

// The robots.txt cases.
const (
	Robots404        RobotsCase = "404"           // no file: everything allowed
	RobotsAllow      RobotsCase = "allow"         // a file that allows all, with a Sitemap
	RobotsDisallow   RobotsCase = "disallow_all"  // Disallow: /
	RobotsPath       RobotsCase = "disallow_path" // the departments' column disallowed
	RobotsCrawlDelay RobotsCase = "crawl_delay"   // Crawl-delay: 1
	RobotsHTML       RobotsCase = "html_200"      // a 200 HTML page: no rules
	Robots5xx        RobotsCase = "5xx"           // 503: assume disallow (RFC 9309)
)

// Unit kinds.
const (
	KindGovernment = "government"
	KindDepartment = "department"
	KindTownship   = "township"
	KindZone       = "zone"
)

// Config chooses a world.
type Config struct {
	Seed  uint64
	Hosts int // how many host names (at least 1)
	Epoch int // 0: the first night; 1: one night later
	// Portals is the list of divisions (seeds.Read of portals.csv).
	Portals *seeds.List
	// Faults turns on the access realities; off, every host behaves.
	Faults bool
	// FirstYear and LastYear bound the report years (defaults 2016 and 2023;
	// epoch 1 adds LastYear+1).
	FirstYear, LastYear int
}

// World is a generated gov.cn web.
type World struct {
	cfg    Config
	faults int // faulted hosts so far: faults are dealt in turn, so a small world has them all
	Hosts  []*Host
	byName map[string]*Host
	Units  []*Unit
	Clone  string // a clone domain that copies pages in traditional script with pinyin
}

// Host is one host name with what it runs and how it misbehaves.
type Host struct {
	Name     string // host[:port] as in URLs
	Scheme   string // http or https
	Dialect  Dialect
	Encoding string // utf-8 or gbk
	Charset  string // where the charset is declared: header, meta, none
	Division seeds.Portal
	Robots   RobotsCase
	Fault    Fault
	Traps    bool // link traps: search.jsp?currpage=, calendar, jsessionid, permutations
	Migrated bool // epoch 1: the whole site moved to new URLs; old ids 404
	Big5Gate bool // a /gate/big5/ gateway copy of the site
	WAP      bool // _wap.html duplicates of detail pages
	Units    []*Unit
	ColumnID int // the dialect's column id (col, column, cat, branch)
	rng      uint64
}

// Unit is one reporting body: a government, department, township or 开发区.
type Unit struct {
	ID       string // stable: division code + kind + index
	Name     string // 海淀区人民政府, 海淀区财政局, …
	Kind     string
	Division seeds.Portal // the county or prefecture it belongs to
	Host     *Host
	Branch   int // per-department tab or sub-column number
	Reports  []*Report
}

// Report is one report (or its absence) for a unit and year.
type Report struct {
	Unit      *Unit
	Year      int
	Published bool
	Format    string // html, pdf, docx, doc, xlsx, scanned_pdf
	Path      string // the detail page's path on the unit's host
	Attach    string // the attachment's path, for attachment-only reports
	Title     string
	Date      string // publication date, YYYY-MM-DD
	Drift     string // "", gone_404, soft_404, moved, loop, offsite, revised (epoch 1), new (epoch 1)
	MovedPath string // where a moved report now lives
	Duplicate string // a second URL with the same report
	Outcome   Outcome
	Version   int // bumped when epoch 1 revises the report
	seed      uint64
	alone     bool // the bulk world's: its page links to no print or mobile copy
}

// hash64 makes stable per-entity seeds.
func hash64(parts ...any) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		fmt.Fprint(h, p, "\x00")
	}
	return h.Sum64()
}

func rngFor(parts ...any) *rand.Rand {
	s := hash64(parts...)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

var departments = []struct{ slug, name string }{
	{"fgw", "发展和改革局"}, {"czj", "财政局"}, {"jyj", "教育局"}, {"rsj", "人力资源和社会保障局"},
	{"zjj", "住房和城乡建设局"}, {"sthjj", "生态环境局"}, {"scjgj", "市场监督管理局"}, {"wjw", "卫生健康委员会"},
}

var townships = []string{"城关镇", "新华街道", "东城街道", "河口乡", "高新镇", "南关街道"}

// Generate builds a world. It is deterministic: the same config gives the same
// world, and building a 2,000-host world takes well under a second of work per
// thousand hosts (pages are rendered when asked for).
func Generate(cfg Config) (*World, error) {
	if cfg.Portals == nil || len(cfg.Portals.Portals) == 0 {
		return nil, fmt.Errorf("simweb: no portals to build a world from")
	}
	if cfg.Hosts < 1 {
		cfg.Hosts = 1
	}
	if cfg.FirstYear == 0 {
		cfg.FirstYear = 2016
	}
	if cfg.LastYear == 0 {
		cfg.LastYear = 2023
	}
	w := &World{cfg: cfg, byName: map[string]*Host{}, Clone: "www.zwgk-copy.com"}

	// Divisions with a usable gov.cn host, grouped by province, in an order the
	// seed chooses: the first province first, a province mostly on one dialect.
	byProvince := map[string][]seeds.Portal{}
	var provinces []string
	for _, p := range cfg.Portals.Portals {
		if p.Level != "county" && p.Level != "prefecture" {
			continue
		}
		host := p.Host()
		if host == "" || !strings.HasSuffix(host, ".gov.cn") || p.HasFlag("missing") {
			continue
		}
		prov := p.Code[:2] + "0000"
		if _, ok := byProvince[prov]; !ok {
			provinces = append(provinces, prov)
		}
		byProvince[prov] = append(byProvince[prov], p)
	}
	sort.Strings(provinces)
	r := rngFor("world", cfg.Seed)
	r.Shuffle(len(provinces), func(i, j int) { provinces[i], provinces[j] = provinces[j], provinces[i] })

	hostIndex := 0
	for _, prov := range provinces {
		provDialect := provinceDialects[int(hash64(cfg.Seed, prov)%uint64(len(provinceDialects)))]
		for _, div := range byProvince[prov] {
			if len(w.Hosts) >= cfg.Hosts {
				break
			}
			w.addDivision(div, provDialect, hostIndex)
			hostIndex++
		}
		if len(w.Hosts) >= cfg.Hosts {
			break
		}
	}
	if len(w.Hosts) == 0 {
		return nil, fmt.Errorf("simweb: no division in the portal list has a gov.cn host")
	}
	for _, h := range w.Hosts {
		w.Units = append(w.Units, h.Units...)
	}
	for _, u := range w.Units {
		w.addReports(u)
	}
	return w, nil
}

// Host returns a host by name (host[:port], lower case).
func (w *World) Host(name string) *Host { return w.byName[strings.ToLower(name)] }

// Config returns the world's configuration.
func (w *World) Config() Config { return w.cfg }

func (w *World) newHost(name string, div seeds.Portal, d Dialect) *Host {
	h := &Host{Name: name, Scheme: "http", Dialect: d, Encoding: "utf-8", Charset: "header", Division: div,
		Robots: Robots404, rng: hash64(w.cfg.Seed, "host", name)}
	r := rand.New(rand.NewPCG(h.rng, 1))
	h.ColumnID = 1000 + r.IntN(90000)
	switch {
	case d == Legacy:
		h.Encoding, h.Charset = "gbk", "none"
	case r.IntN(6) == 0:
		h.Encoding, h.Charset = "gbk", "meta"
	case r.IntN(10) == 0:
		h.Charset = "none"
	}
	if d != Legacy && r.IntN(4) == 0 || d == Legacy && r.IntN(3) == 0 { // HTTPS on bare IPs too
		h.Scheme = "https"
	}
	h.Traps = r.IntN(5) == 0
	h.Big5Gate = r.IntN(8) == 0
	h.WAP = r.IntN(6) == 0
	if w.cfg.Faults {
		w.assignFaults(h, r)
	}
	h.Migrated = w.cfg.Epoch >= 1 && d != Legacy && r.IntN(20) == 0
	w.Hosts = append(w.Hosts, h)
	w.byName[name] = h
	return h
}

// assignFaults gives a host its robots.txt case and, for some, one fault.
func (w *World) assignFaults(h *Host, r *rand.Rand) {
	robots := []RobotsCase{Robots404, Robots404, Robots404, RobotsAllow, RobotsCrawlDelay, RobotsHTML, RobotsPath, RobotsDisallow, Robots5xx}
	h.Robots = robots[(len(w.Hosts)+r.IntN(2))%len(robots)]
	faults := []Fault{FaultWAF412, FaultWAF521, FaultWAF512, FaultWAF418, FaultWAF202, FaultShell, FaultUAReset,
		FaultSection403, FaultUnreachable, FaultTarpit, FaultFlaky, FaultRate429, FaultBurst, FaultTLSSelf, FaultTLSExpired, FaultTLSMismatch,
		FaultTruncated, FaultMaintenance, FaultTLSLegacy}
	if len(w.Hosts) >= len(Dialects) && r.IntN(2) == 0 {
		h.Fault = faults[w.faults%len(faults)]
		w.faults++
		if strings.HasPrefix(string(h.Fault), "tls_") {
			h.Scheme = "https"
		}
	}
}

// addDivision creates a division's hosts and units.
func (w *World) addDivision(div seeds.Portal, provDialect Dialect, index int) {
	r := rngFor("division", w.cfg.Seed, div.Code)
	base := div.Host()
	if _, taken := w.byName[base]; taken {
		return
	}
	dialect := provDialect
	switch {
	case index < len(Dialects)-1:
		dialect = Dialects[index] // every dialect in even a small world
	case r.IntN(4) == 0:
		dialect = Dialects[r.IntN(len(Dialects)-1)]
	default:
		dialect = w.vendorDivision(div, dialect)
	}
	var main *Host
	if (index == len(Dialects)-1 || r.IntN(25) == 0) && len(w.Hosts)+1 < w.cfg.Hosts {
		// A legacy county host on a bare IP and port, beside its named host.
		ip := fmt.Sprintf("122.%d.%d.%d:8080", 100+r.IntN(100), r.IntN(250), 1+r.IntN(250))
		main = w.newHost(base, div, dialect)
		legacy := w.newHost(ip, div, Legacy)
		w.addUnit(legacy, div, KindGovernment, 0, div.Name+"人民政府（旧版网站）")
		_ = legacy
	} else {
		main = w.newHost(base, div, dialect)
	}
	name := div.Name
	w.addUnit(main, div, KindGovernment, 0, name+"人民政府")

	// A split disclosure host for some divisions.
	unitHost := main
	if r.IntN(6) == 0 && len(w.Hosts) < w.cfg.Hosts {
		unitHost = w.newHost("zfxxgk."+strings.TrimPrefix(base, "www."), div, dialect)
	}
	nd := 2 + r.IntN(2)
	for i := 0; i < nd; i++ {
		d := departments[(index+i)%len(departments)]
		host := unitHost
		if r.IntN(4) == 0 && len(w.Hosts) < w.cfg.Hosts {
			host = w.newHost(d.slug+"."+strings.TrimPrefix(base, "www."), div, dialect)
		}
		w.addUnit(host, div, KindDepartment, i+1, name+d.name)
	}
	if div.Level == "county" {
		for i := 0; i < 2; i++ {
			w.addUnit(unitHost, div, KindTownship, 10+i, name+townships[(index+i)%len(townships)]+"人民政府")
		}
		w.addUnit(unitHost, div, KindZone, 20, name+"经济技术开发区管理委员会")
	}
}

func (w *World) addUnit(h *Host, div seeds.Portal, kind string, branch int, name string) {
	u := &Unit{ID: fmt.Sprintf("%s-%s-%d", div.Code, kind, branch), Name: name, Kind: kind, Division: div, Host: h, Branch: branch}
	if h.Dialect == Legacy && h.Name != div.Host() {
		u.ID = fmt.Sprintf("%s-%s-legacy", div.Code, kind)
	}
	h.Units = append(h.Units, u)
}

// SeedURLs are the home pages a crawler starts from: the portal list's own
// hosts and the legacy hosts on bare IPs. Sub-domains and split disclosure
// hosts are to be discovered from them.
func (w *World) SeedURLs() []string {
	var out []string
	for _, h := range w.Hosts {
		if h.Name == h.Division.Host() || net.ParseIP(strings.Split(h.Name, ":")[0]) != nil {
			out = append(out, h.HomeURL())
		}
	}
	return out
}

// Years returns the report years of the world's epoch.
func (w *World) Years() []int {
	var ys []int
	last := w.cfg.LastYear
	if w.cfg.Epoch >= 1 {
		last++
	}
	for y := w.cfg.FirstYear; y <= last; y++ {
		ys = append(ys, y)
	}
	return ys
}

// addReports decides, for each year, whether the unit published, in what format
// and under what URL, and what has become of it.
func (w *World) addReports(u *Unit) {
	for _, y := range w.Years() {
		rp := &Report{Unit: u, Year: y, seed: hash64(w.cfg.Seed, u.ID, y)}
		r := rand.New(rand.NewPCG(rp.seed, 7))
		rp.Published = r.IntN(12) != 0
		if y == w.cfg.LastYear+1 {
			// The new year's reports appear in epoch 1, for most units.
			rp.Published = r.IntN(5) != 0
			rp.Drift = "new"
		}
		rp.Format = "html"
		switch k := r.IntN(20); {
		case k == 0:
			rp.Format = "pdf"
		case k == 1:
			rp.Format = "docx"
		case k == 2:
			rp.Format = "doc"
		case k == 3:
			rp.Format = "xlsx"
		case k == 4:
			rp.Format = "scanned_pdf"
		}
		month := 1 + r.IntN(3)
		if u.Kind == KindDepartment {
			month = 1
		}
		day := 5 + r.IntN(20)
		rp.Date = fmt.Sprintf("%d-%02d-%02d", y+1, month, day)
		rp.Title = reportTitle(u, y, r)
		if y >= 2019 && r.IntN(40) == 0 {
			rp.Title = strings.Replace(rp.Title, fmt.Sprint(y), fmt.Sprint(y-1), 1) // last year's year copied by mistake
		}
		id := 1000000 + int(rp.seed%8999999)
		rp.Path = detailPath(u, y, rp.Date, id)
		if rp.Format != "html" {
			ext := map[string]string{"pdf": "pdf", "docx": "docx", "doc": "doc", "xlsx": "xlsx", "scanned_pdf": "pdf"}[rp.Format]
			rp.Attach = attachPath(u, rp.Date, id, ext)
		}
		if r.IntN(15) == 0 {
			rp.Duplicate = dupPath(u, y, id)
		}
		if rp.Published && u.Host.Migrated && rp.Drift == "" {
			rp.Drift = "migrated"
			rp.MovedPath = strings.Replace(rp.Path, ".html", "", 1) + "_v2.html"
		}
		if rp.Published && w.cfg.Epoch >= 1 && rp.Drift == "" {
			switch r.IntN(30) {
			case 0:
				rp.Drift = "gone_404"
			case 1:
				rp.Drift = "soft_404"
			case 2:
				rp.Drift = "moved"
				rp.MovedPath = strings.Replace(rp.Path, ".html", "_1.html", 1)
			case 5:
				rp.Drift = "moved_host_404" // 301 to a new host that then 404s
			case 3, 4:
				if y == w.cfg.LastYear {
					rp.Drift = "revised"
					rp.Version = 1
				}
			}
		}
		if rp.Published && rp.Drift == "" && w.cfg.Faults && r.IntN(40) == 0 {
			// Drift that is there from the first night: loops, off-site redirects,
			// reports moved within their host, dead links.
			switch r.IntN(4) {
			case 0:
				rp.Drift = "loop"
			case 1:
				rp.Drift = "offsite"
			case 2:
				rp.Drift = "moved"
				rp.MovedPath = strings.Replace(rp.Path, ".html", "_1.html", 1)
			default:
				rp.Drift = "gone_404"
			}
		}
		rp.Outcome = w.outcome(rp)
		u.Reports = append(u.Reports, rp)
	}
}

// outcome is what a polite, correct crawler should record. A unit on a host that
// is found only through its division's main host shares that host's fate first.
func (w *World) outcome(rp *Report) Outcome {
	if !rp.Published {
		return NotPublished
	}
	h := rp.Unit.Host
	if main := w.Host(rp.Unit.Division.Host()); main != nil && main != h && h.Dialect != Legacy {
		if o := hostOutcome(main, KindGovernment); o != "" {
			return o
		}
	}
	if o := hostOutcome(h, rp.Unit.Kind); o != "" {
		return o
	}
	switch rp.Drift {
	case "gone_404", "soft_404", "loop", "offsite", "moved_host_404":
		return Gone
	case "moved", "migrated":
		return Moved
	}
	return Found
}

// hostOutcome is what a host's access reality makes of every unit on it ("" when
// the host lets a crawler in). Network and TLS failures come first: they also keep
// robots.txt from being read; then robots.txt; then what the pages are.
func hostOutcome(h *Host, kind string) Outcome {
	switch h.Fault {
	case FaultUnreachable, FaultTarpit, FaultTLSSelf, FaultTLSExpired, FaultTLSMismatch, FaultTLSLegacy:
		return Unreachable
	case FaultUAReset:
		// Every connection is reset before an answer: a crawler that never
		// passes for a browser cannot tell it from a host it cannot reach.
		return Unreachable
	}
	switch h.Robots {
	case RobotsDisallow, Robots5xx:
		return RobotsDisallowed
	case RobotsPath:
		// The file disallows the departments' column of TRS and Hanweb hosts.
		if kind == KindDepartment && (h.Dialect == TRS || h.Dialect == Hanweb) {
			return RobotsDisallowed
		}
	}
	switch h.Fault {
	case FaultWAF412, FaultWAF521, FaultWAF512, FaultWAF418, FaultWAF202, FaultShell, FaultSection403:
		return BlockedWAF
	case FaultMaintenance:
		// Its robots.txt is still served (and obeyed); every page is the
		// maintenance notice.
		return Unreachable
	}
	return ""
}

func reportTitle(u *Unit, y int, r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return fmt.Sprintf("%d年度政务公开年报", y)
	case 1:
		return fmt.Sprintf("%s%d年政府信息公开年报", u.Name, y)
	case 2:
		return fmt.Sprintf("%d年%s政府信息公开工作年度报告", y, u.Name)
	}
	return fmt.Sprintf("%s%d年政府信息公开工作年度报告", u.Name, y)
}

// detailPath is the report page's path in the host's dialect.
func detailPath(u *Unit, y int, date string, id int) string {
	h := u.Host
	ym := strings.ReplaceAll(date[:7], "-", "")
	ymd := strings.ReplaceAll(date, "-", "")
	switch h.Dialect {
	case Hanweb:
		return fmt.Sprintf("/art/%s/%d/%d/art_%d_%d.html", date[:4], atoi(date[5:7]), atoi(date[8:10]), h.ColumnID+u.Branch, id)
	case Gkmlpt:
		return fmt.Sprintf("%s/gkmlpt/content/%d/%d/post_%d.html", h.gkPrefix(), id/1000000, id%1000, id)
	case Tabs:
		return fmt.Sprintf("/opennessAnnualReport/%d/%s/t%s_%d.html", u.Branch, ym, ymd, id)
	case PageIndex:
		return fmt.Sprintf("/content/post_%d.html", id)
	case YearDir:
		return fmt.Sprintf("/zfxxgk/ndbg/%s/%s/t%s_%d.html", yearDirName(y, u), u.subdir(), ymd, id)
	case JSList:
		return fmt.Sprintf("/xxgk/ndbg/%s/%d.html", ymd, id)
	case Legacy:
		return fmt.Sprintf("/pub/gknb/%d/%d.htm", y, id)
	}
	return fmt.Sprintf("/xxgk/%s/%s/t%s_%d.html", u.column(), ym, ymd, id)
}

func (u *Unit) column() string {
	switch u.Kind {
	case KindDepartment:
		return "bmxxgknb"
	case KindTownship:
		return "xzjd"
	case KindZone:
		return "kfq"
	}
	return "zfxxgknb"
}

func (u *Unit) subdir() string {
	switch u.Kind {
	case KindTownship:
		return fmt.Sprintf("xzjd_%d", u.Branch)
	case KindDepartment:
		return fmt.Sprintf("bm_%d", u.Branch)
	case KindZone:
		return "kfq"
	}
	return "qzf"
}

// yearDirName: irregular year directories, one holding the following year.
func yearDirName(y int, u *Unit) string {
	switch (y + len(u.Host.Name)) % 4 {
	case 0:
		return fmt.Sprintf("nb_%dn", y)
	case 1:
		return fmt.Sprintf("gknb%d", y)
	case 2:
		return fmt.Sprintf("%dnb", y)
	}
	return fmt.Sprintf("%dn%d", y-1, 70+y%30) // "2024n78/" holding the next year
}

func attachPath(u *Unit, date string, id int, ext string) string {
	h := u.Host
	ym := strings.ReplaceAll(date[:7], "-", "")
	switch h.Dialect {
	case Hanweb:
		return fmt.Sprintf("/module/download/downfile.jsp?classid=0&filename=%x.%s", hash64(id), ext)
	case Gkmlpt:
		return fmt.Sprintf("/attachment/0/%d/%d/%d.%s", id%100, id%1000, id, ext)
	}
	return fmt.Sprintf("/xxgk/%s/%s/P0%d.%s", u.column(), ym, id, ext)
}

func dupPath(u *Unit, y, id int) string {
	return fmt.Sprintf("/xxgk/tzgg/%d/t%d_%d.html", y, y, id)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// URL returns a report's detail URL.
func (rp *Report) URL() string { return rp.Unit.Host.base() + rp.Path }

// AttachURL returns the attachment URL, if any.
func (rp *Report) AttachURL() string {
	if rp.Attach == "" {
		return ""
	}
	return rp.Unit.Host.base() + rp.Attach
}

func (h *Host) base() string { return h.Scheme + "://" + h.Name }

// ExpiringLinks reports whether the host's attachment links carry a signed
// expiry time (some TRS hosts).
func (h *Host) ExpiringLinks() bool { return h.rng%4 == 1 && h.Dialect == TRS }

// HomeURL is the host's home page.
func (h *Host) HomeURL() string { return h.base() + "/" }
