package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/catalog"
)

// Access to nested values: fields of a ROW (col.field, t.col.field, and
// TIDE_FIELD(x, 'field') for a field after anything else), elements of an
// ARRAY (arr[1], 1-based; out of range is NULL, as in Flink) and values of
// a MAP (m['k']; a missing key is NULL), and CARDINALITY. Field access is a
// call of "field" whose second argument is the field's index; element and
// map access are calls of "element_at" (Spark's name for both).

// column resolves a name of one to three parts. A name of two or three
// parts is first read as table.column[.field], then, when its first part
// names no table or its second no column of that table, as
// column.field[.field], the way Flink (Calcite) resolves them.
func (b *binder) column(c *ast.ColumnName, off int) (Expr, error) {
	var parts []string
	for _, s := range []string{c.Schema.O, c.Table.O, c.Name.O} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 1 {
		e, found, err := b.lookup("", parts[0], off)
		if err == nil && !found {
			err = b.errorf(off, b.columnsHint(), "column %q not found", parts[0])
		}
		return e, err
	}
	if b.isTable(parts[0]) {
		e, found, err := b.lookup(parts[0], parts[1], off)
		if err != nil {
			return nil, err
		}
		if found {
			return b.fields(e, parts[2:], off)
		}
	}
	e, found, err := b.lookup("", parts[0], off)
	if err != nil {
		return nil, err
	}
	if !found {
		if b.isTable(parts[0]) {
			return nil, b.errorf(off, b.columnsHint(), "column %q not found", parts[0]+"."+parts[1])
		}
		return nil, b.errorf(off, b.columnsHint(), "column %q not found", strings.Join(parts, "."))
	}
	return b.fields(e, parts[1:], off)
}

// isTable reports whether name is the table (or alias) of a column in scope.
func (b *binder) isTable(name string) bool {
	for _, sc := range b.s.Columns {
		if sc.Table != "" && strings.EqualFold(sc.Table, name) {
			return true
		}
	}
	return false
}

// lookup finds the column name (of table, when table is not ""): found is
// false when there is none; the error is for an ambiguous name.
func (b *binder) lookup(table, name string, off int) (Expr, bool, error) {
	match := -1
	var ambiguous []string
	for i, sc := range b.s.Columns {
		if !strings.EqualFold(sc.Name, name) || (table != "" && !strings.EqualFold(sc.Table, table)) {
			continue
		}
		if match >= 0 {
			if len(ambiguous) == 0 {
				ambiguous = append(ambiguous, qualified(b.s.Columns[match]))
			}
			ambiguous = append(ambiguous, qualified(sc))
			continue
		}
		match = i
	}
	full := name
	if table != "" {
		full = table + "." + name
	}
	if len(ambiguous) > 0 {
		return nil, false, b.errorf(off, "qualify it: "+strings.Join(ambiguous, " or "), "column %q is ambiguous", full)
	}
	if match < 0 {
		return nil, false, nil
	}
	sc := b.s.Columns[match]
	ref := &ColumnRef{Index: match, Name: sc.Name, Typ: sc.Type}
	if table != "" && sc.Table != "" {
		ref.Name = sc.Table + "." + sc.Name
	}
	return ref, true, nil
}

// fields applies the field accesses names to e.
func (b *binder) fields(e Expr, names []string, off int) (Expr, error) {
	for _, n := range names {
		var err error
		if e, err = NewFieldAccess(e, n); err != nil {
			return nil, b.at(off, err)
		}
	}
	return e, nil
}

// NewFieldAccess builds base.name, the field name of a ROW value (NULL
// when base is NULL). Names match exactly first, then without case.
func NewFieldAccess(base Expr, name string) (Expr, error) {
	st, ok := base.Type().(*arrow.StructType)
	if !ok {
		return nil, userErr("field access applies to a ROW", "%s is %s, not a ROW: it has no field %s",
			base.String(), SQLTypeName(base.Type()), name)
	}
	i := catalog.FieldIndex(st, name)
	if i < 0 {
		names := make([]string, st.NumFields())
		for j, f := range st.Fields() {
			names[j] = f.Name
		}
		return nil, userErr("fields are "+strings.Join(names, ", "), "unknown field %s of %s", name, SQLTypeName(st))
	}
	return &Call{Func: "field", Args: []Expr{base, &Literal{Value: int64(i), Typ: catalog.Int64}}, Typ: st.Field(i).Type}, nil
}

// fieldCall binds TIDE_FIELD(x, 'name'), the rewrite of a field after a
// call or an element (f(x).name, arr[1].name).
func (b *binder) fieldCall(x *ast.FuncCallExpr, off int) (Expr, error) {
	name, ok := stringArg(argAt(x.Args, 1))
	if len(x.Args) != 2 || !ok {
		return nil, b.errorf(off, "", "malformed field access")
	}
	base, err := b.bind(x.Args[0], off)
	if err != nil {
		return nil, err
	}
	e, err := NewFieldAccess(base, name)
	if err != nil {
		return nil, b.at(off, err)
	}
	return e, nil
}

// resolveElementAt types element_at(arr, i) (a BIGINT index) and
// element_at(m, k) (a VARCHAR key).
func resolveElementAt(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	switch t := args[0].Type().(type) {
	case *arrow.ListType:
		if !implicitOK(args[1], catalog.Int64) {
			return nil, nil, userErr("arr[1] is the first element", "the index of %s is a BIGINT, not %s",
				SQLTypeName(t), SQLTypeName(args[1].Type()))
		}
		return []arrow.DataType{t, catalog.Int64}, t.Elem(), nil
	case *arrow.MapType:
		if !implicitOK(args[1], catalog.String) {
			return nil, nil, userErr("m['k'] is the value of key 'k'", "the key of %s is a VARCHAR, not %s",
				SQLTypeName(t), SQLTypeName(args[1].Type()))
		}
		return []arrow.DataType{t, catalog.String}, t.ItemType(), nil
	}
	return nil, nil, userErr("arr[1] takes an element of an ARRAY, m['k'] a value of a MAP",
		"cannot index %s: %s is not an ARRAY or a MAP", args[0].String(), SQLTypeName(args[0].Type()))
}

// resolveCardinality types CARDINALITY(arr | m): the number of elements or entries.
func resolveCardinality(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	switch t := args[0].Type(); t.ID() {
	case arrow.LIST, arrow.MAP:
		return []arrow.DataType{t}, catalog.Int64, nil
	}
	return nil, nil, cannotApply(display, args, "CARDINALITY counts the elements of an ARRAY or the entries of a MAP")
}

// nestedString prints the access calls as the user writes them.
func nestedString(c *Call, args []string) (string, bool) {
	switch c.Func {
	case "field":
		st, ok := c.Args[0].Type().(*arrow.StructType)
		l, lok := c.Args[1].(*Literal)
		if !ok || !lok {
			return "", false
		}
		i, _ := l.Value.(int64)
		if int(i) >= st.NumFields() {
			return "", false
		}
		return args[0] + "." + catalog.QuoteFieldName(st.Field(int(i)).Name), true
	case "element_at":
		return args[0] + "[" + args[1] + "]", true
	}
	return "", false
}

// nestedExample is an access to a part of e, for hints: e.field, e[1], e['key'].
func nestedExample(e Expr) string {
	switch t := e.Type().(type) {
	case *arrow.StructType:
		if t.NumFields() > 0 {
			return e.String() + "." + catalog.QuoteFieldName(t.Field(0).Name)
		}
	case *arrow.ListType:
		return e.String() + "[1]"
	case *arrow.MapType:
		return e.String() + "['key']"
	}
	return e.String()
}
