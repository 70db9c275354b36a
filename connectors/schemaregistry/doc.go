// Package schemaregistry is a Schema Registry for development: Confluent's
// REST API (subjects, versions, global schema ids, compatibility checks and
// config) served from memory, so that Confluent's serializers, franz-go's
// pkg/sr, kafkajs's registry client and tide's own Avro format work against
// `tide broker` and the embedded broker as they would against Confluent's
// registry. Everything is lost when the process stops.
//
// The model: a schema is stored once and has one global id, found by its
// normalized form (Avro's Parsing Canonical Form, keeping what changes how
// data is read: logical types, defaults, aliases, field order, docs and
// other properties), so the same schema sent with other whitespace or key
// order gets the same id in every subject. A subject is a list of versions,
// each pointing at a schema id; versions are soft-deleted (hidden, and left
// out of compatibility checks) before they can be deleted permanently. A
// new version must be compatible with the subject's earlier ones under the
// subject's compatibility level (or the global one, BACKWARD by default),
// checked by Avro's schema-resolution rules (avro_compat.go).
//
// Only schemaType AVRO is accepted; JSON and PROTOBUF schemas, schema
// references, metadata and rule sets are refused with 42201, never stored
// unchecked. Errors answer as Confluent's registry does: an HTTP status and
// a JSON body {"error_code": N, "message": "..."}, with the codes of
// Confluent Platform 7.x (409 for an incompatible schema).
package schemaregistry
