package render

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Changelog operations printed for update streams in JSON and CSV.
const (
	OpInsert = "+I" // first row for a key
	OpUpdate = "+U" // a row replacing the earlier row with the same key
)

// StreamOptions says how a push query's rows arrive and may be drawn.
type StreamOptions struct {
	// Update: rows replace earlier rows with the same Key (EMIT CHANGES).
	Update bool
	// Key holds the column indexes identifying a row of an update stream.
	Key []int
	// InPlace redraws an update table where it stands (ANSI cursor-up and
	// clear) instead of printing it again below; for terminals.
	InPlace bool
	// Width is the terminal's width, to count wrapped lines when redrawing
	// in place (nil or 0: lines do not wrap).
	Width func() int
}

// Stream prints the rows of a push query as they arrive.
//
// Append streams print row by row (a table's header and widths come from
// the first batch). Update streams keep the current row per key: in table
// format the whole table is drawn again after each batch; in JSON and CSV
// each row is printed with an op ("+I" or "+U"), a changelog.
type Stream struct {
	w      io.Writer
	format Format
	cols   []string
	right  []bool
	opt    StreamOptions

	started bool        // header printed
	count   int         // rows printed (append) or held (update)
	widths  []int       // table column widths, fixed by the first batch
	csv     *csv.Writer // CSV output
	index   map[string]int
	current [][]any // update: the current row per key, in first-seen order
	drawn   int     // update, in place: lines of the last drawing
}

// NewStream returns a printer for rows with the given columns.
func NewStream(w io.Writer, f Format, cols []string, right []bool, opt StreamOptions) *Stream {
	s := &Stream{w: w, format: f, cols: cols, right: right, opt: opt}
	if f == CSV {
		s.csv = csv.NewWriter(w)
	}
	if opt.Update {
		s.index = map[string]int{}
	}
	return s
}

// Count is the number of rows printed (append) or held (update) so far.
func (s *Stream) Count() int { return s.count }

// Write prints one batch of rows.
func (s *Stream) Write(rows [][]any) error {
	if s.opt.Update {
		return s.writeUpdate(rows)
	}
	switch s.format {
	case JSON:
		s.count += len(rows)
		return writeJSONLines(s.w, s.cols, rows, nil)
	case CSV:
		if err := s.csvHeader(false); err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.csv.Write(csvRecord(r, "")); err != nil {
				return err
			}
		}
		s.count += len(rows)
		s.csv.Flush()
		return s.csv.Error()
	}
	var b strings.Builder
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = cellTexts(r)
	}
	if !s.started {
		s.started = true
		s.widths = columnWidths(s.cols, cells)
		b.WriteString(border(s.widths, '┌', '┬', '┐'))
		b.WriteString(line(s.cols, s.widths, nil))
		b.WriteString(border(s.widths, '├', '┼', '┤'))
	}
	for _, c := range cells {
		b.WriteString(line(c, s.widths, s.right))
	}
	s.count += len(rows)
	_, err := io.WriteString(s.w, b.String())
	return err
}

func (s *Stream) csvHeader(op bool) error {
	if s.started {
		return nil
	}
	s.started = true
	h := s.cols
	if op {
		h = append([]string{"op"}, s.cols...)
	}
	return s.csv.Write(h)
}

func (s *Stream) writeUpdate(rows [][]any) error {
	ops := make([]string, len(rows))
	for i, r := range rows {
		k := s.keyOf(r)
		if at, ok := s.index[k]; ok {
			s.current[at] = r
			ops[i] = OpUpdate
		} else {
			s.index[k] = len(s.current)
			s.current = append(s.current, r)
			ops[i] = OpInsert
		}
	}
	s.count = len(s.current)
	switch s.format {
	case JSON:
		return writeJSONLines(s.w, s.cols, rows, ops)
	case CSV:
		if err := s.csvHeader(true); err != nil {
			return err
		}
		for i, r := range rows {
			if err := s.csv.Write(csvRecord(r, ops[i])); err != nil {
				return err
			}
		}
		s.csv.Flush()
		return s.csv.Error()
	}
	if len(rows) == 0 && s.started {
		return nil
	}
	s.started = true
	text := tableText(Grid{Columns: s.cols, Right: s.right, Rows: s.current})
	if s.opt.InPlace && s.drawn > 0 {
		// Back to the first line of the last drawing, then clear below.
		text = fmt.Sprintf("\x1b[%dA\r\x1b[J", s.drawn) + text
	}
	if s.opt.InPlace {
		s.drawn = s.lines(text)
	} else if s.drawn > 0 {
		text = "\n" + text
	} else {
		s.drawn = 1
	}
	_, err := io.WriteString(s.w, text)
	return err
}

// keyOf identifies a row of an update stream by its key columns.
func (s *Stream) keyOf(r []any) string {
	var b strings.Builder
	for _, k := range s.opt.Key {
		if k < 0 || k >= len(r) {
			continue
		}
		if r[k] == nil {
			b.WriteString("\x01")
		} else {
			fmt.Fprintf(&b, "%T:%s", r[k], Text(r[k]))
		}
		b.WriteByte(0)
	}
	return b.String()
}

// lines counts the terminal lines text takes, wrapped lines included.
func (s *Stream) lines(text string) int {
	width := 0
	if s.opt.Width != nil {
		width = s.opt.Width()
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		w := utf8.RuneCountInString(l)
		if width > 0 && w > width {
			n += (w + width - 1) / width
		} else {
			n++
		}
	}
	return n
}

// Close ends the output: a table gets its bottom border and row count,
// followed by note (such as "(cancelled)") when it is not "".
func (s *Stream) Close(note string) error {
	var b strings.Builder
	if s.format == Table {
		switch {
		case s.opt.Update && !s.started:
			b.WriteString(tableText(Grid{Columns: s.cols, Right: s.right}))
		case s.opt.Update:
			// The last drawing is the table, with its row count.
		default:
			if !s.started {
				s.widths = columnWidths(s.cols, nil)
				b.WriteString(border(s.widths, '┌', '┬', '┐'))
				b.WriteString(line(s.cols, s.widths, nil))
				b.WriteString(border(s.widths, '├', '┼', '┤'))
			}
			b.WriteString(border(s.widths, '└', '┴', '┘'))
			b.WriteString(RowCount(s.count))
			b.WriteByte('\n')
		}
	}
	if s.format == CSV && !s.started {
		if err := s.csvHeader(s.opt.Update); err != nil {
			return err
		}
		s.csv.Flush()
		if err := s.csv.Error(); err != nil {
			return err
		}
	}
	if note != "" {
		b.WriteString(note)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(s.w, b.String())
	return err
}
