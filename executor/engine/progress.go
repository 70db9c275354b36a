package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tide-sql/tide/executor"
)

// lagOf reports how far a query is behind a source whose reader reports
// its lag (Kafka), per partition:
// in records (log end offset minus the next offset to read) and in seconds
// (how old the last record read is, while records remain unread).
func lagOf(source string, r executor.SourceReader, now time.Time) []PartitionLag {
	kr, ok := r.(executor.LagReporter)
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

// counters are the sources' counters summed, at their last barrier, and
// each source's wait for data.
type counters struct {
	input, bad, late, tombstones int64
	waits                        []time.Duration // by source
}

func (d *driver) counters() counters {
	var c counters
	for _, src := range d.b.sources {
		if m := src.mark; m != nil {
			c.input += m.input
			c.bad += m.bad
			c.late += m.late
			c.tombstones += m.tombstones
		}
		var w time.Duration
		if src.mark != nil {
			w = src.mark.wait
		}
		c.waits = append(c.waits, w)
	}
	return c
}

// waited is how long an epoch waited for data between two barriers: the
// least any source waited (while one source waits, another may work),
// never more than the epoch took.
func waited(before, now counters, took time.Duration) time.Duration {
	if len(now.waits) == 0 {
		return 0
	}
	w := took
	for i, n := range now.waits {
		d := n
		if i < len(before.waits) {
			d -= before.waits[i]
		}
		w = min(w, max(d, 0))
	}
	return w
}

// report publishes the progress of a finished epoch.
func (d *driver) report(epoch int64, start, processEnd, commitEnd time.Time, before counters, outRows, totalOut int64, wm *time.Time) {
	end := time.Now()
	stateRows, lateRows := d.last.totals()
	// The time the epoch waited for data is not work: it is reported
	// apart, and the durations and the processing rate leave it out.
	now := d.counters()
	wait := waited(before, now, processEnd.Sub(start))
	work := end.Sub(start) - wait
	p := Progress{QueryID: d.id, BatchID: epoch, Timestamp: end.UTC(), OutputRows: outRows, TotalOutputRows: totalOut,
		DurationMs: map[string]int64{
			"wait":             wait.Milliseconds(),
			"process":          (processEnd.Sub(start) - wait).Milliseconds(),
			"sinkCommit":       commitEnd.Sub(processEnd).Milliseconds(),
			"checkpoint":       end.Sub(commitEnd).Milliseconds(),
			"triggerExecution": work.Milliseconds(),
		},
		StateRows: stateRows,
	}
	if len(d.b.sources) > 0 {
		p.NumInputRows = now.input - before.input
		p.TotalInputRows = now.input
		p.LateRowsDropped = now.late + lateRows
		p.BadRecords = now.bad
		p.Tombstones = now.tombstones
		var fetch, decode time.Duration
		var low *time.Time
		for _, src := range d.b.sources {
			m := src.mark
			if m == nil {
				continue
			}
			fetch, decode = max(fetch, m.fetch), max(decode, m.decode)
			if m.hasWatermark && (low == nil || m.watermark.Before(*low)) {
				t := m.watermark
				low = &t
			}
			p.Lag = append(p.Lag, lagOf(src.table.Name, src.scan.Reader(), end)...)
		}
		p.DurationMs["decode"] = decode.Milliseconds()
		p.DurationMs["fetch"] = (fetch - decode).Milliseconds()
		if len(d.b.sources) == 1 {
			p.Watermark = low // the source's own, which moves before any window sees it
		}
	}
	if wm != nil && p.Watermark == nil {
		p.Watermark = wm
	}
	p.StateBytes = d.watch.total
	if w := d.watchStall(p.Watermark); w != "" {
		p.Warnings = []string{w}
	}
	d.q.mu.Lock()
	prev := d.q.progress
	if !prev.Timestamp.IsZero() {
		if secs := end.Sub(prev.Timestamp).Seconds(); secs > 0 {
			p.InputRowsPerSecond = float64(p.NumInputRows) / secs
		}
	}
	if secs := work.Seconds(); secs > 0 {
		p.ProcessedRowsPerSecond = float64(p.NumInputRows) / secs
	}
	d.q.progress = p
	d.q.mu.Unlock()
}

// fillInfo adds to a query's snapshot what holds at this moment: what its
// source waits for, the warnings of its group commits, and the source's
// on_error and late options.
func (d *driver) fillInfo(info *QueryInfo) {
	var statuses []string
	for i, src := range d.b.sources {
		if i == 0 {
			info.OnError, info.Late = src.table.Options["on_error"], src.table.Options["late"]
		}
		if st, ok := src.scan.Reader().(interface{ Status() string }); ok && info.State == QueryRunning {
			if s := st.Status(); s != "" && !slices.Contains(statuses, s) {
				statuses = append(statuses, s) // once, though several tasks read the source
			}
		}
		if w := src.group.warnings(); len(w) > 0 {
			info.Progress.Warnings = append(append([]string(nil), info.Progress.Warnings...), w...)
		}
	}
	info.Status = strings.Join(statuses, "; ")
}

// progressJSON renders a query like Spark's lastProgress.
func progressJSON(q QueryInfo) string {
	b, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return fmt.Sprintf("query %s: its progress cannot be shown as JSON: %v", q.ID, err)
	}
	return string(b)
}
