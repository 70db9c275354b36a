package main

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/tide-sql/tide/connectors/kafka"
	"github.com/tide-sql/tide/connectors/schemaregistry"
)

const brokerUsage = `tide broker [--addr 127.0.0.1:9092] [--partitions 3] [--no-auto-create]
            [--max-message-bytes 1048588] [--retention-bytes 1073741824]
            [--registry-addr HOST:PORT|off]

Runs a Kafka-protocol broker in this process until SIGINT or SIGTERM, for
development: a single node that keeps everything in memory (its topics,
records and consumer-group offsets are gone when it stops). Any Kafka
client can use it (kafka-python, confluent-kafka, kcat, franz-go, Spark);
other tide commands reach it with --brokers ADDR or TIDE_BROKERS=ADDR.

Like a local Kafka with auto.create.topics.enable=true, it creates a topic
with --partitions partitions when a client first asks for it (metadata,
produce, or a consumer group subscribing to it); --no-auto-create turns
that off, and clients then get UNKNOWN_TOPIC_OR_PARTITION until
"tide topic create" creates the topic.

Each partition keeps at most --retention-bytes (Kafka's retention.bytes;
-1: no limit); older records are dropped and the partition's start offset
advances. Records are not dropped by age (Kafka's retention.ms) unless
their topic is created with --config retention.ms=MS. A producer
sending a batch over --max-message-bytes (message.max.bytes) gets
MESSAGE_TOO_LARGE. A client that sends something other than Kafka requests
(an HTTP request, TLS, random bytes) gets one line on stderr naming its
address and what was wrong, and its connection is closed.

It also serves a Schema Registry, Confluent's REST API, on --registry-addr
(by default the broker's host and the next port: 127.0.0.1:9093 for
127.0.0.1:9092; "off" for none): Confluent's serializers, kafkajs and
franz-go register and fetch schemas there (schema.registry.url), and tide's
Avro tables use it when they name no schema.registry (other tide commands
reach it with TIDE_SCHEMA_REGISTRY=URL). Like the broker it keeps
everything in memory, gone when it stops. It holds Avro schemas (JSON and
Protobuf ones, and schema references, are refused with error 42201), gives
each schema one global id, and checks new versions under the subject's
compatibility level (BACKWARD by default; FORWARD, FULL, their _TRANSITIVE
forms, or NONE, set with PUT /config) by Avro's schema-resolution rules.`

func (a *app) cmdBroker(g globalOptions, args []string) int {
	cfg := kafka.BrokerConfig{Addr: "127.0.0.1:9092"}
	partitions := 3
	fs := newFlagSet("broker", brokerUsage, &g, a.stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "`host:port` to listen on (port 0 picks a free one)")
	fs.IntVar(&partitions, "partitions", partitions, "partitions of each topic created on first use or without --partitions")
	fs.BoolVar(&cfg.NoAutoCreate, "no-auto-create", false, "do not create topics on first use (auto.create.topics.enable=false)")
	fs.IntVar(&cfg.MaxMessageBytes, "max-message-bytes", kafka.DefaultMaxMessageBytes, "largest record batch a producer may send, in `bytes` (message.max.bytes)")
	fs.Int64Var(&cfg.RetentionBytes, "retention-bytes", kafka.DefaultRetentionBytes, "`bytes` each partition keeps before dropping its oldest records; -1: no limit")
	fs.DurationVar(&cfg.RetentionCheck, "retention-check", kafka.DefaultRetentionCheck, "how often retention is applied (log.retention.check.interval.ms)")
	registryAddr := ""
	fs.StringVar(&registryAddr, "registry-addr", "", "`host:port` of the Schema Registry (default: the broker's host and next port; port 0 picks a free one; off: none)")
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if err := unexpectedArgs("broker", extra); err != nil {
		fmt.Fprintln(a.stderr, "tide", err)
		return exitUsage
	}
	msg := checkBrokerFlags(partitions, cfg)
	if msg == "" {
		msg = checkRegistryAddr(registryAddr)
	}
	if msg != "" {
		fmt.Fprintln(a.stderr, "tide broker: "+msg)
		return exitUsage
	}
	cfg.Partitions = int32(partitions)
	cfg.Log = a.stderr
	sigs, stop := a.notify()
	defer stop()
	b, err := cfg.Start()
	if err != nil {
		return a.fail("broker", err)
	}
	defer b.Close()
	var registry *schemaregistry.Server
	if registryAddr != "off" {
		if registryAddr == "" {
			registryAddr = nextPort(b.Addr(), cfg.Addr)
		}
		if registry, err = schemaregistry.Start(registryAddr); err != nil {
			return a.fail("broker", fmt.Errorf("%w (choose another address with --registry-addr, or --registry-addr off)", err))
		}
		defer registry.Close()
	}
	created := "created on first use"
	if cfg.NoAutoCreate {
		created = "not created on first use"
	}
	fmt.Fprintf(a.stdout, "tide: Kafka-protocol broker listening at %s (export TIDE_BROKERS=%s); Ctrl-C stops it\n", b.Addr(), b.Addr())
	if registry != nil {
		fmt.Fprintf(a.stdout, "tide: Schema Registry (Confluent REST API) listening at %s (export TIDE_SCHEMA_REGISTRY=%s)\n", registry.URL(), registry.URL())
	}
	fmt.Fprintf(a.stderr, "tide: in memory, one node; topics %s (%d partitions); max message %d bytes; retention %s per partition\n",
		created, partitions, cfg.MaxMessageBytes, retentionText(cfg.RetentionBytes))
	<-sigs
	fmt.Fprintln(a.stderr, "tide: broker stopped")
	return exitOK
}

// checkBrokerFlags says what is wrong with the broker's flags, "" if nothing.
func checkBrokerFlags(partitions int, cfg kafka.BrokerConfig) string {
	switch {
	case partitions < 1 || partitions > 1<<20:
		return fmt.Sprintf("--partitions must be at least 1, not %d", partitions)
	case cfg.MaxMessageBytes < 1 || cfg.MaxMessageBytes > 100<<20:
		return fmt.Sprintf("--max-message-bytes must be between 1 and %d, not %d", 100<<20, cfg.MaxMessageBytes)
	case cfg.RetentionBytes == 0 || cfg.RetentionBytes < -1:
		return fmt.Sprintf("--retention-bytes must be positive, or -1 for no limit, not %d", cfg.RetentionBytes)
	case cfg.RetentionCheck < time.Millisecond:
		return fmt.Sprintf("--retention-check must be at least 1ms, not %v", cfg.RetentionCheck)
	}
	return ""
}

// checkRegistryAddr says what is wrong with --registry-addr, "" if nothing.
func checkRegistryAddr(addr string) string {
	if addr == "" || addr == "off" {
		return ""
	}
	_, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("--registry-addr must be host:port (or off), not %q", addr)
	}
	return ""
}

// nextPort is the default address of the broker's Schema Registry: the
// broker's host and the next port, or a free port when the broker was asked
// for any free one (requested port 0).
func nextPort(brokerAddr, requested string) string {
	host, port, err := net.SplitHostPort(brokerAddr)
	if err != nil {
		return "127.0.0.1:0"
	}
	n, err := strconv.Atoi(port)
	if _, want, _ := net.SplitHostPort(requested); err != nil || want == "0" || n >= 65535 {
		return net.JoinHostPort(host, "0")
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

// retentionText is a byte count as a person reads it.
func retentionText(n int64) string {
	switch {
	case n < 0:
		return "unlimited"
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
