package engine_test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/tide-sql/tide/executor/engine"
	examples "github.com/tide-sql/tide/sql-examples"
)

var benchNexmarkEvents = flag.Int64("nexmark.events", 2_000_000, "events BenchmarkNexmark runs each query on")

// BenchmarkNexmark runs each query of sql-examples/nexmark into its
// blackhole, in an engine of its own per iteration, and reports events
// (all kinds) per second of wall time and per CPU-second of the process:
//
//	go test -run '^$' -bench Nexmark -benchtime 3x ./executor/engine/ -args -nexmark.events=10000000
func BenchmarkNexmark(b *testing.B) {
	for _, name := range examples.NexmarkQueries() {
		b.Run(name, func(b *testing.B) {
			script, err := examples.NexmarkScript(name, *benchNexmarkEvents)
			if err != nil {
				b.Fatal(err)
			}
			var wall, cpu float64
			for i := 0; i < b.N; i++ {
				w, c := timedRun(b, engine.Config{StateDir: filepath.Join(b.TempDir(), "state")}, script)
				wall += w
				cpu += c
			}
			n := float64(*benchNexmarkEvents) * float64(b.N)
			b.ReportMetric(n/wall, "events/s")
			b.ReportMetric(n/cpu, "events/CPU-s")
		})
	}
}
