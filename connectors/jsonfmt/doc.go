// Package jsonfmt decodes JSON message values (one JSON object per Kafka
// message) straight into Arrow builders, without going through
// encoding/json, maps or interfaces. A Decoder is built once per source from
// the table's Arrow schema; each call to Append scans one message with a
// hand-written byte scanner, matches every top-level key to a column by name
// (exact match first, then case-insensitive), converts the value to the
// column's type while it is still in the input buffer (strings without
// escapes are never copied until they reach the builder), and stages the
// result in a per-column slot. Only when the whole object has been scanned
// and every value converted are the slots appended to the builders, one
// value per column, so a malformed or ill-typed message appends nothing and
// the columns can never drift apart. Keys that match no column are skipped
// (nested objects and arrays are skipped but still checked for syntax),
// missing keys and JSON null become NULL, and a key repeated within one
// object keeps its last value. Rows accumulate until NewRecord hands them
// over as an arrow.Record and resets the builders, reserving the same
// capacity for the next batch so that steady-state decoding does not
// allocate per row.
package jsonfmt
