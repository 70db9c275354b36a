package main

import (
	"fmt"
	"net"
	"strings"

	"github.com/tide-sql/tide/connectors/kafka"
	"github.com/tide-sql/tide/connectors/schemaregistry"
)

// embeddedBroker is the part of the embedded broker the commands use.
type embeddedBroker interface {
	Addr() string
	// RegistryURL is the URL of its Schema Registry.
	RegistryURL() string
	Close()
}

// devBroker is a Kafka-protocol broker and its Schema Registry, as `tide
// broker` runs them, in this process.
type devBroker struct {
	*kafka.Broker
	registry *schemaregistry.Server
}

func (d devBroker) RegistryURL() string { return d.registry.URL() }

func (d devBroker) Close() {
	d.registry.Close()
	d.Broker.Close()
}

// startBroker starts an in-process Kafka-protocol broker with a Schema
// Registry on a free port of the same host; a variable so that tests can
// count or replace it.
var startBroker = func(addr string, partitions int32) (embeddedBroker, error) {
	b, err := kafka.StartBroker(addr, partitions)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(b.Addr())
	if err != nil {
		b.Close()
		return nil, err
	}
	reg, err := schemaregistry.Start(net.JoinHostPort(host, "0"))
	if err != nil {
		b.Close()
		return nil, err
	}
	return devBroker{Broker: b, registry: reg}, nil
}

// brokerSource says where the broker list came from.
type brokerSource string

const (
	fromFlag     brokerSource = "--brokers"
	fromEnv      brokerSource = "$TIDE_BROKERS"
	fromEmbedded brokerSource = "embedded"
)

// kafkaEndpoints is where the engine finds Kafka and a Schema Registry.
type kafkaEndpoints struct {
	Brokers  string // the bootstrap list
	Registry string // the default Schema Registry URL, "" when none is known
}

// resolveBrokers picks the Kafka bootstrap list: --brokers, then
// $TIDE_BROKERS, then an embedded broker started here (announced on
// stderr); and the Schema Registry: $TIDE_SCHEMA_REGISTRY, else the
// embedded broker's. stop closes the embedded broker (a no-op otherwise).
func (a *app) resolveBrokers(g globalOptions) (ep kafkaEndpoints, src brokerSource, stop func(), err error) {
	ep.Registry = strings.TrimSpace(a.getenv("TIDE_SCHEMA_REGISTRY"))
	if b := strings.TrimSpace(g.brokers); b != "" {
		ep.Brokers = b
		return ep, fromFlag, func() {}, nil
	}
	if b := strings.TrimSpace(a.getenv("TIDE_BROKERS")); b != "" {
		ep.Brokers = b
		return ep, fromEnv, func() {}, nil
	}
	br, err := a.startBroker("127.0.0.1:0", 3)
	if err != nil {
		return ep, "", nil, fmt.Errorf("no broker configured, and the embedded one did not start: %w", err)
	}
	fmt.Fprintf(a.stderr, "tide: no broker configured; started an embedded Kafka-protocol broker at %s with a Schema Registry at %s\n", br.Addr(), br.RegistryURL())
	ep.Brokers = br.Addr()
	if ep.Registry == "" {
		ep.Registry = br.RegistryURL()
	}
	return ep, fromEmbedded, br.Close, nil
}

// configuredBrokers is --brokers or $TIDE_BROKERS, "" when neither is set.
func (a *app) configuredBrokers(g globalOptions) string {
	if b := strings.TrimSpace(g.brokers); b != "" {
		return b
	}
	return strings.TrimSpace(a.getenv("TIDE_BROKERS"))
}
