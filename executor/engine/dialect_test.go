package engine_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/internal/datadriven"
	"github.com/tide-sql/tide/parser"
)

// TestDialectGolden runs executor/engine/testdata/dialect/*.test: SQL in,
// rows out, through the whole engine over a real broker. Commands:
//
//	produce TOPIC      JSON lines to the topic (partition 0)
//	exec               statements; prints their messages (the broker's
//	                   address as BROKER); waits for the continuous queries
//	                   they start to finish
//	query              one statement; prints its rows sorted (a push
//	                   SELECT is read to its end), or its text (EXPLAIN)
//
// Errors are printed with their caret, as the shell shows them.
func TestDialectGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/dialect/*.test")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			x := newEnv(t)
			datadriven.RunFile(t, f, func(t *testing.T, c *datadriven.Case) string {
				switch c.Cmd {
				case "produce":
					if err := x.broker.CreateTopic(c.Args[0], 1); err != nil && !strings.Contains(err.Error(), "exists") {
						t.Fatal(err)
					}
					x.produceTo(c.Args[0], 0, strings.Split(c.Input, "\n")...)
					return ""
				case "exec":
					var out []string
					err := x.e.Execute(context.Background(), c.Input, func(r *engine.Result) error {
						defer r.Release()
						out = append(out, resultText(t, r)...)
						return nil
					})
					if err != nil {
						return strings.Join(append(out, parser.Render(err, c.Input)), "\n")
					}
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					if err := x.e.Wait(ctx); err != nil {
						out = append(out, "query failed: "+err.Error())
					}
					// The broker's port changes from run to run.
					return strings.ReplaceAll(strings.Join(out, "\n"), x.broker.Addr(), "BROKER")
				case "query":
					var out []string
					err := x.e.Execute(context.Background(), c.Input, func(r *engine.Result) error {
						defer r.Release()
						out = append(out, resultText(t, r)...)
						return nil
					})
					if err != nil {
						return parser.Render(err, c.Input)
					}
					return strings.Join(out, "\n")
				}
				t.Fatalf("%s: unknown command %s", c.Pos, c.Cmd)
				return ""
			})
		})
	}
}

// resultText prints a result: messages as they are, rows sorted.
func resultText(t *testing.T, r *engine.Result) []string {
	switch r.Kind {
	case engine.ResultOK, engine.ResultQuery:
		return []string{r.Message}
	case engine.ResultText:
		return []string{strings.TrimRight(r.Text, "\n")}
	case engine.ResultRows:
		return append([]string{columns(r.Schema)}, recordLines(r.Records)...)
	case engine.ResultStream:
		defer r.Stream.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var recs []arrow.Record
		for {
			rec, err := r.Stream.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, rec)
		}
		lines := recordLines(recs)
		for _, rec := range recs {
			rec.Release()
		}
		sort.Strings(lines)
		return append([]string{columns(r.Schema)}, lines...)
	}
	return nil
}

func columns(s *arrow.Schema) string {
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name+" "+f.Type.String())
	}
	return "columns: " + strings.Join(names, ", ")
}
