// Package console is a sink that prints each micro-batch's rows, like
// Spark's console sink: a "Batch: N" header and an aligned table. Update
// output (EMIT CHANGES) is printed as it comes: each row is the group's
// current value.
package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func init() {
	executor.Register(&executor.Connector{
		Name:         "console",
		NewSink:      newSink,
		ShowsChanges: true, // it prints a changelog
		Options: []executor.Option{
			{Name: "truncate", Default: "true", Check: executor.OneOf("true", "false"), Help: "cut values longer than 20 characters"},
			{Name: "num_rows", Synonyms: []string{"numRows"}, Default: "20", Help: "rows shown per batch"},
		},
	})
}

type sink struct {
	name    string
	out     io.Writer
	spec    executor.SinkSpec
	pending []arrow.Record
	trunc   bool
	maxRows int
}

var mu sync.Mutex // one batch printed at a time across queries

func newSink(t *catalog.Table, env executor.Env) (executor.Sink, error) {
	out := env.Console
	if out == nil {
		out = os.Stdout
	}
	n := 20
	fmt.Sscan(t.Options["num_rows"], &n)
	return &sink{name: t.Name, out: out, trunc: t.Options["truncate"] != "false", maxRows: n}, nil
}

func (s *sink) Open(ctx context.Context, spec executor.SinkSpec) error { s.spec = spec; return nil }
func (s *sink) LastEpoch(ctx context.Context) (int64, error)           { return -1, nil }

func (s *sink) Write(ctx context.Context, rec arrow.Record) error {
	rec.Retain()
	s.pending = append(s.pending, rec)
	return nil
}

func (s *sink) Commit(ctx context.Context, epoch int64) error {
	defer s.release()
	var rows [][]string
	total := 0
	for _, rec := range s.pending {
		for i := 0; i < int(rec.NumRows()); i++ {
			total++
			if len(rows) >= s.maxRows {
				continue
			}
			row := make([]string, rec.NumCols())
			for c := range row {
				col := rec.Column(c)
				v := executor.FormatValue(executor.Value(col, i), col.DataType())
				if r := []rune(v); s.trunc && len(r) > 20 && col.DataType().ID() == arrow.STRING {
					v = string(r[:17]) + "..."
				}
				row[c] = v
			}
			rows = append(rows, row)
		}
	}
	if total == 0 {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "-------------------------------------------\n%s: Batch %d\n-------------------------------------------\n", s.name, epoch)
	b.WriteString(FormatTable(s.spec.Schema, rows))
	if total > len(rows) {
		fmt.Fprintf(&b, "only showing %d of %d rows\n", len(rows), total)
	}
	_, err := io.WriteString(s.out, b.String())
	return err
}

// FormatTable draws rows under the schema's column names.
func FormatTable(schema *arrow.Schema, rows [][]string) string {
	widths := make([]int, schema.NumFields())
	for i, f := range schema.Fields() {
		widths[i] = utf8.RuneCountInString(f.Name)
	}
	for _, r := range rows {
		for i, v := range r {
			if n := utf8.RuneCountInString(v); n > widths[i] {
				widths[i] = n
			}
		}
	}
	var b strings.Builder
	line := func() {
		b.WriteString("+")
		for _, w := range widths {
			b.WriteString(strings.Repeat("-", w+2) + "+")
		}
		b.WriteString("\n")
	}
	cells := func(vals []string) {
		b.WriteString("|")
		for i, v := range vals {
			b.WriteString(" " + v + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)) + " |")
		}
		b.WriteString("\n")
	}
	line()
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	cells(names)
	line()
	for _, r := range rows {
		cells(r)
	}
	line()
	return b.String()
}

func (s *sink) release() {
	for _, r := range s.pending {
		r.Release()
	}
	s.pending = nil
}

func (s *sink) Abort(ctx context.Context) error { s.release(); return nil }
func (s *sink) Close() error                    { s.release(); return nil }
