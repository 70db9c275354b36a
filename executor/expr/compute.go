package expr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Calls into Arrow's compute kernels. The compute function is looked up
// once at compile time; Execute still picks the kernel for the argument
// types of each batch, which is a few map lookups per batch, not per row.

// arrowFunc resolves an Arrow compute function by name.
func arrowFunc(name string) (compute.Function, error) {
	fn, ok := compute.GetFunctionRegistry().GetFunction(name)
	if !ok {
		return nil, fmt.Errorf("arrow compute has no function %s", name)
	}
	return fn, nil
}

// computeKernel is a kernel that calls Arrow compute function name.
func computeKernel(name string, opts compute.FunctionOptions) (kernel, error) {
	fn, err := arrowFunc(name)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, args []Value, _ int) (Value, error) {
		return callArrow(ctx, fn, opts, args...)
	}, nil
}

// callArrow runs fn over args without broadcasting scalars.
func callArrow(ctx context.Context, fn compute.Function, opts compute.FunctionOptions, args ...Value) (Value, error) {
	ds := make([]compute.Datum, len(args))
	for i, a := range args {
		if a.IsScalar {
			sc, err := toArrowScalar(a.Scalar, a.Type)
			if err != nil {
				return Value{}, err
			}
			ds[i] = compute.NewDatumWithoutOwning(sc)
		} else {
			ds[i] = compute.NewDatumWithoutOwning(a.Array)
		}
	}
	out, err := fn.Execute(ctx, opts, ds...)
	if err != nil {
		return Value{}, arrowError(err)
	}
	defer out.Release()
	switch d := out.(type) {
	case *compute.ArrayDatum:
		return arrayOf(d.MakeArray()), nil
	case *compute.ScalarDatum:
		x, err := fromArrowScalar(d.Value)
		return scalarOf(x, d.Type()), err
	}
	return Value{}, fmt.Errorf("unexpected result of %s", fn.Name())
}

// arrowError rewords Arrow's messages users can meet.
func arrowError(err error) error {
	if errors.Is(err, arrow.ErrInvalid) && strings.Contains(err.Error(), "overflow") {
		return errors.New("BIGINT value out of range")
	}
	return err
}

// fromArrowScalar converts an Arrow scalar to Value's representation.
func fromArrowScalar(sc scalar.Scalar) (any, error) {
	if !sc.IsValid() {
		return nil, nil
	}
	switch s := sc.(type) {
	case *scalar.Boolean:
		return s.Value, nil
	case *scalar.Int64:
		return s.Value, nil
	case *scalar.Float64:
		return s.Value, nil
	case *scalar.String:
		return string(s.Value.Bytes()), nil
	case *scalar.Timestamp:
		return int64(s.Value), nil
	case *scalar.Duration:
		return int64(s.Value), nil
	case *scalar.Date32:
		return int32(s.Value), nil
	}
	return nil, fmt.Errorf("unsupported scalar type %s", sc.DataType())
}
