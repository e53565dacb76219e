package simweb

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The bulk world is the yardstick of crawl speed (Options.Bulk): every host
// answers with a home page that lists its report pages, and every other page
// it has is one of them, each a report of its own (its own department and
// year, its own figures), with no site furniture, print or mobile copy,
// attachment or other column. Crawling it is all fetching, extraction and
// storing, nothing wasted.

// bulkDepartments name the units whose reports a bulk host lists: with five
// years each, forty pages are forty distinct reports.
var bulkDepartments = [...]string{"发展和改革局", "教育局", "科学技术局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局"}

// bulkReport is a bulk host's i-th report (1-based).
func (w *World) bulkReport(h *Host, i int) *Report {
	k := i - 1
	u := &Unit{ID: fmt.Sprintf("%s-bulk-%d", h.Name, i), Name: h.Division.Name + bulkDepartments[k%len(bulkDepartments)],
		Kind: KindDepartment, Division: h.Division, Host: h}
	y := 2019 + (k/len(bulkDepartments))%5
	rp := &Report{Unit: u, Year: y, Published: true, Format: "html", seed: hash64(w.cfg.Seed, u.ID, y), alone: true}
	rp.Date = fmt.Sprintf("%d-%02d-%02d", y+1, 1+k%3, 5+k%20)
	rp.Title = fmt.Sprintf("%s%d年政府信息公开工作年度报告", u.Name, y)
	rp.Path = fmt.Sprintf("/nb/t%d.html", i)
	return rp
}

// bulk answers a request to a host of the bulk world.
func (s *Server) bulk(rw http.ResponseWriter, r *http.Request, h *Host, path string) {
	w := s.world()
	if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/nb/t"), ".html")); err == nil &&
		strings.HasPrefix(path, "/nb/t") && strings.HasSuffix(path, ".html") && n >= 1 && n <= s.opt.Bulk {
		rp := w.bulkReport(h, n)
		s.html(rw, r, h, h.shell(rp.Title, w.reportBody(rp), false))
		return
	}
	if path != "/" && path != "/index.html" {
		http.NotFound(rw, r)
		return
	}
	items := make([]item, 0, s.opt.Bulk)
	for i := 1; i <= s.opt.Bulk; i++ {
		rp := w.bulkReport(h, i)
		items = append(items, item{Title: rp.Title, Path: rp.Path, Date: rp.Date, Report: rp})
	}
	s.html(rw, r, h, h.shell("政府信息公开年报", listHTML(items), false))
}
