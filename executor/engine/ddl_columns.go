package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
)

// sourceColumns sets t's columns and watermark from CREATE SOURCE s. A
// connector that supplies columns (executor.Connector.Columns) gives them
// all when s declares none, and the declared ones, checked by name and
// type, otherwise (unless it takes them as declared); its default
// watermark applies when s declares none and its column is there. Other
// connectors need the column list.
func (e *Engine) sourceColumns(c *executor.Connector, s *parser.CreateSource, t *catalog.Table) error {
	needList := func(why string) error {
		return &parser.Error{Pos: s.NamePos, Msg: fmt.Sprintf("expected a column list after %s: %s", s.Name, why),
			Hint: "declare the columns: CREATE SOURCE " + s.Name + " (id BIGINT, ts TIMESTAMP(3), ...)"}
	}
	if c.Columns == nil {
		if len(s.Columns) == 0 {
			return needList(fmt.Sprintf("connector %s does not supply columns", c.Name))
		}
		t.Columns = columnsOf(s.Columns)
		return e.sourceWatermark(s, t, nil)
	}
	declared := columnsOf(s.Columns)
	supplied, dflt, err := c.Columns(&catalog.Table{Name: t.Name, Kind: t.Kind, Columns: declared, Connector: t.Connector, Options: t.Options}, e.env())
	if errors.Is(err, executor.ErrNoColumns) {
		return needList(err.Error())
	}
	if err != nil {
		return &parser.Error{Pos: s.NamePos, Msg: err.Error()}
	}
	if len(s.Columns) > 0 && supplied == nil { // the connector reads them as declared
		t.Columns = declared
		return e.sourceWatermark(s, t, dflt)
	}
	if len(s.Columns) == 0 {
		t.Columns = supplied
		return e.sourceWatermark(s, t, dflt)
	}
	byName := map[string]catalog.Column{}
	names := make([]string, len(supplied))
	for i, col := range supplied {
		byName[strings.ToLower(col.Name)] = col
		names[i] = col.Name
	}
	for _, d := range s.Columns {
		col, ok := byName[strings.ToLower(d.Name)]
		if !ok {
			return &parser.Error{Pos: d.Pos, Msg: fmt.Sprintf("source %s has no column %q (connector %s supplies its columns)", s.Name, d.Name, c.Name),
				Hint: "its columns are " + strings.Join(names, ", ") + "; or leave the column list out to take them all"}
		}
		if !arrow.TypeEqual(col.Type, d.Type) {
			return &parser.Error{Pos: d.Pos, Msg: fmt.Sprintf("column %s of source %s is %s, not %s", d.Name, s.Name, col.SQLType, d.SQLType),
				Hint: fmt.Sprintf("declare it %s, or leave the column list out", col.SQLType)}
		}
	}
	t.Columns = columnsOf(s.Columns)
	return e.sourceWatermark(s, t, dflt)
}

// sourceWatermark sets t's watermark: the declared one, checked against
// t's columns (the parser cannot check a watermark whose columns come from
// the connector), else dflt if its column is one of t's.
func (e *Engine) sourceWatermark(s *parser.CreateSource, t *catalog.Table, dflt *executor.DefaultWatermark) error {
	if s.Watermark == nil {
		if dflt != nil {
			if i := t.ColumnIndex(dflt.Column); i >= 0 {
				t.EventTime, t.WatermarkDelay = t.Columns[i].Name, dflt.Delay
			}
		}
		return nil
	}
	i := t.ColumnIndex(s.Watermark.Column)
	if i < 0 {
		names := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			names[j] = c.Name
		}
		return &parser.Error{Pos: s.Watermark.Pos, Msg: fmt.Sprintf("watermark column %q is not a column of source %s", s.Watermark.Column, s.Name),
			Hint: "its columns are " + strings.Join(names, ", ")}
	}
	if !arrow.TypeEqual(t.Columns[i].Type, catalog.Timestamp) {
		return &parser.Error{Pos: s.Watermark.Pos, Msg: "watermark column " + t.Columns[i].Name + " is " + t.Columns[i].SQLType + ", not a TIMESTAMP",
			Hint: "a watermark needs a TIMESTAMP column"}
	}
	t.EventTime, t.WatermarkDelay = t.Columns[i].Name, s.Watermark.Delay
	return nil
}
