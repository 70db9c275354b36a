package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/internal/datadriven"
	"github.com/tide-sql/tide/planner"
)

// The scan goldens (testdata/scan/*.test) drive a SourceScan over a
// scriptReader one fetch at a time:
//
//	scan partitions=2 delay=5s [droplate] [once] [event-time=none] [reader=KIND]
//	----
//	SourceScan source=clicks connector=script watermark=ts-5s
//
//	resume offsets=0:2,1:0 epoch=4 [replay=0:3,1:1]
//	----
//	ok
//
//	fetch [idle=0,1] [done] [bad=N] [tombstones=N] [end=0:3,1:1]
//	p=0 ts=00:00:10 k=a
//	p=1 ts=null k=b
//	----
//	everything the scan emits until it asks for the next fetch or ends:
//	reader calls with an until, OnFetch calls, batches, watermarks,
//	barriers, eof; then the counters
//
//	side-outputs      (the late rows and dead letters TakeSideOutputs returns)
//	state             (epoch, watermark and offsets of the scan)
//	restart           (Snapshot, Close, a new scan Resumed and Restored)
//
// The reader KIND adds an optional capability to the script reader:
// rejecting (RowRejecter: logs the rows it is handed back), failing (the
// same, returning an error as on_error = 'fail' does), available-now and
// available-now-complete (AvailableNowReader). tombstones= sets what the
// reader's TombstoneCounter reports as skipped in that fetch.
//
// Rows of a fetch are grouped by partition into one record each, in order of
// first appearance. Unless end= is given, a fetch reports end offsets for
// every partition of the scan: the number of rows the partition delivered so
// far (an explicit end= moves that count). Run with -rewrite to regenerate the expected outputs.
func TestSourceScanGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/scan/*.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/scan/*.test files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			h := &scanHarness{mem: mem}
			defer mem.AssertSize(t, 0)
			defer h.close(t)
			datadriven.RunFile(t, f, func(t *testing.T, c *datadriven.Case) string {
				return h.run(t, c)
			})
		})
	}
}

// errScriptEnd is what scriptReader.Fetch returns when the script has no
// fetch left: the harness stops draining the scan there.
var errScriptEnd = errors.New("script has no more fetches")

// scriptReader is a SourceReader that returns prepared fetches in order and
// records how it was called.
type scriptReader struct {
	schema *arrow.Schema
	script []executor.Fetch
	log    *[]string // shared with the harness, so calls interleave with messages
	// untils holds the until argument of every Fetch call that returned a
	// prepared fetch (nil entries included).
	untils     []executor.Offsets
	closed     int
	tombstones int64 // TombstoneCounter: total of the fetches returned so far
	// pendingTombs holds each prepared fetch's tombstones, by script index.
	pendingTombs []int64
}

func (r *scriptReader) Tombstones() int64 { return r.tombstones }

// rejectingReader is a script reader that takes rows back (RowRejecter).
type rejectingReader struct {
	*scriptReader
	fail bool
}

func (r *rejectingReader) RejectRows(partition int32, rows []int, reason string) error {
	*r.log = append(*r.log, fmt.Sprintf("reject p=%d rows=%v reason=%q", partition, rows, reason))
	if r.fail {
		return fmt.Errorf("partition %d row %d: %s", partition, rows[0], reason)
	}
	return nil
}

// availableNowReader is a script reader that can bound itself
// (AvailableNowReader).
type availableNowReader struct {
	*scriptReader
	complete bool
}

func (r *availableNowReader) ReadAvailableNow() bool {
	*r.log = append(*r.log, fmt.Sprintf("read available now complete=%v", r.complete))
	return r.complete
}

var _ executor.SourceReader = (*scriptReader)(nil)

func (r *scriptReader) Schema() *arrow.Schema { return r.schema }

func (r *scriptReader) Open(_ context.Context, start executor.Offsets) error {
	*r.log = append(*r.log, "open start="+formatOffsets(start))
	return nil
}

func (r *scriptReader) Fetch(_ context.Context, _ time.Duration, until executor.Offsets) (executor.Fetch, error) {
	if len(r.script) == 0 {
		return executor.Fetch{}, errScriptEnd
	}
	if until != nil {
		*r.log = append(*r.log, "read until="+formatOffsets(until))
	}
	r.untils = append(r.untils, until)
	f := r.script[0]
	r.script = r.script[1:]
	if len(r.pendingTombs) > 0 {
		r.tombstones += r.pendingTombs[0]
		r.pendingTombs = r.pendingTombs[1:]
	}
	return f, nil
}

func (r *scriptReader) Close() error {
	r.closed++
	for _, f := range r.script {
		for _, b := range f.Batches {
			b.Record.Release()
		}
	}
	r.script = nil
	return nil
}

// scanHarness is the state of one golden file.
type scanHarness struct {
	mem    *memory.CheckedAllocator
	node   *planner.SourceScan
	opts   ScanOptions
	kind   string // reader=KIND of the scan command
	parts  int32
	scan   *SourceScan
	reader *scriptReader
	opened bool
	next   executor.Offsets // next offset per partition, for automatic end offsets
	log    []string
}

// scanTable is the source every golden reads: k VARCHAR, ts TIMESTAMP.
func scanTable() *catalog.Table {
	return &catalog.Table{Name: "clicks", Kind: catalog.KindSource, Connector: "script",
		Columns: []catalog.Column{{Name: "k", Type: catalog.String}, {Name: "ts", Type: catalog.Timestamp}}}
}

func (h *scanHarness) run(t *testing.T, c *datadriven.Case) string {
	ctx := context.Background()
	args := caseArgs(t, c)
	switch c.Cmd {
	case "scan":
		h.close(t)
		h.mem.AssertSize(t, 0)
		tbl := scanTable()
		h.node = &planner.SourceScan{Table: tbl, Out: tbl.Schema(), DropLate: c.HasArg("droplate")}
		if args["event-time"] != "none" {
			h.node.EventTime = &planner.ColumnRef{Index: 1, Name: "ts", Typ: catalog.Timestamp}
			h.node.EventTimeName = "ts"
		}
		if d, ok := args["delay"]; ok {
			delay, err := time.ParseDuration(d)
			if err != nil {
				t.Fatalf("%s: %v", c.Pos, err)
			}
			h.node.Delay = delay
		}
		h.opts = ScanOptions{Wait: time.Millisecond, Once: c.HasArg("once")}
		h.kind = args["reader"]
		switch h.kind {
		case "", "rejecting", "failing", "available-now", "available-now-complete":
		default:
			t.Fatalf("%s: unknown reader kind %q", c.Pos, h.kind)
		}
		h.parts = 1
		if p, ok := args["partitions"]; ok {
			n, err := strconv.Atoi(p)
			if err != nil {
				t.Fatalf("%s: %v", c.Pos, err)
			}
			h.parts = int32(n)
		}
		h.next = executor.Offsets{}
		h.newScan(t)
		return h.node.Describe()
	case "resume":
		h.requireScan(t, c)
		epoch, err := strconv.ParseInt(args["epoch"], 10, 64)
		if err != nil {
			t.Fatalf("%s: epoch: %v", c.Pos, err)
		}
		offsets := parseOffsets(t, c, args["offsets"])
		var replay executor.Offsets
		if r, ok := args["replay"]; ok {
			replay = parseOffsets(t, c, r)
		}
		h.scan.Resume(offsets, epoch, replay)
		for p, o := range offsets {
			h.next[p] = o
		}
		return "ok"
	case "fetch":
		h.requireScan(t, c)
		h.reader.script = append(h.reader.script, h.buildFetch(t, c, args))
		tombs := int64(0)
		if v, ok := args["tombstones"]; ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("%s: tombstones: %v", c.Pos, err)
			}
			tombs = n
		}
		h.reader.pendingTombs = append(h.reader.pendingTombs, tombs)
		if !h.opened {
			if err := h.scan.Open(ctx); err != nil {
				t.Fatalf("%s: open: %v", c.Pos, err)
			}
			h.opened = true
		}
		h.drain(ctx)
		counters := fmt.Sprintf("counters input=%d late=%d bad=%d", h.scan.InputRows, h.scan.LateRows, h.scan.BadRecords)
		if h.scan.Tombstones > 0 {
			counters += fmt.Sprintf(" tombstones=%d", h.scan.Tombstones)
		}
		h.log = append(h.log, counters)
		return h.flush()
	case "side-outputs":
		h.requireScan(t, c)
		late, dead := h.scan.TakeSideOutputs()
		var out []string
		for _, r := range late {
			out = append(out, "late")
			out = append(out, formatRows(r)...)
			r.Release()
		}
		for _, r := range dead {
			out = append(out, "dead")
			out = append(out, formatRows(r)...)
			r.Release()
		}
		if len(out) == 0 {
			return "(none)"
		}
		return strings.Join(out, "\n")
	case "state":
		h.requireScan(t, c)
		wm := "-"
		if w, ok := h.scan.Watermark(); ok {
			wm = formatTime(w)
		}
		return fmt.Sprintf("epoch=%d watermark=%s offsets=%s", h.scan.Epoch(), wm, formatOffsets(h.scan.Offsets()))
	case "restart":
		h.requireScan(t, c)
		snap, err := h.scan.Snapshot()
		if err != nil {
			t.Fatalf("%s: snapshot: %v", c.Pos, err)
		}
		offsets, epoch := h.scan.Offsets(), h.scan.Epoch()
		old := h.reader
		if err := h.scan.Close(); err != nil {
			t.Fatalf("%s: close: %v", c.Pos, err)
		}
		if old.closed != 1 {
			t.Errorf("%s: closing the scan closed its reader %d times, want 1", c.Pos, old.closed)
		}
		h.newScan(t)
		h.scan.Resume(offsets, epoch, nil)
		if err := h.scan.Restore(snap); err != nil {
			t.Fatalf("%s: restore: %v", c.Pos, err)
		}
		wm := "-"
		if w, ok := h.scan.Watermark(); ok {
			wm = formatTime(w)
		}
		return fmt.Sprintf("snapshot %s\nrestored epoch=%d watermark=%s", snap, h.scan.Epoch(), wm)
	}
	t.Fatalf("%s: unknown command %q", c.Pos, c.Cmd)
	return ""
}

func (h *scanHarness) requireScan(t *testing.T, c *datadriven.Case) {
	if h.scan == nil {
		t.Fatalf("%s: %s before scan", c.Pos, c.Cmd)
	}
}

// newScan builds a scan (and a fresh reader) from h.node and h.opts.
func (h *scanHarness) newScan(t *testing.T) {
	h.reader = &scriptReader{schema: h.node.Out, log: &h.log}
	var reader executor.SourceReader = h.reader
	switch h.kind {
	case "rejecting", "failing":
		reader = &rejectingReader{scriptReader: h.reader, fail: h.kind == "failing"}
	case "available-now", "available-now-complete":
		reader = &availableNowReader{scriptReader: h.reader, complete: h.kind == "available-now-complete"}
	}
	s, err := NewSourceScan(h.node, reader, h.opts, h.mem)
	if err != nil {
		t.Fatal(err)
	}
	s.OnFetch = func(epoch int64, end executor.Offsets) error {
		h.log = append(h.log, fmt.Sprintf("on-fetch epoch=%d end=%s", epoch, formatOffsets(end)))
		return nil
	}
	h.scan = s
	h.opened = false
}

func (h *scanHarness) close(t *testing.T) {
	if h.scan == nil {
		return
	}
	if err := h.scan.Close(); err != nil {
		t.Error(err)
	}
	h.scan = nil
}

// drain pulls messages until the scan asks for a fetch the script does not
// have, or ends.
func (h *scanHarness) drain(ctx context.Context) {
	for {
		m, err := h.scan.Next(ctx)
		switch {
		case errors.Is(err, errScriptEnd):
			return
		case err == io.EOF:
			h.log = append(h.log, "eof")
			return
		case err != nil:
			h.log = append(h.log, "error: "+err.Error())
			return
		}
		h.log = append(h.log, formatMsg(m)...)
		if m.Batch != nil {
			m.Batch.Release()
		}
	}
}

func (h *scanHarness) flush() string {
	out := strings.Join(h.log, "\n")
	h.log = h.log[:0]
	return out
}

// buildFetch turns a fetch case into a Fetch: one record per partition.
func (h *scanHarness) buildFetch(t *testing.T, c *datadriven.Case, args map[string]string) executor.Fetch {
	var f executor.Fetch
	var order []int32
	rows := map[int32][][2]string{} // partition → (k, ts)
	for _, line := range strings.Split(c.Input, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		kv := map[string]string{}
		for _, w := range strings.Fields(line) {
			k, v, ok := strings.Cut(w, "=")
			if !ok {
				t.Fatalf("%s: %q is not key=value", c.Pos, w)
			}
			kv[k] = v
		}
		p64, err := strconv.ParseInt(kv["p"], 10, 32)
		if err != nil {
			t.Fatalf("%s: partition: %v", c.Pos, err)
		}
		p := int32(p64)
		if _, seen := rows[p]; !seen {
			order = append(order, p)
		}
		rows[p] = append(rows[p], [2]string{kv["k"], kv["ts"]})
	}
	for _, p := range order {
		f.Batches = append(f.Batches, executor.PartitionBatch{Partition: p, Record: buildScanRecord(t, c, h.mem, h.node.Out, rows[p])})
		h.next[p] += int64(len(rows[p]))
	}
	if e, ok := args["end"]; ok {
		f.End = parseOffsets(t, c, e)
		for p, o := range f.End {
			h.next[p] = o
		}
	} else {
		f.End = executor.Offsets{}
		for p := int32(0); p < h.parts; p++ {
			f.End[p] = h.next[p]
		}
		for p, o := range h.next {
			f.End[p] = o
		}
	}
	if i, ok := args["idle"]; ok {
		for _, s := range strings.Split(i, ",") {
			p, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				t.Fatalf("%s: idle: %v", c.Pos, err)
			}
			f.Idle = append(f.Idle, int32(p))
		}
	}
	f.Done = c.HasArg("done")
	if b, ok := args["bad"]; ok {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
			t.Fatalf("%s: bad: %v", c.Pos, err)
		}
		f.Bad = n
	}
	return f
}

func buildScanRecord(t *testing.T, c *datadriven.Case, mem memory.Allocator, schema *arrow.Schema, rows [][2]string) arrow.Record {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	ks := b.Field(0).(*array.StringBuilder)
	tss := b.Field(1).(*array.TimestampBuilder)
	for _, r := range rows {
		if r[0] == "" || r[0] == "null" {
			ks.AppendNull()
		} else {
			ks.Append(r[0])
		}
		if r[1] == "" || r[1] == "null" {
			tss.AppendNull()
			continue
		}
		ts, err := parseClock(r[1])
		if err != nil {
			t.Fatalf("%s: %v", c.Pos, err)
		}
		tss.Append(arrow.Timestamp(ts.UnixMicro()))
	}
	return b.NewRecord()
}

// caseArgs parses key=value words of the command line; bare words map to "".
func caseArgs(t *testing.T, c *datadriven.Case) map[string]string {
	out := map[string]string{}
	for _, a := range c.Args {
		k, v, _ := strings.Cut(a, "=")
		if _, dup := out[k]; dup {
			t.Fatalf("%s: %s given twice", c.Pos, k)
		}
		out[k] = v
	}
	return out
}

// parseOffsets reads "0:3,1:1".
func parseOffsets(t *testing.T, c *datadriven.Case, s string) executor.Offsets {
	out := executor.Offsets{}
	if s == "" || s == "-" {
		return out
	}
	for _, part := range strings.Split(s, ",") {
		p, o, ok := strings.Cut(part, ":")
		pn, err1 := strconv.ParseInt(p, 10, 32)
		on, err2 := strconv.ParseInt(o, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("%s: bad offsets %q (want partition:offset,...)", c.Pos, s)
		}
		out[int32(pn)] = on
	}
	return out
}

// formatOffsets prints offsets sorted by partition as "0:3,1:1", "-" if none.
func formatOffsets(o executor.Offsets) string {
	if len(o) == 0 {
		return "-"
	}
	parts := make([]int32, 0, len(o))
	for p := range o {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = fmt.Sprintf("%d:%d", p, o[p])
	}
	return strings.Join(s, ",")
}

// parseClock reads HH:MM:SS[.ffffff] as a time on 1970-01-01 UTC.
func parseClock(s string) (time.Time, error) {
	ts, err := time.Parse("15:04:05.999999", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: want HH:MM:SS", s)
	}
	return time.Date(1970, 1, 1, ts.Hour(), ts.Minute(), ts.Second(), ts.Nanosecond(), time.UTC), nil
}

// formatTime prints times on 1970-01-01 as HH:MM:SS[.ffffff], the
// watermark of an ended input as "max", others in full.
func formatTime(tm time.Time) string {
	tm = tm.UTC()
	switch {
	case tm.Equal(executor.MaxWatermark.Time):
		return "max"
	case tm.Year() == 1970 && tm.YearDay() == 1:
		return tm.Format("15:04:05.999999")
	}
	return tm.Format(time.RFC3339Nano)
}

// formatMsg prints one message; a batch prints one indented line per row.
func formatMsg(m executor.Msg) []string {
	switch m.Kind {
	case executor.MsgBatch:
		return append([]string{"batch"}, formatRows(m.Batch)...)
	case executor.MsgWatermark:
		if m.Watermark.Idle {
			return []string{"watermark idle"}
		}
		return []string{"watermark " + formatTime(m.Watermark.Time)}
	case executor.MsgBarrier:
		s := fmt.Sprintf("barrier epoch=%d", m.Barrier.Epoch)
		if m.Barrier.Final {
			s += " final"
		}
		return []string{s}
	}
	return []string{fmt.Sprintf("unknown message kind %d", m.Kind)}
}

// formatRows prints each row of rec as "  col=value ...".
func formatRows(rec arrow.Record) []string {
	var out []string
	for i := 0; i < int(rec.NumRows()); i++ {
		var b strings.Builder
		b.WriteString(" ")
		for c := 0; c < int(rec.NumCols()); c++ {
			col := rec.Column(c)
			v := executor.Value(col, i)
			s := executor.FormatValue(v, col.DataType())
			if tm, ok := v.(time.Time); ok && col.DataType().ID() == arrow.TIMESTAMP {
				s = formatTime(tm)
			}
			fmt.Fprintf(&b, " %s=%s", rec.ColumnName(c), s)
		}
		out = append(out, b.String())
	}
	return out
}

func TestSourceScan(t *testing.T) {
	t.Run("the reader is asked to stop at the replay offsets until it reaches them, then no more", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		h := &scanHarness{mem: mem, parts: 1, next: executor.Offsets{}, opts: ScanOptions{Wait: time.Millisecond}}
		tbl := scanTable()
		h.node = &planner.SourceScan{Table: tbl, Out: tbl.Schema(), EventTime: &planner.ColumnRef{Index: 1, Name: "ts", Typ: catalog.Timestamp}}
		h.newScan(t)
		defer h.close(t)
		until := executor.Offsets{0: 2}
		h.scan.Resume(executor.Offsets{0: 0}, 7, until)
		rec := func(ts string) executor.Fetch {
			return executor.Fetch{Batches: []executor.PartitionBatch{{Partition: 0, Record: buildScanRecord(t, &datadriven.Case{}, mem, h.node.Out, [][2]string{{"a", ts}})}}}
		}
		f1, f2, f3 := rec("00:00:01"), rec("00:00:02"), rec("00:00:03")
		f1.End, f2.End, f3.End = executor.Offsets{0: 1}, executor.Offsets{0: 2}, executor.Offsets{0: 3}
		h.reader.script = []executor.Fetch{f1, f2, f3}
		if err := h.scan.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.drain(context.Background())
		h.log = nil
		if len(h.reader.untils) != 3 {
			t.Fatalf("reader was called %d times, want 3", len(h.reader.untils))
		}
		for i, want := range []executor.Offsets{until, until, nil} {
			if got := h.reader.untils[i]; formatOffsets(got) != formatOffsets(want) || (got == nil) != (want == nil) {
				t.Errorf("fetch %d: until = %v, want %v", i+1, got, want)
			}
		}
	})

	t.Run("an event-time error in a later partition leaves the earlier partition's pending batch intact", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := scanTable()
		// The event time is CAST(k AS TIMESTAMP): it fails for a k that is not a timestamp.
		ev, err := planner.NewCast(&planner.ColumnRef{Index: 0, Name: "k", Typ: catalog.String}, catalog.Timestamp, false)
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		r := &scriptReader{schema: tbl.Schema(), log: &log}
		s, err := NewSourceScan(&planner.SourceScan{Table: tbl, Out: tbl.Schema(), EventTime: ev}, r, ScanOptions{}, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c := &datadriven.Case{}
		good := buildScanRecord(t, c, mem, tbl.Schema(), [][2]string{{"2024-01-01 00:00:00", "00:00:01"}})
		bad := buildScanRecord(t, c, mem, tbl.Schema(), [][2]string{{"not a time", "00:00:01"}})
		r.script = []executor.Fetch{{
			Batches: []executor.PartitionBatch{{Partition: 0, Record: good}, {Partition: 1, Record: bad}},
			End:     executor.Offsets{0: 1, 1: 1},
		}}
		if err := s.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Next(context.Background()); err == nil {
			t.Fatal("Next succeeded, want the cast error")
		}
		// Partition 0's batch was admitted before partition 1 failed; the
		// scan still holds it and must not have freed its memory.
		if len(s.pending) != 1 {
			t.Fatalf("pending holds %d messages, want 1", len(s.pending))
		}
		if got := s.pending[0].Batch.NumCols(); got != 2 {
			t.Errorf("the pending batch of partition 0 has %d columns, want 2: it was released while the scan still holds it", got)
		}
	})
}
