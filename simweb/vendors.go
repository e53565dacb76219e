package simweb

// The vendor platforms' report columns (discover/vendors.go reads them; its
// fixtures cite the public crawlers they are written from), each spelt per
// host as real deployments differ:
//
//   - Epoint WebBuilder: govInfoPub.html?categorynum=… columns whose list is a
//     POST of JSON to projectName/rest/lightfrontaction/getgovinfolist; the
//     site's siteGuid and projectName in the page or in a site-wide script
//     (webbuildercommon.js as var siteInfo, or ajaxReq.js inside a request's
//     data); the query bare or, on some hosts, wrapped as {"params": {…}};
//     pages counted from 0 or 1, of the size asked or the host's own;
//     the entries under custom.data or custom.infodata, custom an object or a
//     string of JSON.
//   - JPaaS: /col/colN/index.html columns whose unit is named in a script
//     tag's url and queryData attributes, in a script object, or in a
//     container's data-* attributes, answered at
//     /api-gateway/jpaas-publish-server/front/page/build/unit as
//     {"data":{"html":…}}; the page read from paramJson or from bare pageNo,
//     the size asked or capped at the host's own; a pager of data-page
//     controls, a 共N页 line, or none.
//   - TrueCMS: columns with a jpage call on …/messageController/getMessage.do
//     (either case of the path, per page 10 to 20, group 1 or 3), asked with
//     GET windows, a window over 20 records empty on some hosts; JSON or JSONP
//     whose result is a datastore, with or without <totalrecord>; the first
//     records also in a hidden #initData list.
//   - Hanweb's jcms disclosure module: columns framing
//     /module/xxgk/tree.jsp?area=…&divid=…, whose funclick('ID') nodes (in
//     anchors, or in a dTree script's strings) name the columns; the list at
//     /module/xxgk/search.jsp by infotypeId, area and currpage, as a list or
//     a table, with a 共N页 line.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/seeds"
)

// The vendor dialects.
const (
	Epoint  Dialect = "epoint"  // WebBuilder: govInfoPub.html, POST JSON to getgovinfolist
	JPaaS   Dialect = "jpaas"   // Hanweb JPaaS: unitbuild queryData, GET …/page/build/unit
	TrueCMS Dialect = "truecms" // jpage on messageController/getMessage.do, GET windows
	Xxgk    Dialect = "xxgk"    // Hanweb jcms disclosure module: tree.jsp, search.jsp?currpage=
)

// vendorDivision: a third of the divisions bought a vendor platform of their
// own, whatever their province runs: the platform the world has fewest
// hosts of, so that every platform is met.
func (w *World) vendorDivision(div seeds.Portal, d Dialect) Dialect {
	if rngFor("vendor", w.cfg.Seed, div.Code).IntN(3) != 0 { // a generator of its own: the division's draws stay as they were
		return d
	}
	vendors := []Dialect{Epoint, JPaaS, TrueCMS, Xxgk}
	n := map[Dialect]int{}
	for _, h := range w.Hosts {
		n[h.Dialect]++
	}
	best := vendors[0]
	for _, v := range vendors[1:] {
		if n[v] < n[best] {
			best = v
		}
	}
	return best
}

// vendorVariant picks one of n spellings of a vendor host's choice, from
// its own hash (the host's variant slots are the older dialects').
func (h *Host) vendorVariant(choice string, n int) int {
	return rngFor(h.rng, "vendor", choice).IntN(n)
}

// vendorEntry is where a kind's column starts on a vendor host.
func (h *Host) vendorEntry(kind string, i int) (string, bool) {
	switch h.Dialect {
	case Epoint:
		if h.vendorVariant("ewb-column", 2) == 1 {
			return fmt.Sprintf("/xxgk/govInfoPubright.html?deptcode=&categoryNum=%s", h.ewbCategory(i)), true
		}
		return fmt.Sprintf("/dynamic/zwgk/govInfoPub.html?categorynum=%s", h.ewbCategory(i)), true
	case JPaaS:
		return fmt.Sprintf("/col/col%d/index.html", h.ColumnID+i), true
	case TrueCMS:
		return fmt.Sprintf("/%s/%s/%s.html", h.trueSite(), kindColumn[kind], kindColumn[kind]), true
	case Xxgk:
		return fmt.Sprintf("/col/col%d/index.html?vc_xxgkarea=%s", h.ColumnID, h.xxgkArea()), true
	}
	return "", false
}

