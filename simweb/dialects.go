package simweb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// dialectRoute serves the report columns of the host's CMS. It reports whether
// the path was one of them.
func (s *Server) dialectRoute(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	switch h.Dialect {
	case TRS:
		return s.trs(rw, r, h, path)
	case Hanweb:
		return s.hanweb(rw, r, h, path)
	case Gkmlpt:
		return s.gkmlpt(rw, r, h, path)
	case Tabs:
		return s.tabs(rw, r, h, path)
	case PageIndex:
		return s.pageIndex(rw, r, h, path)
	case YearDir:
		return s.yearDir(rw, r, h, path)
	case JSList:
		return s.jsList(rw, r, h, path)
	case Epoint, JPaaS, TrueCMS, Xxgk:
		return s.vendorRoute(rw, r, h, path)
	case Legacy:
		if path == "/pub/gknb/index.htm" {
			s.html(rw, r, h, h.pageShell("政府信息公开年报", listHTML(s.world().listItems(h, ""))))
			return true
		}
	}
	return false
}

func kindByColumn(col string) string {
	for k, c := range kindColumn {
		if c == col {
			return k
		}
	}
	return ""
}

// trsPerPage and the pagination script of TRS WCM.
const trsPerPage = 8

func (s *Server) trs(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	// /xxgk/<col>/index.html, /xxgk/<col>/index_N.html
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 3 || parts[0] != "xxgk" || !strings.HasPrefix(parts[2], "index") {
		return false
	}
	kind := kindByColumn(parts[1])
	if kind == "" {
		return false
	}
	page := 0
	if parts[2] != "index.html" {
		v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(parts[2], "index_"), ".html"))
		if err != nil || v < 1 || parts[2] != fmt.Sprintf("index_%d.html", v) {
			return false
		}
		page = v
		if h.trsFromOne() { // index_2.html is the second page
			if v < 2 {
				return false
			}
			page = v - 1
		}
	}
	items := s.world().listItems(h, kind)
	n := pages(len(items), trsPerPage)
	claimed := n
	if h.rng%7 == 0 {
		claimed = n + 2 // lists that claim more pages than exist
	}
	if page >= n {
		return false // a 404, also for the pages a list only claims
	}
	script := h.trsScript(claimed, page, len(items))
	body := listHTML(s.trapLinks(h, pageSlice(items, page, trsPerPage), path)) + `<div id="page_div"><script>` + script + `</script></div>`
	s.html(rw, r, h, h.pageShell(h.listTitle(kindName[kind], latestYear(items)), body))
	return true
}

// trapLinks adds ;jsessionid= to links on trap hosts.
func (s *Server) trapLinks(h *Host, items []item, from string) []item {
	if !h.Traps {
		return items
	}
	out := make([]item, len(items))
	for i, it := range items {
		it.Path += fmt.Sprintf(";jsessionid=%X", hash64(from, it.Path, s.opt.Now().UnixNano())%0xFFFFFFFF)
		out[i] = it
	}
	return out
}

const hanwebPerPage = 15

func (s *Server) hanwebKind(h *Host, col int) string {
	ks := h.kinds()
	i := col - h.ColumnID
	if i < 0 || i >= len(ks) {
		return ""
	}
	return ks[i]
}

func hanwebRecords(items []item, single bool) string {
	var b strings.Builder
	for _, it := range items {
		if single {
			fmt.Fprintf(&b, `<record><![CDATA[<li><a href='%s' target='_blank' title='%s'>%s</a><span>%s</span></li>]]></record>`, it.Path, esc(it.Title), esc(it.Title), it.Date)
			continue
		}
		fmt.Fprintf(&b, `<record><![CDATA[<li><a href="%s" target="_blank" title="%s">%s</a><span>%s</span></li>]]></record>`, it.Path, esc(it.Title), esc(it.Title), it.Date)
	}
	return b.String()
}

