package ops

// What a source scan asks of its reader beyond executor.SourceReader. Each
// is optional: a reader that lacks one gets the plainer behaviour described
// with it.

// RowRejecter is implemented by readers that can take back rows they
// delivered as bad records, when the scan finds them bad after decoding (a
// row whose event time is NULL). rows index the partition's record of the
// last Fetch. The reader handles them as it handles messages that do not
// decode (Kafka's on_error): it returns an error that stops the query, sets
// them aside as dead letters (DeadLetters), or lets them go. The scan counts
// them as bad records and drops them either way; without a RowRejecter it
// only does that.
type RowRejecter interface {
	RejectRows(partition int32, rows []int, reason string) error
}

// TombstoneCounter is implemented by readers that skip messages without a
// value (Kafka tombstones): Tombstones counts them since Open.
type TombstoneCounter interface {
	Tombstones() int64
}

// AvailableNowReader is implemented by readers that can bound themselves to
// the input available when they open, for a scan with ScanOptions.Once
// (Spark's Trigger.AvailableNow). ReadAvailableNow is called before Open;
// the reader then reports Done once it has delivered that input. It returns
// complete when the source's input ends there anyway (a bounded source), so
// that Done also means the input is complete and every window closes;
// otherwise the scan stops keeping its watermark and state for the next run.
// Without it, a Once scan takes the first fetch that brings nothing as the
// end of what was available.
type AvailableNowReader interface {
	ReadAvailableNow() (complete bool)
}

// PartitionCounter is implemented by readers that know how many partitions
// they read. A reader with none (a task of a parallel query with more
// tasks than the topic has partitions) is idle from the start, so that it
// holds back no merge's watermark. Without it, a reader is idle only once
// every partition it reported is.
type PartitionCounter interface {
	Partitions() int
}
