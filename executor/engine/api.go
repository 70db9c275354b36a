// Package engine runs tide statements: it owns the catalog, plans
// statements, starts continuous queries (one driver goroutine each) and
// answers push and snapshot SELECTs. The shell, `tide run` and the HTTP
// endpoint are thin layers over Engine.Execute.
package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/executor"
)

// Config configures an Engine.
type Config struct {
	// StateDir holds the catalog and query checkpoints ("" = in memory only).
	StateDir string
	// Brokers is the default Kafka bootstrap list for sources and sinks
	// without a brokers option.
	Brokers string
	// Registry is the default Schema Registry URL for sources and sinks
	// without a schema.registry option ("" for none).
	Registry string
	// Logf receives operational messages (nil: discarded).
	Logf func(format string, args ...any)
	// Console receives what console sinks print (nil: os.Stdout).
	Console ConsoleWriter
	// Paths confines delta and parquet paths to data roots (nil: anywhere).
	Paths *executor.PathPolicy
	// Hosts confines the hosts of brokers and DSNs named in SQL (nil: any).
	Hosts *executor.HostPolicy
}

// ConsoleWriter is where `connector = 'console'` tables write.
type ConsoleWriter interface {
	Write(p []byte) (int, error)
}

// ResultKind says what a Result holds.
type ResultKind uint8

const (
	// ResultOK is a statement that only reports (DDL, SET, STOP QUERY):
	// Message says what was done.
	ResultOK ResultKind = iota + 1
	// ResultRows is a finished table of rows (SHOW, DESCRIBE, a snapshot
	// SELECT of a table): Schema and Records.
	ResultRows
	// ResultStream is a push query: read Stream until io.EOF (bounded
	// sources, LIMIT) or cancel the context given to Execute.
	ResultStream
	// ResultQuery is a continuous INSERT started in the background: QueryID.
	ResultQuery
	// ResultText is preformatted text (EXPLAIN, DESCRIBE QUERY as JSON).
	ResultText
)

// Result is what one statement produced.
type Result struct {
	Kind      ResultKind
	Statement string // the statement's text
	Message   string
	Schema    *arrow.Schema
	Records   []arrow.Record // ResultRows; released by Result.Release
	Stream    *Stream        // ResultStream
	QueryID   string         // ResultQuery
	Text      string         // ResultText
}

// Release frees the records of a ResultRows result.
func (r *Result) Release() {
	for _, rec := range r.Records {
		rec.Release()
	}
	r.Records = nil
}

// QueryState is the life-cycle state of a continuous query.
type QueryState string

const (
	QueryRunning  QueryState = "RUNNING"
	QueryFinished QueryState = "FINISHED" // bounded input fully processed
	QueryStopped  QueryState = "STOPPED"  // STOP QUERY, or engine closed
	QueryFailed   QueryState = "FAILED"
)

// PartitionLag is how far a query is behind one source partition.
type PartitionLag struct {
	Source    string  `json:"source"`
	Partition int32   `json:"partition"`
	Offset    int64   `json:"offset"`      // next offset the query will read
	EndOffset int64   `json:"end_offset"`  // log end offset seen at the last fetch
	Records   int64   `json:"lag_records"` // EndOffset - Offset
	Seconds   float64 `json:"lag_seconds"` // age of the oldest unread record, 0 if none
}

// Progress is a query's report after each micro-batch, with the fields of
// Spark's StreamingQueryProgress (lastProgress).
type Progress struct {
	QueryID                string           `json:"id"`
	BatchID                int64            `json:"batchId"`
	Timestamp              time.Time        `json:"timestamp"`
	NumInputRows           int64            `json:"numInputRows"`
	InputRowsPerSecond     float64          `json:"inputRowsPerSecond"`
	ProcessedRowsPerSecond float64          `json:"processedRowsPerSecond"`
	DurationMs             map[string]int64 `json:"durationMs"` // wait, fetch, decode, process, sinkCommit, checkpoint, triggerExecution (the work: all but wait)
	Watermark              *time.Time       `json:"watermark,omitempty"`
	StateRows              int64            `json:"numRowsTotal"`
	StateBytes             int64            `json:"stateBytes"` // estimated memory of the operators' state
	LateRowsDropped        int64            `json:"numLateRowsDropped"`
	BadRecords             int64            `json:"numBadRecords"` // did not decode, or no event time
	Tombstones             int64            `json:"numTombstones"` // messages without a value, skipped
	OutputRows             int64            `json:"numOutputRows"`
	TotalInputRows         int64            `json:"totalInputRows"`
	TotalOutputRows        int64            `json:"totalOutputRows"`
	Lag                    []PartitionLag   `json:"lag,omitempty"`
	// Warnings are problems that did not stop the query (a consumer-group
	// commit that failed, state that grows while the watermark stands
	// still), as they stand now.
	Warnings []string `json:"warnings,omitempty"`
}

