package jsonfmt

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DecodeError is the error returned by Decoder.Append. Field is the name of
// the column whose value could not be converted, or empty when the message as
// a whole is wrong (invalid JSON, not an object, empty).
type DecodeError struct {
	Field string
	Msg   string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return fmt.Sprintf("field %q: %s", e.Field, e.Msg)
}

// kind is the decoding family of a column.
type kind uint8

const (
	kindBool kind = iota
	kindInt64
	kindFloat64
	kindString
	kindTimestamp
	kindDate32
)

type column struct {
	name string
	kind kind
	unit arrow.TimeUnit // kindTimestamp only
	nest *nestedPlan    // kindNested only (nested.go)

	builder array.Builder
	bools   *array.BooleanBuilder
	ints    *array.Int64Builder
	floats  *array.Float64Builder
	strs    *array.BinaryBuilder // the StringBuilder's embedded BinaryBuilder
	times   *array.TimestampBuilder
	dates   *array.Date32Builder
}

// slot holds the converted value of one column for the row being decoded.
type slot struct {
	gen   uint32 // == Decoder.gen when the column was seen in this row
	null  bool
	fold  bool // value came from a case-insensitive key match
	i     int64
	f     float64
	bytes []byte // kindString: points into the message or Decoder.scratch
}

// Decoder appends JSON objects, one per message, as rows of Arrow builders.
// A Decoder is not safe for concurrent use.
type Decoder struct {
	schema *arrow.Schema
	cols   []column
	slots  []slot
	gen    uint32
	rows   int

	exact    map[string]int // column name -> index
	folded   map[string]int // ASCII-lowercased ASCII column name -> first index
	nonASCII []int          // columns whose name has non-ASCII bytes
	next     int            // predicted index of the next key's column
	scratch  []byte         // unescaped string values of the current row
	keybuf   []byte         // unescaped key
	foldbuf  []byte         // ASCII-lowercased key
	lastRows int
	lastData []int // per column: string data bytes in the last batch
}

// CheckSchema reports whether NewDecoder supports every field of schema:
// Boolean, Int64, Float64, String, Timestamp (any unit; the value is an
// instant, the time zone is not used), Date32, and structs, lists and maps
// with string keys of them (nested.go).
func CheckSchema(schema *arrow.Schema) error {
	for _, f := range schema.Fields() {
		if _, _, err := kindOf(f.Type); err != nil {
			return fmt.Errorf("jsonfmt: column %q: %w", f.Name, err)
		}
	}
	return nil
}

func kindOf(t arrow.DataType) (kind, arrow.TimeUnit, error) {
	switch t.ID() {
	case arrow.BOOL:
		return kindBool, 0, nil
	case arrow.INT64:
		return kindInt64, 0, nil
	case arrow.FLOAT64:
		return kindFloat64, 0, nil
	case arrow.STRING:
		return kindString, 0, nil
	case arrow.TIMESTAMP:
		return kindTimestamp, t.(*arrow.TimestampType).Unit, nil
	case arrow.DATE32:
		return kindDate32, 0, nil
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		if _, err := newNestedPlan(t); err != nil {
			return 0, 0, err
		}
		return kindNested, 0, nil
	}
	return 0, 0, fmt.Errorf("unsupported type %s", t)
}

// NewDecoder returns a decoder that appends rows of schema to builders
// allocated from mem. It panics if a field has a type CheckSchema rejects.
func NewDecoder(schema *arrow.Schema, mem memory.Allocator) *Decoder {
	if err := CheckSchema(schema); err != nil {
		panic(err)
	}
	fields := schema.Fields()
	d := &Decoder{
		schema:   schema,
		cols:     make([]column, len(fields)),
		slots:    make([]slot, len(fields)),
		gen:      1,
		exact:    make(map[string]int, len(fields)),
		folded:   make(map[string]int, len(fields)),
		lastData: make([]int, len(fields)),
		keybuf:   make([]byte, 0, 64),
		foldbuf:  make([]byte, 0, 64),
	}
	for i, f := range fields {
		k, unit, _ := kindOf(f.Type)
		c := &d.cols[i]
		c.name = f.Name
		c.kind = k
		c.unit = unit
		c.builder = array.NewBuilder(mem, f.Type)
		switch k {
		case kindBool:
			c.bools = c.builder.(*array.BooleanBuilder)
		case kindInt64:
			c.ints = c.builder.(*array.Int64Builder)
		case kindFloat64:
			c.floats = c.builder.(*array.Float64Builder)
		case kindString:
			c.strs = c.builder.(*array.StringBuilder).BinaryBuilder
		case kindTimestamp:
			c.times = c.builder.(*array.TimestampBuilder)
		case kindDate32:
			c.dates = c.builder.(*array.Date32Builder)
		case kindNested:
			c.nest, _ = newNestedPlan(f.Type)
		}
		if _, dup := d.exact[f.Name]; !dup {
			d.exact[f.Name] = i
		}
		if isASCII(f.Name) {
			low := string(lowerASCII(nil, []byte(f.Name)))
			if _, dup := d.folded[low]; !dup {
				d.folded[low] = i
			}
		} else {
			d.nonASCII = append(d.nonASCII, i)
		}
	}
	return d
}

