package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

// connectorFor finds the connector of a CREATE statement's options and
// normalises them, pointing errors at the option that caused them.
func (e *Engine) connectorFor(opts []parser.Option, namePos parser.Pos, dflt string, source bool) (*executor.Connector, map[string]string, error) {
	name := dflt
	namePosition := namePos
	for _, o := range opts {
		if strings.EqualFold(o.Key, "connector") {
			name, namePosition = strings.ToLower(o.Value), o.ValuePos
		}
	}
	if name == "" {
		return nil, nil, &parser.Error{Pos: namePos, Msg: "a source needs a connector",
			Hint: "WITH (connector = 'kafka', topic = '...', format = 'json') or WITH (connector = 'datagen')"}
	}
	c, err := executor.Lookup(name)
	if err != nil {
		return nil, nil, &parser.Error{Pos: namePosition, Msg: err.Error()}
	}
	if source && c.NewSource == nil {
		return nil, nil, &parser.Error{Pos: namePosition, Msg: fmt.Sprintf("connector %s cannot be a source", name), Hint: "sources are " + strings.Join(sourceConnectors(), ", ")}
	}
	if !source && c.NewSink == nil {
		return nil, nil, &parser.Error{Pos: namePosition, Msg: fmt.Sprintf("connector %s cannot be written to", name)}
	}
	norm, err := c.Normalize(parser.OptionMap(opts))
	if err != nil {
		var oe *executor.OptionError
		pos := namePos
		if errors.As(err, &oe) {
			for _, o := range opts {
				if o.Key == oe.Key {
					pos = o.KeyPos
				}
			}
		}
		return nil, nil, &parser.Error{Pos: pos, Msg: err.Error()}
	}
	return c, norm, nil
}

func sourceConnectors() []string {
	var out []string
	for _, n := range executor.Names() {
		if c, _ := executor.Lookup(n); c != nil && c.NewSource != nil {
			out = append(out, n)
		}
	}
	return out
}

func columnsOf(defs []parser.ColumnDef) []catalog.Column {
	cols := make([]catalog.Column, len(defs))
	for i, d := range defs {
		cols[i] = catalog.Column{Name: d.Name, Type: d.Type, SQLType: d.SQLType, NotNull: d.NotNull}
	}
	return cols
}

func (e *Engine) put(t *catalog.Table, pos parser.Pos, ifNotExists, orReplace bool) (*Result, error) {
	kind := strings.ToLower(string(t.Kind))
	var replaced *catalog.Table
	if old, err := e.cat.Get(t.Name); err == nil {
		replaced = old
		if sameStatement(old.SQL, t.SQL) {
			// Running the same script again (a restarted `tide run`) finds
			// what it created last time: nothing to do.
			return &Result{Kind: ResultOK, Message: fmt.Sprintf("%s %s exists, unchanged", strings.ToLower(string(old.Kind)), old.Name)}, nil
		}
		if ifNotExists {
			return &Result{Kind: ResultOK, Message: fmt.Sprintf("%s %s already exists (unchanged)", strings.ToLower(string(old.Kind)), old.Name)}, nil
		}
		if !orReplace {
			return nil, &parser.Error{Pos: pos, Msg: fmt.Sprintf("%s %q already exists", strings.ToLower(string(old.Kind)), old.Name),
				Hint: "use CREATE OR REPLACE, or DROP it first", Err: catalog.ErrExists}
		}
		if q := e.queryUsing(old.Name); q != "" {
			return nil, &parser.Error{Pos: pos, Msg: fmt.Sprintf("%s %s is used by running query %s", kind, old.Name, q), Hint: "STOP QUERY " + q + " first"}
		}
	}
	if err := e.cat.Put(t, true); err != nil {
		return nil, err
	}
	// A replaced table's data held in the engine goes, and a new memory
	// table starts empty.
	if replaced != nil {
		executor.DropData(replaced, e.env())
	}
	executor.DropData(t, e.env())
	return &Result{Kind: ResultOK, Message: fmt.Sprintf("%s %s created", kind, t.Name)}, nil
}

