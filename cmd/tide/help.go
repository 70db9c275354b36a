package main

import (
	"fmt"
)

const helpText = `tide — streaming SQL over Kafka

usage:
  tide [flags]                          the interactive shell
  tide run [flags] FILE.sql|-|-e SQL ... run scripts; wait while continuous queries run
                                        (--once: process what is there, then stop)
  tide serve [--addr 127.0.0.1:8080] [--init FILE.sql]
                                        the HTTP endpoint (POST /v1/sql, /v1/queries, /metrics)
  tide broker [--addr 127.0.0.1:9092] [--partitions 3] [--no-auto-create]
              [--max-message-bytes N] [--retention-bytes N] [--registry-addr H:P|off]
                                        a local Kafka-protocol broker and Schema Registry
                                        (next port): in memory, one node, for development
  tide produce --topic T [--key FIELD] [FILE]
                                        JSON lines (FILE or standard input) to a topic
  tide topic create T [--partitions N] [--replication-factor R] [--config k=v]
  tide topic list | describe T | delete T
                                        topics of any Kafka (as kafka-topics)
  tide consume --topic T [--group G] [--from-beginning] [--key] [--max-messages N]
                                        print a topic's records (as kafka-console-consumer)
  tide group list | describe G          consumer groups, offsets and lag
                                        (as kafka-consumer-groups)
  tide demo                             broker + generator + windowed pipeline, end to end
  tide bench [--rows N] [--keys K]      end-to-end throughput over an embedded broker, vs a baseline
  tide bench --nexmark qN|all [--events N]
                                        Nexmark queries into blackholes, vs Flink's figures per core
  tide version                          the version
  tide help [command]                   this text, or a command's flags

flags of every command:
  --brokers host:port   Kafka bootstrap servers (default: $TIDE_BROKERS; with neither,
                        an embedded broker is started in the process, with a Schema
                        Registry that Avro tables use unless $TIDE_SCHEMA_REGISTRY names one)
  --state-dir DIR       catalog and query checkpoints (default ./tide-state)
  --format FORMAT       how rows print: table, json (one object per line) or csv
`

func (a *app) cmdHelp(g globalOptions, args []string) int {
	if len(args) > 0 && args[0] != "help" {
		// "tide help run" is "tide run -h".
		sub := *a
		sub.stderr = a.stdout
		return sub.main([]string{args[0], "-h"})
	}
	fmt.Fprint(a.stdout, helpText)
	return exitOK
}