// EndOfInput is how a watermark at the end of input is shown: every
// input has ended, no event is to come, every window has closed.
const EndOfInput = "end of input"

// WatermarkEnded reports whether a progress watermark marks the end of
// input (executor.MaxWatermark) rather than an event time.
func WatermarkEnded(w *time.Time) bool {
	return w != nil && !w.Before(executor.MaxWatermark.Time)
}

// MarshalJSON writes p as JSON. The watermark of an input that has ended
// lies beyond any event time: it is written as "end of input".
func (p Progress) MarshalJSON() ([]byte, error) {
	type plain Progress // without this method
	q := struct {
		plain
		Watermark any `json:"watermark,omitempty"`
	}{plain: plain(p)}
	switch {
	case WatermarkEnded(p.Watermark):
		q.Watermark = EndOfInput
	case p.Watermark != nil:
		q.Watermark = p.Watermark
	}
	return json.Marshal(q)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Progress) UnmarshalJSON(data []byte) error {
	type plain Progress
	q := struct {
		*plain
		Watermark json.RawMessage `json:"watermark,omitempty"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(data, &q); err != nil {
		return err
	}
	p.Watermark = nil
	switch s := string(q.Watermark); {
	case s == "" || s == "null":
	case s == `"`+EndOfInput+`"`:
		t := executor.MaxWatermark.Time
		p.Watermark = &t
	default:
		var t time.Time
		if err := json.Unmarshal(q.Watermark, &t); err != nil {
			return fmt.Errorf("progress watermark: %w", err)
		}
		p.Watermark = &t
	}
	return nil
}

// QueryInfo describes a continuous query.
type QueryInfo struct {
	ID    string     `json:"id"`
	SQL   string     `json:"sql"`
	Sink  string     `json:"sink"`
	State QueryState `json:"state"`
	Error string     `json:"error,omitempty"`
	// Status says what a running query waits for, such as `waiting for
	// topic "T" on BROKER`; "" while it reads.
	Status  string    `json:"status,omitempty"`
	Started time.Time `json:"started"`
	// OnError and Late are its source's on_error and late options.
	OnError  string   `json:"onError,omitempty"`
	Late     string   `json:"late,omitempty"`
	Progress Progress `json:"lastProgress"`
}

// Summary is the line `tide run` prints for a query that has ended: what
// it read, wrote, found late and found bad, and where those went.
func (q QueryInfo) Summary() string {
	p := q.Progress
	where := func(n int64, option string) string {
		switch {
		case n == 0:
			return ""
		case strings.HasPrefix(option, "table:"):
			return " (to table " + strings.TrimPrefix(option, "table:") + ")"
		case option == "fail":
			return " (failed the query)"
		case option == "skip":
			return " (skipped)"
		}
		return " (dropped)"
	}
	line := fmt.Sprintf("query %s %s: %d rows read, %d written, %d late%s, %d bad%s", q.ID, strings.ToLower(string(q.State)),
		p.TotalInputRows, p.TotalOutputRows, p.LateRowsDropped, where(p.LateRowsDropped, q.Late),
		p.BadRecords, where(p.BadRecords, q.OnError))
	if p.Tombstones > 0 {
		line += fmt.Sprintf(", %d tombstones skipped", p.Tombstones)
	}
	return line
}

// Stream is the output of a push query.
type Stream struct {
	// Schema of every record.
	Schema *arrow.Schema
	// Update is set when rows replace earlier rows with the same Key
	// (EMIT CHANGES): table displays update in place.
	Update bool
	Key    []int
	next   func(ctx context.Context) (arrow.Record, error)
	close  func()
	once   sync.Once
}

// Next returns the next batch of rows (the caller releases it), io.EOF at
// the end, or ctx.Err() when ctx is done.
func (s *Stream) Next(ctx context.Context) (arrow.Record, error) { return s.next(ctx) }

// Close stops the push query. It is safe to call twice, and from another
// goroutine (the engine closes open streams when it closes).
func (s *Stream) Close() {
	s.once.Do(func() {
		if s.close != nil {
			s.close()
		}
	})
}
