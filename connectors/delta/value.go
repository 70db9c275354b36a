package delta

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// value is one typed column value, used to compare primary keys with file
// statistics. Which field is meaningful depends on the column's kind.
type value struct {
	null bool
	i    int64   // kindInt: booleans (0/1), integers, dates (days), timestamps (µs)
	f    float64 // kindFloat
	s    string  // kindString
}

type valueKind uint8

const (
	kindOther valueKind = iota // no ordering tide uses for skipping
	kindInt
	kindFloat
	kindString
)

func kindOf(t arrow.DataType) valueKind {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.TIMESTAMP:
		return kindInt
	case arrow.FLOAT32, arrow.FLOAT64:
		return kindFloat
	case arrow.STRING:
		return kindString
	}
	return kindOther
}

// valueAt reads row i of arr.
func valueAt(arr arrow.Array, i int) value {
	if arr.IsNull(i) {
		return value{null: true}
	}
	switch a := arr.(type) {
	case *array.Boolean:
		if a.Value(i) {
			return value{i: 1}
		}
		return value{}
	case *array.Int8:
		return value{i: int64(a.Value(i))}
	case *array.Int16:
		return value{i: int64(a.Value(i))}
	case *array.Int32:
		return value{i: int64(a.Value(i))}
	case *array.Int64:
		return value{i: a.Value(i)}
	case *array.Date32:
		return value{i: int64(a.Value(i))}
	case *array.Timestamp:
		return value{i: int64(a.Value(i))}
	case *array.Float32:
		return value{f: float64(a.Value(i))}
	case *array.Float64:
		return value{f: a.Value(i)}
	case *array.String:
		return value{s: a.Value(i)}
	}
	return value{}
}

// compare orders two non-null values of one kind. NaN sorts after every
// other float, so that a NaN key is never inside a finite [min, max].
func compare(k valueKind, a, b value) int {
	switch k {
	case kindInt:
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	case kindFloat:
		an, bn := math.IsNaN(a.f), math.IsNaN(b.f)
		switch {
		case an || bn:
			if an && bn {
				return 0
			}
			if an {
				return 1
			}
			return -1
		case a.f < b.f:
			return -1
		case a.f > b.f:
			return 1
		}
		return 0
	case kindString:
		return strings.Compare(a.s, b.s)
	}
	return 0
}
