package window

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// errNeedInput is what the fake input returns when the messages of the
// current step are used up; the test then feeds the next step.
var errNeedInput = errors.New("test input: waiting for the next step")

// fakeInput is an operator that returns a scripted sequence of messages.
type fakeInput struct {
	schema *arrow.Schema
	queue  []executor.Msg
	eof    bool
}

func (f *fakeInput) Schema() *arrow.Schema      { return f.schema }
func (f *fakeInput) Open(context.Context) error { return nil }
func (f *fakeInput) push(m ...executor.Msg)     { f.queue = append(f.queue, m...) }
func (f *fakeInput) pushWatermark(us int64)     { f.push(wmMsg(us)) }
func (f *fakeInput) pushBatch(rec arrow.Record) {
	f.push(executor.Msg{Kind: executor.MsgBatch, Batch: rec})
}
func (f *fakeInput) pushBarrier(epoch int64) {
	f.push(executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Epoch: epoch}})
}
func (f *fakeInput) Next(context.Context) (executor.Msg, error) {
	if len(f.queue) > 0 {
		m := f.queue[0]
		f.queue = f.queue[1:]
		return m, nil
	}
	if f.eof {
		return executor.Msg{}, io.EOF
	}
	return executor.Msg{}, errNeedInput
}

func (f *fakeInput) Close() error {
	for _, m := range f.queue {
		if m.Batch != nil {
			m.Batch.Release()
		}
	}
	f.queue = nil
	return nil
}

func wmMsg(us int64) executor.Msg {
	return executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.Watermark{Time: time.UnixMicro(us).UTC()}}
}

// drain pulls op until the input needs more, formatting what comes out.
// It returns io.EOF once the operator has ended.
func drain(op executor.Operator, out *[]string) error {
	for {
		m, err := op.Next(context.Background())
		if err != nil {
			if errors.Is(err, errNeedInput) {
				return nil
			}
			if err == io.EOF {
				*out = append(*out, "eof")
			}
			return err
		}
		switch m.Kind {
		case executor.MsgBatch:
			*out = append(*out, formatRows(m.Batch)...)
			m.Batch.Release()
		case executor.MsgWatermark:
			*out = append(*out, "watermark "+formatWatermark(m.Watermark))
		case executor.MsgBarrier:
			*out = append(*out, fmt.Sprintf("barrier %d", m.Barrier.Epoch))
		}
	}
}

func formatWatermark(w executor.Watermark) string {
	if w.Time.Equal(executor.MaxWatermark.Time) {
		return "max"
	}
	return formatTS(w.Time.UnixMicro())
}

// formatTS prints µs since the epoch as a time of day on 1970-01-01, else
// as a full date and time.
func formatTS(us int64) string {
	t := time.UnixMicro(us).UTC()
	const day = 24 * 3600 * 1e6
	if us >= 0 && us < day {
		return t.Format("15:04:05.999999")
	}
	if us < 0 && us > -day {
		return "-" + time.UnixMicro(-us).UTC().Format("15:04:05.999999")
	}
	return t.Format("2006-01-02 15:04:05.999999")
}

// parseTS reads what formatTS prints, a signed time of day ("-00:00:05"),
// or an integer number of µs.
func parseTS(s string) (int64, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	if strings.Contains(s, " ") {
		t, err := time.Parse("2006-01-02 15:04:05.999999", s)
		return t.UnixMicro(), err
	}
	neg := strings.HasPrefix(s, "-")
	t, err := time.Parse("15:04:05.999999", strings.TrimPrefix(s, "-"))
	if err != nil {
		return 0, err
	}
	us := int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond())/1e3
	if neg {
		us = -us
	}
	return us, nil
}

// formatRows prints each row as name=value pairs.
func formatRows(rec arrow.Record) []string {
	var out []string
	for r := 0; r < int(rec.NumRows()); r++ {
		var b strings.Builder
		for c, col := range rec.Columns() {
			if c > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(rec.ColumnName(c))
			b.WriteByte('=')
			b.WriteString(formatValue(col, r))
		}
		out = append(out, b.String())
	}
	return out
}

func formatValue(col arrow.Array, r int) string {
	if col.IsNull(r) {
		return "NULL"
	}
	switch a := col.(type) {
	case *array.Timestamp:
		return formatTS(int64(a.Value(r)))
	case *array.Float64:
		return formatFloat(a.Value(r))
	}
	return col.ValueStr(r)
}

func formatFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 12, 64)
}

var typeNames = map[string]arrow.DataType{
	"string": catalog.String, "int64": catalog.Int64, "float64": catalog.Float64,
	"timestamp": catalog.Timestamp, "bool": catalog.Bool, "date": catalog.Date,
}

// parsePlan reads an aggregate definition, one clause per line:
//
//	input k:string amount:int64 ts:timestamp
//	keys k
//	window tumble ts 1m | window hop ts <slide> <size> | window session ts <gap>
//	agg <func> [<arg>] [distinct] [<param>] <name>
//	emit close | emit changes
func parsePlan(text string) (*planner.Aggregate, *arrow.Schema, error) {
	var in *arrow.Schema
	n := &planner.Aggregate{Emit: planner.EmitOnWindowClose}
	col := func(name string) (*planner.ColumnRef, error) {
		if in == nil {
			return nil, errors.New("input must come first")
		}
		idx := in.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("no input column %q", name)
		}
		return &planner.ColumnRef{Index: idx[0], Name: name, Typ: in.Field(idx[0]).Type}, nil
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "input":
			var fields []arrow.Field
			for _, c := range f[1:] {
				name, typ, _ := strings.Cut(c, ":")
				t, ok := typeNames[typ]
				if !ok {
					return nil, nil, fmt.Errorf("unknown type %q", typ)
				}
				fields = append(fields, arrow.Field{Name: name, Type: t, Nullable: true})
			}
			in = arrow.NewSchema(fields, nil)
		case "keys":
			for _, k := range f[1:] {
				c, err := col(k)
				if err != nil {
					return nil, nil, err
				}
				n.Keys = append(n.Keys, c)
			}
		case "window":
			if len(f) < 4 {
				return nil, nil, fmt.Errorf("bad window line %q", line)
			}
			c, err := col(f[2])
			if err != nil {
				return nil, nil, err
			}
			w := &planner.Window{TimeCol: c.Index, TimeName: c.Name}
			d1, err := time.ParseDuration(f[3])
			if err != nil {
				return nil, nil, err
			}
			switch f[1] {
			case "tumble":
				w.Kind, w.Size = planner.WindowTumble, d1
			case "session":
				w.Kind, w.Gap = planner.WindowSession, d1
			case "hop":
				if len(f) < 5 {
					return nil, nil, fmt.Errorf("hop needs slide and size")
				}
				d2, err := time.ParseDuration(f[4])
				if err != nil {
					return nil, nil, err
				}
				w.Kind, w.Slide, w.Size = planner.WindowHop, d1, d2
			}
			n.Window = w
		case "agg":
			a := planner.AggCall{Func: f[1], Name: f[len(f)-1]}
			for _, x := range f[2 : len(f)-1] {
				if x == "distinct" {
					a.Distinct = true
				} else if p, err := strconv.ParseFloat(x, 64); err == nil {
					a.Param = p
				} else if a.Arg, err = col(x); err != nil {
					return nil, nil, err
				}
			}
			n.Aggs = append(n.Aggs, a)
		case "emit":
			if f[1] == "changes" {
				n.Emit = planner.EmitChanges
			}
		default:
			return nil, nil, fmt.Errorf("unknown clause %q", f[0])
		}
	}
	if in == nil {
		return nil, nil, errors.New("no input line")
	}
	for i := range n.Aggs {
		n.Aggs[i].Typ = aggType(n.Aggs[i], in)
	}
	n.Out = outSchema(n, in)
	return n, in, nil
}

// recordFromRows builds a batch from JSON objects, one per line; timestamp
// values may be written as parseTS accepts them.
func recordFromRows(mem memory.Allocator, schema *arrow.Schema, text string) (arrow.Record, error) {
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var row map[string]any
		if err := dec.Decode(&row); err != nil {
			return nil, fmt.Errorf("row %q: %w", line, err)
		}
		for _, f := range schema.Fields() {
			if s, ok := row[f.Name].(string); ok && f.Type.ID() == arrow.TIMESTAMP {
				us, err := parseTS(s)
				if err != nil {
					return nil, err
				}
				row[f.Name] = strconv.FormatInt(us, 10)
			}
		}
		rows = append(rows, row)
	}
	js, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	rec, _, err := array.RecordFromJSON(mem, schema, bytes.NewReader(js))
	return rec, err
}
