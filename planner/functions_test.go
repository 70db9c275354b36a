package planner

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

func col(name string, t arrow.DataType) Expr { return &ColumnRef{Name: name, Typ: t} }
func lit(v any, t arrow.DataType) Expr       { return &Literal{Value: v, Typ: t} }

var (
	i64 = col("i", catalog.Int64)
	f64 = col("f", catalog.Float64)
	str = col("s", catalog.String)
	ts  = col("ts", catalog.Timestamp)
	dt  = col("d", catalog.Date)
	bl  = col("b", catalog.Bool)
	iv  = lit(5*time.Minute, IntervalType)
	nul = lit(nil, catalog.Null)
)

func TestFuncNewCallTypes(t *testing.T) {
	cases := []struct {
		name string
		args []Expr
		want string // String() of the call
		typ  string
	}{
		{"+", []Expr{i64, i64}, "(i + i)", "BIGINT"},
		{"+", []Expr{i64, nul}, "(i + NULL)", "BIGINT"},
		{"-", []Expr{f64, i64}, "(f - CAST(i AS DOUBLE))", "DOUBLE"},
		{"/", []Expr{i64, i64}, "(CAST(i AS DOUBLE) / CAST(i AS DOUBLE))", "DOUBLE"},
		{"div", []Expr{f64, i64}, "div(f, CAST(i AS DOUBLE))", "BIGINT"},
		{"+", []Expr{ts, iv}, "(ts + INTERVAL 5m)", "TIMESTAMP"},
		{"-", []Expr{ts, nul}, "(ts - NULL)", "TIMESTAMP"},
		{"-", []Expr{ts, dt}, "(ts - CAST(d AS TIMESTAMP))", "INTERVAL"},
		{"+", []Expr{iv, iv}, "(INTERVAL 5m + INTERVAL 5m)", "INTERVAL"},
		{"neg", []Expr{iv}, "neg(INTERVAL 5m)", "INTERVAL"},
		{"<>", []Expr{str, lit("x", catalog.String)}, "(s != 'x')", "BOOLEAN"},
		{"=", []Expr{nul, nul}, "(NULL = NULL)", "BOOLEAN"},
		{"=", []Expr{bl, lit("true", catalog.String)}, "(b = TRUE)", "BOOLEAN"},
		{"in", []Expr{dt, lit("2024-01-01", catalog.String), ts}, "in(CAST(d AS TIMESTAMP), TIMESTAMP '2024-01-01 00:00:00', ts)", "BOOLEAN"},
		{"and", []Expr{bl, nul}, "(b AND NULL)", "BOOLEAN"},
		{"is_null", []Expr{ts}, "is_null(ts)", "BOOLEAN"},
		{"coalesce", []Expr{nul, nul}, "coalesce(NULL, NULL)", "BIGINT"},
		{"case", []Expr{bl, str, nul}, "case(b, s, NULL)", "VARCHAR"},
		{"if", []Expr{i64, str, lit("x", catalog.String)}, "if(CAST(i AS BOOLEAN), s, 'x')", "VARCHAR"},
		{"least", []Expr{ts, dt}, "least(ts, CAST(d AS TIMESTAMP))", "TIMESTAMP"},
		{"concat_ws", []Expr{lit(",", catalog.String), i64, bl}, "concat_ws(',', CAST(i AS VARCHAR), CAST(b AS VARCHAR))", "VARCHAR"},
		{"left", []Expr{str, f64}, "left(s, CAST(f AS BIGINT))", "VARCHAR"},
		{"abs", []Expr{f64}, "abs(f)", "DOUBLE"},
		{"round", []Expr{i64}, "round(i)", "BIGINT"},
		{"sign", []Expr{f64}, "sign(f)", "BIGINT"},
		{"sqrt", []Expr{i64}, "sqrt(CAST(i AS DOUBLE))", "DOUBLE"},
		{"json_extract", []Expr{str, lit("$.a", catalog.String)}, "json_extract(s, '$.a')", "VARCHAR"},
		{"date_add", []Expr{ts, iv}, "(ts + INTERVAL 5m)", "TIMESTAMP"},
		{"date_sub", []Expr{lit("2024-01-01", catalog.String), iv}, "(TIMESTAMP '2024-01-01 00:00:00' - INTERVAL 5m)", "TIMESTAMP"},
		{"to_timestamp", []Expr{i64}, "from_unixtime(i)", "TIMESTAMP"},
		{"to_timestamp", []Expr{str, lit("yyyy-MM-dd", catalog.String)}, "to_timestamp(s, 'yyyy-MM-dd')", "TIMESTAMP"},
		{"current_timestamp", []Expr{lit(int64(3), catalog.Int64)}, "now()", "TIMESTAMP"},
		{"dayofmonth", []Expr{ts}, "day(ts)", "BIGINT"},
		{"unix_timestamp", []Expr{lit("2024-01-01", catalog.String)}, "unix_timestamp(TIMESTAMP '2024-01-01 00:00:00')", "BIGINT"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			e, err := NewCall(c.name, c.args)
			if err != nil {
				t.Fatal(err)
			}
			if e.String() != c.want {
				t.Errorf("got %s, want %s", e, c.want)
			}
			if SQLTypeName(e.Type()) != c.typ {
				t.Errorf("type %s, want %s", SQLTypeName(e.Type()), c.typ)
			}
		})
	}
}

