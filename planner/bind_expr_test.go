package planner

import (
	"errors"
	"strings"
	"testing"
	"time"

	tidb "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

func testScope() *Scope {
	return &Scope{
		What: "WHERE",
		Columns: []ScopeColumn{
			{Table: "t", Name: "qty", Type: catalog.Int64},
			{Table: "t", Name: "amount", Type: catalog.Float64},
			{Table: "t", Name: "customer_id", Type: catalog.String},
			{Table: "t", Name: "ts", Type: catalog.Timestamp},
			{Table: "t", Name: "d", Type: catalog.Date},
			{Table: "t", Name: "flag", Type: catalog.Bool},
			{Table: "t", Name: "payload", Type: catalog.String},
		},
	}
}

// parseExpr parses "SELECT <expr> FROM t" with TiDB and returns the first field.
func parseExpr(t *testing.T, sql string) ast.ExprNode {
	t.Helper()
	st, err := tidb.New().ParseOneStmt(sql, "", "")
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	return st.(*ast.SelectStmt).Fields.Fields[0].Expr
}

func bindSQL(t *testing.T, expr string, s *Scope) (Expr, error) {
	t.Helper()
	return BindExpr(parseExpr(t, "SELECT "+expr+" FROM t"), s)
}

func TestBindExpr(t *testing.T) {
	cases := []struct{ sql, want, typ string }{
		{"qty + 1", "(qty + 1)", "BIGINT"},
		{"qty + amount", "(CAST(qty AS DOUBLE) + amount)", "DOUBLE"},
		{"qty / 2", "(CAST(qty AS DOUBLE) / 2)", "DOUBLE"},
		{"qty DIV 2", "div(qty, 2)", "BIGINT"},
		{"qty % 3", "(qty % 3)", "BIGINT"},
		{"MOD(amount, 3)", "(amount % 3)", "DOUBLE"},
		{"-qty", "neg(qty)", "BIGINT"},
		{"-5", "-5", "BIGINT"},
		{"- -2.5", "2.5", "DOUBLE"},
		{"1.25", "1.25", "DOUBLE"},
		{"1e3", "1000", "DOUBLE"},
		{"TRUE", "TRUE", "BOOLEAN"},
		{"NULL", "NULL", "NULL"},
		{"'it''s'", "'it''s'", "VARCHAR"},
		{"t.qty", "t.qty", "BIGINT"},
		{"QTY", "qty", "BIGINT"},
		{"ts + TIDE_INTERVAL('5', 'MINUTE')", "(ts + INTERVAL 5m)", "TIMESTAMP"},
		{"TIDE_INTERVAL('1.5', 'SECOND')", "INTERVAL 1.5s", "INTERVAL"},
		{"ts - TIDE_INTERVAL('300000000', 'MICROSECOND')", "(ts - INTERVAL 5m)", "TIMESTAMP"},
		{"TIDE_INTERVAL('1', 'HOUR') + ts", "(INTERVAL 1h + ts)", "TIMESTAMP"},
		{"ts - ts", "(ts - ts)", "INTERVAL"},
		{"d + TIDE_INTERVAL('1', 'DAY')", "(CAST(d AS TIMESTAMP) + INTERVAL 24h)", "TIMESTAMP"},
		{"DATE_ADD(ts, INTERVAL 1 HOUR)", "(ts + INTERVAL 1h)", "TIMESTAMP"},
		{"DATE_SUB(ts, INTERVAL '1.5' SECOND)", "(ts - INTERVAL 1.5s)", "TIMESTAMP"},
		{"ADDDATE(ts, 2)", "(ts + INTERVAL 48h)", "TIMESTAMP"},
		{"TIMESTAMPADD(MINUTE, 5, ts)", "(ts + INTERVAL 5m)", "TIMESTAMP"},
		{"ts > '2024-01-01 10:00:00'", "(ts > TIMESTAMP '2024-01-01 10:00:00')", "BOOLEAN"},
		{"ts >= '2024-01-01T10:00:00.5Z'", "(ts >= TIMESTAMP '2024-01-01 10:00:00.5')", "BOOLEAN"},
		{"qty = '42'", "(qty = 42)", "BOOLEAN"},
		{"d < ts", "(CAST(d AS TIMESTAMP) < ts)", "BOOLEAN"},
		{"customer_id = 'CUST-003' AND amount > 100", "((customer_id = 'CUST-003') AND (amount > 100))", "BOOLEAN"},
		{"amount > 100 OR NOT flag", "((amount > 100) OR not(flag))", "BOOLEAN"},
		{"flag XOR qty", "xor(flag, CAST(qty AS BOOLEAN))", "BOOLEAN"},
		{"qty <=> NULL", "<=>(qty, NULL)", "BOOLEAN"},
		{"qty <> 3", "(qty != 3)", "BOOLEAN"},
		{"amount BETWEEN 1 AND 10", "between(amount, 1, 10)", "BOOLEAN"},
		{"qty NOT BETWEEN 1 AND 2.5", "not_between(CAST(qty AS DOUBLE), 1, 2.5)", "BOOLEAN"},
		{"qty IN (1, 2, NULL)", "in(qty, 1, 2, NULL)", "BOOLEAN"},
		{"customer_id NOT IN ('a', 'b')", "not_in(customer_id, 'a', 'b')", "BOOLEAN"},
		{"customer_id LIKE 'C%'", "(customer_id LIKE 'C%')", "BOOLEAN"},
		{"customer_id NOT LIKE 'C!%' ESCAPE '!'", "not_like(customer_id, 'C!%', '!')", "BOOLEAN"},
		{"customer_id IS NOT NULL", "is_not_null(customer_id)", "BOOLEAN"},
		{"flag IS NOT FALSE", "is_not_false(flag)", "BOOLEAN"},
		{"CASE WHEN qty > 1 THEN 'many' ELSE 'one' END", "case((qty > 1), 'many', 'one')", "VARCHAR"},
		{"CASE qty WHEN 1 THEN 'one' END", "case((qty = 1), 'one', NULL)", "VARCHAR"},
		{"CASE WHEN flag THEN qty ELSE amount END", "case(flag, CAST(qty AS DOUBLE), amount)", "DOUBLE"},
		{"IF(flag, 1, 2.5)", "if(flag, 1, 2.5)", "DOUBLE"},
		{"IFNULL(customer_id, 'x')", "coalesce(customer_id, 'x')", "VARCHAR"},
		{"COALESCE(NULL, ts, '2024-01-01')", "coalesce(NULL, ts, TIMESTAMP '2024-01-01 00:00:00')", "TIMESTAMP"},
		{"NULLIF(qty, 0)", "nullif(qty, 0)", "BIGINT"},
		{"GREATEST(qty, amount, 3)", "greatest(CAST(qty AS DOUBLE), amount, 3)", "DOUBLE"},
		{"TIDE_CAST(qty, 'STRING')", "CAST(qty AS VARCHAR)", "VARCHAR"},
		{"TIDE_CAST(amount, 'DECIMAL(10, 2)')", "amount", "DOUBLE"},
		{"TIDE_CAST(customer_id, 'TIMESTAMP(3)')", "CAST(customer_id AS TIMESTAMP)", "TIMESTAMP"},
		{"TIDE_TRY_CAST(customer_id, 'BIGINT')", "try_cast(customer_id)", "BIGINT"},
		{"TIDE_CAST('12', 'BIGINT')", "12", "BIGINT"},
		{"TIDE_TRY_CAST('x12', 'BIGINT')", "NULL", "BIGINT"},
		{"TIDE_CAST(ts, 'TIMESTAMP_LTZ(3)')", "ts", "TIMESTAMP"},
		{"CAST(amount AS SIGNED)", "CAST(amount AS BIGINT)", "BIGINT"},
		{"CAST(qty AS CHAR)", "CAST(qty AS VARCHAR)", "VARCHAR"},
		{"payload->'$.a'", "json_extract(payload, '$.a')", "VARCHAR"},
		{"payload->>'$.a.b'", "json_value(payload, '$.a.b')", "VARCHAR"},
		{"JSON_VALUE(payload, '$.a[0]')", "json_value(payload, '$.a[0]')", "VARCHAR"},
		{"EXTRACT(HOUR FROM ts)", "hour(ts)", "BIGINT"},
		{"YEAR(d)", "year(CAST(d AS TIMESTAMP))", "BIGINT"},
		{"DATE(ts)", "date(ts)", "DATE"},
		{"UPPER(qty)", "upper(CAST(qty AS VARCHAR))", "VARCHAR"},
		{"CONCAT(customer_id, '-', qty)", "concat(customer_id, '-', CAST(qty AS VARCHAR))", "VARCHAR"},
		{"TRIM(LEADING 'x' FROM customer_id)", "ltrim(customer_id, 'x')", "VARCHAR"},
		{"TRIM(customer_id)", "trim(customer_id)", "VARCHAR"},
		{"SUBSTR(customer_id, 2)", "substring(customer_id, 2)", "VARCHAR"},
		{"SUBSTRING(customer_id FROM 2 FOR 3)", "substring(customer_id, 2, 3)", "VARCHAR"},
		{"POSITION('-' IN customer_id)", "position('-', customer_id)", "BIGINT"},
		{"LOCATE('-', customer_id, 2)", "position('-', customer_id, 2)", "BIGINT"},
		{"ROUND(amount, 1)", "round(amount, 1)", "DOUBLE"},
		{"CEILING(qty)", "ceil(qty)", "BIGINT"},
		{"POWER(qty, 2)", "power(CAST(qty AS DOUBLE), 2)", "DOUBLE"},
		{"NOW()", "now()", "TIMESTAMP"},
		{"CURRENT_TIMESTAMP", "now()", "TIMESTAMP"},
		{"UNIX_TIMESTAMP(ts)", "unix_timestamp(ts)", "BIGINT"},
		{"UNIX_TIMESTAMP()", "unix_timestamp()", "BIGINT"},
		{"FROM_UNIXTIME(qty)", "from_unixtime(qty)", "TIMESTAMP"},
		{"FROM_UNIXTIME(qty, '%Y')", "date_format(from_unixtime(qty), '%Y')", "VARCHAR"},
		{"TO_TIMESTAMP(customer_id)", "to_timestamp(customer_id)", "TIMESTAMP"},
		{"DATE_FORMAT(ts, '%Y-%m-%d')", "date_format(ts, '%Y-%m-%d')", "VARCHAR"},
		{"customer_id REGEXP '^C'", "regexp(customer_id, '^C')", "BOOLEAN"},
		{"DATE '2024-01-02' < d", "(TIMESTAMP '2024-01-02 00:00:00' < d)", "BOOLEAN"},
	}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			e, err := bindSQL(t, c.sql, testScope())
			if err != nil {
				t.Fatalf("bind: %v", err)
			}
			if got := e.String(); got != c.want {
				t.Errorf("String() = %s, want %s", got, c.want)
			}
			if got := SQLTypeName(e.Type()); got != c.typ {
				t.Errorf("type = %s, want %s", got, c.typ)
			}
		})
	}
}

