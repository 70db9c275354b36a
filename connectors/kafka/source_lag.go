package kafka

import (
	"time"

	"github.com/tide-sql/tide/executor"
)

var _ executor.LagReporter = (*Reader)(nil)

// Lag reports every partition's position, ascending by partition. It is
// safe to call while another goroutine fetches.
func (r *Reader) Lag() []executor.PartitionLag {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]executor.PartitionLag, 0, len(r.order))
	for _, id := range r.order {
		p := r.parts[id]
		out = append(out, executor.PartitionLag{Partition: id, Offset: p.next, EndOffset: max(p.highWater, p.next), LastRecordTime: p.lastRecordTime})
	}
	return out
}

// LastDecodeTime is how long the last Fetch spent decoding JSON into Arrow
// (progress reports split it from the fetch).
func (r *Reader) LastDecodeTime() time.Duration { return r.decodeTime }
