package jsonfmt

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/format"
)

// The JSON encoding of strings and floats agrees with encoding/json (NaN
// and infinities, which JSON lacks, become null).
func TestEncodedStringsAndFloatsAgreeWithEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x01\x1f\x7f", "tab\tnl\ncr\r", "é日本🙂", "bad\xffutf8\xc3", "\u2028\u2029", "<&>"} {
		want, _ := json.Marshal(s)
		want = []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(want)))
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("string %q: %s, want %s", s, got, want)
		}
	}
	for _, f := range []float64{0, -0.5, 1, 12.5, 1e20, 1e21, 1.5e-6, 1e-7, 123456789.125, -3e-10, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		want, _ := json.Marshal(f)
		if got := appendFloat(nil, f, 64); string(got) != string(want) {
			t.Errorf("float %v: %s, want %s", f, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := appendFloat(nil, f, 64); string(got) != "null" {
			t.Errorf("float %v: %s, want null", f, got)
		}
	}
}

// Rows encode as JSON objects of their value columns; keys as the text of
// one column (nothing when it is NULL) or an object of several; and what
// is written decodes back to the same rows with the decoder.
func TestEncoderWritesRowsTheDecoderReadsBack(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, _, err := array.RecordFromJSON(mem, testSchema, strings.NewReader(`[
		{"name": "a\"b", "qty": 3, "amount": 1.5, "ok": true, "ts": 1714564800123000, "day": 19844},
		{"name": null, "qty": null, "amount": null, "ok": null, "ts": null, "day": null}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	all := make([]int, rec.NumCols())
	for i := range all {
		all[i] = i
	}
	enc, err := NewEncoder(format.EncoderSpec{Schema: testSchema, Value: all, Key: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	enc2, err := NewEncoder(format.EncoderSpec{Schema: testSchema, Value: all, Key: []int{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	dec := NewDecoder(testSchema, mem)
	defer dec.Release()
	wantKeys := []string{`a"b`, ""}
	wantKeys2 := []string{`{"name":"a\"b","qty":3}`, `{"name":null,"qty":null}`}
	for row := 0; row < int(rec.NumRows()); row++ {
		v, _ := enc.AppendValue(nil, rec, row)
		if !json.Valid(v) {
			t.Fatalf("row %d: %s is not JSON", row, v)
		}
		if err := dec.Append(v); err != nil {
			t.Fatalf("row %d: %s does not decode: %v", row, v, err)
		}
		if k, _ := enc.AppendKey(nil, rec, row); string(k) != wantKeys[row] {
			t.Errorf("row %d: key %q, want %q", row, k, wantKeys[row])
		}
		if k, _ := enc2.AppendKey(nil, rec, row); string(k) != wantKeys2[row] {
			t.Errorf("row %d: key %s, want %s", row, k, wantKeys2[row])
		}
	}
	back := dec.NewRecord()
	defer back.Release()
	if !array.RecordEqual(rec, back) {
		t.Fatalf("decoded %v, want %v", back, rec)
	}
	// Nested columns are written as JSON, but an object's keys are text.
	if _, err := NewEncoder(format.EncoderSpec{Schema: arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String)}}, nil), Value: []int{0}}); err != nil {
		t.Errorf("a list column: %v", err)
	}
	if _, err := NewEncoder(format.EncoderSpec{Schema: arrow.NewSchema([]arrow.Field{{Name: "m", Type: arrow.MapOf(arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String)}}, nil), Value: []int{0}}); err == nil ||
		!strings.Contains(err.Error(), "column m") {
		t.Errorf("a map keyed by BIGINT: %v", err)
	}
}
