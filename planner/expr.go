package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// Expr is a bound scalar expression: names resolved to column indexes of the
// operator's input, every node typed. It is pure data; executor/expr compiles
// it into something that evaluates over Arrow batches.
type Expr interface {
	// Type is the Arrow type of the result.
	Type() arrow.DataType
	// String prints the expression for EXPLAIN.
	String() string
	expr()
}

// ColumnRef reads column Index of the input batch.
type ColumnRef struct {
	Index int
	Name  string
	Typ   arrow.DataType
}

// Literal is a constant. Value is nil (SQL NULL), bool, int64, float64,
// string, time.Time (TIMESTAMP, UTC) or time.Duration (INTERVAL).
type Literal struct {
	Value any
	Typ   arrow.DataType
}

// Call applies a scalar function or operator to its arguments. Func is the
// canonical lower-case name (see functions.go); Typ is the result type.
type Call struct {
	Func string
	Args []Expr
	Typ  arrow.DataType
}

func (*ColumnRef) expr() {}
func (*Literal) expr()   {}
func (*Call) expr()      {}

var (
	_ Expr = (*ColumnRef)(nil)
	_ Expr = (*Literal)(nil)
	_ Expr = (*Call)(nil)
)

// IntervalType is the type of INTERVAL literals.
var IntervalType arrow.DataType = arrow.FixedWidthTypes.Duration_us

func (c *ColumnRef) Type() arrow.DataType { return c.Typ }
func (c *ColumnRef) String() string       { return c.Name }

func (l *Literal) Type() arrow.DataType { return l.Typ }
func (l *Literal) String() string {
	switch v := l.Value.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case time.Time:
		return "TIMESTAMP '" + v.UTC().Format("2006-01-02 15:04:05.999999") + "'"
	case time.Duration:
		return "INTERVAL " + FormatDuration(v)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	}
	return fmt.Sprint(l.Value)
}

func (c *Call) Type() arrow.DataType { return c.Typ }
func (c *Call) String() string {
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = a.String()
	}
	switch c.Func {
	case "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "like":
		if len(args) == 2 {
			return "(" + args[0] + " " + strings.ToUpper(c.Func) + " " + args[1] + ")"
		}
	case "cast":
		return "CAST(" + args[0] + " AS " + typeName(c.Typ) + ")"
	case "field", "element_at":
		if s, ok := nestedString(c, args); ok {
			return s
		}
	}
	return c.Func + "(" + strings.Join(args, ", ") + ")"
}

// FormatDuration prints d the short way EXPLAIN uses: 5m, 10s, 1h30m, 250ms.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func typeName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT64:
		return "BIGINT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.STRING:
		return "VARCHAR"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	case arrow.DATE32:
		return "DATE"
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		return catalog.NestedTypeName(t, typeName)
	}
	return t.String()
}
