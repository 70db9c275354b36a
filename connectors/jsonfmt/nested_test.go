package jsonfmt

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

var (
	lineType  = catalog.RowOf(arrow.Field{Name: "sku", Type: catalog.String}, arrow.Field{Name: "qty", Type: catalog.Int64}, arrow.Field{Name: "price", Type: catalog.Float64})
	orderType = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: catalog.Int64, Nullable: true},
		{Name: "customer", Type: catalog.RowOf(arrow.Field{Name: "Name", Type: catalog.String},
			arrow.Field{Name: "since", Type: catalog.Timestamp},
			arrow.Field{Name: "address", Type: catalog.RowOf(arrow.Field{Name: "city", Type: catalog.String}, arrow.Field{Name: "day", Type: catalog.Date})}), Nullable: true},
		{Name: "items", Type: catalog.ArrayOf(lineType), Nullable: true},
		{Name: "tags", Type: catalog.ArrayOf(catalog.String), Nullable: true},
		{Name: "matrix", Type: catalog.ArrayOf(catalog.ArrayOf(catalog.Int64)), Nullable: true},
		{Name: "attrs", Type: catalog.MapOf(catalog.Int64), Nullable: true},
		{Name: "flags", Type: catalog.MapOf(catalog.ArrayOf(catalog.Bool)), Nullable: true},
	}, nil)
)

// decodeJSON appends msgs and returns each row as name=JSON of its
// non-NULL columns (executor.FormatValue), and each message's error.
func decodeJSON(t *testing.T, schema *arrow.Schema, msgs ...string) ([]string, []error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := NewDecoder(schema, mem)
	defer d.Release()
	errs := make([]error, len(msgs))
	appended := 0
	for i, m := range msgs {
		if errs[i] = d.Append([]byte(m)); errs[i] == nil {
			appended++
		}
		for c := range d.cols {
			if n := d.cols[c].builder.Len(); n != appended {
				t.Fatalf("after message %d: column %q has %d values, want %d", i, d.cols[c].name, n, appended)
			}
		}
	}
	rec := d.NewRecord()
	defer rec.Release()
	var rows []string
	for i := 0; i < int(rec.NumRows()); i++ {
		var parts []string
		for c := 0; c < int(rec.NumCols()); c++ {
			col := rec.Column(c)
			if col.IsNull(i) {
				continue
			}
			parts = append(parts, rec.ColumnName(c)+"="+executor.FormatValue(executor.Value(col, i), col.DataType()))
		}
		rows = append(rows, strings.Join(parts, " "))
	}
	return rows, errs
}

