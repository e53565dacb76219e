package simweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestVendorSpellingsVary: the vendor hosts of one world spell each choice
// in every way it has.
func TestVendorSpellingsVary(t *testing.T) {
	t.Parallel()
	w := world(t, 400, 0, false)
	choices := map[Dialect]map[string]int{
		Epoint:  {"ewb-column": 2, "ewb-project": 3, "ewb-settings": 3, "ewb-from1": 2, "ewb-ownsize": 2, "ewb-realtitle": 2, "ewb-key": 2, "ewb-string": 3, "ewb-wrap": 3},
		JPaaS:   {"jpaas-tag": 3, "jpaas-size": 3, "jpaas-page": 3, "jpaas-paramjson": 2, "jpaas-cap": 3, "jpaas-pager": 3},
		TrueCMS: {"true-path": 2, "true-per": 3, "true-group": 3, "true-init": 2, "true-quote": 2, "true-total": 2, "true-cap": 3},
		Xxgk:    {"xxgk-div": 9, "xxgk-type": 6, "xxgk-per": 3, "xxgk-tree": 2, "xxgk-list": 2},
	}
	seen := map[string]map[int]bool{}
	hosts := map[Dialect]int{}
	for _, h := range w.Hosts {
		for choice, n := range choices[h.Dialect] {
			if seen[choice] == nil {
				seen[choice] = map[int]bool{}
			}
			seen[choice][h.vendorVariant(choice, n)] = true
		}
		hosts[h.Dialect]++
	}
	for d, cs := range choices {
		if hosts[d] == 0 {
			t.Errorf("no %s host in a world of 400", d)
		}
		for choice, n := range cs {
			if len(seen[choice]) != n {
				t.Errorf("%s %s: %d spellings among %d hosts, want %d", d, choice, len(seen[choice]), hosts[d], n)
			}
		}
	}
}