func (e *Engine) createSource(ctx context.Context, s *parser.CreateSource) (*Result, error) {
	c, opts, err := e.connectorFor(s.Options, s.NamePos, "", true)
	if err != nil {
		return nil, err
	}
	t := &catalog.Table{Name: s.Name, Kind: catalog.KindSource, PrimaryKey: s.PrimaryKey, Connector: c.Name, Options: opts, SQL: s.Text()}
	if err := e.sourceColumns(c, s, t); err != nil {
		return nil, err
	}
	if len(t.PrimaryKey) > 0 && !(c.Changelog != nil && c.Changelog(t)) {
		return nil, &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("source %s has a PRIMARY KEY but reads rows, not changes: a source's key is the row identity of a changelog", s.Name),
			Hint: "read a changelog (format = 'debezium-json', or mode = 'upsert' for a keyed topic), or drop the PRIMARY KEY"}
	}
	for _, k := range t.PrimaryKey {
		if t.ColumnIndex(k) < 0 {
			return nil, &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("PRIMARY KEY column %q is not a column of %s", k, s.Name)}
		}
	}
	if err := e.checkLateTables(t, s.Options, s.NamePos); err != nil {
		return nil, err
	}
	// Let the connector check what Normalize cannot (it does not connect).
	r, err := c.NewSource(t, e.env())
	if err != nil {
		return nil, &parser.Error{Pos: s.NamePos, Msg: err.Error()}
	}
	defer r.Close()
	res, err := e.put(t, s.NamePos, s.IfNotExists, s.OrReplace)
	if err != nil {
		return nil, err
	}
	// What would hold its queries up is said, not refused: the course
	// starts its streaming jobs before the producer creates the topic.
	// (IF NOT EXISTS may have kept another definition: nothing to say.)
	if n, ok := r.(sourceNoticer); ok && e.defines(t) {
		if notice := n.Notice(ctx); notice != "" {
			res.Message += "\nNOTICE: " + notice
		}
	}
	return res, nil
}

// defines reports whether the catalog holds t as defined now.
func (e *Engine) defines(t *catalog.Table) bool {
	cur, err := e.cat.Get(t.Name)
	return err == nil && sameStatement(cur.SQL, t.SQL)
}

// sourceNoticer is a source reader that can tell, when its source is
// created, what would hold its queries up without being an error in the
// statement (a Kafka topic that does not exist yet).
type sourceNoticer interface {
	Notice(ctx context.Context) string
}

// checkLateTables checks that on_error and late tables exist.
func (e *Engine) checkLateTables(t *catalog.Table, opts []parser.Option, pos parser.Pos) error {
	for _, key := range []string{"on_error", "late"} {
		v := t.Options[key]
		if !strings.HasPrefix(v, "table:") {
			continue
		}
		name := strings.TrimPrefix(v, "table:")
		for _, o := range opts {
			if o.Value == v {
				pos = o.ValuePos
			}
		}
		target, err := e.cat.Get(name)
		if err != nil || target.Kind != catalog.KindTable {
			return &parser.Error{Pos: pos, Msg: fmt.Sprintf("%s sends rows to table %q, which does not exist", key, name),
				Hint: "create that table first (CREATE TABLE ... before CREATE SOURCE)"}
		}
	}
	return nil
}

// defaultTableConnector is the connector of a CREATE TABLE without one: the
// dialect's default (DESIGN.md), looked up in the registry like any other.
const defaultTableConnector = "memory"

func (e *Engine) createTable(s *parser.CreateTable) (*Result, error) {
	c, opts, err := e.connectorFor(s.Options, s.NamePos, defaultTableConnector, false)
	if err != nil {
		return nil, err
	}
	t := &catalog.Table{Name: s.Name, Kind: catalog.KindTable, Columns: columnsOf(s.Columns), PrimaryKey: s.PrimaryKey,
		Connector: c.Name, Options: opts, SQL: s.Text()}
	if s.As != nil {
		// The table takes the query's columns; an updating query (EMIT
		// CHANGES) makes its keys the primary key, so that updates upsert.
		plan, err := e.plan.PlanQuery(s.As)
		if err != nil {
			return nil, err
		}
		for _, f := range plan.Root.Schema().Fields() {
			t.Columns = append(t.Columns, catalog.Column{Name: f.Name, Type: f.Type, SQLType: catalog.TypeName(f.Type)})
		}
		if plan.Update {
			for _, k := range plan.Key {
				t.PrimaryKey = append(t.PrimaryKey, t.Columns[k].Name)
			}
		}
	}
	if s.Watermark != nil {
		t.EventTime = s.Watermark.Column
		t.WatermarkDelay = s.Watermark.Delay
	}
	if _, err := c.NewSink(t, e.env()); err != nil {
		return nil, &parser.Error{Pos: s.NamePos, Msg: err.Error()}
	}
	return e.put(t, s.NamePos, s.IfNotExists, s.OrReplace)
}

