// Package executor runs physical plans as trees of pull-based operators that
// exchange Arrow record batches, watermarks and epoch barriers.
//
// A running query is one tree. Its leaves are source scans; its root is
// drained by the query driver, which hands batches to the sink. Each
// micro-batch is an epoch: a scan returns the epoch's batches, then a
// watermark if it advanced, then a barrier. Operators forward the barrier
// after emitting whatever the epoch produced, so that when the driver sees the
// barrier every output row of the epoch has reached it and it can commit the
// sink and checkpoint.
//
// The package also holds the contracts between the engine and its
// connectors: SourceReader and Sink (connector.go), the connector registry
// with its options, capabilities and environment (registry.go), and the
// path policy of file-backed connectors (paths.go). Connectors import this
// package and register themselves into it; the engine looks them up here,
// so that imports run one way: cmd → connectors → executor → planner →
// parser → catalog.
package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// MsgKind says what a Msg carries.
type MsgKind uint8

const (
	MsgBatch     MsgKind = iota + 1 // Batch holds rows.
	MsgWatermark                    // Watermark advanced; no Batch.
	MsgBarrier                      // End of an epoch; Barrier says which.
)

// Msg is what flows between operators. A watermark message follows the
// batches it covers, so ordering on one edge is the only synchronisation.
type Msg struct {
	Kind      MsgKind
	Batch     arrow.Record // MsgBatch only. The receiver owns one reference and must Release it.
	Watermark Watermark    // MsgWatermark only.
	Barrier   Barrier      // MsgBarrier only.
}

// Watermark promises that no later row on this edge has an event time
// before Time. Watermarks on one edge never go backwards.
type Watermark struct {
	Time time.Time
	// Idle says instead that the input has had no data for its idle
	// timeout: until it sends rows again it holds no merge's watermark
	// back. Time is not set. Operators other than merges ignore it.
	Idle bool
}

// MaxWatermark is the watermark of an input that has ended: every window closes.
var MaxWatermark = Watermark{Time: time.Unix(1<<40, 0).UTC()}

// Barrier marks the end of epoch Epoch. Final is set on the last barrier of
// a bounded input: after it, Next returns io.EOF.
type Barrier struct {
	Epoch int64
	Final bool
}

// Operator is one step of a running query.
type Operator interface {
	// Schema is the schema of every batch Next returns.
	Schema() *arrow.Schema
	// Open acquires resources and opens inputs; it is called once, before Next.
	Open(ctx context.Context) error
	// Next blocks until the next message. It returns io.EOF after the last
	// message of a bounded input. It returns ctx.Err() when ctx is done.
	Next(ctx context.Context) (Msg, error)
	// Close releases resources and closes inputs. It is safe to call twice.
	Close() error
}

// Stateful is implemented by operators whose state must survive a restart.
// Snapshot is called after a barrier has passed the operator, Restore before
// Open.
type Stateful interface {
	Snapshot() ([]byte, error)
	Restore(state []byte) error
}

// PanicError is a panic recovered where an operator runs: the query fails
// with it instead of the process.
type PanicError struct {
	Where string // "query q", "a union input", "statement CREATE SOURCE s ..."
	Value any    // what was passed to panic
	Stack string
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("%s panicked: %v (a bug in tide or a connector; the stack is in the log)", p.Where, p.Value)
}
