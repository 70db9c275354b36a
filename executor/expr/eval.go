package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// allocator returns the allocator an Evaluator from Compile uses.
func allocator(ev Evaluator) memory.Allocator {
	if e, ok := ev.(*evaluator); ok {
		return e.mem
	}
	return memory.DefaultAllocator
}

// EvalArray evaluates ev over rec and returns one value per row: a scalar
// result is broadcast here, and only here. The caller releases the array.
func EvalArray(ctx context.Context, ev Evaluator, rec arrow.Record) (arrow.Array, error) {
	v, err := ev.Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	if !v.IsScalar {
		return v.Array, nil
	}
	return broadcast(allocator(ev), v.Scalar, ev.Type(), int(rec.NumRows()))
}

// Filter returns the rows of rec for which pred is TRUE (NULL counts as
// false). The caller releases the result, which may be rec itself with one
// more reference when every row passes.
func Filter(ctx context.Context, pred Evaluator, rec arrow.Record) (arrow.Record, error) {
	if pred.Type().ID() != arrow.BOOL && pred.Type().ID() != arrow.NULL {
		return nil, fmt.Errorf("filter predicate is %s, not BOOLEAN", pred.Type())
	}
	v, err := pred.Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	if v.IsScalar {
		if b, ok := v.Scalar.(bool); ok && b {
			rec.Retain()
			return rec, nil
		}
		return rec.NewSlice(0, 0), nil
	}
	defer v.Release()
	mask := v.Array.(*array.Boolean)
	if mask.NullN() == 0 {
		switch set := countTrue(mask); set {
		case mask.Len():
			rec.Retain()
			return rec, nil
		case 0:
			return rec.NewSlice(0, 0), nil
		}
	}
	ctx = compute.WithAllocator(ctx, allocator(pred))
	return compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
}

// countTrue counts the TRUE values of a Boolean array without NULLs.
func countTrue(b *array.Boolean) int {
	d := b.Data()
	return bitutil.CountSetBits(d.Buffers()[1].Bytes(), d.Offset(), d.Len())
}
