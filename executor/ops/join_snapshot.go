package ops

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/tide-sql/tide/executor/expr"
)

// A join's snapshot: a version byte, the sides' watermarks and the last
// watermark emitted (varints), then per side the number of rows kept, the
// rows as an Arrow IPC stream and one matched byte per row.
const joinSnapshotVersion = 1

// Snapshot writes the rows both sides keep, with their matched flags.
func (j *IntervalJoin) Snapshot() ([]byte, error) {
	buf := []byte{joinSnapshotVersion}
	buf = binary.AppendVarint(buf, j.wm[leftSide])
	buf = binary.AppendVarint(buf, j.wm[rightSide])
	buf = binary.AppendVarint(buf, j.outWM)
	for side, s := range j.sides {
		buf = binary.AppendUvarint(buf, uint64(s.rows))
		if s.rows == 0 {
			continue
		}
		schema := j.sideSchema(side)
		rows := newJoinRows(schema, schema.NumFields(), j.mem)
		flags := make([]byte, 0, s.rows)
		for _, id := range s.byTime.ids {
			e := &s.entries[id]
			rows.add(s.recs[e.slot], int(e.row), nil, 0)
			flags = append(flags, boolByte(e.matched))
		}
		rec := rows.take()
		rows.release()
		var w bytes.Buffer
		iw := ipc.NewWriter(&w, ipc.WithSchema(schema), ipc.WithAllocator(j.mem))
		err := iw.Write(rec)
		rec.Release()
		if cerr := iw.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("join snapshot: %w", err)
		}
		buf = binary.AppendUvarint(buf, uint64(w.Len()))
		buf = append(buf, w.Bytes()...)
		buf = append(buf, flags...)
	}
	return buf, nil
}

var errJoinSnapshot = errors.New("join: corrupt snapshot")

// Restore loads what Snapshot wrote; it is called before Open.
func (j *IntervalJoin) Restore(state []byte) error {
	if len(state) == 0 || state[0] != joinSnapshotVersion {
		return errJoinSnapshot
	}
	d := state[1:]
	varint := func() int64 {
		v, n := binary.Varint(d)
		if n <= 0 {
			d = nil
			return 0
		}
		d = d[n:]
		return v
	}
	uvarint := func() uint64 {
		v, n := binary.Uvarint(d)
		if n <= 0 {
			d = nil
			return 0
		}
		d = d[n:]
		return v
	}
	j.wm[leftSide], j.wm[rightSide], j.outWM = varint(), varint(), varint()
	for side := range j.sides {
		j.sides[side].clear()
		n := uvarint()
		if d == nil {
			return errJoinSnapshot
		}
		if n == 0 {
			continue
		}
		size := uvarint()
		if d == nil || uint64(len(d)) < size+n {
			return errJoinSnapshot
		}
		if err := j.restoreSide(side, d[:size], d[size:size+n]); err != nil {
			return err
		}
		d = d[size+n:]
	}
	return nil
}

func (j *IntervalJoin) restoreSide(side int, stream, flags []byte) error {
	r, err := ipc.NewReader(bytes.NewReader(stream), ipc.WithAllocator(j.mem))
	if err != nil {
		return fmt.Errorf("join snapshot: %w", err)
	}
	defer r.Release()
	row := 0
	for r.Next() {
		rec := r.Record()
		if err := j.restoreRows(side, rec, flags[row:]); err != nil {
			return err
		}
		row += int(rec.NumRows())
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("join snapshot: %w", err)
	}
	if row != len(flags) {
		return errJoinSnapshot
	}
	return nil
}

// restoreRows keeps the rows of rec again, under their keys and times.
func (j *IntervalJoin) restoreRows(side int, rec arrow.Record, flags []byte) error {
	n := int(rec.NumRows())
	if n > len(flags) {
		return errJoinSnapshot
	}
	keys := make([]arrow.Array, len(j.keys[side]))
	defer func() {
		for _, k := range keys {
			if k != nil {
				k.Release()
			}
		}
	}()
	for i, ev := range j.keys[side] {
		a, err := expr.EvalArray(context.Background(), ev, rec)
		if err != nil {
			return err
		}
		keys[i] = a
	}
	times, ok := rec.Column(j.timeCol[side]).(*array.Timestamp)
	if !ok {
		return errJoinSnapshot
	}
	s := j.sides[side]
	slot := s.retain(rec)
	for r := 0; r < n; r++ {
		var null bool
		j.keyBuf, null = appendJoinKey(j.keyBuf[:0], keys, r)
		if null {
			return errJoinSnapshot
		}
		s.add(slot, r, int64(times.Value(r)), string(j.keyBuf), flags[r] == 1)
	}
	s.releaseIfEmpty(slot)
	return nil
}

// sideSchema is the schema of a side's rows: its part of the output.
func (j *IntervalJoin) sideSchema(side int) *arrow.Schema {
	fields := j.out.Fields()
	if side == leftSide {
		return arrow.NewSchema(fields[:j.lw], nil)
	}
	return arrow.NewSchema(fields[j.lw:], nil)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
