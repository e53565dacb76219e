package serve

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/attrib"
	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// reportPage is one report: its source beside its tables.
type reportPage struct {
	Title    string
	E        *store.Entry
	At       attrib.Attribution
	Year     string
	Sources  []sourceView
	Shown    sourceView
	Tables   []tableView
	Failed   []report.Check
	Inferred []report.Inferred
	Warnings []string
	Compare  string
	History  string
	Note     string
}

// sourceView is one captured document of a report.
type sourceView struct {
	CaptureID uint64
	URL, Name string
	Format    string
	Role      string // page, attachment, copy
	Pane      string // frame (sanitised page), pdf, text (the reading: no viewer)
	Link      string // this report page showing it
	Raw       string // the served document
	Text      string // for text panes: what was read from it
	Selected  bool
}

// reportID is the form of a store's report ids; anything else is not found
// (no lookup by path or pattern).
var reportID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// withReport answers a request about the report in its path: an id not of
// the form of ids is not found (no lookup by path or pattern), else fn gets
// the open store, the report and the writer of the answer (see withStore).
func (s *Server) withReport(w http.ResponseWriter, r *http.Request, fn func(*store.Store, *store.Entry, http.ResponseWriter) error) {
	id := r.PathValue("id")
	if !reportID.MatchString(id) {
		s.fail(w, http.StatusNotFound, "No such report.")
		return
	}
	s.withStore(w, func(st *store.Store, w http.ResponseWriter) error {
		e, err := st.Entry(id)
		if err != nil {
			return err
		}
		return fn(st, e, w)
	})
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	s.withReport(w, r, func(st *store.Store, e *store.Entry, w http.ResponseWriter) error {
		id, rec := e.ReportID, e.Record
		p := reportPage{Title: orDash(string(rec.Organisation)) + " " + yearText(rec.Year), E: e,
			At: s.attr.Attribute(rec, export.SourceURL(e)), Year: yearText(rec.Year), Warnings: rec.Warnings,
			Inferred: rec.Inferred, Note: copyNote(st), History: "/report/" + id + "/history"}
		if rec.Organisation != "" {
			p.Compare = "/compare?" + url.Values{"org": {string(rec.Organisation)}}.Encode()
		}
		for _, c := range rec.Checks {
			if !c.OK {
				p.Failed = append(p.Failed, c)
			}
		}
		p.Sources = sourcesOf(e)
		want, _ := strconv.ParseUint(r.URL.Query().Get("src"), 10, 64)
		shown := 0 // the first source, unless another is asked for
		for i := range p.Sources {
			if p.Sources[i].CaptureID == want {
				shown = i
			}
		}
		if len(p.Sources) > 0 {
			p.Sources[shown].Selected = true
			p.Shown = p.Sources[shown]
		}
		p.Tables = tablesOf(rec)
		return s.render(w, "report.html", p)
	})
}

// sourcesOf lists a report's documents: its components (page first, then
// attachments), then every other address the same bytes were captured at.
func sourcesOf(e *store.Entry) []sourceView {
	formats := map[uint64]string{}
	texts := map[uint64]*report.Record{}
	for _, c := range e.Components {
		formats[c.Source.CaptureID] = c.Record.Source.Format
		texts[c.Source.CaptureID] = c.Record
	}
	var out []sourceView
	seen := map[uint64]bool{}
	add := func(ref store.SourceRef, role string) {
		if seen[ref.CaptureID] {
			return
		}
		seen[ref.CaptureID] = true
		rec := texts[ref.CaptureID]
		format := formats[ref.CaptureID]
		if rec == nil {
			rec, format = e.Record, e.Record.Source.Format
			if f, ok := formatBySHA(e, ref.SHA256); ok {
				format = f
			}
		}
		v := sourceView{CaptureID: ref.CaptureID, URL: ref.URL, Name: ref.Name, Format: format, Role: role,
			Link: "/report/" + e.ReportID + "?src=" + strconv.FormatUint(ref.CaptureID, 10),
			Raw:  "/report/" + e.ReportID + "/source/" + strconv.FormatUint(ref.CaptureID, 10)}
		v.Pane = paneFor(format)
		if v.Pane == "text" {
			v.Text = readingText(rec)
		}
		out = append(out, v)
	}
	for _, c := range e.Components {
		role := "page"
		if c.Attachment {
			role = "attachment"
		}
		add(c.Source, role)
	}
	for i, ref := range e.Sources {
		role := "copy"
		if i == 0 && len(e.Components) == 0 {
			role = "document"
		}
		add(ref, role)
	}
	return out
}

// formatBySHA finds the format of a copy from the component with its bytes.
func formatBySHA(e *store.Entry, sha string) (string, bool) {
	for _, c := range e.Components {
		if c.Source.SHA256 == sha {
			return c.Record.Source.Format, true
		}
	}
	return "", false
}

// paneFor says how a format is shown: pages in a sanitised frame, PDFs in
// the browser's viewer, other files by what was read from them.
func paneFor(format string) string {
	switch {
	case format == "html" || format == "text" || format == "markdown":
		return "frame"
	case strings.HasPrefix(format, "pdf"):
		return "pdf"
	}
	return "text"
}

// readingText is what a record read from its document, section by section.
func readingText(r *report.Record) string {
	var b strings.Builder
	for _, s := range []struct{ head, text string }{
		{"一、总体情况", r.Sections.General}, {"二、主动公开政府信息情况", r.Sections.Active},
		{"三、收到和处理政府信息公开申请情况", r.Sections.Requests}, {"四、政府信息公开行政复议、行政诉讼情况", r.Sections.Review},
		{"五、存在的主要问题及改进情况", r.Sections.Problems}, {"六、其他需要报告的事项", r.Sections.Other},
	} {
		if strings.TrimSpace(s.text) != "" {
			b.WriteString(s.head + "\n" + s.text + "\n\n")
		}
	}
	return b.String()
}

func yearText(y *int) string {
	if y == nil {
		return "(year unknown)"
	}
	return strconv.Itoa(*y)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