// vendorRoute serves a vendor host's columns and list services.
func (s *Server) vendorRoute(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	switch h.Dialect {
	case Epoint:
		return s.ewb(rw, r, h, path)
	case JPaaS:
		return s.jpaas(rw, r, h, path)
	case TrueCMS:
		return s.trueCMS(rw, r, h, path)
	case Xxgk:
		return s.xxgk(rw, r, h, path)
	}
	return false
}

// kindAt is the kind of a host's i-th column ("" if none).
func (h *Host) kindAt(i int) string {
	if ks := h.kinds(); i >= 0 && i < len(ks) {
		return ks[i]
	}
	return ""
}

func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json;charset=UTF-8")
	rw.Write(marshal(v))
}

// marshal writes JSON as the platforms' Java servers do: markup in strings
// is not escaped.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// ---- Epoint WebBuilder ----

func (h *Host) ewbCategory(i int) string { return fmt.Sprintf("003007%03d", i+1) }

func (h *Host) ewbGUID() string {
	x := hash64(h.rng, "siteguid")
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(x), uint16(x>>32), x>>48&0xfff, x>>20&0xfff, hash64(x)&0xffffffffffff)
}

func (h *Host) ewbProject() string {
	return []string{"/EWB-FRONT", "/EpointWebBuilder", "/EWB_Mid"}[h.vendorVariant("ewb-project", 3)]
}

// ewbSettings: 0 in the page, 1 in /js/webbuildercommon.js, 2 in /js/ajaxReq.js.
func (h *Host) ewbSettings() int { return h.vendorVariant("ewb-settings", 3) }

func (h *Host) ewbSiteInfo() string {
	return fmt.Sprintf(`var siteInfo = {"siteGuid":"%s","projectName":"%s","webVersion":"5.0","vname":"/"};`, h.ewbGUID(), h.ewbProject())
}

func (s *Server) ewb(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	switch path {
	case "/dynamic/zwgk/govInfoPub.html", "/xxgk/govInfoPubright.html":
		cat := ""
		for k, v := range r.URL.Query() {
			if strings.EqualFold(k, "categorynum") {
				cat = v[0]
			}
		}
		kind := ""
		for i := range h.kinds() {
			if h.ewbCategory(i) == cat {
				kind = h.kindAt(i)
			}
		}
		if kind == "" {
			return false
		}
		head := `<script src="/js/lib/jquery-1.12.4.min.js"></script>`
		switch h.ewbSettings() {
		case 0:
			head += "<script>" + h.ewbSiteInfo() + "</script>"
		case 1:
			head += `<script type="text/javascript" src="/js/webbuildercommon.js"></script>`
		default:
			head += `<script src="/js/ajaxReq.js?v=3"></script>`
		}
		body := head + `<div class="ewb-info"><ul class="ewb-info-items" id="infolist"></ul><div class="ewb-page" id="pager"></div></div>`
		s.html(rw, r, h, h.pageShell(kindName[kind], body))
		return true
	case "/js/webbuildercommon.js":
		rw.Header().Set("Content-Type", "application/javascript")
		fmt.Fprintf(rw, "%s\nif (!window.webbuilder) { window.webbuilder = {}; }\njQuery.extend(webbuilder, {getGovInfoList: function (cate, pageIndex, callback) {\n  Util.ajax({url: siteInfo.projectName + \"/rest/lightfrontaction/getgovinfolist\", data: JSON.stringify({\"siteGuid\": siteInfo.siteGuid, \"categorynum\": cate, \"pageIndex\": pageIndex}), success: function (msg) { callback(checkJson(msg.custom)); }});\n}});\n", h.ewbSiteInfo())
		return true
	case "/js/ajaxReq.js":
		rw.Header().Set("Content-Type", "application/javascript")
		fmt.Fprintf(rw, "function getList(cate, page, size, cb) {\n  $.ajax({type: 'post', url: '%s/rest/lightfrontaction/getgovinfolist', contentType: 'application/json', data: JSON.stringify({\"siteGuid\": \"%s\", \"deptcode\": \"\", \"categorynum\": cate, \"pageIndex\": page, \"pageSize\": size}), success: cb});\n}\n", h.ewbProject(), h.ewbGUID())
		return true
	case h.ewbProject() + "/rest/lightfrontaction/getgovinfolist":
		s.ewbList(rw, r, h)
		return true
	}
	return false
}

