package main

import (
	"fmt"
	"strings"

	"github.com/tide-sql/tide/connectors/kafka"
)

// embeddedBroker is the part of kafka.Broker the commands use.
type embeddedBroker interface {
	Addr() string
	Close()
}

// startBroker starts an in-process Kafka-protocol broker; a variable so
// that tests can count or replace it.
var startBroker = func(addr string, partitions int32) (embeddedBroker, error) {
	b, err := kafka.StartBroker(addr, partitions)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// brokerSource says where the broker list came from.
type brokerSource string

const (
	fromFlag     brokerSource = "--brokers"
	fromEnv      brokerSource = "$TIDE_BROKERS"
	fromEmbedded brokerSource = "embedded"
)

// resolveBrokers picks the Kafka bootstrap list: --brokers, then
// $TIDE_BROKERS, then an embedded broker started here (announced on
// stderr). stop closes the embedded broker (a no-op otherwise).
func (a *app) resolveBrokers(g globalOptions) (brokers string, src brokerSource, stop func(), err error) {
	if b := strings.TrimSpace(g.brokers); b != "" {
		return b, fromFlag, func() {}, nil
	}
	if b := strings.TrimSpace(a.getenv("TIDE_BROKERS")); b != "" {
		return b, fromEnv, func() {}, nil
	}
	br, err := a.startBroker("127.0.0.1:0", 3)
	if err != nil {
		return "", "", nil, fmt.Errorf("no broker configured, and the embedded one did not start: %w", err)
	}
	fmt.Fprintf(a.stderr, "tide: no broker configured; started an embedded Kafka-protocol broker at %s\n", br.Addr())
	return br.Addr(), fromEmbedded, br.Close, nil
}

// configuredBrokers is --brokers or $TIDE_BROKERS, "" when neither is set.
func (a *app) configuredBrokers(g globalOptions) string {
	if b := strings.TrimSpace(g.brokers); b != "" {
		return b
	}
	return strings.TrimSpace(a.getenv("TIDE_BROKERS"))
}
