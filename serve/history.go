package serve

import (
	"net/http"

	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/store"
)

// historyPage is a report's versions, changes and addresses.
type historyPage struct {
	Title    string
	ID       string
	Current  *store.Entry
	Versions []*store.Entry
	Changes  []changeView
	URLs     []store.DocState
	Note     string
}

// changeView is one logged change with its cells old → new.
type changeView struct {
	store.ReportChange
	Cells []cellChange
}

type cellChange struct {
	Field, Label, Old, New string
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	s.withReport(w, r, func(st *store.Store, e *store.Entry, w http.ResponseWriter) error {
		id := e.ReportID
		h, err := st.History(id)
		if err != nil {
			return err
		}
		p := historyPage{Title: "History of " + orDash(string(h.Current.Record.Organisation)) + " " + yearText(h.Current.Record.Year),
			ID: id, Current: h.Current, Versions: h.Versions, URLs: h.URLs, Note: copyNote(st)}
		for _, c := range h.Changes {
			cv := changeView{ReportChange: c}
			for _, d := range c.Cells {
				cv.Cells = append(cv.Cells, cellChange{Field: d.Field, Label: report.CellLabel(d.Field), Old: valueOr(d.Old, d.OldText), New: valueOr(d.New, d.NewText)})
			}
			p.Changes = append(p.Changes, cv)
		}
		return s.render(w, "history.html", p)
	})
}

func valueOr(v *float64, text string) string {
	if v != nil {
		return report.FormatNumber(*v)
	}
	if text != "" {
		return text
	}
	return "blank"
}
