package window

import (
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tide-sql/tide/planner"
)

// configure checks the plan node against the input schema and sets up the
// keys, accumulators and window arithmetic.
func (o *aggOp) configure(n *planner.Aggregate, in *arrow.Schema) error {
	o.inTypes = make([]arrow.DataType, in.NumFields())
	for i, f := range in.Fields() {
		o.inTypes[i] = f.Type
	}
	column := func(c *planner.ColumnRef, what string) (int, error) {
		if c == nil || c.Index < 0 || c.Index >= in.NumFields() {
			return 0, fmt.Errorf("%s refers to no input column", what)
		}
		return c.Index, nil
	}
	var keys []keyCol
	for _, k := range n.Keys {
		c, err := column(k, "a group key")
		if err != nil {
			return err
		}
		kc, err := newKeyCol(o.inTypes[c])
		if err != nil {
			return fmt.Errorf("key %s: %w", k.Name, err)
		}
		o.keyCols = append(o.keyCols, c)
		keys = append(keys, kc)
	}
	var accs []accumulator
	for _, call := range n.Aggs {
		c, arg := -1, arrow.DataType(nil)
		if call.Func != "count_star" {
			var err error
			if c, err = column(call.Arg, call.Func+"'s argument"); err != nil {
				return err
			}
			arg = o.inTypes[c]
		}
		acc, err := newAccumulator(call, arg)
		if err != nil {
			return err
		}
		o.aggCols = append(o.aggCols, c)
		o.aggSig = append(o.aggSig, fmt.Sprintf("%s %t %v %g", call.Func, call.Distinct, arg, call.Param))
		accs = append(accs, acc)
	}
	o.g = newGroups(keys, accs)
	o.keyPane.tab.init(minTable)
	o.keyPane.track = n.Window == nil
	if err := o.configureWindow(n.Window); err != nil {
		return err
	}
	switch {
	case o.mode == 0 && n.Window == nil:
		o.mode = planner.EmitChanges
	case o.mode == 0:
		o.mode = planner.EmitOnWindowClose
	case o.mode != planner.EmitChanges && o.mode != planner.EmitOnWindowClose:
		return fmt.Errorf("unknown emit mode %d", o.mode)
	case o.mode == planner.EmitOnWindowClose && n.Window == nil:
		return errors.New("a running aggregate (no window) can only EMIT CHANGES")
	}
	o.out = n.Out
	if o.out == nil {
		o.out = outSchema(n, in)
	}
	return o.checkOut(n)
}

func micros(d time.Duration, what string) (int64, error) {
	if d < time.Microsecond || d%time.Microsecond != 0 {
		return 0, fmt.Errorf("window %s %s is not a positive whole number of microseconds", what, d)
	}
	return d.Microseconds(), nil
}

func (o *aggOp) configureWindow(w *planner.Window) error {
	if w == nil {
		return nil
	}
	if w.TimeCol < 0 || w.TimeCol >= len(o.inTypes) || o.inTypes[w.TimeCol].ID() != arrow.TIMESTAMP {
		return fmt.Errorf("window time column %q is not a timestamp input column", w.TimeName)
	}
	if u := o.inTypes[w.TimeCol].(*arrow.TimestampType).Unit; u != arrow.Microsecond {
		return fmt.Errorf("window time column %q is in %s, want microseconds", w.TimeName, u)
	}
	o.kind, o.timeCol = w.Kind, w.TimeCol
	var err error
	switch w.Kind {
	case planner.WindowTumble:
		o.size, err = micros(w.Size, "size")
		o.slide, o.pane = o.size, o.size
	case planner.WindowHop:
		if o.size, err = micros(w.Size, "size"); err != nil {
			return err
		}
		if o.slide, err = micros(w.Slide, "slide"); err != nil {
			return err
		}
		o.pane = gcd(o.size, o.slide)
	case planner.WindowSession:
		o.gap, err = micros(w.Gap, "gap")
		o.g.onGrow = o.sess.grow
	default:
		err = fmt.Errorf("unknown window kind %d", w.Kind)
	}
	return err
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// checkOut verifies that the output schema has the columns the operator
// builds: window bounds, keys of the input types, aggregates of types the
// accumulators can append.
func (o *aggOp) checkOut(n *planner.Aggregate) error {
	want := len(o.keyCols) + len(n.Aggs)
	if o.kind != 0 {
		want += 2
	}
	if o.out.NumFields() != want {
		return fmt.Errorf("output schema has %d columns, want %d", o.out.NumFields(), want)
	}
	c := 0
	if o.kind != 0 {
		for ; c < 2; c++ {
			if o.out.Field(c).Type.ID() != arrow.TIMESTAMP {
				return fmt.Errorf("output column %s is not a timestamp", o.out.Field(c).Name)
			}
		}
	}
	for _, k := range o.keyCols {
		if f := o.out.Field(c); !arrow.TypeEqual(f.Type, o.inTypes[k]) {
			return fmt.Errorf("output key column %s is %s, input is %s", f.Name, f.Type, o.inTypes[k])
		}
		c++
	}
	for a, call := range n.Aggs {
		f := o.out.Field(c)
		c++
		id := f.Type.ID()
		if call.Func == "min" || call.Func == "max" {
			if !arrow.TypeEqual(f.Type, o.inTypes[o.aggCols[a]]) {
				return fmt.Errorf("output column %s is %s, but %s's argument is %s", f.Name, f.Type, call.Func, o.inTypes[o.aggCols[a]])
			}
			continue
		}
		if id != arrow.INT64 && id != arrow.FLOAT64 {
			return fmt.Errorf("output column %s of %s is %s, want BIGINT or DOUBLE", f.Name, call.Func, f.Type)
		}
	}
	return nil
}

// outSchema is the output schema of n over an input schema in, with the
// types the operator computes: window_start and window_end (windowed only),
// the keys, then the aggregates (AggCall.Typ where set).
func outSchema(n *planner.Aggregate, in *arrow.Schema) *arrow.Schema {
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	var fields []arrow.Field
	if n.Window != nil {
		fields = append(fields,
			arrow.Field{Name: "window_start", Type: ts},
			arrow.Field{Name: "window_end", Type: ts})
	}
	for _, k := range n.Keys {
		f := arrow.Field{Name: k.Name, Type: k.Typ, Nullable: true}
		if k.Index >= 0 && k.Index < in.NumFields() {
			f.Type = in.Field(k.Index).Type
		}
		fields = append(fields, f)
	}
	for _, a := range n.Aggs {
		t := a.Typ
		if t == nil {
			t = aggType(a, in)
		}
		fields = append(fields, arrow.Field{Name: a.Name, Type: t, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// aggType is the result type of a: counts are BIGINT, averages and
// percentiles DOUBLE, sums and extremes the argument's type.
func aggType(a planner.AggCall, in *arrow.Schema) arrow.DataType {
	var arg arrow.DataType = arrow.PrimitiveTypes.Int64
	if a.Arg != nil && a.Arg.Index >= 0 && a.Arg.Index < in.NumFields() {
		arg = in.Field(a.Arg.Index).Type
	}
	switch a.Func {
	case "count_star", "count":
		return arrow.PrimitiveTypes.Int64
	case "avg", "approx_percentile":
		return arrow.PrimitiveTypes.Float64
	}
	return arg
}
