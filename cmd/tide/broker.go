package main

import (
	"fmt"
)

const brokerUsage = `tide broker [--addr 127.0.0.1:9092] [--partitions 3]

Runs an in-memory Kafka-protocol broker in this process until SIGINT or
SIGTERM. Topics are created on first use with --partitions partitions.
Other tide commands reach it with --brokers ADDR or TIDE_BROKERS=ADDR.`

func (a *app) cmdBroker(g globalOptions, args []string) int {
	addr, partitions := "127.0.0.1:9092", 3
	fs := newFlagSet("broker", brokerUsage, &g, a.stderr)
	fs.StringVar(&addr, "addr", addr, "`host:port` to listen on (port 0 picks a free one)")
	fs.IntVar(&partitions, "partitions", partitions, "partitions of each topic created on the broker")
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if err := unexpectedArgs("broker", extra); err != nil {
		fmt.Fprintln(a.stderr, "tide", err)
		return exitUsage
	}
	if partitions < 1 || partitions > 1<<20 {
		fmt.Fprintf(a.stderr, "tide broker: --partitions must be at least 1, not %d\n", partitions)
		return exitUsage
	}
	sigs, stop := a.notify()
	defer stop()
	b, err := a.startBroker(addr, int32(partitions))
	if err != nil {
		return a.fail("broker", err)
	}
	defer b.Close()
	fmt.Fprintf(a.stdout, "tide: Kafka-protocol broker listening at %s (export TIDE_BROKERS=%s); Ctrl-C stops it\n", b.Addr(), b.Addr())
	<-sigs
	fmt.Fprintln(a.stderr, "tide: broker stopped")
	return exitOK
}
