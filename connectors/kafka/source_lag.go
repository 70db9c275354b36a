package kafka

import "time"

// PartitionLag is how far one partition's reader is behind the log, for
// progress reports.
type PartitionLag struct {
	Partition int32
	// Offset is the next offset the source delivers.
	Offset int64
	// EndOffset is the partition's log end offset (high watermark) as last
	// seen; EndOffset - Offset is the lag in records.
	EndOffset int64
	// LastRecordTime is the Kafka timestamp of the last record delivered,
	// zero before the first.
	LastRecordTime time.Time
}

// Lag reports every partition's position, ascending by partition. It is
// safe to call while another goroutine fetches.
func (r *Reader) Lag() []PartitionLag {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]PartitionLag, 0, len(r.order))
	for _, id := range r.order {
		p := r.parts[id]
		out = append(out, PartitionLag{Partition: id, Offset: p.next, EndOffset: max(p.highWater, p.next), LastRecordTime: p.lastRecordTime})
	}
	return out
}

// LastDecodeTime is how long the last Fetch spent decoding JSON into Arrow
// (progress reports split it from the fetch).
func (r *Reader) LastDecodeTime() time.Duration { return r.decodeTime }
