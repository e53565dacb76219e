package report

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// tableScanner reads a table's object form, {"row":{"col":number|null,…},…},
// in one pass without the token allocations of json.Decoder: records are read
// back on every commit of a crawl and every export, and their tables were most
// of that time. Anything else is an error.
type tableScanner struct {
	b []byte
	i int
}

func (s *tableScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek is the next byte that is not white space (0 at the end).
func (s *tableScanner) peek() byte {
	s.space()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *tableScanner) expect(c byte) error {
	if s.peek() != c {
		return fmt.Errorf("want %q at offset %d", c, s.i)
	}
	s.i++
	return nil
}

// str reads a JSON string; one with escapes or invalid UTF-8 (which
// encoding/json replaces) is handed to encoding/json.
func (s *tableScanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	start, escaped := s.i, false
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '\\':
			escaped = true
			s.i += 2
			continue
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if !escaped && utf8.Valid(raw) {
				return string(raw), nil
			}
			var out string
			err := json.Unmarshal(s.b[start-1:s.i], &out)
			return out, err
		case c < 0x20:
			return "", fmt.Errorf("control character in a string at offset %d", s.i)
		}
		s.i++
	}
	return "", fmt.Errorf("unterminated string at offset %d", start)
}

// value reads a cell: a number or null.
func (s *tableScanner) value() (*float64, error) {
	s.space()
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return nil, nil
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	lit := s.b[start:s.i]
	if !json.Valid(lit) { // strconv would take "+1", "1.", ".5", "01"
		return nil, fmt.Errorf("want a number or null at offset %d", start)
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// members reads an object's members, calling member after each key.
func (s *tableScanner) members(member func(key string) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return fmt.Errorf("want ',' or '}' at offset %d", s.i)
		}
	}
}

// scanTable reads data into t's rows, in the order they are written.
func scanTable(t *Table, data []byte) error {
	s := &tableScanner{b: data}
	t.Rows = nil
	err := s.members(func(rowKey string) error {
		row := Row{Key: rowKey}
		err := s.members(func(colKey string) error {
			v, err := s.value()
			if err != nil {
				return fmt.Errorf("cell %s.%s: %w", rowKey, colKey, err)
			}
			row.Cells = append(row.Cells, Cell{Key: colKey, Value: v})
			return nil
		})
		if err != nil {
			return fmt.Errorf("row %q: %w", rowKey, err)
		}
		t.Rows = append(t.Rows, row)
		return nil
	})
	if err == nil && s.peek() != 0 {
		err = fmt.Errorf("data after the table at offset %d", s.i)
	}
	if err != nil {
		return fmt.Errorf("reading table: %w", err)
	}
	return nil
}