// createTableAs runs CREATE TABLE ... AS SELECT: the table, then the
// continuous INSERT into it.
func (e *Engine) createTableAs(ctx context.Context, s *parser.CreateTable) (*Result, error) {
	res, err := e.createTable(s)
	if err != nil {
		return nil, err
	}
	q, err := e.insert(ctx, parser.NewInsert(s.Text(), s.Pos(), s.Name, s.NamePos, s.As))
	if err != nil {
		return nil, err
	}
	q.Message = res.Message + "; " + q.Message
	return q, nil
}

func (e *Engine) createView(s *parser.CreateView) (*Result, error) {
	plan, err := e.plan.PlanQuery(s.Query)
	if err != nil {
		return nil, err
	}
	var cols []catalog.Column
	for _, f := range plan.Root.Schema().Fields() {
		cols = append(cols, catalog.Column{Name: f.Name, Type: f.Type, SQLType: catalog.TypeName(f.Type)})
	}
	t := &catalog.Table{Name: s.Name, Kind: catalog.KindView, Columns: cols, SQL: s.Text()}
	return e.put(t, s.NamePos, s.IfNotExists, s.OrReplace)
}

func (e *Engine) drop(s *parser.Drop) (*Result, error) {
	t, err := e.cat.Get(s.Name)
	if err != nil {
		if s.IfExists {
			return &Result{Kind: ResultOK, Message: fmt.Sprintf("%s %s does not exist (nothing dropped)", strings.ToLower(s.Kind), s.Name)}, nil
		}
		return nil, &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("%s %q not found", strings.ToLower(s.Kind), s.Name)}
	}
	if string(t.Kind) != s.Kind {
		return nil, &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("%s is a %s, not a %s", t.Name, strings.ToLower(string(t.Kind)), strings.ToLower(s.Kind)),
			Hint: "DROP " + string(t.Kind) + " " + t.Name}
	}
	if q := e.queryUsing(t.Name); q != "" {
		return nil, &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("%s is used by running query %s", t.Name, q), Hint: "STOP QUERY " + q + " first"}
	}
	if err := e.cat.Delete(t.Name); err != nil {
		return nil, err
	}
	executor.DropData(t, e.env())
	return &Result{Kind: ResultOK, Message: fmt.Sprintf("%s %s dropped", strings.ToLower(s.Kind), t.Name)}, nil
}

// queryUsing returns the id of a running query that reads or writes name.
func (e *Engine) queryUsing(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range e.order {
		q := e.queries[id]
		if q.running() && q.uses(name) {
			return id
		}
	}
	return ""
}

func (e *Engine) explain(s *parser.Explain) (*Result, error) {
	var (
		plan *planner.Plan
		err  error
	)
	switch in := s.Stmt.(type) {
	case *parser.Select:
		plan, err = e.plan.PlanQuery(in.Query)
	case *parser.Insert:
		plan, err = e.plan.PlanInsert(in)
	case *parser.CreateView:
		plan, err = e.plan.PlanQuery(in.Query)
	default:
		return nil, &parser.Error{Pos: s.Stmt.Pos(), Msg: "EXPLAIN takes a SELECT or INSERT"}
	}
	if err != nil {
		return nil, err
	}
	return &Result{Kind: ResultText, Text: planner.Explain(plan.Root)}, nil
}

// rowsResult builds a ResultRows of VARCHAR columns.
func (e *Engine) rowsResult(names []string, rows [][]any) (*Result, error) {
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: catalog.String, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	rec, err := executor.BuildRecord(e.mem, schema, rows)
	if err != nil {
		return nil, err
	}
	return &Result{Kind: ResultRows, Schema: schema, Records: []arrow.Record{rec}}, nil
}

