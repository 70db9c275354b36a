package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/planner"
)

// Evaluator evaluates one bound expression over record batches.
type Evaluator interface {
	// Eval returns one value per row of rec, or a scalar for all rows. The
	// caller releases the result's Array.
	Eval(ctx context.Context, rec arrow.Record) (Value, error)
	// Type is the Arrow type of the result.
	Type() arrow.DataType
}

// node is a compiled expression node.
type node interface {
	eval(ctx context.Context, rec arrow.Record) (Value, error)
}

// kernel computes one function over evaluated arguments; n is the number
// of rows (1 when every argument is a scalar). It does not release args.
type kernel func(ctx context.Context, args []Value, n int) (Value, error)

// callInfo is what a kernel factory knows at compile time.
type callInfo struct {
	name   string
	args   []arrow.DataType
	consts []*Value // consts[i] is the value of argument i when it is constant
	ret    arrow.DataType
	mem    memory.Allocator
}

// constArg returns the scalar of argument i when it is constant.
func (c *callInfo) constArg(i int) (any, bool) {
	if c.consts[i] == nil {
		return nil, false
	}
	return c.consts[i].Scalar, true
}

// Compile turns a bound expression into an Evaluator that allocates results
// from mem. Functions are resolved to kernels here, once; calls whose
// arguments are all constant are evaluated here, once.
func Compile(e planner.Expr, mem memory.Allocator) (Evaluator, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	c := &compiler{mem: mem, ctx: compute.WithAllocator(context.Background(), mem)}
	n, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return &evaluator{root: n, typ: e.Type(), mem: mem, text: e.String()}, nil
}

type evaluator struct {
	root node
	typ  arrow.DataType
	mem  memory.Allocator
	text string
}

var _ Evaluator = (*evaluator)(nil)

func (e *evaluator) Eval(ctx context.Context, rec arrow.Record) (Value, error) {
	return e.root.eval(compute.WithAllocator(ctx, e.mem), rec)
}

func (e *evaluator) Type() arrow.DataType { return e.typ }
func (e *evaluator) String() string       { return e.text }

type compiler struct {
	mem memory.Allocator
	ctx context.Context
}

func (c *compiler) compile(e planner.Expr) (node, error) {
	switch x := e.(type) {
	case *planner.ColumnRef:
		return &columnNode{index: x.Index, name: x.Name, typ: x.Typ}, nil
	case *planner.Literal:
		v, err := literalScalar(x.Value, x.Typ)
		if err != nil {
			return nil, err
		}
		return &constNode{v: scalarOf(v, x.Typ)}, nil
	case *planner.Call:
		return c.call(x)
	}
	return nil, fmt.Errorf("cannot compile expression %s", e)
}

func (c *compiler) call(x *planner.Call) (node, error) {
	spec, ok := kernels[x.Func]
	if !ok {
		return nil, fmt.Errorf("no kernel for function %s", x.Func)
	}
	info := &callInfo{name: x.Func, ret: x.Typ, mem: c.mem,
		args: make([]arrow.DataType, len(x.Args)), consts: make([]*Value, len(x.Args))}
	args := make([]node, len(x.Args))
	allConst := true
	for i, a := range x.Args {
		n, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		args[i] = n
		info.args[i] = a.Type()
		if k, ok := n.(*constNode); ok {
			info.consts[i] = &k.v
		} else {
			allConst = false
		}
	}
	k, err := spec.factory(info)
	if err != nil {
		return nil, err // a bad constant pattern or path: the message names it
	}
	cn := &callNode{fn: x.Func, args: args, k: k, typ: x.Typ}
	if allConst && !spec.volatile {
		// Fold: with constant arguments the call never reads the batch. A
		// call that fails (an overflow, say) is left to fail at run time,
		// and only if a batch reaches it.
		if v, err := cn.eval(c.ctx, nil); err == nil {
			return &constNode{v: v}, nil
		}
	}
	return cn, nil
}

// columnNode reads a column of the batch.
type columnNode struct {
	index int
	name  string
	typ   arrow.DataType
}

func (n *columnNode) eval(_ context.Context, rec arrow.Record) (Value, error) {
	if n.index >= int(rec.NumCols()) {
		return Value{}, fmt.Errorf("column %s: batch has only %d columns", n.name, rec.NumCols())
	}
	col := rec.Column(n.index)
	if !arrow.TypeEqual(col.DataType(), n.typ) {
		return Value{}, fmt.Errorf("column %s: batch has type %s, expected %s", n.name, col.DataType(), n.typ)
	}
	col.Retain()
	return Value{Array: col, Type: n.typ}, nil
}

// constNode is a literal or a folded call.
type constNode struct {
	v Value // always a scalar
}

func (n *constNode) eval(context.Context, arrow.Record) (Value, error) { return n.v, nil }

// callNode evaluates its arguments and runs its kernel.
type callNode struct {
	fn   string
	args []node
	k    kernel
	typ  arrow.DataType
}

func (n *callNode) eval(ctx context.Context, rec arrow.Record) (Value, error) {
	args := make([]Value, len(n.args))
	allScalar := true
	for i, a := range n.args {
		v, err := a.eval(ctx, rec)
		if err != nil {
			releaseAll(args[:i])
			return Value{}, err
		}
		args[i] = v
		allScalar = allScalar && v.IsScalar
	}
	defer releaseAll(args)
	rows := 1
	if !allScalar {
		rows = int(rec.NumRows())
	}
	out, err := n.k(ctx, args, rows)
	if err != nil {
		return Value{}, err
	}
	if allScalar && !out.IsScalar {
		// Every argument stood for all rows, so the one-row result does too.
		x, err := scalarAt(out.Array, 0)
		out.Release()
		if err != nil {
			return Value{}, err
		}
		return scalarOf(x, n.typ), nil
	}
	out.Type = n.typ
	return out, nil
}

func releaseAll(vs []Value) {
	for _, v := range vs {
		v.Release()
	}
}