func TestNestedValues(t *testing.T) {
	for _, c := range []struct{ name, msg, want string }{
		{"a ROW reads its fields by name, in any order, without case; missing fields are NULL; other keys are skipped",
			`{"customer": {"address": {"city": "Lyon", "zip": "69001"}, "name": "Ann", "extra": [1, {"x": 2}]}}`,
			`customer={"Name":"Ann","since":null,"address":{"city":"Lyon","day":null}}`},
		{"a repeated key keeps its last value, and an exact key wins over one that matches only without case",
			`{"customer": {"Name": "exact", "name": "folded", "address": {"city": "a", "city": "b"}}}`,
			`customer={"Name":"exact","since":null,"address":{"city":"b","day":null}}`},
		{"values inside convert as top-level values do",
			`{"customer": {"since": 1700000000123, "address": {"day": "2024-02-29"}}, "items": [{"qty": "7", "price": "1e2"}]}`,
			`customer={"Name":null,"since":"2023-11-14T22:13:20.123Z","address":{"city":null,"day":"2024-02-29"}} items=[{"sku":null,"qty":7,"price":100}]`},
		{"arrays keep their order and their NULLs; arrays nest",
			`{"tags": ["b", null, "a\u00e9\n"], "matrix": [[1, 2], [], null, [3]], "items": [null, {"sku": "x"}]}`,
			`items=[null,{"sku":"x","qty":null,"price":null}] tags=["b",null,"aé\n"] matrix=[[1,2],[],null,[3]]`},
		{"a VARCHAR inside a nested value keeps an object or array as its JSON text",
			`{"tags": [{"a": 1}, [true]]}`, `tags=["{\"a\": 1}","[true]"]`},
		{"a MAP keeps every key; a repeated key keeps its first place and its last value; keys may be escaped",
			`{"attrs": {"b": 1, "a": 2, "b": 3, "\u0063": null}, "flags": {"x": [true, null], "y": []}}`,
			`attrs={"b":3,"a":2,"c":null} flags={"x":[true,null],"y":[]}`},
		{"empty and null nested values",
			`{"customer": {}, "items": [], "attrs": {}, "tags": null, "flags": null}`,
			`customer={"Name":null,"since":null,"address":null} items=[] attrs={}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, errs := decodeJSON(t, orderType, c.msg)
			if errs[0] != nil {
				t.Fatal(errs[0])
			}
			if rows[0] != c.want {
				t.Fatalf("got  %s\nwant %s", rows[0], c.want)
			}
		})
	}
}

func TestNestedTypeMismatchesNameThePath(t *testing.T) {
	for _, c := range []struct{ msg, err string }{
		{`{"customer": "Ann"}`, `field "customer": expected an object (a ROW), got string "Ann"`},
		{`{"customer": {"address": {"day": "2024-13-01"}}}`, `field "customer.address.day": invalid date "2024-13-01": month out of range`},
		{`{"items": [{"qty": 1}, {"qty": 1.5}]}`, `field "items[2].qty": expected an integer, got number 1.5`},
		{`{"items": {"qty": 1}}`, `field "items": expected an array, got object`},
		{`{"matrix": [[1], [2, "x"]]}`, `field "matrix[2][2]": expected an integer, got string "x"`},
		{`{"attrs": {"ok": 1, "bad": true}}`, `field "attrs['bad']": expected an integer, got true`},
		{`{"attrs": [1]}`, `field "attrs": expected an object (a MAP), got array`},
		{`{"flags": {"x": [1]}}`, `field "flags['x'][1]": expected a boolean, got number 1`},
		{"{\"attrs\": {\"\xff\": 1}}", `field "attrs['\xff']": invalid UTF-8 in a map key`},
		{`{"customer": {"Name": "a"}, "items": [{"qty": 1,}]}`, `invalid JSON at byte 48: unexpected '}'`},
	} {
		t.Run(c.msg, func(t *testing.T) {
			// A good row before and after: the bad one appends nothing.
			rows, errs := decodeJSON(t, orderType, `{"id": 1, "items": [{"sku": "a"}]}`, c.msg, `{"id": 2, "attrs": {"k": 1}}`)
			if errs[1] == nil {
				t.Fatalf("no error, want %s", c.err)
			}
			if errs[1].Error() != c.err {
				t.Fatalf("error %q, want %q", errs[1].Error(), c.err)
			}
			want := []string{`id=1 items=[{"sku":"a","qty":null,"price":null}]`, `id=2 attrs={"k":1}`}
			if strings.Join(rows, "\n") != strings.Join(want, "\n") {
				t.Fatalf("rows %q, want %q", rows, want)
			}
		})
	}
}

func TestNestedColumnsAreCheckedBySchema(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "m", Type: arrow.MapOf(catalog.Int64, catalog.String)}}, nil)
	if err := CheckSchema(s); err == nil || !strings.Contains(err.Error(), `column "m": MAP keys must be VARCHAR`) {
		t.Fatalf("CheckSchema = %v", err)
	}
	s = arrow.NewSchema([]arrow.Field{{Name: "r", Type: arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int32})}}, nil)
	if err := CheckSchema(s); err == nil || !strings.Contains(err.Error(), `field x: unsupported type int32`) {
		t.Fatalf("CheckSchema = %v", err)
	}
}

// TestNestedAgreesWithStdlib decodes random nested records and compares
// each with what encoding/json makes of the same message (converted to
// the declared types here, independently of the decoder).
func TestNestedAgreesWithStdlib(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "r", Type: catalog.RowOf(arrow.Field{Name: "a", Type: catalog.Int64}, arrow.Field{Name: "s", Type: catalog.String},
			arrow.Field{Name: "xs", Type: catalog.ArrayOf(catalog.Float64)}), Nullable: true},
		{Name: "m", Type: catalog.MapOf(catalog.RowOf(arrow.Field{Name: "b", Type: catalog.Bool})), Nullable: true},
	}, nil)
	rng := rand.New(rand.NewSource(3))
	var msgs, want []string
	for n := 0; n < 300; n++ {
		msg := randomNested(rng)
		msgs = append(msgs, msg)
		want = append(want, stdlibNested(t, msg))
	}
	got, errs := decodeJSON(t, schema, msgs...)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("message %s: %v", msgs[i], err)
		}
	}
	for i := range msgs {
		if got[i] != want[i] {
			t.Fatalf("message %s\n got  %s\n want %s", msgs[i], got[i], want[i])
		}
	}
}

// randomNested is a message for TestNestedAgreesWithStdlib: fields present
// or not, null or not, keys in any order, extra keys, unique map keys.
func randomNested(rng *rand.Rand) string {
	var parts []string
	if rng.Intn(4) > 0 {
		if rng.Intn(5) == 0 {
			parts = append(parts, `"r": null`)
		} else {
			var f []string
			if rng.Intn(3) > 0 {
				f = append(f, fmt.Sprintf(`"a": %d`, rng.Int63n(1<<40)-1<<39))
			}
			if rng.Intn(3) > 0 {
				f = append(f, fmt.Sprintf(`"s": %q`, strconv.Itoa(rng.Intn(100))+"é\"x"))
			}
			if rng.Intn(3) > 0 {
				var xs []string
				for k := rng.Intn(4); k > 0; k-- {
					if rng.Intn(4) == 0 {
						xs = append(xs, "null")
					} else {
						xs = append(xs, strconv.FormatFloat(rng.NormFloat64()*1000, 'g', -1, 64))
					}
				}
				f = append(f, `"xs": [`+strings.Join(xs, ", ")+`]`)
			}
			if rng.Intn(3) == 0 {
				f = append(f, `"other": {"a": [1, 2]}`)
			}
			rng.Shuffle(len(f), func(i, j int) { f[i], f[j] = f[j], f[i] })
			parts = append(parts, `"r": {`+strings.Join(f, ", ")+`}`)
		}
	}
	if rng.Intn(4) > 0 {
		var e []string
		for k := rng.Intn(5); k > 0; k-- {
			v := `null`
			switch rng.Intn(3) {
			case 0:
				v = fmt.Sprintf(`{"b": %v}`, rng.Intn(2) == 0)
			case 1:
				v = `{}`
			}
			e = append(e, fmt.Sprintf(`"k%d": %s`, k, v))
		}
		parts = append(parts, `"m": {`+strings.Join(e, ", ")+`}`)
	}
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return "{" + strings.Join(parts, ", ") + "}"
}

// stdlibNested is the row decodeJSON should print for msg, computed with
// encoding/json: fields in declared order, missing ones null.
func stdlibNested(t *testing.T, msg string) string {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(msg), &top); err != nil {
		t.Fatal(err)
	}
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
	}
	var parts []string
	if raw, ok := top["r"]; ok && string(raw) != "null" {
		var r struct {
			A  *int64     `json:"a"`
			S  *string    `json:"s"`
			Xs *[]float64 `json:"xs"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		var xs any
		if r.Xs != nil {
			var raws []json.RawMessage
			var outer map[string]json.RawMessage
			json.Unmarshal(raw, &outer)
			json.Unmarshal(outer["xs"], &raws)
			list := make([]string, len(raws))
			for i, x := range raws {
				if string(x) == "null" {
					list[i] = "null"
					continue
				}
				f, _ := strconv.ParseFloat(string(x), 64)
				list[i] = string(executor.AppendJSON(nil, f))
			}
			xs = json.RawMessage("[" + strings.Join(list, ",") + "]")
		}
		parts = append(parts, `r={"a":`+enc(r.A)+`,"s":`+enc(r.S)+`,"xs":`+enc(xs)+`}`)
	}
	if raw, ok := top["m"]; ok && string(raw) != "null" {
		var m map[string]*struct {
			B *bool `json:"b"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		// The map keeps the message's key order: k<n> counts down.
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] > keys[j] })
		var e []string
		for _, k := range keys {
			v := "null"
			if m[k] != nil {
				v = `{"b":` + enc(m[k].B) + `}`
			}
			e = append(e, enc(k)+":"+v)
		}
		parts = append(parts, "m={"+strings.Join(e, ",")+"}")
	}
	return strings.Join(parts, " ")
}

// FuzzNestedDecoder: any input either decodes into every nested column or
// appends nothing, and never panics.
func FuzzNestedDecoder(f *testing.F) {
	for _, s := range []string{
		`{"id": 1, "customer": {"Name": "a", "address": {"city": "x"}}, "items": [{"sku": "a", "qty": 1, "price": 2.5}], "tags": ["a", null], "matrix": [[1], []], "attrs": {"k": 1, "k": 2}, "flags": {"x": [true]}}`,
		`{"customer": {"name": null, "NAME": "b", "since": "2024-01-01T00:00:00Z"}, "items": [null, {}], "attrs": {"\u0041": null}}`,
		`{"items": [{"qty": "1"}, {"qty": 1.5}]}`, `{"matrix": [[1, [2]]]}`, `{"attrs": []}`, `{"flags": {"x": [1, ]}}`,
		`{"tags": [{"a": [1, 2]}, "x"]}`, `{"customer": {"address": "x"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		d := NewDecoder(orderType, mem)
		defer d.Release()
		for rep := 0; rep < 2; rep++ {
			err := d.Append(data)
			if err == nil && !json.Valid(data) {
				t.Fatalf("accepted invalid JSON %q", data)
			}
			for c := range d.cols {
				if n := d.cols[c].builder.Len(); n != d.Len() {
					t.Fatalf("column %q has %d values, decoder has %d rows", d.cols[c].name, n, d.Len())
				}
			}
		}
		rec := d.NewRecord()
		for i := 0; i < int(rec.NumRows()); i++ {
			for c := 0; c < int(rec.NumCols()); c++ {
				executor.FormatValue(executor.Value(rec.Column(c), i), rec.Column(c).DataType())
			}
		}
		rec.Release()
	})
}

func TestDecodeValueReadsOneJSONValueIntoABuilder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	typ := catalog.MapOf(catalog.ArrayOf(catalog.RowOf(arrow.Field{Name: "n", Type: catalog.Int64})))
	b := array.NewBuilder(mem, typ)
	defer b.Release()
	for _, v := range []string{` {"b": [{"n": 1}, null], "a": []} `, `null`, `{}`} {
		if err := DecodeValue(b, []byte(v)); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
	}
	for _, c := range []struct{ v, err string }{
		{`{"a": [{"n": "x"}]}`, `field "['a'][1].n": expected an integer, got string "x"`},
		{`{"a": []} x`, `invalid JSON at byte 10: unexpected 'x' after the value`},
		{``, `invalid JSON at byte 0: unexpected end of input`},
	} {
		if err := DecodeValue(b, []byte(c.v)); err == nil || err.Error() != c.err {
			t.Errorf("%q: error %v, want %s", c.v, err, c.err)
		}
	}
	arr := b.NewArray()
	defer arr.Release()
	var got []string
	for i := 0; i < arr.Len(); i++ {
		got = append(got, executor.FormatValue(executor.Value(arr, i), typ))
	}
	if strings.Join(got, " ") != `{"b":[{"n":1},null],"a":[]} NULL {}` {
		t.Fatalf("appended %s", got)
	}
}

// BenchmarkDecodeNested decodes orders with a ROW, an ARRAY of ROWs and a
// MAP (about 250 bytes each), for comparison with BenchmarkDecode.
func BenchmarkDecodeNested(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	msgs := make([][]byte, 4096)
	total := 0
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, `{"id":%d,"customer":{"Name":"c%d","address":{"city":"Lyon"}},"items":[{"sku":"s%d","qty":%d,"price":%d.5},{"sku":"s%d","qty":1,"price":2}],"tags":["a","b"],"attrs":{"clicks":%d,"views":%d}}`,
			i, rng.Intn(100), rng.Intn(50), rng.Intn(5), rng.Intn(100), rng.Intn(50), rng.Intn(1000), rng.Intn(1000))
		total += len(msgs[i])
	}
	d := NewDecoder(orderType, memory.NewGoAllocator())
	defer d.Release()
	b.SetBytes(int64(total / len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Append(msgs[i&4095]); err != nil {
			b.Fatal(err)
		}
		if d.Len() == 8192 {
			d.NewRecord().Release()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
