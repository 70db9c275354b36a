// Package interop checks tide's Kafka side with clients tide did not write:
// kafka-python, confluent-kafka-python (librdkafka), kcat and kafkajs
// produce to and consume from `tide broker`, run as a process on
// 127.0.0.1, and read what tide's Kafka sink wrote; kafkajs with
// @kafkajs/confluent-schema-registry and confluent-kafka-python's registry
// client with Debian's python3-avro write Avro tide reads, and decode
// tide's Avro sink output. The package holds only
// tests: TestMain builds the tide binary and starts the broker, and each
// test drives a client's script from testdata (kafkajs comes from npm: run
// `npm ci` in this folder). A client that is not installed skips its tests,
// except in CI (CI=true), where it fails them.
package interop
