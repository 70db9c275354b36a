package postgres

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tide-sql/tide/executor"
)

// getter returns row i of a column as the Go value pgx encodes (nil for
// NULL).
type getter func(i int) any

func getterFor(arr arrow.Array) (getter, error) {
	switch a := arr.(type) {
	case *array.Boolean:
		return func(i int) any {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i)
		}, nil
	case *array.Int64:
		return intGetter(a, a.Value), nil
	case *array.Int32:
		return intGetter(a, a.Value), nil
	case *array.Int16:
		return intGetter(a, a.Value), nil
	case *array.Int8:
		return intGetter(a, a.Value), nil
	case *array.Uint32:
		return intGetter(a, a.Value), nil
	case *array.Uint16:
		return intGetter(a, a.Value), nil
	case *array.Uint8:
		return intGetter(a, a.Value), nil
	case *array.Float64:
		return floatGetter(a, a.Value), nil
	case *array.Float32:
		return floatGetter(a, a.Value), nil
	case *array.String:
		return func(i int) any {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i)
		}, nil
	case *array.LargeString:
		return func(i int) any {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i)
		}, nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(i int) any {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i).ToTime(unit)
		}, nil
	case *array.Date32:
		return func(i int) any {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i).ToTime()
		}, nil
	case *array.Date64:
		return func(i int) any {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i).ToTime()
		}, nil
	case *array.Null:
		return func(int) any { return nil }, nil
	case *array.Struct, *array.List, *array.Map:
		// A jsonb value: the nested value as JSON, sent as it is.
		return func(i int) any {
			if arr.IsNull(i) {
				return nil
			}
			return json.RawMessage(executor.AppendJSON(nil, executor.Value(arr, i)))
		}, nil
	}
	return nil, fmt.Errorf("type %s cannot be written to PostgreSQL", arr.DataType())
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32
}

func intGetter[T integer](a arrow.Array, value func(int) T) getter {
	return func(i int) any {
		if a.IsNull(i) {
			return nil
		}
		return int64(value(i))
	}
}

func floatGetter[T float32 | float64](a arrow.Array, value func(int) T) getter {
	return func(i int) any {
		if a.IsNull(i) {
			return nil
		}
		return float64(value(i))
	}
}

// appendKey appends an encoding of row i of arr that is equal for equal
// values (and for two NULLs), for deduplicating keys.
func appendKey(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(b, 0)
	}
	b = append(b, 1)
	switch a := arr.(type) {
	case *array.Boolean:
		if a.Value(i) {
			return append(b, 1)
		}
		return append(b, 0)
	case *array.Int64:
		return binary.LittleEndian.AppendUint64(b, uint64(a.Value(i)))
	case *array.Int32:
		return binary.LittleEndian.AppendUint64(b, uint64(a.Value(i)))
	case *array.Float64:
		v := a.Value(i)
		if v == 0 {
			v = 0 // -0 and 0 are one key
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	case *array.String:
		v := a.Value(i)
		return append(binary.AppendUvarint(b, uint64(len(v))), v...)
	case *array.LargeString:
		v := a.Value(i)
		return append(binary.AppendUvarint(b, uint64(len(v))), v...)
	case *array.Timestamp:
		return binary.LittleEndian.AppendUint64(b, uint64(a.Value(i)))
	case *array.Date32:
		return binary.LittleEndian.AppendUint32(b, uint32(a.Value(i)))
	}
	// Any other type: through its string form.
	v := arr.ValueStr(i)
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// rowRef is one row of the epoch: record, row, and whether it deletes its
// key.
type rowRef struct {
	rec, row int32
	del      bool
}

// epochRows are an epoch's rows to write, deduplicated by key for upserts.
type epochRows struct {
	refs    []rowRef
	get     [][]getter // per record, per plan column
	deletes int
}

// collect gathers the buffered records' rows. For upserts the last row of
// each key wins (keeping the position of the key's first row).
func (p *plan) collect(recs []arrow.Record) (*epochRows, error) {
	er := &epochRows{}
	var index map[string]int
	if p.upsert {
		index = map[string]int{}
	}
	var kb []byte
	for ri, rec := range recs {
		gs := make([]getter, len(p.cols))
		for c, f := range p.fields {
			g, err := getterFor(rec.Column(f))
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", p.cols[c], err)
			}
			gs[c] = g
		}
		er.get = append(er.get, gs)
		var del *array.Boolean
		if p.deleted >= 0 {
			del = rec.Column(p.deleted).(*array.Boolean)
		}
		n := int(rec.NumRows())
		for r := 0; r < n; r++ {
			ref := rowRef{rec: int32(ri), row: int32(r), del: del != nil && del.IsValid(r) && del.Value(r)}
			if !p.upsert {
				if ref.del {
					return nil, fmt.Errorf("row %d is a retraction (%s) but the sink appends: it needs a primary key", r, deletedColumn)
				}
				er.refs = append(er.refs, ref)
				continue
			}
			kb = kb[:0]
			for _, k := range p.key {
				kb = appendKey(kb, rec.Column(p.fields[k]), r)
			}
			if at, ok := index[string(kb)]; ok {
				er.refs[at] = ref
				continue
			}
			index[string(kb)] = len(er.refs)
			er.refs = append(er.refs, ref)
		}
	}
	for _, r := range er.refs {
		if r.del {
			er.deletes++
		}
	}
	return er, nil
}

// values fills dst with ref's column values.
func (er *epochRows) values(dst []any, ref rowRef) {
	for c, g := range er.get[ref.rec] {
		dst[c] = g(int(ref.row))
	}
}

// copySource feeds rows to pgx CopyFrom, optionally with the deleted flag as
// an extra last column, and optionally only the rows keep accepts.
type copySource struct {
	er   *epochRows
	keep func(rowRef) bool
	flag bool
	i    int
	vals []any
}

func newCopySource(er *epochRows, ncols int, flag bool, keep func(rowRef) bool) *copySource {
	n := ncols
	if flag {
		n++
	}
	return &copySource{er: er, keep: keep, flag: flag, vals: make([]any, n)}
}

func (s *copySource) Next() bool {
	for s.i < len(s.er.refs) {
		s.i++
		if s.keep == nil || s.keep(s.er.refs[s.i-1]) {
			return true
		}
	}
	return false
}

func (s *copySource) Values() ([]any, error) {
	ref := s.er.refs[s.i-1]
	s.er.values(s.vals, ref)
	if s.flag {
		s.vals[len(s.vals)-1] = ref.del
	}
	return s.vals, nil
}

func (s *copySource) Err() error { return nil }