// ewbList answers a posted list: JSON only, the host's siteGuid, pages from
// 0 or 1 as the host counts.
func (s *Server) ewbList(rw http.ResponseWriter, r *http.Request, h *Host) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || ct != "application/json" {
		http.Error(rw, "unsupported", http.StatusUnsupportedMediaType)
		return
	}
	type query struct {
		SiteGUID  string      `json:"siteGuid"`
		Cat       string      `json:"categorynum"`
		PageIndex json.Number `json:"pageIndex"`
		PageSize  json.Number `json:"pageSize"`
	}
	var q query
	var wrapped struct {
		Params *query `json:"params"`
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
	if h.vendorVariant("ewb-wrap", 3) == 0 { // this host reads the query wrapped in params
		if json.Unmarshal(b, &wrapped) == nil && wrapped.Params != nil {
			q = *wrapped.Params
		}
	} else {
		json.Unmarshal(b, &q)
	}
	if q.SiteGUID != h.ewbGUID() {
		writeJSON(rw, map[string]any{"custom": "", "status": map[string]any{"code": 500, "text": "参数错误"}})
		return
	}
	kind := ""
	for i := range h.kinds() {
		if h.ewbCategory(i) == q.Cat {
			kind = h.kindAt(i)
		}
	}
	items := s.world().listItems(h, kind)
	if kind == "" {
		items = nil
	}
	asked, _ := q.PageSize.Int64()
	size := min(max(int(asked), 1), 50)
	if h.vendorVariant("ewb-ownsize", 2) == 1 {
		size = 6 // this host pages by its own size, whatever is asked
	}
	index, _ := q.PageIndex.Int64()
	page := int(index)
	if h.vendorVariant("ewb-from1", 2) == 1 {
		page-- // this host counts from 1; 0 is an empty page
	}
	var rows []map[string]any
	if page >= 0 {
		for _, it := range pageSlice(items, page, size) {
			row := map[string]any{"infoid": fmt.Sprintf("%x", hash64(it.Path)), "title": it.Title, "infodate": it.Date, "infourl": it.Path}
			if h.vendorVariant("ewb-realtitle", 2) == 1 {
				row["realtitle"] = it.Title
				row["title"] = truncate(it.Title, 16)
			}
			rows = append(rows, row)
		}
	}
	listKey := []string{"data", "infodata"}[h.vendorVariant("ewb-key", 2)]
	var custom any = map[string]any{listKey: rows, "total": len(items)}
	if h.vendorVariant("ewb-string", 3) == 0 {
		custom = string(marshal(custom)) // checkJson(msg.custom) parses a string
	}
	writeJSON(rw, map[string]any{"custom": custom, "status": map[string]any{"code": 200, "text": ""}})
}

// truncate shortens a title over n runes to n, the last an ellipsis, as
// list pages do (the anchor's title keeps it whole).
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ---- JPaaS ----

const jpaasUnitPath = "/api-gateway/jpaas-publish-server/front/page/build/unit"

func (h *Host) jpaasWebID() string { return strconv.Itoa(int(1000 + hash64(h.rng, "webid")%9000)) }

func (h *Host) jpaasTplSet() string { return fmt.Sprintf("%x", hash64(h.rng, "tplset"))[:16] }

func (h *Host) jpaasTag() string {
	return []string{"当前栏目list", "zw", "分页列表"}[h.vendorVariant("jpaas-tag", 3)]
}

// jpaasPerPage: the unit's own page size, 6 to 15.
func (h *Host) jpaasPerPage() int { return []int{6, 10, 15}[h.vendorVariant("jpaas-size", 3)] }

