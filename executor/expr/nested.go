package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
)

// Kernels over nested values: field(row, i) reads field i of a ROW,
// element_at(arr, i) the i-th element of an ARRAY (1-based; NULL out of
// range) or element_at(m, k) the value of key k of a MAP (NULL if absent;
// the last entry wins should a key repeat), cardinality(arr | m) the
// number of elements or entries. A NULL row, array or map gives NULL. A
// nested value is only ever a scalar when it is NULL (CAST(NULL AS ...)).
// Elements are picked with Arrow's Take, so they may be of any type,
// nested ones included.

func fieldKernel(c *callInfo) (kernel, error) {
	x, ok := c.constArg(1)
	idx, isInt := x.(int64)
	if !ok || !isInt {
		return nil, fmt.Errorf("field access needs a constant field index")
	}
	st, ok := c.args[0].(*arrow.StructType)
	if !ok || idx < 0 || int(idx) >= st.NumFields() {
		return nil, fmt.Errorf("field %d of %s does not exist", idx, c.args[0])
	}
	return func(_ context.Context, args []Value, _ int) (Value, error) {
		base := args[0]
		if base.IsScalar {
			return scalarOf(nil, c.ret), nil
		}
		s, ok := base.Array.(*array.Struct)
		if !ok {
			return Value{}, fmt.Errorf("field access: batch holds %s, not a ROW", base.Array.DataType())
		}
		return arrayOf(withParentNulls(c.mem, s.Field(int(idx)), s)), nil
	}, nil
}

// withParentNulls returns child (a field of parent, aligned with it) with
// NULL wherever parent is NULL, as a new reference.
func withParentNulls(mem memory.Allocator, child arrow.Array, parent arrow.Array) arrow.Array {
	if parent.NullN() == 0 {
		child.Retain()
		return child
	}
	n := child.Len()
	d := child.Data()
	off := d.Offset()
	valid := memory.NewResizableBuffer(mem)
	valid.Resize(int(bitutil.BytesForBits(int64(off + n))))
	bits := valid.Bytes()
	for i := 0; i < n; i++ {
		bitutil.SetBitTo(bits, off+i, parent.IsValid(i) && child.IsValid(i))
	}
	bufs := append([]*memory.Buffer{valid}, d.Buffers()[1:]...)
	nd := array.NewData(d.DataType(), n, bufs, d.Children(), array.UnknownNullCount, off)
	valid.Release()
	out := array.MakeFromData(nd)
	nd.Release()
	return out
}

func elementAtKernel(c *callInfo) (kernel, error) {
	switch c.args[0].ID() {
	case arrow.LIST:
		return listElementKernel(c), nil
	case arrow.MAP:
		return mapValueKernel(c), nil
	}
	return nil, fmt.Errorf("element access on %s", c.args[0])
}

func listElementKernel(c *callInfo) kernel {
	return func(ctx context.Context, args []Value, n int) (Value, error) {
		if args[0].IsScalar {
			return scalarOf(nil, c.ret), nil
		}
		l, ok := args[0].Array.(*array.List)
		if !ok {
			return Value{}, fmt.Errorf("element access: batch holds %s, not an ARRAY", args[0].Array.DataType())
		}
		idx := readFixed[int64](args[1])
		take := make([]int64, n)
		valid := make([]bool, n)
		for i := 0; i < n; i++ {
			k, ok := idx.at(i)
			if !ok || l.IsNull(i) {
				continue
			}
			start, end := l.ValueOffsets(i)
			if k >= 1 && k <= end-start {
				take[i], valid[i] = start+k-1, true
			}
		}
		return takeValues(ctx, c.mem, l.ListValues(), take, valid)
	}
}

func mapValueKernel(c *callInfo) kernel {
	return func(ctx context.Context, args []Value, n int) (Value, error) {
		if args[0].IsScalar {
			return scalarOf(nil, c.ret), nil
		}
		m, ok := args[0].Array.(*array.Map)
		if !ok {
			return Value{}, fmt.Errorf("map access: batch holds %s, not a MAP", args[0].Array.DataType())
		}
		keys, ok := m.Keys().(*array.String)
		if !ok {
			return Value{}, fmt.Errorf("map access: keys are %s, not VARCHAR", m.Keys().DataType())
		}
		key := readStr(args[1])
		take := make([]int64, n)
		valid := make([]bool, n)
		for i := 0; i < n; i++ {
			k, ok := key.at(i)
			if !ok || m.IsNull(i) {
				continue
			}
			start, end := m.ValueOffsets(i)
			for j := end - 1; j >= start; j-- {
				if keys.Value(int(j)) == k {
					take[i], valid[i] = j, true
					break
				}
			}
		}
		return takeValues(ctx, c.mem, m.Items(), take, valid)
	}
}

// takeValues picks values[take[i]] for every row i whose valid[i] is set,
// NULL for the others.
func takeValues(ctx context.Context, mem memory.Allocator, values arrow.Array, take []int64, valid []bool) (Value, error) {
	b := array.NewInt64Builder(mem)
	b.AppendValues(take, valid)
	idx := b.NewArray()
	b.Release()
	defer idx.Release()
	out, err := compute.TakeArray(compute.WithAllocator(ctx, mem), values, idx)
	if err != nil {
		return Value{}, fmt.Errorf("element access: %w", err)
	}
	return arrayOf(out), nil
}

func cardinalityKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		if args[0].IsScalar {
			return scalarOf(nil, c.ret), nil
		}
		l, ok := args[0].Array.(array.ListLike)
		if !ok {
			return Value{}, fmt.Errorf("CARDINALITY: batch holds %s, not an ARRAY or a MAP", args[0].Array.DataType())
		}
		out := newFixedOut[int64](c.mem, n)
		for i := 0; i < n; i++ {
			if l.IsNull(i) {
				out.setNull(i)
				continue
			}
			start, end := l.ValueOffsets(i)
			out.vals[i] = end - start
		}
		return out.finish(c.ret), nil
	}, nil
}

// nestedToJSON is CAST(nested AS VARCHAR): the value as JSON, as
// executor.FormatValue prints it.
func nestedToJSON(c *callInfo) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		if args[0].IsScalar {
			return scalarOf(nil, c.ret), nil
		}
		arr := args[0].Array
		out := newStrOut(c.mem, n)
		var buf []byte
		for i := 0; i < n; i++ {
			if arr.IsNull(i) {
				out.AppendNull()
				continue
			}
			buf = executor.AppendJSON(buf[:0], executor.Value(arr, i))
			out.BinaryBuilder.Append(buf)
		}
		return finishStr(out), nil
	}
}

// gatherAny is gather for types without a typed loop (nested types): the
// picked values are taken, with Arrow's Take, from the arguments laid end
// to end.
func gatherAny(ctx context.Context, mem memory.Allocator, t arrow.DataType, vals []Value, n int, pick pickFunc) (Value, error) {
	parts := make([]arrow.Array, len(vals))
	defer func() {
		for _, p := range parts {
			if p != nil {
				p.Release()
			}
		}
	}()
	for k, v := range vals {
		if v.IsScalar { // only NULL for these types
			parts[k] = array.MakeArrayOfNull(mem, t, n)
			continue
		}
		v.Array.Retain()
		parts[k] = v.Array
	}
	all, err := array.Concatenate(parts, mem)
	if err != nil {
		return Value{}, err
	}
	defer all.Release()
	take := make([]int64, n)
	valid := make([]bool, n)
	for i := 0; i < n; i++ {
		if k := pick(i); k >= 0 {
			take[i], valid[i] = int64(k*n+i), true
		}
	}
	return takeValues(ctx, mem, all, take, valid)
}