func TestBindExprErrors(t *testing.T) {
	cases := []struct {
		sql      string
		line     int
		col      int
		msg      string
		hintPart string
	}{
		{"SELECT nosuch + 1 FROM t", 1, 8, `column "nosuch" not found`, "columns are qty, amount"},
		{"SELECT x.qty FROM t", 1, 8, `column "x.qty" not found`, ""},
		{"SELECT qty + FOO(1) FROM t", 1, 14, "unknown function FOO", ""},
		{"SELECT UPPR(customer_id) FROM t", 1, 8, "unknown function UPPR", "did you mean UPPER?"},
		{"SELECT customer_id + qty FROM t", 1, 8, "cannot apply + to VARCHAR and BIGINT", ""},
		{"SELECT amount * customer_id FROM t", 1, 8, "cannot apply * to DOUBLE and VARCHAR", ""},
		{"SELECT ts > 'garbage' FROM t", 1, 13, "cannot cast 'garbage' to TIMESTAMP", ""},
		{"SELECT qty IN (1, 2, 'x') FROM t", 1, 22, "cannot cast 'x' to BIGINT", ""},
		{"SELECT customer_id > ts FROM t", 1, 8, "cannot apply > to VARCHAR and TIMESTAMP", "CAST"},
		{"SELECT flag < TRUE FROM t", 1, 8, "cannot apply < to BOOLEAN and BOOLEAN", ""},
		{"SELECT UPPER(ts - ts) FROM t", 1, 8, "cannot apply UPPER to INTERVAL", "UPPER takes VARCHAR"},
		{"SELECT COUNT(*) FROM t", 1, 8, "aggregate function COUNT is not allowed in WHERE", ""},
		{"SELECT ROW_NUMBER() OVER () FROM t", 1, 8, "window function ROW_NUMBER is not allowed in WHERE", ""},
		{"SELECT LEFT(customer_id) FROM t", 1, 8, "LEFT takes 2 arguments, got 1", ""},
		{"SELECT ROUND(amount, 1, 2) FROM t", 1, 8, "ROUND takes 1 or 2 arguments, got 3", ""},
		{"SELECT TIDE_INTERVAL('5', 'MONTH') FROM t", 1, 8, "unknown interval unit MONTH", ""},
		{"SELECT DATE_ADD(ts, INTERVAL 1 MONTH) FROM t", 1, 8, "unknown interval unit MONTH", ""},
		{"SELECT TIDE_CAST(qty, 'BLOB') FROM t", 1, 8, "unknown type BLOB", "BIGINT"},
		{"SELECT TIDE_CAST('abc', 'BIGINT') FROM t", 1, 8, "cannot cast 'abc' to BIGINT", ""},
		{"SELECT TIDE_CAST(ts, 'BIGINT') FROM t", 1, 8, "cannot cast TIMESTAMP to BIGINT", ""},
		{"SELECT CASE WHEN flag THEN 1 ELSE 'x' END FROM t", 1, 35, "cannot cast 'x' to BIGINT", ""},
		{"SELECT CASE WHEN flag THEN ts ELSE qty END FROM t", 1, 8, "CASE branches have different types: TIMESTAMP, BIGINT", ""},
		{"SELECT qty IN (SELECT 1) FROM t", 1, 8, "subqueries are not supported", ""},
		{"SELECT EXTRACT(DAY_HOUR FROM ts) FROM t", 1, 8, "EXTRACT does not support unit DAY_HOUR", ""},
		{"SELECT qty & 1 FROM t", 1, 8, "operator & is not supported", ""},
		{"SELECT\n  qty +\n  nosuch FROM t", 3, 3, `column "nosuch" not found`, ""},
	}
	for _, c := range cases {
		t.Run(c.msg, func(t *testing.T) {
			s := testScope()
			s.Pos = func(off int) parser.Pos { return parser.PosAt(c.sql, off) }
			_, err := BindExpr(parseExpr(t, c.sql), s)
			var pe *parser.Error
			if !errors.As(err, &pe) {
				t.Fatalf("want *parser.Error, got %v", err)
			}
			if pe.Pos.Line != c.line || pe.Pos.Column != c.col {
				t.Errorf("position = %d:%d, want %d:%d (%v)", pe.Pos.Line, pe.Pos.Column, c.line, c.col, err)
			}
			if !strings.Contains(pe.Msg, c.msg) {
				t.Errorf("message = %q, want %q", pe.Msg, c.msg)
			}
			if !strings.Contains(pe.Hint, c.hintPart) {
				t.Errorf("hint = %q, want it to contain %q", pe.Hint, c.hintPart)
			}
		})
	}
}

