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

// nexmarkRates are the event rates the tests run the queries of windows
// and joins at (events_per_second): 10,000 events then span 50 s of event
// time, several windows of 10 s. The others run at the files' rate.
var nexmarkRates = map[string]int64{"q3": 200, "q4": 200, "q5": 200, "q7": 200, "q8": 200}

func init() {
	nexmarkReferences["q4"] = func(g *nexmark.Generator) (string, []string) {
		auctions := map[int64]nexmark.Auction{}
		for n := int64(0); n < g.Events(); n++ {
			if nexmark.KindOf(n) == nexmark.KindAuction {
				a := g.Auction(n)
				auctions[a.ID] = a
			}
		}
		final := map[int64]int64{} // auction → its highest bid while open
		eachBid(g, func(b nexmark.Bid) {
			if a, ok := auctions[b.Auction]; ok && b.DateTime >= a.DateTime && b.DateTime <= a.Expires {
				final[a.ID] = max(final[a.ID], b.Price)
			}
		})
		type avg struct{ sum, n float64 }
		per := map[int64]*avg{}
		for id, price := range final {
			c := auctions[id].Category
			if per[c] == nil {
				per[c] = &avg{}
			}
			per[c].sum += float64(price)
			per[c].n++
		}
		var rows []string
		for c, a := range per {
			rows = append(rows, fmt.Sprintf("id=%d final=%s", c, strconv.FormatFloat(a.sum/a.n, 'g', 10, 64)))
		}
		return "nexmark_q4", rows
	}
	nexmarkReferences["q3"] = func(g *nexmark.Generator) (string, []string) {
		people := map[int64]nexmark.Person{}
		var auctions []nexmark.Auction
		for n := int64(0); n < g.Events(); n++ {
			switch nexmark.KindOf(n) {
			case nexmark.KindPerson:
				p := g.Person(n)
				people[p.ID] = p
			case nexmark.KindAuction:
				auctions = append(auctions, g.Auction(n))
			}
		}
		var rows []string
		for _, a := range auctions {
			p, ok := people[a.Seller]
			if ok && a.Category == 10 && (p.State == "OR" || p.State == "ID" || p.State == "CA") {
				rows = append(rows, fmt.Sprintf("name=%s city=%s state=%s id=%d", p.Name, p.City, p.State, a.ID))
			}
		}
		return "nexmark_q3", rows
	}
	nexmarkReferences["q5"] = func(g *nexmark.Generator) (string, []string) {
		// HOP(2 s slide, 10 s size): a bid at t is in the windows ending at
		// the 5 multiples of 2 s in (t, t + 10 s].
		type win struct{ end, auction int64 }
		counts := map[win]int64{}
		eachBid(g, func(b nexmark.Bid) {
			first := (b.DateTime/2000 + 1) * 2000
			for end := first; end <= b.DateTime+10000; end += 2000 {
				counts[win{end, b.Auction}]++
			}
		})
		top := map[int64]int64{}
		for w, n := range counts {
			top[w.end] = max(top[w.end], n)
		}
		var rows []string
		for w, n := range counts {
			if n >= top[w.end] {
				rows = append(rows, fmt.Sprintf("auction=%d num=%d", w.auction, n))
			}
		}
		return "nexmark_q5", rows
	}
	nexmarkReferences["q7"] = func(g *nexmark.Generator) (string, []string) {
		top := map[int64]int64{} // window end → highest price
		var bids []nexmark.Bid
		eachBid(g, func(b nexmark.Bid) {
			end := (b.DateTime/10000 + 1) * 10000
			top[end] = max(top[end], b.Price)
			bids = append(bids, b)
		})
		var rows []string
		for end, price := range top {
			for _, b := range bids {
				if b.Price == price && b.DateTime >= end-10000 && b.DateTime <= end {
					rows = append(rows, fmt.Sprintf("auction=%d price=%d bidder=%d dateTime=%s extra=%s", b.Auction, b.Price, b.Bidder, nexmarkTime(b.DateTime), b.Extra))
				}
			}
		}
		return "nexmark_q7", rows
	}
	nexmarkReferences["q8"] = func(g *nexmark.Generator) (string, []string) {
		type key struct{ id, start int64 }
		people := map[key]string{}
		sellers := map[key]bool{}
		for n := int64(0); n < g.Events(); n++ {
			switch nexmark.KindOf(n) {
			case nexmark.KindPerson:
				p := g.Person(n)
				people[key{p.ID, p.DateTime / 10000 * 10000}] = p.Name
			case nexmark.KindAuction:
				a := g.Auction(n)
				sellers[key{a.Seller, a.DateTime / 10000 * 10000}] = true
			}
		}
		var rows []string
		for k, name := range people {
			if sellers[k] {
				rows = append(rows, fmt.Sprintf("id=%d name=%s stime=%s", k.id, name, nexmarkTime(k.start)))
			}
		}
		return "nexmark_q8", rows
	}
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
	for _, name := range queries {
		rate := nexmarkRates[name]
		if rate == 0 {
			rate = 10_000_000
		}
		g := nexmark.NewGenerator(1, float64(rate), nexmark.DefaultBaseTime, nexmarkEvents)
		ref, ok := nexmarkReferences[name]
		if !ok {
			t.Errorf("sql-examples/nexmark/%s.sql has no reference in nexmarkReferences", name)
			continue
		}
		table, want := ref(g)
		t.Logf("%s: %d rows", name, len(want))
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
				into = strings.ReplaceAll(into, "events_per_second = 10000000", fmt.Sprintf("events_per_second = %d", rate))
				x := newEnv(t)
				x.exec(run.settings + into)
				x.wait()
				expectLines(t, x.rows("SELECT * FROM "+table), want)
			})
		}
	}
}