// TestVendorListsServed asks each vendor platform's list service as its
// public clients do and checks the answer holds the column's reports.
func TestVendorListsServed(t *testing.T) {
	t.Parallel()
	w, c := servePlain(t, 120, 0)
	t.Run("epoint", func(t *testing.T) {
		h := hostWith(t, w, func(h *Host) bool { return h.Dialect == Epoint })
		entry, _ := h.vendorEntry(h.kinds()[0], 0)
		if code, _, page := get(t, c, h.base()+entry); code != 200 || !strings.Contains(page, "siteInfo") && !strings.Contains(page, "/js/") {
			t.Fatalf("column %s: %d, no site settings named", entry, code)
		}
		endpoint := h.base() + h.ewbProject() + "/rest/lightfrontaction/getgovinfolist"
		resp, err := c.Post(endpoint, "application/x-www-form-urlencoded", strings.NewReader("siteGuid="+h.ewbGUID()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("a form posted to the list: %d, want 415", resp.StatusCode)
		}
		got := map[string]bool{}
		total := 0
		for page := 0; page < 30; page++ {
			body := fmt.Sprintf(`{"siteGuid":%q,"categorynum":%q,"deptcode":"","pageIndex":%d,"pageSize":50}`, h.ewbGUID(), h.ewbCategory(0), page)
			if h.vendorVariant("ewb-wrap", 3) == 0 {
				body = `{"params":` + body + `}`
			}
			resp, err := c.Post(endpoint, "application/json;charset=UTF-8", bytes.NewReader([]byte(body)))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var v struct {
				Custom json.RawMessage `json:"custom"`
			}
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("answer %.100s: %v", b, err)
			}
			custom := v.Custom
			var s string
			if json.Unmarshal(custom, &s) == nil {
				custom = json.RawMessage(s)
			}
			var list map[string]any
			if err := json.Unmarshal(custom, &list); err != nil {
				t.Fatalf("custom %.100s: %v", custom, err)
			}
			total = int(list["total"].(float64))
			for _, key := range []string{"data", "infodata"} {
				rows, _ := list[key].([]any)
				for _, r := range rows {
					got[r.(map[string]any)["infourl"].(string)] = true
				}
			}
		}
		items := w.listItems(h, h.kinds()[0])
		if total != len(items) {
			t.Errorf("total %d, the column has %d", total, len(items))
		}
		for _, it := range items {
			if !got[it.Path] {
				t.Errorf("%s not listed", it.Path)
			}
		}
	})
	t.Run("jpaas", func(t *testing.T) {
		h := hostWith(t, w, func(h *Host) bool { return h.Dialect == JPaaS })
		entry, _ := h.vendorEntry(h.kinds()[0], 0)
		if code, _, page := get(t, c, h.base()+entry); code != 200 || !strings.Contains(page, jpaasUnitPath) && !strings.Contains(page, `data-web-id="`+h.jpaasWebID()+`"`) {
			t.Fatalf("column %s: %d, no unit named", entry, code)
		}
		items := w.listItems(h, h.kinds()[0])
		for page := 1; page <= (len(items)+5)/6; page++ {
			q := url.Values{"webId": {h.jpaasWebID()}, "pageId": {strconv.Itoa(h.ColumnID)}, "pageNo": {strconv.Itoa(page)}, "pageSize": {"6"},
				"paramJson": {fmt.Sprintf(`{"pageNo":%d,"pageSize":"6"}`, page)}}
			_, _, body := get(t, c, h.base()+jpaasUnitPath+"?"+q.Encode())
			var v struct {
				Data struct {
					HTML string `json:"html"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatalf("unit %.100s: %v", body, err)
			}
			for _, it := range pageSlice(items, page-1, 6) {
				if !strings.Contains(v.Data.HTML, `href="`+it.Path+`"`) {
					t.Errorf("page %d: %s not in the unit's markup", page, it.Path)
				}
			}
		}
	})
	t.Run("xxgk", func(t *testing.T) {
		h := hostWith(t, w, func(h *Host) bool { return h.Dialect == Xxgk })
		entry, _ := h.vendorEntry(h.kinds()[0], 0)
		if code, _, page := get(t, c, h.base()+entry); code != 200 || !strings.Contains(page, "/module/xxgk/tree.jsp?") {
			t.Fatalf("column %s: %d, no tree framed", entry, code)
		}
		_, _, tree := get(t, c, h.base()+"/module/xxgk/tree.jsp?area="+h.xxgkArea())
		if !strings.Contains(tree, h.xxgkType(0)) || !strings.Contains(tree, kindName[h.kinds()[0]]) {
			t.Fatalf("the tree has no node for the first column: %.200s", tree)
		}
		items := w.listItems(h, h.kinds()[0])
		got := ""
		for page := 1; page <= (len(items)+h.xxgkPerPage()-1)/h.xxgkPerPage(); page++ {
			q := url.Values{"infotypeId": {h.xxgkType(0)}, "area": {h.xxgkArea()}, "currpage": {strconv.Itoa(page)}}
			_, _, body := get(t, c, h.base()+"/module/xxgk/search.jsp?"+q.Encode())
			if !strings.Contains(body, fmt.Sprintf("共%d页", (len(items)+h.xxgkPerPage()-1)/h.xxgkPerPage())) {
				t.Errorf("page %d has no page count", page)
			}
			got += body
		}
		for _, it := range items {
			if !strings.Contains(got, `href="`+it.Path+`"`) {
				t.Errorf("%s not listed", it.Path)
			}
		}
	})
	t.Run("truecms", func(t *testing.T) {
		h := hostWith(t, w, func(h *Host) bool { return h.Dialect == TrueCMS })
		entry, _ := h.vendorEntry(h.kinds()[0], 0)
		if code, _, page := get(t, c, h.base()+entry); code != 200 || !strings.Contains(page, h.trueProxy()) || !strings.Contains(page, h.trueColumn(0)) {
			t.Fatalf("column %s: %d, no jpage call on the proxy", entry, code)
		}
		items := w.listItems(h, h.kinds()[0])
		q := url.Values{"columnId": {h.trueColumn(0)}, "startrecord": {"1"}, "endrecord": {strconv.Itoa(len(items))}, "perpage": {"20"}, "callback": {"cb"}}
		_, _, body := get(t, c, h.base()+h.trueProxy()+"?"+q.Encode())
		if !strings.HasPrefix(body, "cb(") {
			t.Errorf("no JSONP with a callback: %.60s", body)
		}
		if len(items) <= 20 && strings.Count(body, "<record>") != len(items) {
			t.Errorf("%d records for a column of %d", strings.Count(body, "<record>"), len(items))
		}
	})
}