func TestFuncNewCallErrors(t *testing.T) {
	cases := []struct {
		name string
		args []Expr
		msg  string
		hint string
	}{
		{"+", []Expr{str, i64}, "cannot apply + to VARCHAR and BIGINT", ""},
		{"+", []Expr{ts, ts}, "cannot apply + to TIMESTAMP and TIMESTAMP", ""},
		{"*", []Expr{iv, i64}, "cannot apply * to INTERVAL and BIGINT", ""},
		{"=", []Expr{str, i64}, "cannot apply = to VARCHAR and BIGINT", "CAST"},
		{"in", []Expr{i64, lit("x", catalog.String)}, "cannot cast 'x' to BIGINT", ""},
		{"and", []Expr{str, bl}, "cannot apply AND to VARCHAR and BOOLEAN", "AND takes BOOLEAN, BOOLEAN"},
		{"like", []Expr{str, iv}, "cannot apply LIKE to VARCHAR and INTERVAL", ""},
		{"greatest", []Expr{bl, bl}, "cannot apply GREATEST to BOOLEAN and BOOLEAN", ""},
		{"year", []Expr{i64}, "cannot apply YEAR to BIGINT", "YEAR takes TIMESTAMP"},
		{"concat", nil, "CONCAT takes at least 1 argument", ""},
		{"now", []Expr{i64}, "NOW takes a constant precision", ""},
		{"date_add", []Expr{ts, i64}, "DATE_ADD takes an INTERVAL as its second argument, got BIGINT", "DATE_ADD(ts, INTERVAL 5 MINUTE)"},
		{"from_unixtime", []Expr{str}, "cannot apply FROM_UNIXTIME to VARCHAR", ""},
		{"uper", []Expr{str}, "unknown function UPER", "did you mean UPPER?"},
		{"substrin", []Expr{str}, "unknown function SUBSTRIN", "SUBSTRING"},
		{"frobnicate", []Expr{str}, "unknown function FROBNICATE", ""},
		{"cast", []Expr{str}, "CAST needs a target type", ""},
	}
	for _, c := range cases {
		t.Run(c.msg, func(t *testing.T) {
			_, err := NewCall(c.name, c.args)
			pe, ok := err.(*parser.Error)
			if !ok {
				t.Fatalf("want *parser.Error, got %v", err)
			}
			if pe.Pos.IsValid() {
				t.Errorf("NewCall must leave the position to the binder")
			}
			if !strings.Contains(pe.Msg, c.msg) {
				t.Errorf("msg %q, want %q", pe.Msg, c.msg)
			}
			if !strings.Contains(pe.Hint, c.hint) || (c.hint == "" && pe.Hint != "" && !strings.HasPrefix(c.msg, "cannot apply")) {
				t.Errorf("hint %q, want %q", pe.Hint, c.hint)
			}
		})
	}
}

