package expr

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/tide-sql/tide/planner"
)

// Value is the result of evaluating an expression over a batch: an Array
// with one value per row, or a Scalar standing for all rows (literals are
// never broadcast). Scalar is nil (NULL), bool, int64, float64, string,
// int64 microseconds for timestamps and intervals, or int32 days for dates.
type Value struct {
	Array    arrow.Array
	Scalar   any
	IsScalar bool
	Type     arrow.DataType
}

// Release releases the Array, if any.
func (v Value) Release() {
	if v.Array != nil {
		v.Array.Release()
	}
}

func scalarOf(x any, t arrow.DataType) Value {
	return Value{Scalar: x, IsScalar: true, Type: t}
}

func arrayOf(a arrow.Array) Value {
	return Value{Array: a, Type: a.DataType()}
}

// literalScalar converts a planner literal value into the scalar
// representation of Value.
func literalScalar(v any, t arrow.DataType) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, float64, string:
		return x, nil
	case time.Time:
		us := x.UnixMicro()
		if t.ID() == arrow.DATE32 {
			return int32(planner.FloorDiv(us, planner.MicrosPerDay)), nil
		}
		return us, nil
	case time.Duration:
		return x.Microseconds(), nil
	}
	return nil, fmt.Errorf("unsupported literal value %v of type %s", v, t)
}

// toArrowScalar converts a scalar of Value's representation to an Arrow
// scalar of type t.
func toArrowScalar(x any, t arrow.DataType) (scalar.Scalar, error) {
	if x == nil {
		return scalar.MakeNullScalar(t), nil
	}
	switch t.ID() {
	case arrow.BOOL:
		return scalar.NewBooleanScalar(x.(bool)), nil
	case arrow.INT64:
		return scalar.NewInt64Scalar(x.(int64)), nil
	case arrow.FLOAT64:
		return scalar.NewFloat64Scalar(x.(float64)), nil
	case arrow.STRING:
		return scalar.NewStringScalar(x.(string)), nil
	case arrow.TIMESTAMP:
		return scalar.NewTimestampScalar(arrow.Timestamp(x.(int64)), t), nil
	case arrow.DURATION:
		return scalar.NewDurationScalar(arrow.Duration(x.(int64)), t), nil
	case arrow.DATE32:
		return scalar.NewDate32Scalar(arrow.Date32(x.(int32))), nil
	}
	return nil, fmt.Errorf("unsupported scalar type %s", t)
}

// scalarAt reads row i of a in Value's scalar representation.
func scalarAt(a arrow.Array, i int) (any, error) {
	if a.IsNull(i) {
		return nil, nil
	}
	switch a := a.(type) {
	case *array.Null:
		return nil, nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.String:
		return a.Value(i), nil
	case *array.Timestamp:
		return int64(a.Value(i)), nil
	case *array.Duration:
		return int64(a.Value(i)), nil
	case *array.Date32:
		return int32(a.Value(i)), nil
	}
	return nil, fmt.Errorf("unsupported array type %s", a.DataType())
}

// broadcast materialises a scalar as n rows.
func broadcast(mem memory.Allocator, x any, t arrow.DataType, n int) (arrow.Array, error) {
	if t.ID() == arrow.NULL {
		return array.NewNull(n), nil
	}
	if x == nil {
		return array.MakeArrayOfNull(mem, t, n), nil
	}
	sc, err := toArrowScalar(x, t)
	if err != nil {
		return nil, err
	}
	return scalar.MakeArrayFromScalar(sc, n, mem)
}

// arrayFromScalars builds an array of type t from values in Value's scalar
// representation.
func arrayFromScalars(mem memory.Allocator, t arrow.DataType, xs []any) (arrow.Array, error) {
	b := array.NewBuilder(mem, t)
	defer b.Release()
	for _, x := range xs {
		if x == nil {
			b.AppendNull()
			continue
		}
		switch b := b.(type) {
		case *array.BooleanBuilder:
			b.Append(x.(bool))
		case *array.Int64Builder:
			b.Append(x.(int64))
		case *array.Float64Builder:
			b.Append(x.(float64))
		case *array.StringBuilder:
			b.Append(x.(string))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(x.(int64)))
		case *array.DurationBuilder:
			b.Append(arrow.Duration(x.(int64)))
		case *array.Date32Builder:
			b.Append(arrow.Date32(x.(int32)))
		default:
			return nil, fmt.Errorf("unsupported type %s", t)
		}
	}
	return b.NewArray(), nil
}