func (e *Engine) show(s *parser.Show) (*Result, error) {
	switch s.What {
	case "SOURCES":
		var rows [][]any
		for _, t := range e.cat.List(catalog.KindSource) {
			wm := ""
			if t.EventTime != "" {
				wm = fmt.Sprintf("%s - %s", t.EventTime, planner.FormatDuration(t.WatermarkDelay))
			}
			rows = append(rows, []any{t.Name, t.Connector, t.Options["topic"], t.Options["format"], wm})
		}
		return e.rowsResult([]string{"name", "connector", "topic", "format", "watermark"}, rows)
	case "TABLES":
		var rows [][]any
		for _, t := range e.cat.List(catalog.KindTable) {
			rows = append(rows, []any{t.Name, t.Connector, strings.Join(t.PrimaryKey, ", "), describeOptions(t.Options)})
		}
		return e.rowsResult([]string{"name", "connector", "primary_key", "options"}, rows)
	case "VIEWS":
		var rows [][]any
		for _, t := range e.cat.List(catalog.KindView) {
			rows = append(rows, []any{t.Name, t.SQL})
		}
		return e.rowsResult([]string{"name", "sql"}, rows)
	case "QUERIES":
		var rows [][]any
		for _, q := range e.Queries() {
			p := q.Progress
			wm := ""
			if p.Watermark != nil {
				wm = p.Watermark.UTC().Format("2006-01-02 15:04:05.000")
				if WatermarkEnded(p.Watermark) {
					wm = EndOfInput
				}
			}
			rows = append(rows, []any{q.ID, string(q.State), q.Sink, fmt.Sprint(p.BatchID), fmt.Sprint(p.TotalInputRows),
				fmt.Sprintf("%.0f", p.InputRowsPerSecond), wm, fmt.Sprint(p.StateRows), fmt.Sprint(p.LateRowsDropped), fmt.Sprint(p.BadRecords), q.Error,
				strings.Join(p.Warnings, "; ")})
		}
		return e.rowsResult([]string{"id", "state", "sink", "batch", "input_rows", "rows_per_sec", "watermark", "state_rows", "late_rows", "bad_records", "error", "warnings"}, rows)
	}
	return nil, &parser.Error{Pos: s.Pos(), Msg: "unknown SHOW " + s.What}
}

func describeOptions(opts map[string]string) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		if k == "dsn" {
			continue // may hold a password
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + opts[k]
	}
	return strings.Join(parts, ", ")
}

func (e *Engine) describe(s *parser.Describe) (*Result, error) {
	if s.Query {
		q, ok := e.Query(s.Name)
		if !ok {
			return nil, &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("query %q not found", s.Name), Hint: "SHOW QUERIES lists them"}
		}
		return &Result{Kind: ResultText, Text: progressJSON(q)}, nil
	}
	t, err := e.cat.Get(s.Name)
	if err != nil {
		if _, ok := e.Query(s.Name); ok {
			return e.describe(&parser.Describe{Name: s.Name, NamePos: s.NamePos, Query: true})
		}
		return nil, &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("source, table or view %q not found", s.Name)}
	}
	var rows [][]any
	for _, c := range t.Columns {
		var extra []string
		for _, k := range t.PrimaryKey {
			if strings.EqualFold(k, c.Name) {
				extra = append(extra, "PRIMARY KEY")
			}
		}
		if strings.EqualFold(t.EventTime, c.Name) {
			extra = append(extra, "WATERMARK "+c.Name+" - "+planner.FormatDuration(t.WatermarkDelay))
		}
		null := "YES"
		if c.NotNull {
			null = "NO"
		}
		rows = append(rows, []any{c.Name, c.SQLType, null, strings.Join(extra, ", ")})
	}
	return e.rowsResult([]string{"column", "type", "nullable", "extra"}, rows)
}

// sameStatement compares two statements' texts, ignoring white space
// outside string literals being folded, and letter case of keywords
// (the text is compared in lower case outside quotes).
func sameStatement(a, b string) bool {
	return normalizeSQL(a) == normalizeSQL(b)
}

func normalizeSQL(s string) string {
	var out strings.Builder
	var quote byte
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			out.WriteByte(c)
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"', '`':
			quote = c
		case ' ', '\t', '\n', '\r':
			space = true
			continue
		}
		if space && out.Len() > 0 {
			out.WriteByte(' ')
		}
		space = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out.WriteByte(c)
	}
	return out.String()
}