func TestBindExprAmbiguousColumn(t *testing.T) {
	s := &Scope{Columns: []ScopeColumn{
		{Table: "a", Name: "id", Type: catalog.Int64},
		{Table: "b", Name: "id", Type: catalog.Int64},
	}}
	_, err := bindSQL(t, "id", s)
	if err == nil || !strings.Contains(err.Error(), `column "id" is ambiguous`) {
		t.Fatalf("err = %v", err)
	}
	if pe := err.(*parser.Error); pe.Hint != "qualify it: a.id or b.id" {
		t.Errorf("hint = %q", pe.Hint)
	}
	e, err := bindSQL(t, "b.id", s)
	if err != nil {
		t.Fatal(err)
	}
	if ref := e.(*ColumnRef); ref.Index != 1 || ref.Name != "b.id" {
		t.Errorf("ref = %+v", ref)
	}
}

func TestBindExprReplaceHook(t *testing.T) {
	s := testScope()
	s.Replace = func(n ast.ExprNode) (Expr, bool, error) {
		if agg, ok := n.(*ast.AggregateFuncExpr); ok && strings.EqualFold(agg.F, "count") {
			return &ColumnRef{Index: 9, Name: "count(*)", Typ: catalog.Int64}, true, nil
		}
		if fn, ok := n.(*ast.FuncCallExpr); ok && fn.FnName.L == "forbidden" {
			return nil, false, &parser.Error{Msg: "not here"}
		}
		return nil, false, nil
	}
	e, err := bindSQL(t, "COUNT(*) + 1", s)
	if err != nil {
		t.Fatal(err)
	}
	if e.String() != "(count(*) + 1)" {
		t.Errorf("got %s", e)
	}
	_, err = bindSQL(t, "qty + FORBIDDEN()", s)
	var pe *parser.Error
	if !errors.As(err, &pe) || pe.Msg != "not here" || pe.Pos.Column != 14 {
		t.Errorf("err = %v", err)
	}
}

