package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tide-sql/tide/connectors/kafka"
	"github.com/tide-sql/tide/executor"
)

// lagOf reports how far a query is behind its Kafka source, per partition:
// in records (log end offset minus the next offset to read) and in seconds
// (how old the last record read is, while records remain unread).
func lagOf(source string, r executor.SourceReader, now time.Time) []PartitionLag {
	kr, ok := r.(*kafka.Reader)
	if !ok {
		return nil
	}
	var out []PartitionLag
	for _, p := range kr.Lag() {
		l := PartitionLag{Source: source, Partition: p.Partition, Offset: p.Offset, EndOffset: p.EndOffset}
		if p.EndOffset > p.Offset {
			l.Records = p.EndOffset - p.Offset
			if !p.LastRecordTime.IsZero() {
				l.Seconds = now.Sub(p.LastRecordTime).Seconds()
			}
		}
		out = append(out, l)
	}
	return out
}

// report publishes the progress of a finished epoch.
func (d *driver) report(epoch int64, start, processEnd, commitEnd time.Time, inputBefore, badBefore, lateBefore, outRows, totalOut int64, wm *time.Time) {
	end := time.Now()
	p := Progress{QueryID: d.id, BatchID: epoch, Timestamp: end.UTC(), OutputRows: outRows, TotalOutputRows: totalOut,
		DurationMs: map[string]int64{
			"process":          processEnd.Sub(start).Milliseconds(),
			"sinkCommit":       commitEnd.Sub(processEnd).Milliseconds(),
			"checkpoint":       end.Sub(commitEnd).Milliseconds(),
			"triggerExecution": end.Sub(start).Milliseconds(),
		},
		StateRows: d.b.stateRows(),
	}
	if s := d.b.scan; s != nil {
		p.NumInputRows = s.InputRows - inputBefore
		p.TotalInputRows = s.InputRows
		p.LateRowsDropped = s.LateRows + d.b.lateRows()
		p.BadRecords = s.BadRecords
		p.Tombstones = s.Tombstones
		fetch := s.FetchTime
		if dr, ok := s.Reader().(interface{ LastDecodeTime() time.Duration }); ok {
			dec := min(dr.LastDecodeTime(), fetch)
			p.DurationMs["decode"] = dec.Milliseconds()
			fetch -= dec
		}
		p.DurationMs["fetch"] = fetch.Milliseconds()
		if t, ok := s.Watermark(); ok {
			p.Watermark = &t
		}
		p.Lag = lagOf(d.b.sources[0], s.Reader(), end)
	}
	if wm != nil && p.Watermark == nil {
		p.Watermark = wm
	}
	d.q.mu.Lock()
	prev := d.q.progress
	if !prev.Timestamp.IsZero() {
		if secs := end.Sub(prev.Timestamp).Seconds(); secs > 0 {
			p.InputRowsPerSecond = float64(p.NumInputRows) / secs
		}
	}
	if secs := end.Sub(start).Seconds(); secs > 0 {
		p.ProcessedRowsPerSecond = float64(p.NumInputRows) / secs
	}
	d.q.progress = p
	d.q.mu.Unlock()
}

// fillInfo adds to a query's snapshot what holds at this moment: what its
// source waits for, the warnings of its group commits, and the source's
// on_error and late options.
func (d *driver) fillInfo(info *QueryInfo) {
	if d.b.source != nil {
		info.OnError, info.Late = d.b.source.Options["on_error"], d.b.source.Options["late"]
	}
	if s := d.b.scan; s != nil && info.State == QueryRunning {
		if st, ok := s.Reader().(interface{ Status() string }); ok {
			info.Status = st.Status()
		}
	}
	if w := d.group.warnings(); len(w) > 0 {
		info.Progress.Warnings = append(append([]string(nil), info.Progress.Warnings...), w...)
	}
}

// progressJSON renders a query like Spark's lastProgress.
func progressJSON(q QueryInfo) string {
	b, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return fmt.Sprintf("query %s: its progress cannot be shown as JSON: %v", q.ID, err)
	}
	return string(b)
}
