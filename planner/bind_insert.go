package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// PlanInsert plans INSERT INTO table query: the query, a projection that
// casts its columns to the table's, and the Sink.
func (p *Planner) PlanInsert(ins *parser.Insert) (*Plan, error) {
	t, err := p.Catalog.Get(ins.Table)
	if err != nil {
		return nil, &parser.Error{Pos: ins.TablePos, Msg: fmt.Sprintf("table %q not found", ins.Table), Hint: "create it first with CREATE TABLE " + ins.Table + " (...) WITH (connector = ...)"}
	}
	if t.Kind != catalog.KindTable {
		return nil, &parser.Error{Pos: ins.TablePos, Msg: fmt.Sprintf("%s is a %s; INSERT INTO needs a table", t.Name, strings.ToLower(string(t.Kind))),
			Hint: "to write to a Kafka topic, CREATE TABLE ... WITH (connector = 'kafka', topic = ...)"}
	}
	q := ins.Query
	// Which table column does each query column go to?
	target := make([]int, 0, len(t.Columns))
	if len(ins.Columns) > 0 {
		listed := map[int]bool{}
		for _, c := range ins.Columns {
			i := t.ColumnIndex(c)
			if i < 0 {
				return nil, &parser.Error{Pos: ins.TablePos, Msg: fmt.Sprintf("table %s has no column %q", t.Name, c)}
			}
			if listed[i] {
				return nil, &parser.Error{Pos: ins.TablePos, Msg: fmt.Sprintf("column %q is listed twice", c)}
			}
			listed[i] = true
			target = append(target, i)
		}
	} else {
		for i := range t.Columns {
			target = append(target, i)
		}
	}
	r, err := p.bindInsertQuery(q, &valuesTarget{table: t, cols: target})
	if err != nil {
		return nil, err
	}
	if err := errKeyLost(q, r); err != nil {
		return nil, err
	}
	if len(r.cols) != len(target) {
		return nil, &parser.Error{Pos: q.Pos(), Msg: fmt.Sprintf("the query returns %d columns but %s takes %d", len(r.cols), t.Name, len(target)),
			Hint: "table columns are " + tableCols(t)}
	}
	exprs := make([]Expr, len(t.Columns))
	wm := -1
	for qi, ti := range target {
		col := t.Columns[ti]
		var e Expr = &ColumnRef{Index: qi, Name: r.cols[qi].Name, Typ: r.cols[qi].Type}
		if !arrow.TypeEqual(e.Type(), col.Type) {
			if !assignable(e.Type(), col.Type) {
				return nil, &parser.Error{Pos: q.Pos(), Msg: fmt.Sprintf("column %d of the query (%s, %s) cannot be stored in %s.%s (%s)",
					qi+1, r.cols[qi].Name, catalog.TypeName(e.Type()), t.Name, col.Name, col.SQLType), Hint: "CAST it in the SELECT list"}
			}
			e = &Call{Func: "cast", Args: []Expr{e}, Typ: col.Type}
		}
		if qi == r.wm {
			wm = ti
		}
		exprs[ti] = e
	}
	for i, e := range exprs {
		if e == nil {
			if t.Columns[i].NotNull || containsFold(t.PrimaryKey, t.Columns[i].Name) {
				return nil, &parser.Error{Pos: ins.TablePos, Msg: fmt.Sprintf("column %s.%s is NOT NULL but the INSERT gives it no value", t.Name, t.Columns[i].Name)}
			}
			exprs[i] = &Literal{Value: nil, Typ: t.Columns[i].Type}
		}
	}
	proj := &Project{Input: r.node, Exprs: exprs, Out: t.Schema(), Watermark: wm}
	if r.changes {
		// The sink deletes the key of a row marked deleted.
		proj.Exprs = append(proj.Exprs, r.deletedRef())
		proj.Out = arrow.NewSchema(withDeleted(t.Schema().Fields()), nil)
	}
	sink := &Sink{Input: proj, Table: t}
	switch {
	case r.changes && len(t.PrimaryKey) == 0 && !p.showsChanges(t.Connector):
		return nil, &parser.Error{Pos: ins.TablePos,
			Msg:  fmt.Sprintf("table %q is append-only, but this query's rows are changes (updates and deletes of a changelog)", t.Name),
			Hint: fmt.Sprintf("give %s a PRIMARY KEY, so that changes replace and delete its rows", t.Name)}
	case len(t.PrimaryKey) > 0:
		sink.Upsert = true
		sink.Key = t.PrimaryKeyIndexes()
	case r.update && !p.showsChanges(t.Connector):
		return nil, &parser.Error{Pos: ins.TablePos,
			Msg:  fmt.Sprintf("table %q is append-only, but this query updates rows it already emitted", t.Name),
			Hint: fmt.Sprintf("give %s a PRIMARY KEY (%s), or group by a window and EMIT ON WINDOW CLOSE", t.Name, keyNames(r))}
	}
	return &Plan{Root: mergeProjects(sink), Update: r.update, Key: sink.Key, Streaming: r.streaming}, nil
}

// bindInsertQuery binds an INSERT's query; VALUES rows bind against the
// target columns, each value converted to its column's type.
func (p *Planner) bindInsertQuery(q *parser.Query, into *valuesTarget) (*rel, error) {
	sel, ok := q.AST.(*ast.SelectStmt)
	if !ok || sel.Kind != ast.SelectStmtKindValues {
		return p.bindQuery(q, 0)
	}
	r, err := p.bindValues(sel, q, into)
	if err != nil {
		return nil, err
	}
	if q.Watermark != nil {
		if err := p.applyWatermark(r, q.Watermark); err != nil {
			return nil, err
		}
	}
	if err := checkEmitWithoutAggregate(q, 0); err != nil {
		return nil, err
	}
	return p.bindOrderLimit(sel.OrderBy, sel.Limit, q, r)
}

func keyNames(r *rel) string {
	var out []string
	for _, k := range r.key {
		out = append(out, r.cols[k].Name)
	}
	return strings.Join(out, ", ")
}

func tableCols(t *catalog.Table) string {
	var out []string
	for _, c := range t.Columns {
		out = append(out, c.Name+" "+c.SQLType)
	}
	return strings.Join(out, ", ")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// assignable reports whether a value of type from may be stored in a column
// of type to with an implicit cast.
func assignable(from, to arrow.DataType) bool {
	if from.ID() == arrow.NULL || arrow.TypeEqual(from, to) {
		return true
	}
	switch to.ID() {
	case arrow.FLOAT64:
		return from.ID() == arrow.INT64
	case arrow.STRING:
		return true
	case arrow.TIMESTAMP:
		return from.ID() == arrow.STRING || from.ID() == arrow.DATE32
	case arrow.INT64:
		return from.ID() == arrow.BOOL
	}
	return false
}