func (s *Server) jpaas(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	if path == jpaasUnitPath {
		s.jpaasUnit(rw, r, h)
		return true
	}
	if !strings.HasPrefix(path, "/col/col") || !strings.HasSuffix(path, "/index.html") {
		return false
	}
	col, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/col/col"), "/index.html"))
	kind := h.kindAt(col - h.ColumnID)
	if err != nil || kind == "" {
		return false
	}
	var unit string
	switch h.vendorVariant("jpaas-page", 3) {
	case 0:
		unit = fmt.Sprintf(`<div id="list"></div><script type="text/javascript" src="/module/jpaas/AuthorizedRead/unitbuild.js" id="u%d" url="%s" queryData="{'webId':'%s','tplSetId':'%s','pageType':'column','tagId':'%s','editType':'null','pageId':'%d'}"></script>`,
			col, jpaasUnitPath, h.jpaasWebID(), h.jpaasTplSet(), h.jpaasTag(), col)
	case 1:
		unit = fmt.Sprintf("<div id=\"list\"></div><script>\nvar unitParams = {\n  parseType: 'bulidstatic', webId: '%s', tplSetId: '%s', pageType: 'column',\n  tagId: '%s', editType: 'null', pageId: '%d'\n};\n$.get('%s', unitParams, function (res) { $('#list').html(res.data.html); });\n</script>",
			h.jpaasWebID(), h.jpaasTplSet(), h.jpaasTag(), col, jpaasUnitPath)
	default:
		unit = fmt.Sprintf(`<div class="unit-list" data-parse-type="bulidstatic" data-web-id="%s" data-tpl-set-id="%s" data-page-type="column" data-tag-id="%s" data-page-id="%d"></div><script src="/common/js/unitload.js"></script>`,
			h.jpaasWebID(), h.jpaasTplSet(), h.jpaasTag(), col)
	}
	s.html(rw, r, h, h.pageShell(kindName[kind], unit))
	return true
}

// jpaasUnit answers a unit: its page from paramJson or from bare pageNo, as
// the host reads.
func (s *Server) jpaasUnit(rw http.ResponseWriter, r *http.Request, h *Host) {
	q := r.URL.Query()
	col, _ := strconv.Atoi(q.Get("pageId"))
	kind := h.kindAt(col - h.ColumnID)
	if q.Get("webId") != h.jpaasWebID() || kind == "" {
		writeJSON(rw, map[string]any{"success": false, "code": "404", "msg": "栏目不存在"})
		return
	}
	page, size := 1, h.jpaasPerPage()
	if h.vendorVariant("jpaas-paramjson", 2) == 0 {
		var pj struct {
			PageNo   json.Number `json:"pageNo"`
			PageSize json.Number `json:"pageSize"`
		}
		if json.Unmarshal([]byte(q.Get("paramJson")), &pj) == nil {
			if n, err := pj.PageNo.Int64(); err == nil {
				page = int(n)
			}
			if n, err := pj.PageSize.Int64(); err == nil && n > 0 {
				size = int(n)
			}
		}
	} else {
		if n, err := strconv.Atoi(q.Get("pageNo")); err == nil {
			page = n
		}
		if n, err := strconv.Atoi(q.Get("pageSize")); err == nil && n > 0 {
			size = n
		}
	}
	items := s.world().listItems(h, kind)
	size = min(size, 50)
	if h.vendorVariant("jpaas-cap", 3) != 0 {
		size = min(size, h.jpaasPerPage()) // this host caps the size asked at its own
	}
	n := pages(len(items), size)
	var b strings.Builder
	b.WriteString(`<ul class="list">`)
	for _, it := range pageSlice(items, page-1, size) {
		fmt.Fprintf(&b, `<li class="cf"><a href="%s" title="%s" target="_blank">%s</a><span class="fr">%s</span></li>`, it.Path, esc(it.Title), esc(truncate(it.Title, 24)), it.Date)
	}
	b.WriteString(`</ul>`)
	switch h.vendorVariant("jpaas-pager", 3) {
	case 0:
		b.WriteString(`<div class="pagination">`)
		for p := 1; p <= n; p++ {
			fmt.Fprintf(&b, `<a data-page="%d">%d</a>`, p, p)
		}
		b.WriteString(`</div>`)
	case 1:
		fmt.Fprintf(&b, `<div class="page">共%d页 共%d条</div>`, n, len(items))
	}
	writeJSON(rw, map[string]any{"success": true, "code": "200", "msg": "操作成功", "data": map[string]any{"html": b.String()}})
}

// ---- TrueCMS ----

func (h *Host) trueSite() string { return "zfxxgk" + strconv.Itoa(h.ColumnID%100) }

func (h *Host) trueProxy() string {
	return []string{"/TrueCMS", "/truecms"}[h.vendorVariant("true-path", 2)] + "/messageController/getMessage.do"
}

