package simweb

import "fmt"

// Each host spells its CMS its own way, as real hosts do, so that no reader
// passes by matching one template: the choices below come from the host's
// seed, each from its own bits.

// variant picks one of n spellings for one choice (slot) of a host.
func (h *Host) variant(slot, n int) int {
	return int((h.rng >> (12 + 4*uint(slot))) % uint64(n))
}

// TRS paging forms.
const (
	trs4Arg0      = iota // createPageHTML(21, 0, "index", "html"): files from index_1 for page 2
	trs6Arg1             // createPageHTML('page_div',10,1,'index','html',278): index_2 for page 2
	trsQuoted1           // createPageHTML('page_div','15','1','10','148'): every argument quoted
	trsCountPage0        // var countPage = 3: the count alone
	trs4Arg1             // createPageHTML(21, 1, 'index', 'html'): the four-argument form counting from 1
	trsForms
)

func (h *Host) trsForm() int { return h.variant(0, trsForms) }

// trsFromOne: the host names page 2 index_2 (else index_1).
func (h *Host) trsFromOne() bool {
	f := h.trsForm()
	return f == trs6Arg1 || f == trsQuoted1 || f == trs4Arg1
}

// trsScript is the paging script of a TRS list page (page counts from 0).
func (h *Host) trsScript(claimed, page, records int) string {
	switch h.trsForm() {
	case trs6Arg1:
		return fmt.Sprintf(`createPageHTML('page_div',%d,%d,'index','html',%d);`, claimed, page+1, records)
	case trsQuoted1:
		return fmt.Sprintf(`createPageHTML('page_div','%d','%d','%d','%d');`, claimed, page+1, trsPerPage, records)
	case trsCountPage0:
		return fmt.Sprintf("var countPage = %d//共多少页\nvar currentPage = %d;//当前页\n", claimed, page)
	case trs4Arg1:
		return fmt.Sprintf(`createPageHTML( %d , %d , 'index' , 'html' )`, claimed, page+1)
	}
	return fmt.Sprintf(`createPageHTML(%d, %d, "index", "html");`, claimed, page)
}

// hanwebForm: 0 the options inline in double quotes; 1 a var param_N object
// with unquoted keys and single quotes, named in ajaxParam, the keys in
// another order; 2 the same object not named (found beside the call) and the
// other proxy path.
func (h *Host) hanwebForm() int { return h.variant(1, 3) }

func (h *Host) hanwebProxy() string {
	if h.hanwebForm() == 2 {
		return "/module/jpage/dataproxy.jsp"
	}
	return "/module/web/jpage/dataproxy.jsp"
}

// gkPrefix: gkmlpt deployed at the root or under a department's path.
func (h *Host) gkPrefix() string {
	if h.variant(2, 2) == 1 {
		return "/yjzjj"
	}
	return ""
}

// gkConfig writes the index's config in one of the spellings real hosts use.
func (h *Host) gkConfig(sid int, tree string) string {
	switch h.variant(3, 3) {
	case 1:
		return fmt.Sprintf("window._CONFIG = {\n  SID: \"%d\",\n  ROOT: '%s/gkmlpt',\n  TREE: %s\n};", sid, h.gkPrefix(), tree)
	case 2:
		return fmt.Sprintf(`var _CONFIG={TREE:%s,SID:%d,ROOT:"%s/gkmlpt"}`, tree, sid, h.gkPrefix())
	}
	return fmt.Sprintf(`window._CONFIG={SID:'%d', TREE:%s, ROOT:'%s/gkmlpt'};`, sid, tree, h.gkPrefix())
}

// gkNested: the report columns under a parent node of the tree.
func (h *Host) gkNested() bool { return h.variant(4, 2) == 1 }

// gkURLKey: articles carry url or post_url.
func (h *Host) gkURLKey() string {
	if h.variant(5, 2) == 1 {
		return "post_url"
	}
	return "url"
}

// pageIndexCallback: Ls.pagination with a callback that builds the URL.
func (h *Host) pageIndexCallback() bool { return h.variant(6, 2) == 1 }

// jsListNested: var dataList = [{infolist: […]}].
func (h *Host) jsListNested() bool { return h.variant(7, 2) == 1 }

// CookieRedirect: report pages first answer a 302 to themselves that sets a
// cookie, and answer with the cookie.
func (h *Host) CookieRedirect() bool { return h.variant(8, 5) == 0 }

// scriptEntry: the home page is a script that sends the browser to the real
// one, in one of three spellings (0: none).
func (h *Host) scriptEntry() int {
	if h.variant(9, 4) != 0 {
		return 0
	}
	return 1 + h.variant(10, 3)
}

func (h *Host) scriptEntryPage() string {
	var js string
	switch h.scriptEntry() {
	case 1:
		js = `window.location.href = "/index.shtml";`
	case 2:
		js = `var u = '/index' + '.shtml'; top.location.replace( u );`
	default:
		js = `location.replace('/index.shtml')`
	}
	return `<html><head><meta charset="utf-8"><script type="text/javascript">` + js + `</script></head><body></body></html>`
}

// listTitle: some hosts title a report list with the report column's name and
// the latest year, as a report would be titled.
func (h *Host) listTitle(name string, year int) string {
	if h.variant(11, 3) == 0 && year > 0 {
		return fmt.Sprintf("%d年政府信息公开工作年度报告", year)
	}
	return name
}
