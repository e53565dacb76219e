package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// tokenTable is the reading of a table by encoding/json's tokens, the way the
// tables were read before scanTable: the reference it must agree with.
func tokenTable(data []byte) (*Table, error) {
	t := &Table{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want an object")
	}
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		row := Row{Key: fmt.Sprint(keyTok)}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, fmt.Errorf("want a row object")
		}
		for dec.More() {
			colTok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			valTok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			cell := Cell{Key: fmt.Sprint(colTok)}
			switch v := valTok.(type) {
			case nil:
			case json.Number:
				f, err := v.Float64()
				if err != nil {
					return nil, err
				}
				cell.Value = &f
			default:
				return nil, fmt.Errorf("want a number or null")
			}
			row.Cells = append(row.Cells, cell)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, row)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the table")
	}
	return t, nil
}

// agree checks that scanTable reads data as the token reader does: the same
// rows, or an error from both (json.Valid first: encoding/json hands
// UnmarshalJSON only valid values).
func agree(t *testing.T, data []byte) {
	t.Helper()
	if !json.Valid(data) {
		return
	}
	want, werr := tokenTable(data)
	var got Table
	gerr := scanTable(&got, data)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: token reader %v, scanner %v", data, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want.Rows, got.Rows) {
		t.Fatalf("%q: token reader %+v, scanner %+v", data, want.Rows, got.Rows)
	}
}

func TestTableScannerAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		tb := NewTable(Requests2021)
		for _, row := range tb.Rows {
			for _, c := range row.Cells {
				switch r.IntN(4) {
				case 0:
					tb.Set(row.Key, c.Key, nil)
				case 1:
					tb.Set(row.Key, c.Key, Num(float64(r.IntN(100000))))
				case 2:
					tb.Set(row.Key, c.Key, Num(-float64(r.IntN(50))/4))
				default:
					tb.Set(row.Key, c.Key, Num(r.Float64()*1e6))
				}
			}
		}
		b, err := json.Marshal(tb)
		if err != nil {
			t.Fatal(err)
		}
		agree(t, b)
		var back Table
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.Rows, tb.Rows) {
			t.Fatalf("round trip: %v", err)
		}
		// Mutated: a byte changed, dropped, or white space put in.
		m := append([]byte(nil), b...)
		i := r.IntN(len(m))
		switch r.IntN(3) {
		case 0:
			m[i] = `{}[]:,"\ -.e0n1 	`[r.IntN(17)]
		case 1:
			m = append(m[:i], m[i+1:]...)
		default:
			m = append(m[:i], append([]byte(" \n"), m[i:]...)...)
		}
		agree(t, m)
	}
	for _, s := range []string{`{}`, `{"a":{}}`, ` { "a" : { "b" : null , "c" : -1.5e3 } } `, `{"a\u00e9":{"\"":1}}`,
		`{"a":{"b":1e400}}`, `{"a":{"b":true}}`, `{"a":{"b":"1"}}`, `{"a":[]}`, `null`, `[]`, `{"a":{"b":01}}`} {
		agree(t, []byte(s))
	}
}

func FuzzTableJSON(f *testing.F) {
	tb := NewTable(Requests2019)
	tb.Set("new", "natural", Num(3))
	b, _ := json.Marshal(tb)
	f.Add(b)
	f.Add([]byte(`{"a":{"b":null}}`))
	f.Fuzz(func(t *testing.T, data []byte) { agree(t, data) })
}

// BenchmarkTableJSON reads a full table 三 both ways, side by side.
func BenchmarkTableJSON(b *testing.B) {
	tb := NewTable(Requests2021)
	for i, row := range tb.Rows {
		for j, c := range row.Cells {
			tb.Set(row.Key, c.Key, Num(float64(i*10+j)))
		}
	}
	data, _ := json.Marshal(tb)
	b.Run("scanner", func(b *testing.B) {
		for b.Loop() {
			var t Table
			if err := scanTable(&t, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tokens", func(b *testing.B) {
		for b.Loop() {
			if _, err := tokenTable(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
