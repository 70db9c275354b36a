package delta

import (
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestForeignPartitionTypes reads partition values of every primitive
// type tide reads, in the serializations the protocol allows (timestamps
// with a space or ISO 8601 in UTC), with null partition values both as a
// JSON null and as the empty string.
func TestForeignPartitionTypes(t *testing.T) {
	h := newHandTable(t)
	parts := []string{"p_str", "p_int", "p_long", "p_date", "p_ts", "p_ntz", "p_bool", "p_dec", "p_dbl", "p_short"}
	h.commit(
		protocolLine(3, 7, []string{"timestampNtz"}, []string{"timestampNtz"}),
		metaDataLine(parts, nil,
			field("v", "long", nil), field("p_str", "string", nil), field("p_int", "integer", nil), field("p_long", "long", nil),
			field("p_date", "date", nil), field("p_ts", "timestamp", nil), field("p_ntz", "timestamp_ntz", nil),
			field("p_bool", "boolean", nil), field("p_dec", "decimal(10,2)", nil), field("p_dbl", "double", nil), field("p_short", "short", nil)),
	)
	data := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	s1 := h.parquet("p_str=a%20b/f1.parquet", data, `[{"v":1},{"v":2}]`)
	s2 := h.parquet("nulls/f2.parquet", data, `[{"v":3}]`)
	s3 := h.parquet("iso/f3.parquet", data, `[{"v":4}]`)
	h.commit(
		addLine("p_str=a%2520b/f1.parquet", s1, map[string]*string{
			"p_str": sp("a b"), "p_int": sp("-7"), "p_long": sp("9007199254740993"), "p_date": sp("2021-03-04"),
			"p_ts": sp("2021-03-04 05:06:07.123456"), "p_ntz": sp("2021-03-04 05:06:07"), "p_bool": sp("true"),
			"p_dec": sp("12.34"), "p_dbl": sp("-0.5"), "p_short": sp("32767"),
		}, nil),
		addLine("nulls/f2.parquet", s2, map[string]*string{
			"p_str": nil, "p_int": sp(""), "p_long": nil, "p_date": sp(""), "p_ts": nil, "p_ntz": sp(""),
			"p_bool": nil, "p_dec": sp(""), "p_dbl": nil, "p_short": sp(""),
		}, nil),
		addLine("iso/f3.parquet", s3, map[string]*string{
			"p_str": sp(""), "p_int": sp("2147483647"), "p_long": sp("-9223372036854775808"), "p_date": sp("1969-12-31"),
			"p_ts": sp("2021-03-04T05:06:07.123456Z"), "p_ntz": sp("9999-12-31 23:59:59.999999"), "p_bool": sp("false"),
			"p_dec": sp("-0.01"), "p_dbl": sp("1e300"), "p_short": sp("-32768"),
		}, nil),
	)
	mem := newMem(t)
	recs, sc, _, err := ReadTable(h.dir, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	if got, want := schemaText(sc), "v BIGINT, p_str VARCHAR, p_int BIGINT, p_long BIGINT, p_date DATE, p_ts TIMESTAMP, p_ntz TIMESTAMP, p_bool BOOLEAN, p_dec DOUBLE, p_dbl DOUBLE, p_short BIGINT"; got != want {
		t.Errorf("schema %s, want %s", got, want)
	}
	want := []string{
		"1|a b|-7|9007199254740993|2021-03-04|2021-03-04T05:06:07.123456Z|2021-03-04T05:06:07Z|true|12.34|-0.5|32767",
		"2|a b|-7|9007199254740993|2021-03-04|2021-03-04T05:06:07.123456Z|2021-03-04T05:06:07Z|true|12.34|-0.5|32767",
		"3|null|null|null|null|null|null|null|null|null|null",
		"4|null|2147483647|-9223372036854775808|1969-12-31|2021-03-04T05:06:07.123456Z|9999-12-31T23:59:59.999999Z|false|-0.01|1e+300|-32768",
	}
	if got := renderRows(recs); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	t.Run("a partition value that does not parse as its type is an error naming the column", func(t *testing.T) {
		s4 := h.parquet("bad/f4.parquet", data, `[{"v":5}]`)
		h.commit(addLine("bad/f4.parquet", s4, map[string]*string{"p_int": sp("seven")}, nil))
		_, _, _, err := ReadTable(h.dir, newMem(t))
		if err == nil || !strings.Contains(err.Error(), `column "p_int" (delta type integer)`) || !strings.Contains(err.Error(), `"seven"`) || !strings.Contains(err.Error(), "bad/f4.parquet") {
			t.Errorf("err %v", err)
		}
	})
}