func (h *Host) trueColumn(i int) string {
	x := hash64(h.rng, "column", i)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(x), uint16(x>>32), x>>48&0xfff, x>>36&0xfff, hash64(x)&0xffffffffffff)
}

func (h *Host) truePerPage() int { return []int{6, 10, 15}[h.vendorVariant("true-per", 3)] }

func (s *Server) trueCMS(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	if path == h.trueProxy() {
		s.trueList(rw, r, h)
		return true
	}
	for i, kind := range h.kinds() {
		entry, _ := h.vendorEntry(kind, i)
		if entry != path {
			continue
		}
		items := s.world().listItems(h, kind)
		group := []int{1, 3, 3}[h.vendorVariant("true-group", 3)]
		shown := items[:min(h.vendorVariant("true-init", 2)*h.truePerPage(), len(items))]
		var b strings.Builder
		b.WriteString(`<div id="initData" style="display:none">` + listHTML(shown) + `</div><div id="list"></div>`)
		if h.vendorVariant("true-quote", 2) == 0 {
			fmt.Fprintf(&b, "<script>\n$(function () {\n  $('#list').jpage({\n    dataStore: '<datastore><recordset></recordset></datastore>',\n    proxyUrl: '%s',\n    perPage: %d,\n    groupSize: %d,\n    barPosition: 'bottom',\n    ajaxParam: {\n      columnId: '%s'\n    }\n  });\n});\n</script>", h.trueProxy(), h.truePerPage(), group, h.trueColumn(i))
		} else {
			fmt.Fprintf(&b, `<script>$("#list").jpage({ajaxParam:{"columnId":"%s","contentTemplate":""},groupSize:%d,perPage:%d,proxyUrl:"%s",dataStore:dataStore});</script>`, h.trueColumn(i), group, h.truePerPage(), h.trueProxy())
		}
		s.html(rw, r, h, h.pageShell(kindName[kind], b.String()))
		return true
	}
	return false
}

// trueList answers a window of a column as JSON or, with a callback, JSONP.
func (s *Server) trueList(rw http.ResponseWriter, r *http.Request, h *Host) {
	q := r.URL.Query()
	kind := ""
	for i := range h.kinds() {
		if h.trueColumn(i) == q.Get("columnId") {
			kind = h.kindAt(i)
		}
	}
	start, _ := strconv.Atoi(q.Get("startrecord"))
	end, _ := strconv.Atoi(q.Get("endrecord"))
	if kind == "" || start < 1 || end < start {
		http.Error(rw, "bad request", http.StatusBadRequest)
		return
	}
	items := s.world().listItems(h, kind)
	if h.vendorVariant("true-cap", 3) != 0 && end-start+1 > 20 {
		end = start - 1 // this host answers a window over 20 records with none
	}
	var b strings.Builder
	b.WriteString("<datastore>")
	if h.vendorVariant("true-total", 2) == 0 {
		fmt.Fprintf(&b, "<totalrecord>%d</totalrecord>", len(items))
	}
	b.WriteString("<recordset>")
	for i := start - 1; i < min(end, len(items)); i++ {
		it := items[i]
		fmt.Fprintf(&b, `<record><![CDATA[<li><a href='%s' title='%s' target='_blank'>%s</a><span>%s</span></li>]]></record>`, it.Path, esc(it.Title), esc(it.Title), it.Date)
	}
	b.WriteString("</recordset></datastore>")
	body := marshal(map[string]any{"result": b.String()})
	if cb := q.Get("callback"); cb != "" {
		rw.Header().Set("Content-Type", "application/javascript;charset=UTF-8")
		fmt.Fprintf(rw, "%s(%s);", cb, body)
		return
	}
	rw.Header().Set("Content-Type", "application/json;charset=UTF-8")
	rw.Write(body)
}

// ---- Hanweb jcms disclosure module ----

func (h *Host) xxgkArea() string { return fmt.Sprintf("%014d", hash64(h.rng, "area")%1e14) }

func (h *Host) xxgkDiv() string { return fmt.Sprintf("div%d", 1+h.vendorVariant("xxgk-div", 9)) }

func (h *Host) xxgkType(i int) string {
	return fmt.Sprintf("%c%02d", 'A'+h.vendorVariant("xxgk-type", 6), 7+i)
}

func (h *Host) xxgkPerPage() int { return []int{5, 10, 15}[h.vendorVariant("xxgk-per", 3)] }