// hanwebScript is the jpage call in the host's spelling.
func (h *Host) hanwebScript(col, total int) string {
	unit, webid := col+7, h.ColumnID%1000
	switch h.hanwebForm() {
	case 1:
		return fmt.Sprintf("<script>\nvar param_%d = {col:1,webid:%d,path:'/',columnid:%d,sourceContentType:1,unitid:'%d',webname:'%s',permissiontype:0};\n$(function () {\n  $('#%d').jpage({\n    totalRecord: %d,\n    perPage : %d,\n    dataStore: dataStore,\n    proxyUrl: '%s',\n    ajaxParam: param_%d,\n    groupSize: 3\n  });\n});\n</script>",
			unit, webid, col, unit, esc(h.Division.Name), col, total, hanwebPerPage, h.hanwebProxy(), unit)
	case 2:
		return fmt.Sprintf(`<script>var param_%d={unitid:"%d",columnid:%d,webid:%d,col:1,path:"/",webname:"%s",permissiontype:0,sourceContentType:1}; $("#%d").jpage({groupSize:3,perPage:%d,totalRecord:%d,proxyUrl:"%s",dataStore:dataStore,barPosition:"bottom"});</script>`,
			unit, unit, col, webid, esc(h.Division.Name), col, hanwebPerPage, total, h.hanwebProxy())
	}
	return fmt.Sprintf(`<script>$(document).ready(function(){$("#%d").jpage({dataStore:dataStore,perPage:%d,totalRecord:%d,proxyUrl:"/module/web/jpage/dataproxy.jsp",groupSize:3,barPosition:"bottom",ajaxParam:{col:1,appid:1,webid:%d,path:"/",columnid:%d,sourceContentType:1,unitid:%d,webname:"%s",permissiontype:0}});});</script>`,
		col, hanwebPerPage, total, webid, col, unit, esc(h.Division.Name))
}

func (s *Server) hanweb(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	if strings.HasPrefix(path, "/col/col") && strings.HasSuffix(path, "/index.html") {
		col, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/col/col"), "/index.html"))
		if err != nil {
			return false
		}
		kind := s.hanwebKind(h, col)
		if kind == "" {
			return false
		}
		items := s.world().listItems(h, kind)
		first := 45
		if h.rng%2 == 0 {
			first = hanwebPerPage // only the first page is inside the page
		}
		shown := items[:min(first, len(items))]
		body := fmt.Sprintf(`<div id="%d"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="%s?page=1&appid=1&webid=%d&path=/&columnid=%d&unitid=%d&webname=%s&permissiontype=0"></a>]]></nextgroup><recordset>%s</recordset></datastore></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>%s</div>`,
			col, h.hanwebProxy(), h.ColumnID%1000, col, col+7, esc(h.Division.Name), hanwebRecords(shown, h.hanwebForm() != 0), h.hanwebScript(col, len(items)))
		s.html(rw, r, h, h.pageShell(h.listTitle(kindName[kind], latestYear(items)), body))
		return true
	}
	if path != h.hanwebProxy() {
		return false
	}
	r.ParseForm()
	col, _ := strconv.Atoi(r.Form.Get("columnid"))
	kind := s.hanwebKind(h, col)
	if kind == "" {
		http.Error(rw, "bad columnid", http.StatusBadRequest)
		return true
	}
	items := s.world().listItems(h, kind)
	from, to := 0, 0
	if p := r.URL.Query().Get("page"); p != "" {
		n, _ := strconv.Atoi(p)
		from, to = (n-1)*hanwebPerPage, n*hanwebPerPage
	} else {
		a, _ := strconv.Atoi(r.URL.Query().Get("startrecord"))
		b, _ := strconv.Atoi(r.URL.Query().Get("endrecord"))
		from, to = a-1, b
	}
	from, to = max(0, from), min(len(items), to)
	var shown []item
	if from < to {
		shown = items[from:to]
	}
	if h.rng%3 == 0 {
		// JSONP on some hosts.
		var recs []string
		for _, it := range shown {
			recs = append(recs, fmt.Sprintf(`<li><a href="%s">%s</a><span>%s</span></li>`, it.Path, esc(it.Title), it.Date))
		}
		b, _ := json.Marshal(map[string]any{"totalrecord": len(items), "records": recs})
		rw.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		fmt.Fprintf(rw, "raw(%s)", b)
		return true
	}
	rw.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(rw, `<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>%d</totalrecord><totalpage>%d</totalpage><recordset>%s</recordset></datastore>`, len(items), pages(len(items), hanwebPerPage), hanwebRecords(shown, h.hanwebForm() != 0))
	return true
}

