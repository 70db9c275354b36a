// Package kafka is the Kafka connector: a source that reads a topic as
// Arrow micro-batches, and StartBroker, an in-process Kafka-protocol broker
// for `tide broker`, the embedded default and tests.
//
// The source owns one franz-go client that consumes every partition of its
// topic by direct assignment, never through a consumer-group rebalance, so
// that positions are the engine's: Open resumes each partition at its
// checkpointed offset (the rest start per the start option, resolved to
// concrete offsets at once), and every Fetch reports the next offset of
// every partition. Records are first taken into a per-partition buffer of
// fetched but undelivered records. Fetch then delivers from those buffers:
// at most max_batch records shared fairly between partitions, or, on a
// replay, exactly the records below the epoch's end offsets (records past
// them stay buffered and partitions that hold all they need are paused).
// Each partition has its own JSON decoder, so a fetch yields one Arrow
// record per partition, and big fetches decode partitions in parallel.
// Messages that do not decode fail the fetch, are counted and skipped, or
// become dead-letter rows (DeadLetterSchema) that the engine takes with
// DeadLetters and writes in the same epoch. stop = 'latest' fixes each
// partition's end offset at Open; a partition that reaches it is retired
// and the fetch that retires the last one is Done. Unbounded sources look
// for new partitions every few seconds and read them from the earliest
// offset. A partition without records for idle_timeout is reported idle so
// that it stops holding the watermark back, and Lag reports positions, log
// end offsets and the last record's timestamp for progress reports.
package kafka
