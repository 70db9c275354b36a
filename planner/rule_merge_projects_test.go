package planner

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

func TestMergeProjectsComposesExpressions(t *testing.T) {
	scan := &TableScan{Table: &catalog.Table{Name: "t"}, Out: arrow.NewSchema([]arrow.Field{{Name: "a", Type: catalog.Int64}}, nil)}
	a := &ColumnRef{Index: 0, Name: "a", Typ: catalog.Int64}
	inner := &Project{Input: scan, Exprs: []Expr{&Call{Func: "+", Args: []Expr{a, &Literal{Value: int64(1), Typ: catalog.Int64}}, Typ: catalog.Int64}}, Watermark: -1}
	outer := &Project{Input: inner, Exprs: []Expr{&Call{Func: "*", Args: []Expr{&ColumnRef{Index: 0, Name: "b", Typ: catalog.Int64}, &Literal{Value: int64(2), Typ: catalog.Int64}}, Typ: catalog.Int64}}, Watermark: -1}
	got := mergeProjects(outer).(*Project)
	if got.Input != scan {
		t.Fatalf("input is %T, want the scan", got.Input)
	}
	if s := got.Exprs[0].String(); s != "((a + 1) * 2)" {
		t.Fatalf("merged expression %s", s)
	}
}
