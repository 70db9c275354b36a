// Package interop checks tide's Kafka side with clients tide did not write:
// kafka-python, confluent-kafka-python (librdkafka), kcat and kafkajs
// produce to and consume from `tide broker`, run as a process on
// 127.0.0.1, and read what tide's Kafka sink wrote; confluent-kafka-python's
// SchemaRegistryClient and @kafkajs/confluent-schema-registry register and
// fetch schemas with its Schema Registry, and write Avro (the Python side
// encoded by Debian's python3-avro) that tide reads, and decode tide's Avro
// sink output. The package holds only tests:
// TestMain builds the tide binary and starts the broker (with its
// registry), and each test drives a client's script from testdata
// ($KAFKA_BROKERS, $SCHEMA_REGISTRY_URL; the npm packages: run `npm ci` in
// this folder). A client that is not installed skips its tests, except in
// CI (CI=true), where it fails them.
package interop
