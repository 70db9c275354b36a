// Package formats registers every message format tide ships with into the
// registry of package format (format.Register, from each format's init).
// Connectors that carry messages import it, so that their format option
// knows every format and they accept every format's options; they never
// import a format themselves, and a new format is added here only.
package formats

import (
	_ "github.com/tide-sql/tide/connectors/avrofmt"     // avro, avro-confluent
	_ "github.com/tide-sql/tide/connectors/debeziumfmt" // debezium-json
	_ "github.com/tide-sql/tide/connectors/jsonfmt"     // json
)
