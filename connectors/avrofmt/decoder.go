package avrofmt

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/internal/colbuf"
)

// slot holds the decoded value of one column for the record being decoded.
// It holds no pointer (a string is where it lies), so that filling it costs
// the garbage collector nothing.
type slot struct {
	gen     uint32 // == Decoder.gen when the column got a value in this record
	null    bool
	scratch bool // kindString: the text is in Decoder.scratch, else in the body
	i       int64
	f       float64
	off     int // kindString: where the text starts
	end     int // and ends
}

// Decoder appends Avro records, one per message, as rows of Arrow
// columns, written in place (package colbuf). It is not safe for
// concurrent use; its source is.
type Decoder struct {
	src     *source
	columns []*colbuf.Column
	slots   []slot
	gen     uint32
	rows    int
	strData int // most string bytes a column of the batch holds

	lastID  int32    // schema id of the previous record
	last    *program // its program, nil before the first
	scratch []byte   // text of the current record not in its body (enum symbols, uuids)
}

var _ format.Decoder = (*Decoder)(nil)

func newDecoder(src *source, mem memory.Allocator) *Decoder {
	d := &Decoder{
		src:     src,
		columns: make([]*colbuf.Column, len(src.cols)),
		slots:   make([]slot, len(src.cols)),
		gen:     1,
	}
	for i, f := range src.schema.Fields() {
		c, err := colbuf.New(f.Type, mem)
		if err != nil {
			panic(err) // tableColumns accepted the type: a programming error
		}
		d.columns[i] = c
	}
	return d
}

// Len is the number of rows appended since the last NewRecord.
func (d *Decoder) Len() int { return d.rows }

// Append decodes one message value and appends it as one row. On error no
// row is appended and the error, a *DecodeError, says what is wrong.
func (d *Decoder) Append(value []byte) error {
	p, body, err := d.program(value)
	if err != nil {
		return err
	}
	if d.strData+len(value) > colbuf.MaxData {
		// No text of the record is longer than the record.
		return &DecodeError{SchemaID: p.id, Msg: "the batch's text passed 2 GiB, the most an Arrow string column holds: fewer messages per batch (max_batch) would fit"}
	}
	d.gen++
	if d.gen == 0 { // wrapped: forget every stale generation
		for i := range d.slots {
			d.slots[i].gen = 0
		}
		d.gen = 1
	}
	d.scratch = d.scratch[:0]
	i := 0
	for k := range p.ops {
		o := &p.ops[k]
		var msg string
		if i, msg = d.step(o, body, i); msg != "" {
			return &DecodeError{SchemaID: p.id, Field: o.field, Msg: msg}
		}
	}
	if i != len(body) {
		return &DecodeError{SchemaID: p.id, Msg: fmt.Sprintf("%d bytes are left after the record (%d bytes): it was not written with this schema", len(body)-i, len(body))}
	}
	d.commit(body)
	d.rows++
	return nil
}

// program finds the program of a message and its Avro body.
func (d *Decoder) program(value []byte) (*program, []byte, error) {
	if p := d.src.inline; p != nil {
		if p.err != nil {
			return nil, nil, p.err
		}
		return p, value, nil
	}
	id, ok := schemaID(value)
	if !ok {
		return nil, nil, &DecodeError{SchemaID: -1, Msg: headerProblem(value)}
	}
	p := d.last
	if p == nil || id != d.lastID {
		var cached bool
		if p, cached = d.src.program(id); cached {
			d.last, d.lastID = p, id
		}
	}
	if p.err != nil {
		return nil, nil, p.err
	}
	return p, value[headerSize:], nil
}

// headerProblem says why v is not in Confluent's wire format.
func headerProblem(v []byte) string {
	if len(v) > 0 && v[0] != magicByte {
		hint := ""
		if v[0] == '{' || v[0] == '[' || v[0] == '"' {
			hint = " (it looks like JSON: is the topic written with format json?)"
		}
		return fmt.Sprintf("the magic byte is 0x%02x, not 0: the value is not in Confluent's wire format%s", v[0], hint)
	}
	return fmt.Sprintf("the value has %d bytes: too short for Confluent's wire format (a zero magic byte and a 4-byte schema id come first)", len(v))
}

// commit appends the slots of the current record, whose Avro body is body,
// to the columns.
func (d *Decoder) commit(body []byte) {
	gen := d.gen
	for i, c := range d.columns {
		s := &d.slots[i]
		if s.gen != gen || s.null {
			c.AppendNull()
			continue
		}
		switch d.src.cols[i].kind {
		case kindString:
			if s.scratch {
				c.AppendBytes(d.scratch[s.off:s.end])
			} else {
				c.AppendBytes(body[s.off:s.end])
			}
			d.strData = max(d.strData, c.DataLen())
		case kindFloat64:
			c.AppendFloat64(s.f)
		case kindInt64, kindTimestamp:
			c.AppendInt64(s.i)
		case kindDate32:
			c.AppendDate32(int32(s.i))
		case kindBool:
			c.AppendBool(s.i != 0)
		}
	}
}

// NewRecord returns the rows appended so far as a record and starts the
// next batch. The caller owns the record and must Release it.
func (d *Decoder) NewRecord() arrow.Record {
	arrs := make([]arrow.Array, len(d.columns))
	for i, c := range d.columns {
		arrs[i] = c.NewArray()
	}
	rec := array.NewRecordBatch(d.src.schema, arrs, int64(d.rows))
	for _, a := range arrs {
		a.Release()
	}
	d.rows, d.strData = 0, 0
	return rec
}

// Release releases the columns. The decoder must not be used afterwards.
func (d *Decoder) Release() {
	for i, c := range d.columns {
		if c != nil {
			c.Release()
			d.columns[i] = nil
		}
	}
}
