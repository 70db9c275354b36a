package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
	"github.com/tide-sql/tide/executor/engine"
)

// printer prints statement results for the shell and `tide run`.
type printer struct {
	out    io.Writer     // rows, tables and text
	msgs   io.Writer     // ResultOK messages and "query started" lines
	format render.Format // how rows print
	// inPlace redraws update tables where they stand (a terminal).
	inPlace bool
	// width is the terminal width (nil: unknown).
	width func() int
}

// queryStarted is what a continuous INSERT prints.
func queryStarted(id string) string {
	return fmt.Sprintf("query %s started (SHOW QUERIES to watch it, STOP QUERY %s to stop it)", id, id)
}

// print prints r. For a push query it prints rows as they arrive until the
// stream ends (nil) or ctx is done (ctx.Err(), after closing the output).
func (p *printer) print(ctx context.Context, r *result) error {
	switch r.Kind {
	case engine.ResultOK:
		return writeLine(p.msgs, r.Message)
	case engine.ResultQuery:
		return writeLine(p.msgs, queryStarted(r.QueryID))
	case engine.ResultText:
		return writeLine(p.out, r.Text)
	case engine.ResultRows:
		if r.Schema == nil {
			return nil
		}
		return render.Write(p.out, p.format, render.GridOf(r.Schema, r.Records))
	case engine.ResultStream:
		return p.stream(ctx, r.Stream)
	}
	return fmt.Errorf("unknown result kind %d for %q", r.Kind, r.Statement)
}

// stream prints a push query's rows as they arrive.
func (p *printer) stream(ctx context.Context, s *pushStream) error {
	defer s.Close()
	cols, right := render.Header(s.Schema)
	sp := render.NewStream(p.out, p.format, cols, right, render.StreamOptions{
		Update: s.Update, Key: s.Key, InPlace: p.inPlace, Width: p.width,
	})
	for {
		rec, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			return sp.Close("")
		}
		if err != nil {
			if ctx.Err() != nil && p.inPlace {
				// Back to the line start, over the terminal's echoed "^C".
				_, _ = io.WriteString(p.out, "\r")
			}
			_ = sp.Close("")
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		rows := render.Rows(rec)
		rec.Release()
		if err := sp.Write(rows); err != nil {
			return err
		}
	}
}

// writeLine writes s with exactly one final newline ("" writes nothing).
func writeLine(w io.Writer, s string) error {
	if s == "" {
		return nil
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	_, err := io.WriteString(w, s)
	return err
}