const gkmlptPerPage = 10

func (s *Server) gkmlptSID(h *Host) int { return 100 + h.ColumnID%900 }

func (s *Server) gkmlpt(rw http.ResponseWriter, r *http.Request, h *Host, full string) bool {
	path, ok := strings.CutPrefix(full, h.gkPrefix())
	if !ok || !strings.HasPrefix(path, "/gkmlpt/") {
		return false
	}
	switch {
	case path == "/gkmlpt/annualreport":
		s.html(rw, r, h, `<!DOCTYPE html><html><head><title>政府信息公开年报</title><script src="/gkmlpt/static/js/app.js"></script></head><body><div id="app"></div></body></html>`)
		return true
	case path == "/gkmlpt/index":
		var tree []map[string]any
		for i, k := range h.kinds() {
			tree = append(tree, map[string]any{"id": h.ColumnID + i, "name": kindName[k], "parent": 0, "jump_url": fmt.Sprintf("%s/gkmlpt/annualreport#%d", h.gkPrefix(), h.ColumnID+i)})
		}
		if h.gkNested() {
			tree = []map[string]any{{"id": 1, "name": "政府信息公开", "parent": 0, "children": tree}}
		}
		b, _ := json.Marshal(tree)
		s.html(rw, r, h, fmt.Sprintf(`<!DOCTYPE html><html><head><title>政府信息公开目录</title><script>%s</script></head><body><div id="app"></div></body></html>`, h.gkConfig(s.gkmlptSID(h), string(b))))
		return true
	case strings.HasPrefix(path, "/gkmlpt/api/all/"):
		cat, err := strconv.Atoi(strings.TrimPrefix(path, "/gkmlpt/api/all/"))
		kind := ""
		if err == nil {
			if i := cat - h.ColumnID; i >= 0 && i < len(h.kinds()) {
				kind = h.kinds()[i]
			}
		}
		if kind == "" || r.URL.Query().Get("sid") != strconv.Itoa(s.gkmlptSID(h)) {
			rw.Header().Set("Content-Type", "application/json")
			fmt.Fprint(rw, `{"code":404,"msg":"not found"}`)
			return true
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		items := s.world().listItems(h, kind)
		var arts []map[string]any
		for _, it := range pageSlice(items, page-1, gkmlptPerPage) {
			a := map[string]any{"id": hash64(it.Path) % 100000000, "title": it.Title, h.gkURLKey(): absolute(h, it.Path), "first_publish_time": it.Date}
			if it.Report != nil && it.Report.Attach != "" {
				a["attachments"] = []map[string]string{{"name": it.Title + "." + extOf(it.Report.Attach), "url": absolute(h, it.Report.Attach)}}
			}
			arts = append(arts, a)
		}
		b, _ := json.Marshal(map[string]any{"classify": map[string]any{"id": cat, "name": kindName[kind], "post_count": len(items)}, "articles": arts})
		rw.Header().Set("Content-Type", "application/json; charset=utf-8")
		rw.Write(b)
		return true
	case strings.HasPrefix(path, "/gkmlpt/content/"):
		t, ok := s.pathIndex(h)[full]
		if !ok || t.report == nil || t.kind != "report" || t.report.Drift != "" {
			return false
		}
		b, _ := json.Marshal(map[string]any{"title": t.report.Title, "content": s.world().reportBody(t.report), "publish_time": t.report.Date})
		s.html(rw, r, h, fmt.Sprintf(`<!DOCTYPE html><html><head><title>%s</title><script>window._CONFIG = {SID:'%d', DETAIL: %s};</script></head><body><div id="app"></div></body></html>`, esc(t.report.Title), s.gkmlptSID(h), b))
		return true
	}
	return false
}

const tabsPerPage = 5

// tabs: /opennessAnnualReport/?branch_id=N with one tab per unit, and
// /opennessAnnualReport/N/page_K.html for the following pages.
func (s *Server) tabs(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	var branch, page int
	switch {
	case path == "/opennessAnnualReport/":
		branch, _ = strconv.Atoi(r.URL.Query().Get("branch_id"))
	case strings.HasPrefix(path, "/opennessAnnualReport/") && strings.Contains(path, "/page_"):
		var err error
		rest := strings.TrimPrefix(path, "/opennessAnnualReport/")
		parts := strings.Split(rest, "/page_")
		if branch, err = strconv.Atoi(parts[0]); err != nil {
			return false
		}
		if page, err = strconv.Atoi(strings.TrimSuffix(parts[1], ".html")); err != nil {
			return false
		}
		page--
	default:
		return false
	}
	var unit *Unit
	var b strings.Builder
	b.WriteString(`<div class="tabs">`)
	for _, u := range h.Units {
		fmt.Fprintf(&b, `<a href="/opennessAnnualReport/?branch_id=%d">%s</a> `, u.Branch, esc(u.Name))
		if u.Branch == branch {
			unit = u
		}
	}
	for _, other := range s.world().Hosts {
		if other != h && other.Division.Code == h.Division.Code && other.Dialect == Tabs && strings.HasSuffix(other.Name, strings.TrimPrefix(h.Name, "www.")) {
			fmt.Fprintf(&b, `<a href="%s/opennessAnnualReport/?branch_id=%d">%s</a> `, other.base(), other.Units[0].Branch, esc(other.Units[0].Name))
		}
	}
	b.WriteString(`</div>`)
	if unit == nil {
		return false
	}
	var items []item
	for _, it := range s.world().listItems(h, unit.Kind) {
		if it.Report == nil || it.Report.Unit == unit {
			items = append(items, it)
		}
	}
	n := pages(len(items), tabsPerPage)
	if page < 0 || page >= n {
		return false
	}
	b.WriteString(listHTML(s.trapLinks(h, pageSlice(items, page, tabsPerPage), path)))
	if page+1 < n {
		fmt.Fprintf(&b, `<a href="/opennessAnnualReport/%d/page_%d.html">下一页</a>`, branch, page+2)
	}
	s.html(rw, r, h, h.pageShell(unit.Name+"政府信息公开年报", b.String()))
	return true
}

const pageIndexPerPage = 8

func (s *Server) pageIndex(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	if !strings.HasPrefix(path, "/content/column/") {
		return false
	}
	col, err := strconv.Atoi(strings.TrimPrefix(path, "/content/column/"))
	if err != nil {
		return false
	}
	i := col - h.ColumnID
	if i < 0 || i >= len(h.kinds()) {
		return false
	}
	kind := h.kinds()[i]
	page, _ := strconv.Atoi(r.URL.Query().Get("pageIndex"))
	page = max(page, 1)
	items := s.world().listItems(h, kind)
	n := pages(len(items), pageIndexPerPage)
	if page > n {
		return false
	}
	script := fmt.Sprintf(`<div id="page"></div><script>Ls.pagination("#page", {total: %d, pageSize: %d, pageIndex: %d, url: "/content/column/%d?pageIndex={page}"});</script>`, len(items), pageIndexPerPage, page, col)
	if h.pageIndexCallback() {
		script = fmt.Sprintf("<div id=\"page_%d\"></div><script>\n  Ls.pagination(\"#page_%d\", function (pageIndex) {\n      location.href = '/content/column/%d?pageIndex=' + pageIndex;\n  }, {\n      currPage: (%d + 1),\n      pageCount: %d\n  });\n</script>", col, col, col, page-1, n)
	}
	body := listHTML(s.trapLinks(h, pageSlice(items, page-1, pageIndexPerPage), path)) + script
	if h.Traps {
		body += fmt.Sprintf(`<a href="/content/column/%d?pageIndex=%d&amp;sort=date&amp;order=desc">按时间</a> <a href="/content/column/%d?order=desc&amp;pageIndex=%d&amp;sort=date">按时间</a>`, col, page, col, page)
	}
	s.html(rw, r, h, h.pageShell(h.listTitle(kindName[kind], latestYear(items)), body))
	return true
}

// latestYear: the latest year of the reports a list holds.
func latestYear(items []item) int {
	y := 0
	for _, it := range items {
		if it.Report != nil && it.Report.Year > y {
			y = it.Report.Year
		}
	}
	return y
}

// yearDir: /zfxxgk/ndbg/ lists year directories; a year directory lists its
// sub-columns (the townships' only reachable from here); a sub-column lists its
// reports, on some hosts behind a location.replace shell.
func (s *Server) yearDir(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	if !strings.HasPrefix(path, "/zfxxgk/ndbg/") {
		return false
	}
	rest := strings.Trim(strings.TrimPrefix(path, "/zfxxgk/ndbg/"), "/")
	parts := strings.Split(rest, "/")
	if rest == "" {
		seen := map[string]bool{}
		var b strings.Builder
		b.WriteString(`<ul class="years">`)
		for _, u := range h.Units {
			for _, rp := range u.Reports {
				d := yearDirName(rp.Year, u)
				if !seen[d] && rp.Published && !(rp.Drift == "new" && s.world().cfg.Epoch == 0) {
					seen[d] = true
					fmt.Fprintf(&b, `<li><a href="%s/">%d年度</a></li>`, d, rp.Year)
				}
			}
		}
		b.WriteString(`</ul>`)
		s.html(rw, r, h, h.pageShell("政府信息公开年报", b.String()))
		return true
	}
	if len(parts) == 1 {
		var b strings.Builder
		for _, u := range h.Units {
			for _, rp := range u.Reports {
				if yearDirName(rp.Year, u) == parts[0] && rp.Published {
					fmt.Fprintf(&b, `<p><a href="%s/">%s</a></p>`, u.subdir(), esc(u.Name))
					break
				}
			}
		}
		if b.Len() == 0 {
			return false
		}
		s.html(rw, r, h, h.pageShell("年度目录", b.String()))
		return true
	}
	if len(parts) == 2 || len(parts) == 3 && parts[2] == "index_1.html" {
		if len(parts) == 2 && h.rng%3 == 0 {
			s.html(rw, r, h, `<html><head><script>location.replace("./index_1.html")</script></head><body></body></html>`)
			return true
		}
		var items []item
		for _, u := range h.Units {
			if u.subdir() != parts[1] {
				continue
			}
			for _, rp := range u.Reports {
				if yearDirName(rp.Year, u) == parts[0] && rp.Published && !(rp.Drift == "new" && s.world().cfg.Epoch == 0) {
					p := rp.Path
					if rp.Drift == "migrated" {
						p = rp.MovedPath
					}
					items = append(items, item{Title: rp.Title, Path: p, Date: rp.Date, Report: rp})
				}
			}
		}
		if len(items) == 0 {
			return false
		}
		s.html(rw, r, h, h.pageShell("年报", listHTML(items)))
		return true
	}
	return false
}

func (s *Server) jsList(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 4 || parts[0] != "xxgk" || parts[1] != "ndbg" || parts[3] != "index.html" {
		return false
	}
	kind := kindByColumn(parts[2])
	if kind == "" {
		return false
	}
	items := s.world().listItems(h, kind)
	var data []map[string]string
	for _, it := range items {
		data = append(data, map[string]string{"title": it.Title, "url": it.Path, "date": it.Date})
	}
	var list any = data
	if h.jsListNested() {
		list = []map[string]any{{"infolist": data, "catename": kindName[kind]}}
	}
	b, _ := json.Marshal(list)
	body := fmt.Sprintf(`<ul class="list" ms-controller="list"><li ms-repeat="dataList"><a ms-attr-href="el.url">{{el.title}}</a><span>{{el.date}}</span></li></ul>
<script>var dataList=%s;var pagesData={totalCount:%d,perSize:%d};</script>`, b, len(items), len(items))
	s.html(rw, r, h, h.pageShell(kindName[kind], body))
	return true
}