func TestFuncNewCast(t *testing.T) {
	ok := []struct {
		e    Expr
		to   arrow.DataType
		want string
	}{
		{str, catalog.Timestamp, "CAST(s AS TIMESTAMP)"},
		{ts, catalog.String, "CAST(ts AS VARCHAR)"},
		{bl, catalog.Float64, "CAST(b AS DOUBLE)"},
		{dt, catalog.Timestamp, "CAST(d AS TIMESTAMP)"},
		{iv, catalog.String, "'5m'"},
		{lit(2.5, catalog.Float64), catalog.Int64, "2"},
		{lit(int64(0), catalog.Int64), catalog.Bool, "FALSE"},
		{lit(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), catalog.Date), catalog.String, "'2024-01-02'"},
		{lit(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), catalog.Timestamp), catalog.Date, "TIMESTAMP '2024-01-02 00:00:00'"},
		{i64, catalog.Int64, "i"},
	}
	for _, c := range ok {
		e, err := NewCast(c.e, c.to, false)
		if err != nil {
			t.Fatalf("%s: %v", c.want, err)
		}
		if e.String() != c.want {
			t.Errorf("got %s, want %s", e, c.want)
		}
	}
	for _, c := range []struct {
		e   Expr
		to  arrow.DataType
		msg string
	}{
		{ts, catalog.Int64, "cannot cast TIMESTAMP to BIGINT"},
		{i64, catalog.Timestamp, "cannot cast BIGINT to TIMESTAMP"},
		{str, IntervalType, "cannot cast VARCHAR to INTERVAL"},
		{lit("nope", catalog.String), catalog.Bool, "cannot cast 'nope' to BOOLEAN"},
		{lit(1e300, catalog.Float64), catalog.Int64, "cannot cast 1e+300 to BIGINT"},
	} {
		if _, err := NewCast(c.e, c.to, false); err == nil || err.Error() != c.msg {
			t.Errorf("got %v, want %s", err, c.msg)
		}
	}
	e, err := NewCast(lit("nope", catalog.String), catalog.Bool, true)
	if err != nil || e.String() != "NULL" || !isBool(e.Type()) {
		t.Errorf("TRY_CAST of a bad literal: %v %v", e, err)
	}
}

func TestFuncTypeFromText(t *testing.T) {
	for text, want := range map[string]string{
		"BIGINT": "BIGINT", "int": "BIGINT", "SIGNED INTEGER": "BIGINT", "STRING": "VARCHAR",
		"VARCHAR(10)": "VARCHAR", "DECIMAL(10, 2)": "DOUBLE", "DOUBLE PRECISION": "DOUBLE",
		"TIMESTAMP(3)": "TIMESTAMP", "TIMESTAMP(3) WITH LOCAL TIME ZONE": "TIMESTAMP", "date": "DATE", "BOOLEAN": "BOOLEAN",
	} {
		got, err := TypeFromText(text)
		if err != nil || SQLTypeName(got) != want {
			t.Errorf("%s: got %v %v, want %s", text, got, err, want)
		}
	}
	if _, err := TypeFromText("GEOMETRY"); err == nil || !strings.Contains(err.Error(), "unknown type GEOMETRY") {
		t.Errorf("err = %v", err)
	}
}

func TestFuncFunctionNames(t *testing.T) {
	names := strings.Join(FunctionNames(), " ")
	for _, n := range []string{"UPPER", "SUBSTR", "JSON_VALUE", "DATE_FORMAT", "CAST", "EXTRACT", "COALESCE", "IFNULL"} {
		if !strings.Contains(" "+names+" ", " "+n+" ") {
			t.Errorf("%s missing from %s", n, names)
		}
	}
	if strings.Contains(names, "IS_NULL") || strings.Contains(names, "NOT_IN") {
		t.Errorf("operators listed: %s", names)
	}
}

