package console

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/internal/datadriven"
)

// testdata/console.test prints epochs through a console sink:
//
//	print [name=out] [epoch=N] [abort] [any connector option, e.g. num_rows=2 truncate=false]
//	id=1 name=alice score=2.5 ts=2024-01-02T03:04:05Z
//	next-record
//	id=2 name="two words" score=null
//	----
//	what the sink printed at Commit, or (nothing printed)
//
// The table is id BIGINT, name VARCHAR, score DOUBLE, ts TIMESTAMP; a
// missing or null value is NULL. Each input line is a row; next-record
// starts another record of the same epoch. With abort, the rows are written,
// then Abort, then Commit. Run with -rewrite to regenerate the outputs.
func TestConsoleGolden(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	datadriven.RunFile(t, "testdata/console.test", func(t *testing.T, c *datadriven.Case) string {
		if c.Cmd != "print" {
			t.Fatalf("%s: unknown command %q", c.Pos, c.Cmd)
		}
		name, epoch, abort := "out", int64(1), false
		raw := map[string]string{}
		for _, a := range c.Args {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "name":
				name = v
			case "epoch":
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					t.Fatalf("%s: %v", c.Pos, err)
				}
				epoch = n
			case "abort":
				abort = true
			default:
				raw[k] = v
			}
		}
		var out bytes.Buffer
		s, spec := newConsole(t, name, raw, &out)
		ctx := context.Background()
		if err := s.Open(ctx, spec); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for _, rows := range splitRecords(c.Input) {
			rec := buildRecord(t, mem, spec.Schema, rows)
			if err := s.Write(ctx, rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
		if abort {
			if err := s.Abort(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx, epoch); err != nil {
			t.Fatal(err)
		}
		if out.Len() == 0 {
			return "(nothing printed)"
		}
		return out.String()
	})
}

// consoleTable is id BIGINT, name VARCHAR, score DOUBLE, ts TIMESTAMP.
func consoleTable(name string, options map[string]string) *catalog.Table {
	return &catalog.Table{Name: name, Kind: catalog.KindTable, Connector: "console", Options: options,
		Columns: []catalog.Column{{Name: "id", Type: catalog.Int64}, {Name: "name", Type: catalog.String},
			{Name: "score", Type: catalog.Float64}, {Name: "ts", Type: catalog.Timestamp}}}
}

// newConsole builds a console sink through the registry, with options
// normalized as the engine does (defaults filled in, synonyms mapped).
func newConsole(t *testing.T, name string, raw map[string]string, out *bytes.Buffer) (executor.Sink, executor.SinkSpec) {
	t.Helper()
	c, err := executor.Lookup("console")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := c.Normalize(raw)
	if err != nil {
		t.Fatal(err)
	}
	tbl := consoleTable(name, opts)
	s, err := c.NewSink(tbl, executor.Env{Console: out})
	if err != nil {
		t.Fatal(err)
	}
	return s, executor.SinkSpec{QueryID: "q1", Schema: tbl.Schema(), Mode: executor.SinkAppend}
}

// splitRecords splits input lines into records at "next-record" lines.
func splitRecords(input string) [][]string {
	var recs [][]string
	var cur []string
	for _, l := range strings.Split(input, "\n") {
		switch strings.TrimSpace(l) {
		case "":
			continue
		case "next-record":
			recs = append(recs, cur)
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	if cur != nil || len(recs) > 0 {
		recs = append(recs, cur)
	}
	return recs
}

// fields splits a row line into key=value words; a value may be a Go-quoted
// string with spaces.
func fields(t *testing.T, line string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rest := strings.TrimSpace(line); rest != ""; rest = strings.TrimSpace(rest) {
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			t.Fatalf("%q: want key=value", rest)
		}
		var v string
		if strings.HasPrefix(after, `"`) {
			q, err := strconv.QuotedPrefix(after)
			if err != nil {
				t.Fatalf("%q: %v", after, err)
			}
			v, _ = strconv.Unquote(q)
			rest = after[len(q):]
		} else {
			v, rest, _ = strings.Cut(after, " ")
		}
		out[k] = v
	}
	return out
}

func buildRecord(t *testing.T, mem memory.Allocator, schema *arrow.Schema, rows []string) arrow.Record {
	t.Helper()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, l := range rows {
		kv := fields(t, l)
		for i, f := range schema.Fields() {
			v, ok := kv[f.Name]
			if !ok || v == "null" {
				b.Field(i).AppendNull()
				continue
			}
			if err := b.Field(i).AppendValueFromString(v); err != nil {
				t.Fatalf("%s=%s: %v", f.Name, v, err)
			}
		}
	}
	return b.NewRecord()
}

func TestConsoleSink(t *testing.T) {
	t.Run("LastEpoch is always -1: the console keeps nothing to replay against", func(t *testing.T) {
		s, spec := newConsole(t, "out", nil, &bytes.Buffer{})
		if err := s.Open(context.Background(), spec); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if e, err := s.LastEpoch(context.Background()); err != nil || e != -1 {
			t.Errorf("LastEpoch = %d, %v; want -1, nil", e, err)
		}
	})

	t.Run("Close releases rows never committed", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		var out bytes.Buffer
		s, spec := newConsole(t, "out", nil, &out)
		if err := s.Open(context.Background(), spec); err != nil {
			t.Fatal(err)
		}
		rec := buildRecord(t, mem, spec.Schema, []string{"id=1"})
		if err := s.Write(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if out.Len() != 0 {
			t.Errorf("Close printed %q", out.String())
		}
	})

	t.Run("truncation counts characters and never splits one", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		var out bytes.Buffer
		s, spec := newConsole(t, "out", nil, &out)
		if err := s.Open(context.Background(), spec); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		name := strings.Repeat("é", 12) // 12 characters, 24 bytes
		rec := buildRecord(t, mem, spec.Schema, []string{fmt.Sprintf("id=1 name=%q", name)})
		if err := s.Write(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		if err := s.Commit(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(out.String()) {
			t.Errorf("output is not valid UTF-8:\n%s", out.String())
		}
		if !strings.Contains(out.String(), name) {
			t.Errorf("a 12-character value was truncated:\n%s", out.String())
		}
	})
}

func TestFormatTable(t *testing.T) {
	t.Run("pads every column to its widest cell or name", func(t *testing.T) {
		schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: catalog.String}, {Name: "count", Type: catalog.Int64}}, nil)
		got := FormatTable(schema, [][]string{{"alpha", "1"}, {"b", "12345678"}})
		want := `+-------+----------+
| k     | count    |
+-------+----------+
| alpha | 1        |
| b     | 12345678 |
+-------+----------+
`
		if got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("no rows is the header alone", func(t *testing.T) {
		schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: catalog.String}}, nil)
		want := "+---+\n| k |\n+---+\n+---+\n"
		if got := FormatTable(schema, nil); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	})
}

// TestConsoleDeclaresItShowsChanges: the planner lets an updating query
// without a primary key write to console because its registration says
// so (it prints a changelog), not because of its name.
func TestConsoleDeclaresItShowsChanges(t *testing.T) {
	if !executor.ShowsChanges("console") || executor.Volatile("console") {
		t.Fatalf("console: ShowsChanges %v Volatile %v, want true false", executor.ShowsChanges("console"), executor.Volatile("console"))
	}
	c, err := executor.Lookup("console")
	if err != nil {
		t.Fatal(err)
	}
	if c.Drop != nil {
		t.Error("console keeps no data in the engine; it must not declare Drop")
	}
}
