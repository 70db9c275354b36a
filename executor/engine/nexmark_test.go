package engine_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/connectors/nexmark"
	examples "github.com/tide-sql/tide/sql-examples"
)

// nexmarkEvents is the size of the stream the query tests run on.
const nexmarkEvents = 10000

// nexmarkReference computes a query's output from the generator's events
// in plain Go, as the rows of its sink table (sorted by the caller).
type nexmarkReference func(g *nexmark.Generator) (table string, rows []string)

// nexmarkReferences are the queries of sql-examples/nexmark with their
// references; every query file needs one.
var nexmarkReferences = map[string]nexmarkReference{
	"q0": func(g *nexmark.Generator) (string, []string) {
		var rows []string
		eachBid(g, func(b nexmark.Bid) {
			rows = append(rows, fmt.Sprintf("auction=%d bidder=%d price=%d dateTime=%s extra=%s", b.Auction, b.Bidder, b.Price, nexmarkTime(b.DateTime), b.Extra))
		})
		return "nexmark_q0", rows
	},
	"q1": func(g *nexmark.Generator) (string, []string) {
		var rows []string
		eachBid(g, func(b nexmark.Bid) {
			euros := strconv.FormatFloat(0.908*float64(b.Price), 'g', 10, 64)
			rows = append(rows, fmt.Sprintf("auction=%d bidder=%d price=%s dateTime=%s extra=%s", b.Auction, b.Bidder, euros, nexmarkTime(b.DateTime), b.Extra))
		})
		return "nexmark_q1", rows
	},
	"q2": func(g *nexmark.Generator) (string, []string) {
		var rows []string
		eachBid(g, func(b nexmark.Bid) {
			if b.Auction%123 == 0 {
				rows = append(rows, fmt.Sprintf("auction=%d price=%d", b.Auction, b.Price))
			}
		})
		return "nexmark_q2", rows
	},
}

func eachBid(g *nexmark.Generator, f func(nexmark.Bid)) {
	for n := int64(0); n < g.Events(); n++ {
		if nexmark.KindOf(n) == nexmark.KindBid {
			f(g.Bid(n))
		}
	}
}

// nexmarkTime formats an event time (ms) as the engine prints timestamps.
func nexmarkTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000")
}

// TestNexmarkQueriesMatchTheirReferences runs every query of
// sql-examples/nexmark on a small stream, into memory tables instead of
// blackholes, and compares what it wrote with its reference, at one task
// and at two (the stream split into 4 partitions), with small and large
// micro-batches.
func TestNexmarkQueriesMatchTheirReferences(t *testing.T) {
	queries := examples.NexmarkQueries()
	if len(queries) < 3 {
		t.Fatalf("queries %v: want q0, q1, q2 at least", queries)
	}
	g := nexmark.NewGenerator(1, 10_000_000, nexmark.DefaultBaseTime, nexmarkEvents)
	for _, name := range queries {
		ref, ok := nexmarkReferences[name]
		if !ok {
			t.Errorf("sql-examples/nexmark/%s.sql has no reference in nexmarkReferences", name)
			continue
		}
		table, want := ref(g)
		if len(want) == 0 {
			t.Fatalf("%s: the reference has no rows on %d events", name, nexmarkEvents)
		}
		for _, run := range []struct {
			label    string
			settings string // prepended to the script
			options  string // added to the nexmark sources
		}{
			{"one task", "SET parallelism = 1;", ""},
			{"two tasks, four partitions, small batches", "SET parallelism = 2;", ", partitions = 4, max_batch = 700"},
		} {
			t.Run(name+"/"+run.label, func(t *testing.T) {
				script, err := examples.NexmarkScript(name, nexmarkEvents)
				if err != nil {
					t.Fatal(err)
				}
				into := strings.ReplaceAll(script, "'connector' = 'blackhole'", "'connector' = 'memory'")
				if into == script {
					t.Fatalf("%s.sql writes into no blackhole table", name)
				}
				into = strings.ReplaceAll(into, "connector = 'nexmark'", "connector = 'nexmark'"+run.options)
				x := newEnv(t)
				x.exec(run.settings + into)
				x.wait()
				expectLines(t, x.rows("SELECT * FROM "+table), want)
			})
		}
	}
}