// Len is the number of rows appended since the last NewRecord.
func (d *Decoder) Len() int { return d.rows }

// Schema is the schema the decoder was built for.
func (d *Decoder) Schema() *arrow.Schema { return d.schema }

// Append decodes one JSON object and appends it as one row. On error no row
// is appended and the error, a *DecodeError, says what is wrong.
//
// Rules: keys match columns by exact name, else case-insensitively (an exact
// key wins over a case-insensitive one for the same column); unknown keys
// are skipped; missing keys and null give NULL; when a key occurs more than
// once the last occurrence wins, but every occurrence must be valid.
func (d *Decoder) Append(value []byte) error {
	d.gen++
	if d.gen == 0 { // wrapped: forget every stale generation
		for i := range d.slots {
			d.slots[i].gen = 0
		}
		d.gen = 1
	}
	if cap(d.scratch) < len(value) {
		d.scratch = make([]byte, 0, len(value)+len(value)/2)
	}
	d.scratch = d.scratch[:0]
	if err := d.parseObject(value); err != nil {
		return err
	}
	d.commit()
	d.rows++
	return nil
}

// commit appends the staged slots of the current row to the builders.
func (d *Decoder) commit() {
	gen := d.gen
	for i := range d.cols {
		c := &d.cols[i]
		s := &d.slots[i]
		if s.gen != gen || s.null {
			c.builder.AppendNull()
			continue
		}
		switch c.kind {
		case kindString:
			c.strs.Append(s.bytes)
		case kindFloat64:
			c.floats.Append(s.f)
		case kindInt64:
			c.ints.Append(s.i)
		case kindTimestamp:
			c.times.Append(arrow.Timestamp(s.i))
		case kindDate32:
			c.dates.Append(arrow.Date32(s.i))
		case kindBool:
			c.bools.Append(s.i != 0)
		case kindNested:
			d.commitNested(c, s)
		}
	}
}

// NewRecord returns the rows appended so far as a record and resets the
// builders. The caller owns the record and must Release it.
func (d *Decoder) NewRecord() arrow.Record {
	n := d.rows
	arrs := make([]arrow.Array, len(d.cols))
	for i := range d.cols {
		c := &d.cols[i]
		if c.strs != nil {
			d.lastData[i] = c.strs.DataLen()
		}
		arrs[i] = c.builder.NewArray()
	}
	rec := array.NewRecordBatch(d.schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	d.rows = 0
	// Batches tend to be alike: reserve what the last one needed so the
	// next one does not grow its buffers row by row.
	if n > 0 {
		for i := range d.cols {
			c := &d.cols[i]
			c.builder.Reserve(n)
			if c.strs != nil && d.lastData[i] > 0 {
				c.strs.ReserveData(d.lastData[i])
			}
		}
	}
	return rec
}

// Release releases the builders. The decoder must not be used afterwards.
func (d *Decoder) Release() {
	for i := range d.cols {
		if d.cols[i].builder != nil {
			d.cols[i].builder.Release()
			d.cols[i].builder = nil
		}
	}
}

// lookup returns the column index for key, or -1, and whether the match was
// case-insensitive. hi says key has bytes >= 0x80.
func (d *Decoder) lookup(key []byte, hi bool) (int, bool) {
	// Producers almost always write keys in the same order, usually the
	// schema's: try the column after the previous match first.
	if n := d.next; n < len(d.cols) && d.cols[n].name == string(key) {
		d.next = n + 1
		return n, false
	}
	if i, ok := d.exact[string(key)]; ok {
		d.next = i + 1
		return i, false
	}
	best := -1
	if !hi {
		d.foldbuf = lowerASCII(d.foldbuf[:0], key)
		if i, ok := d.folded[string(d.foldbuf)]; ok {
			best = i
		}
		for _, i := range d.nonASCII {
			if (best < 0 || i < best) && equalFold(key, d.cols[i].name) {
				best = i
				break
			}
		}
	} else {
		for i := range d.cols {
			if equalFold(key, d.cols[i].name) {
				best = i
				break
			}
		}
	}
	if best >= 0 {
		d.next = best + 1
	}
	return best, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(dst, s []byte) []byte {
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