func TestFuncParseTimestamp(t *testing.T) {
	us := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMicro()
	}
	good := map[string]int64{
		"2024-01-02":                       us("2024-01-02T00:00:00Z"),
		"2024-01-02 03:04:05":              us("2024-01-02T03:04:05Z"),
		"2024-01-02T03:04:05Z":             us("2024-01-02T03:04:05Z"),
		"2024-1-2 3:04":                    us("2024-01-02T03:04:00Z"),
		"2024-01-02 03:04:05.123":          us("2024-01-02T03:04:05.123Z"),
		"2024-01-02T03:04:05.123456789":    us("2024-01-02T03:04:05.123456Z"),
		"2024-01-02T03:04:05+02:00":        us("2024-01-02T01:04:05Z"),
		"2024-01-02T03:04:05-0130":         us("2024-01-02T04:34:05Z"),
		" 2024-02-29 00:00:00 UTC ":        us("2024-02-29T00:00:00Z"),
		"1969-12-31 23:59:59.5":            us("1969-12-31T23:59:59.5Z"),
		"0001-01-01 00:00:00":              us("0001-01-01T00:00:00Z"),
		"9999-12-31T23:59:59.999999+00:00": us("9999-12-31T23:59:59.999999Z"),
	}
	for s, want := range good {
		got, ok := ParseTimestamp(s)
		if !ok || got != want {
			t.Errorf("ParseTimestamp(%q) = %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "2024", "2024-13-01", "2023-02-29", "2024-01-02 25:00", "2024-01-02X03:04",
		"2024-01-02 03:04:05.", "2024-01-02 03:04:05 +5", "yesterday", "2024-01-02 03:04:60"} {
		if _, ok := ParseTimestamp(s); ok {
			t.Errorf("ParseTimestamp(%q) accepted", s)
		}
	}
}

func TestFuncAppendTimestamp(t *testing.T) {
	for _, s := range []string{"2024-01-02 03:04:05", "2024-01-02 03:04:05.5", "1969-12-31 23:59:59.000001",
		"0001-01-01 00:00:00", "2000-02-29 12:00:00.123456"} {
		us, ok := ParseTimestamp(s)
		if !ok {
			t.Fatalf("parse %s", s)
		}
		if got := string(AppendTimestamp(nil, us)); got != s {
			t.Errorf("AppendTimestamp = %s, want %s", got, s)
		}
	}
	if got := string(AppendDate(nil, -1)); got != "1969-12-31" {
		t.Errorf("AppendDate(-1) = %s", got)
	}
	for days := int64(-800000); days < 800000; days += 997 {
		y, m, d := CivilFromDays(days)
		if DaysFromCivil(y, m, d) != days {
			t.Fatalf("civil round trip of %d", days)
		}
		if tm := time.Unix(days*86400, 0).UTC(); tm.Year() != int(y) || int64(tm.Month()) != m || tm.Day() != int(d) {
			t.Fatalf("CivilFromDays(%d) = %d-%d-%d, want %v", days, y, m, d, tm)
		}
	}
}

func TestFuncConvertNumbers(t *testing.T) {
	if v, ok := ParseInt64(" 42 "); !ok || v != 42 {
		t.Errorf("ParseInt64 = %d %v", v, ok)
	}
	if v, ok := ParseInt64("-2.5"); !ok || v != -2 {
		t.Errorf("ParseInt64(-2.5) = %d %v", v, ok)
	}
	if _, ok := ParseInt64("4x"); ok {
		t.Error("ParseInt64 accepted 4x")
	}
	for f, want := range map[float64]string{100: "100", 1.5: "1.5", 0.001: "0.001", 1e21: "1e+21", -0.25: "-0.25", 1e-7: "1e-07"} {
		if got := string(AppendFloat(nil, f)); got != want {
			t.Errorf("AppendFloat(%v) = %s, want %s", f, got, want)
		}
	}
	if b, ok := ParseBool("YES"); !ok || !b {
		t.Error("ParseBool(YES)")
	}
}
