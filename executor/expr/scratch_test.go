package expr

import (
	"fmt"
	"testing"

	tidb "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

type visitor struct{ depth int }

func (v *visitor) Enter(n ast.Node) (ast.Node, bool) {
	extra := ""
	switch x := n.(type) {
	case *ast.FuncCallExpr:
		extra = x.FnName.O + " type=" + fmt.Sprint(x.Tp)
	case *ast.BinaryOperationExpr:
		extra = x.Op.String()
	case *ast.UnaryOperationExpr:
		extra = x.Op.String()
	case *test_driver.ValueExpr:
		extra = fmt.Sprintf("kind=%d %v %T", x.Kind(), x.GetValue(), x.GetValue())
	case *ast.ColumnNameExpr:
		extra = x.Name.String()
	case *ast.TimeUnitExpr:
		extra = x.Unit.String()
	case *ast.AggregateFuncExpr:
		extra = x.F
	case *ast.IsTruthExpr:
		extra = fmt.Sprint(x.Not, x.True)
	case *ast.FuncCastExpr:
		extra = x.Tp.String()
	case *ast.TrimDirectionExpr:
		extra = x.Direction.String()
	}
	pos := -1
	if en, ok := n.(ast.ExprNode); ok {
		pos = en.OriginTextPosition()
	}
	fmt.Printf("%*s%T pos=%d %s\n", v.depth*2, "", n, pos, extra)
	v.depth++
	return n, false
}
func (v *visitor) Leave(n ast.Node) (ast.Node, bool) { v.depth--; return n, true }

func TestScratch(t *testing.T) {
	for _, e := range []string{
		"a + 1.5 * -b", "x DIV 2 % 3", "a <=> NULL", "a IS NOT NULL", "a IS TRUE", "NOT a XOR b",
		"a IN (1, 2)", "a NOT BETWEEN 1 AND 2", "s LIKE 'a\\_%'", "s NOT LIKE 'x' ESCAPE '!'",
		"CASE WHEN a THEN 1 ELSE 2 END", "CASE a WHEN 1 THEN 'x' END",
		"IF(a,1,2)", "TIDE_INTERVAL('5', 'MINUTE')", "ts + TIDE_INTERVAL('5','MINUTE')", "DATE_ADD(ts, INTERVAL 1 HOUR)", "DATE_SUB(ts, INTERVAL '1.5' SECOND)",
		"j->'$.a'", "j->>'$.a'", "TRIM(BOTH 'x' FROM s)", "TRIM(s)", "LTRIM(s)", "POSITION('a' IN s)", "SUBSTRING(s FROM 2 FOR 3)", "SUBSTR(s, 2)",
		"EXTRACT(HOUR FROM ts)", "NOW()", "CURRENT_TIMESTAMP", "UNIX_TIMESTAMP()", "COUNT(*)", "SUM(x) OVER (PARTITION BY y)", "t.a",
		"TRUE", "FALSE", "NULL", "'abc'", "1e3", "12345678901234567890", "1.25", "x'41'", "DATE '2024-01-01'", "TIMESTAMP '2024-01-01 00:00:00'",
		"(a)", "CAST(a AS SIGNED)", "CEILING(x)", "MOD(a, 2)", "a != b", "a <> b", "!a", "a && b", "a || b", "CONCAT_WS(',', a, b)", "`weird col`", "-5", "- - 5", "~a",
	} {
		sql := "SELECT " + e + " FROM t"
		st, err := tidb.New().ParseOneStmt(sql, "", "")
		if err != nil {
			fmt.Println(e, "ERR", err)
			continue
		}
		fmt.Println("==", e)
		st.(*ast.SelectStmt).Fields.Fields[0].Expr.Accept(&visitor{})
	}
}
