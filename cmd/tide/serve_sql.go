package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/cmd/tide/internal/render"
	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

// statementJSON is one statement's answer in POST /v1/sql.
type statementJSON struct {
	Statement string   `json:"statement"`
	Kind      string   `json:"kind"` // ok, rows, query, text; stream before a push query's rows
	Message   string   `json:"message,omitempty"`
	Columns   []string `json:"columns,omitempty"`
	Rows      *[][]any `json:"rows,omitempty"`
	QueryID   string   `json:"query_id,omitempty"`
	Text      string   `json:"text,omitempty"`
}

// errorJSON is the body of an error answer.
type errorJSON struct {
	Error  string `json:"error"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// Results are the answers of the statements that ran before the failing one.
	Results []statementJSON `json:"results,omitempty"`
}

// handleSQL runs the statements of the body. The answer is newline-delimited
// JSON: one object per statement; a push SELECT writes a "stream" object
// with its columns, then one object per row (flushed per batch) until the
// query ends or the client disconnects, which stops the query.
//
// Statement answers are held back until a stream starts or the script ends,
// so that a failing statement can still turn the answer into a 400 (409 for
// "already exists") carrying the earlier answers in "results".
func (s *server) handleSQL(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the SQL body is larger than %d bytes", s.maxBody))
			return
		}
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	// With the body read to its end, net/http lifts ReadTimeout's deadline
	// and watches the connection: ctx ends when the client goes away.
	rc := http.NewResponseController(w)
	ctx := r.Context()
	out := &sqlAnswer{w: w, rc: rc}
	err = s.eng.Execute(ctx, string(body), func(res *result) error { return out.add(ctx, res) })
	if ctx.Err() != nil {
		return // the client has gone (or the server is stopping)
	}
	if err != nil {
		out.fail(err)
		return
	}
	out.finish()
}

// sqlAnswer writes the answer of one POST /v1/sql.
type sqlAnswer struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	held    []statementJSON // answers not written yet
	started bool            // status and headers sent
}

func (o *sqlAnswer) add(ctx context.Context, res *result) error {
	st := statementJSON{Statement: res.Statement}
	switch res.Kind {
	case engine.ResultOK:
		st.Kind, st.Message = "ok", res.Message
	case engine.ResultQuery:
		st.Kind, st.QueryID, st.Message = "query", res.QueryID, queryStarted(res.QueryID)
	case engine.ResultText:
		st.Kind, st.Text = "text", res.Text
	case engine.ResultRows:
		st.Kind = "rows"
		rows := [][]any{}
		if res.Schema != nil {
			st.Columns, _ = render.Header(res.Schema)
			for _, row := range render.Rows(res.Records...) {
				for i, v := range row {
					row[i] = render.JSONValue(v)
				}
				rows = append(rows, row)
			}
		}
		st.Rows = &rows
	case engine.ResultStream:
		return o.stream(ctx, res)
	default:
		return fmt.Errorf("unknown result kind %d", res.Kind)
	}
	o.held = append(o.held, st)
	return nil
}

// stream writes a push query's rows as they arrive.
func (o *sqlAnswer) stream(ctx context.Context, res *result) error {
	s := res.Stream
	defer s.Close()
	cols, right := render.Header(s.Schema)
	o.held = append(o.held, statementJSON{Statement: res.Statement, Kind: "stream", Columns: cols})
	if err := o.flushHeld(); err != nil {
		return err
	}
	sp := render.NewStream(o.w, render.JSON, cols, right, render.StreamOptions{Update: s.Update, Key: s.Key})
	for {
		rec, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rows := render.Rows(rec)
		rec.Release()
		if err := sp.Write(rows); err != nil {
			return err // the client has gone
		}
		if err := o.rc.Flush(); err != nil {
			return err
		}
	}
}

// start sends the 200 status and headers of a successful answer.
func (o *sqlAnswer) start() {
	if o.started {
		return
	}
	o.started = true
	o.w.Header().Set("Content-Type", "application/x-ndjson")
	o.w.Header().Set("X-Content-Type-Options", "nosniff")
	o.w.WriteHeader(http.StatusOK)
}

// flushHeld writes the held answers and flushes them to the client.
func (o *sqlAnswer) flushHeld() error {
	o.start()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, st := range o.held {
		if err := enc.Encode(st); err != nil {
			return err
		}
	}
	o.held = nil
	if _, err := o.w.Write(buf.Bytes()); err != nil {
		return err
	}
	return o.rc.Flush()
}

func (o *sqlAnswer) finish() { _ = o.flushHeld() }

// fail answers err: as the status when nothing was sent yet, else as a last
// line {"error": ...} after the answers already streamed.
func (o *sqlAnswer) fail(err error) {
	status, body := errorAnswer(err)
	if !o.started {
		body.Results = o.held
		writeJSON(o.w, status, body)
		return
	}
	_ = o.flushHeld()
	_ = json.NewEncoder(o.w).Encode(body)
	_ = o.rc.Flush()
}

// errorAnswer maps an engine error to a status and body: SQL errors are
// 400 with their line and column, "already exists" 409, an unknown query
// 404, anything else 500.
func errorAnswer(err error) (int, errorJSON) {
	body := errorJSON{Error: err.Error()}
	var pe *parser.Error
	isSQL := errors.As(err, &pe)
	if isSQL {
		body.Error, body.Hint = pe.Message(), pe.Hint
		if pe.Pos.IsValid() {
			body.Line, body.Column = pe.Pos.Line, pe.Pos.Column
		}
	}
	switch {
	case errors.Is(err, catalog.ErrExists):
		return http.StatusConflict, body
	case isSQL:
		return http.StatusBadRequest, body
	case errors.Is(err, engine.ErrQueryNotFound):
		return http.StatusNotFound, body
	}
	return http.StatusInternalServerError, body
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encode answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError answers {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorJSON{Error: msg})
}
