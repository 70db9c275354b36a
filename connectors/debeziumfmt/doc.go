// Package debeziumfmt is the debezium-json format (Flink's name): message
// values are Debezium's change events, with or without the JSON
// converter's {"schema": ..., "payload": ...} wrapping. Each event becomes
// one row of the source's columns followed by executor.DeletedColumn:
//
//   - op c (create) and r (snapshot read): the after image, not deleted;
//   - op u (update): the after image, not deleted (the engine's
//     changelog normalize retracts the key's previous row, so the before
//     image, null with PostgreSQL's default replica identity, is not
//     needed);
//   - op d (delete): the before image, deleted; with the default replica
//     identity it holds only the key, which is all a delete needs.
//
// Tombstones (null values that follow a delete for log compaction) are
// skipped by the Kafka source like any tombstone. An event without op, with
// an unknown op, or without the image its op needs is a bad record. The
// columns of the images map to the source's columns by name, as the json
// format maps an object's fields.
package debeziumfmt
