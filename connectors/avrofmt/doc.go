// Package avrofmt is the avro format: Avro binary message values decoded
// straight into Arrow builders, and rows encoded as Avro.
//
// A source reads Confluent's wire format when it has a schema registry
// (option schema.registry: a zero magic byte, the writer schema's id as 4
// big-endian bytes, the Avro binary body) or raw Avro bodies written with
// the inline schema of option schema. Each writer schema is compiled once
// against the table's columns into a decode program (compile.go): the
// writer's fields in their order, each either read into a column or
// skipped, with Avro's resolution rules deciding what may be read into
// what (fields by name; int → long → float → double; string ↔ bytes;
// enums, uuid → VARCHAR; timestamp-millis/micros → TIMESTAMP; date → DATE;
// decimal → DOUBLE; unions branch by branch). A column the writer lacks is
// NULL when it is nullable; a writer schema that cannot be read as the
// columns makes every record written with it a bad record, with the schema
// id in the reason, as is a record that is truncated, names an id the
// registry does not know or does not start with the magic byte. Writer
// schemas are fetched through franz-go's registry client (package sr),
// once per id, before the records that name them decode (Prepare): a
// registry that cannot be reached is retried with backoff, and the records
// wait, undecoded.
//
// Like the json decoder, a Decoder stages a row's values and appends them
// to the builders only when the whole record has decoded, so a bad record
// appends nothing.
//
// A sink (schema.registry required) registers the Avro schema of its
// columns under the subject <topic>-value (a key's under <topic>-key) when
// it opens, and writes each row in Confluent's wire format with the id the
// registry gave; a registry that refuses the schema (compatibility) stops
// the sink with the registry's message.
//
// Nested Avro types (records, arrays, maps) are skipped when no column
// names them; reading them into a column is not supported yet.
package avrofmt