func (s *Server) xxgk(rw http.ResponseWriter, r *http.Request, h *Host, path string) bool {
	switch path {
	case fmt.Sprintf("/col/col%d/index.html", h.ColumnID):
		body := fmt.Sprintf(`<table class="xxgk"><tr><td><iframe src="/module/xxgk/tree.jsp?standardXxgk=1&amp;area=%s&amp;divid=%s" frameborder="0"></iframe></td><td><div id="%s"></div><script>function search(a, b, c) { loadDynamic('/module/xxgk/search.jsp?standardXxgk=1&infotypeId=' + a + '&vc_title=' + encodeURI(b) + '&vc_number=' + encodeURI(c) + '&area=%s', '%s', '0', '0', '950', '1', '', ''); }</script></td></tr></table>`,
			h.xxgkArea(), h.xxgkDiv(), h.xxgkDiv(), h.xxgkArea(), h.xxgkDiv())
		s.html(rw, r, h, h.pageShell("政府信息公开目录", body))
		return true
	case "/module/xxgk/tree.jsp":
		var b strings.Builder
		nodes := [][2]string{{"Z01", "政策文件"}, {"Z02", "规划计划"}}
		for i, k := range h.kinds() {
			nodes = append(nodes, [2]string{h.xxgkType(i), kindName[k]})
		}
		nodes = append(nodes, [2]string{"Z09", "统计信息"})
		if h.vendorVariant("xxgk-tree", 2) == 0 {
			b.WriteString("<script>d = new dTree('d');\nd.add(0, -1, '');\n")
			for i, n := range nodes {
				fmt.Fprintf(&b, "d.add(%d, 0, '<a href=\"javascript:void(0)\" onclick=\"funclick(\\'%s\\')\">%s</a>');\n", i+1, n[0], n[1])
			}
			b.WriteString("document.write(d);</script>")
		} else {
			for _, n := range nodes {
				fmt.Fprintf(&b, `<p><a href="javascript:;" onclick="funclick('%s')">%s</a></p>`, n[0], n[1])
			}
		}
		s.html(rw, r, h, h.shell("目录树", b.String(), false))
		return true
	case "/module/xxgk/search.jsp":
		s.xxgkSearch(rw, r, h)
		return true
	}
	return false
}

// xxgkSearch answers a column's page (by GET or a posted form) as a list or
// a table, with its page count.
func (s *Server) xxgkSearch(rw http.ResponseWriter, r *http.Request, h *Host) {
	r.ParseForm()
	kind := ""
	for i := range h.kinds() {
		if h.xxgkType(i) == r.Form.Get("infotypeId") {
			kind = h.kindAt(i)
		}
	}
	if kind == "" || r.Form.Get("area") != h.xxgkArea() {
		s.html(rw, r, h, h.shell("信息公开", `<div class="zfxxgk_list_con">暂无信息</div>`, false))
		return
	}
	items := s.world().listItems(h, kind)
	page := max(1, atoi(r.Form.Get("currpage")))
	var b strings.Builder
	if h.vendorVariant("xxgk-list", 2) == 0 {
		b.WriteString(`<div class="zfxxgk_list_con"><ul>`)
		for _, it := range pageSlice(items, page-1, h.xxgkPerPage()) {
			fmt.Fprintf(&b, `<li><a href="%s" target="_blank" title="%s">%s</a><span>%s</span></li>`, it.Path, esc(it.Title), esc(truncate(it.Title, 20)), it.Date)
		}
		b.WriteString(`</ul></div>`)
	} else {
		b.WriteString(`<table>`)
		for i, it := range pageSlice(items, page-1, h.xxgkPerPage()) {
			fmt.Fprintf(&b, `<tr class="%s"><td>%d</td><td><a href="%s" title="%s" target="_blank">%s</a></td><td>%s</td></tr>`, []string{"tr_main_value_odd", "tr_main_value_even"}[i%2], i+1, it.Path, esc(it.Title), esc(it.Title), it.Date)
		}
		b.WriteString(`</table>`)
	}
	fmt.Fprintf(&b, `<div class="pages">&nbsp;&nbsp;共%d页&nbsp;&nbsp;共%d条</div>`, pages(len(items), h.xxgkPerPage()), len(items))
	s.html(rw, r, h, h.shell("信息公开", b.String(), false))
}
