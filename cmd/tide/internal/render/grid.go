package render

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

// Grid is a finished set of rows with their column names.
type Grid struct {
	Columns []string
	Right   []bool // column i is right-aligned (numbers)
	Rows    [][]any
}

// Header returns the column names of schema and which of them hold numbers.
func Header(schema *arrow.Schema) (cols []string, right []bool) {
	for _, f := range schema.Fields() {
		cols = append(cols, f.Name)
		right = append(right, IsNumber(f.Type))
	}
	return cols, right
}

// GridOf turns Arrow records of one schema into a Grid.
func GridOf(schema *arrow.Schema, recs []arrow.RecordBatch) Grid {
	cols, right := Header(schema)
	return Grid{Columns: cols, Right: right, Rows: Rows(recs...)}
}

// Write prints g in format f.
func Write(w io.Writer, f Format, g Grid) error {
	switch f {
	case JSON:
		return writeJSONLines(w, g.Columns, g.Rows, nil)
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(g.Columns); err != nil {
			return err
		}
		for _, r := range g.Rows {
			if err := cw.Write(csvRecord(r, "")); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	_, err := io.WriteString(w, tableText(g))
	return err
}

func writeJSONLines(w io.Writer, cols []string, rows [][]any, ops []string) error {
	var buf bytes.Buffer
	for i, r := range rows {
		op := ""
		if ops != nil {
			op = ops[i]
		}
		b, err := jsonObject(cols, r, op)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// csvRecord is one row for encoding/csv: NULL is an empty field.
func csvRecord(r []any, op string) []string {
	out := make([]string, 0, len(r)+1)
	if op != "" {
		out = append(out, op)
	}
	for _, v := range r {
		if v == nil {
			out = append(out, "")
			continue
		}
		out = append(out, Text(v))
	}
	return out
}

// tableText draws the whole table with its row count.
func tableText(g Grid) string {
	cells := make([][]string, len(g.Rows))
	for i, r := range g.Rows {
		cells[i] = cellTexts(r)
	}
	widths := columnWidths(g.Columns, cells)
	var b strings.Builder
	b.WriteString(border(widths, '┌', '┬', '┐'))
	b.WriteString(line(g.Columns, widths, nil))
	b.WriteString(border(widths, '├', '┼', '┤'))
	for _, r := range cells {
		b.WriteString(line(r, widths, g.Right))
	}
	b.WriteString(border(widths, '└', '┴', '┘'))
	b.WriteString(RowCount(len(g.Rows)))
	b.WriteByte('\n')
	return b.String()
}

// RowCount is "(1 row)" or "(N rows)".
func RowCount(n int) string {
	if n == 1 {
		return "(1 row)"
	}
	return fmt.Sprintf("(%d rows)", n)
}

func cellTexts(r []any) []string {
	out := make([]string, len(r))
	for i, v := range r {
		out[i] = cellText(v)
	}
	return out
}

// cellText keeps each cell on one line of the table.
func cellText(v any) string {
	s := Text(v)
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
	}
	return s
}

func columnWidths(cols []string, rows [][]string) []int {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(c))
			}
		}
	}
	return widths
}

func border(widths []int, left, mid, right rune) string {
	var b strings.Builder
	b.WriteRune(left)
	for i, w := range widths {
		if i > 0 {
			b.WriteRune(mid)
		}
		b.WriteString(strings.Repeat("─", w+2))
	}
	b.WriteRune(right)
	b.WriteByte('\n')
	return b.String()
}

func line(cells []string, widths []int, right []bool) string {
	var b strings.Builder
	b.WriteString("│")
	for i, w := range widths {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		pad := strings.Repeat(" ", max(0, w-utf8.RuneCountInString(c)))
		b.WriteByte(' ')
		if i < len(right) && right[i] {
			b.WriteString(pad + c)
		} else {
			b.WriteString(c + pad)
		}
		b.WriteString(" │")
	}
	b.WriteByte('\n')
	return b.String()
}