func TestBindExprLiteralValues(t *testing.T) {
	e, err := bindSQL(t, "TIMESTAMP '2024-03-01 12:30:00.25'", testScope())
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 3, 1, 12, 30, 0, 250_000_000, time.UTC)
	if l := e.(*Literal); !l.Value.(time.Time).Equal(want) {
		t.Errorf("value = %v, want %v", l.Value, want)
	}
	e, err = bindSQL(t, "TIDE_INTERVAL('-1.5', 'MINUTE')", testScope())
	if err != nil {
		t.Fatal(err)
	}
	if d := e.(*Literal).Value.(time.Duration); d != -90*time.Second {
		t.Errorf("interval = %v", d)
	}
}

// The dialect layer rewrites INTERVAL and CAST before TiDB parses; the
// binder must report positions in the user's original text.
func TestBindExprThroughDialectParser(t *testing.T) {
	sql := "SELECT ts + INTERVAL 5 MINUTES AS later, CAST(qty AS STRING) || nosuch FROM t"
	st, err := parser.ParseOne(sql)
	if err != nil {
		t.Skipf("dialect parser not usable here: %v", err)
	}
	sel, ok := st.(*parser.Select)
	if !ok {
		t.Skipf("statement is %T", st)
	}
	fields := sel.Query.AST.(*ast.SelectStmt).Fields.Fields
	s := testScope()
	s.Pos = sel.Query.Map.Pos
	e, err := BindExpr(fields[0].Expr, s)
	if err != nil {
		t.Fatal(err)
	}
	if e.String() != "(ts + INTERVAL 5m)" {
		t.Errorf("got %s", e)
	}
	_, err = BindExpr(fields[1].Expr, s)
	var pe *parser.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if want := strings.Index(sql, "nosuch") + 1; pe.Pos.Column != want {
		t.Errorf("column = %d, want %d (%v)", pe.Pos.Column, want, err)
	}
}
