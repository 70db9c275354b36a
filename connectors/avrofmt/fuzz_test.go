package avrofmt

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzDecoderNeverPanics feeds the decoder arbitrary bytes under the
// all-types schema (nested, recursive, unions, maps, arrays, fixed): every
// value either decodes into one row or is a *DecodeError that appends
// nothing; the decoder never panics and its columns stay aligned.
func FuzzDecoderNeverPanics(f *testing.F) {
	for i, opt := range []any{"set", nil} {
		f.Add(encode(f, allTypes, allTypesValue(i, opt)))
	}
	f.Add([]byte{})
	f.Add([]byte{0x80, 0x80, 0x80})
	tb := table(f, allColumns)
	src := registrySource(f, tb, map[int32]string{7: allTypes})
	f.Fuzz(func(t *testing.T, body []byte) {
		d := newDecoder(src, memory.NewGoAllocator())
		defer d.Release()
		err := d.Append(framed(7, body))
		var de *DecodeError
		switch {
		case err == nil && d.Len() != 1:
			t.Fatalf("decoded, but %d rows", d.Len())
		case err != nil && (!errors.As(err, &de) || d.Len() != 0):
			t.Fatalf("error %v (%T) with %d rows", err, err, d.Len())
		}
		rec := d.NewRecord()
		defer rec.Release()
		for i := range int(rec.NumCols()) {
			if rec.Column(i).Len() != int(rec.NumRows()) {
				t.Fatalf("column %d has %d values for %d rows", i, rec.Column(i).Len(), rec.NumRows())
			}
		}
	})
}
