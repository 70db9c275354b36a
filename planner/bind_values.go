package planner

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// valuesTarget is the table an INSERT ... VALUES writes: column j of the
// rows goes to table column cols[j] and takes its type.
type valuesTarget struct {
	table *catalog.Table
	cols  []int
}

// oneEmptyRow is the input of a SELECT without FROM: one row, no columns.
func oneEmptyRow() *rel {
	return &rel{node: &Values{Rows: [][]Expr{{}}, Out: arrow.NewSchema(nil, nil)}, wm: -1}
}

// bindValues binds the rows of VALUES (...), (...). Without a target, the
// columns are named col1, col2, ... and each takes the common type of its
// rows (BIGINT and DOUBLE meet at DOUBLE, NULLs and string literals take
// the others' type). With a target (INSERT INTO t VALUES), each value is
// converted to its table column's type as INSERT converts a query's.
func (p *Planner) bindValues(sel *ast.SelectStmt, q *parser.Query, into *valuesTarget) (*rel, error) {
	width := len(sel.Lists[0].Values)
	if into != nil {
		width = len(into.cols)
	}
	scope := &Scope{Pos: q.Map.Pos, What: "VALUES"}
	rows := make([][]Expr, len(sel.Lists))
	for i, row := range sel.Lists {
		if len(row.Values) == 0 {
			return nil, parser.Errorf(p.cellPos(q, sel, i, 0), "VALUES row %d is empty", i+1)
		}
		if len(row.Values) != width {
			pos := p.cellPos(q, sel, i, min(width, len(row.Values)-1))
			if into != nil {
				return nil, &parser.Error{Pos: pos, Msg: fmt.Sprintf("VALUES row %d has %d values but %s takes %d", i+1, len(row.Values), into.table.Name, width),
					Hint: "table columns are " + targetCols(into)}
			}
			return nil, parser.Errorf(pos, "VALUES row %d has %d values but row 1 has %d", i+1, len(row.Values), width)
		}
		rows[i] = make([]Expr, width)
		for j, v := range row.Values {
			e, err := BindExpr(v, scope)
			if err != nil {
				return nil, err
			}
			rows[i][j] = e
		}
	}
	fields := make([]arrow.Field, width)
	for j := range fields {
		var name string
		var typ arrow.DataType
		var err error
		if into != nil {
			col := into.table.Columns[into.cols[j]]
			name, typ = col.Name, col.Type
			err = p.valuesToColumn(q, sel, rows, j, into)
		} else {
			name = fmt.Sprintf("col%d", j+1)
			typ, err = p.valuesColumnType(q, sel, rows, j)
		}
		if err != nil {
			return nil, err
		}
		fields[j] = arrow.Field{Name: name, Type: typ, Nullable: true}
	}
	r := &rel{node: &Values{Rows: rows, Out: arrow.NewSchema(fields, nil)}, wm: -1}
	for _, f := range fields {
		r.cols = append(r.cols, ScopeColumn{Name: f.Name, Type: f.Type})
	}
	return r, nil
}

// valuesColumnType finds the common type of column j of rows and converts
// every value to it.
func (p *Planner) valuesColumnType(q *parser.Query, sel *ast.SelectStmt, rows [][]Expr, j int) (arrow.DataType, error) {
	cells := make([]Expr, len(rows))
	first := -1 // the row that set the column's type
	for i := range rows {
		cells[i] = rows[i][j]
		if _, ok := commonType(cells[:i+1], catalog.Null); !ok {
			prev, _ := commonType(cells[:i], catalog.Null)
			return nil, parser.Errorf(p.cellPos(q, sel, i, j), "VALUES column %d is %s in row %d but %s in row %d",
				j+1, SQLTypeName(prev), first+1, SQLTypeName(cells[i].Type()), i+1)
		}
		if first < 0 && !isNull(cells[i].Type()) && !isStringLiteral(cells[i]) {
			first = i
		}
	}
	t, _ := commonType(cells, catalog.Null)
	for i := range rows {
		e, err := p.coerceAt(q, sel, rows[i][j], t, i, j)
		if err != nil {
			return nil, err
		}
		rows[i][j] = e
	}
	return t, nil
}

// valuesToColumn converts column j of rows to the type of its table column.
func (p *Planner) valuesToColumn(q *parser.Query, sel *ast.SelectStmt, rows [][]Expr, j int, into *valuesTarget) error {
	t := into.table
	col := t.Columns[into.cols[j]]
	for i := range rows {
		e := rows[i][j]
		switch {
		case isNull(e.Type()):
			if col.NotNull || containsFold(t.PrimaryKey, col.Name) {
				return parser.Errorf(p.cellPos(q, sel, i, j), "VALUES row %d gives NULL to %s.%s, which is NOT NULL", i+1, t.Name, col.Name)
			}
			rows[i][j] = &Literal{Typ: col.Type}
			continue
		case arrow.TypeEqual(e.Type(), col.Type):
			continue
		case !assignable(e.Type(), col.Type) && !isStringLiteral(e):
			return &parser.Error{Pos: p.cellPos(q, sel, i, j),
				Msg: fmt.Sprintf("VALUES row %d, column %d (%s) cannot be stored in %s.%s (%s)",
					i+1, j+1, SQLTypeName(e.Type()), t.Name, col.Name, col.SQLType), Hint: "CAST it"}
		}
		e, err := p.coerceAt(q, sel, e, col.Type, i, j)
		if err != nil {
			return err
		}
		rows[i][j] = e
	}
	return nil
}

// coerceAt converts the value of row i, column j to type t: a literal now
// (a bad one is an error at the value), anything else with a cast.
func (p *Planner) coerceAt(q *parser.Query, sel *ast.SelectStmt, e Expr, t arrow.DataType, i, j int) (Expr, error) {
	if isNull(t) || arrow.TypeEqual(e.Type(), t) {
		return e, nil
	}
	out, err := coerce(e, t)
	if err != nil {
		var le *literalError
		if errors.As(err, &le) {
			return nil, parser.Errorf(p.cellPos(q, sel, i, j), "VALUES row %d, column %d: %s", i+1, j+1, le.err.Msg)
		}
		return nil, err
	}
	return out, nil
}

// cellPos is where the value of row i, column j stands in the user's text
// (the row's first value, or the query, when TiDB recorded no offset).
func (p *Planner) cellPos(q *parser.Query, sel *ast.SelectStmt, i, j int) parser.Pos {
	vals := sel.Lists[i].Values
	if j < len(vals) {
		if off := vals[j].OriginTextPosition(); off > 0 {
			return q.Map.Pos(off)
		}
	}
	for _, v := range vals {
		if off := v.OriginTextPosition(); off > 0 {
			return q.Map.Pos(off)
		}
	}
	return q.Pos()
}

func targetCols(into *valuesTarget) string {
	t := &catalog.Table{Name: into.table.Name}
	for _, c := range into.cols {
		t.Columns = append(t.Columns, into.table.Columns[c])
	}
	return tableCols(t)
}
