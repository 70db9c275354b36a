package engine_test

import (
	"testing"

	"github.com/tide-sql/tide/connectors/nexmark"
	"github.com/tide-sql/tide/executor/engine"
)

// The blackhole sink takes appends, upserts and the changes of an updating
// query without a key, and the query counts what it wrote.
func TestTheBlackholeTakesAppendsUpsertsAndChanges(t *testing.T) {
	x := newEnv(t)
	x.exec(`CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events = 5000, max_batch = 100000);
CREATE TABLE appended (auction BIGINT, price BIGINT) WITH (connector = 'blackhole');
CREATE TABLE changes (auction BIGINT, n BIGINT) WITH (connector = 'blackhole');
CREATE TABLE upserts (auction BIGINT, n BIGINT, PRIMARY KEY (auction)) WITH (connector = 'blackhole');
INSERT INTO appended SELECT auction, price FROM bid;
INSERT INTO changes SELECT auction, COUNT(*) FROM bid GROUP BY auction;
INSERT INTO upserts SELECT auction, COUNT(*) FROM bid GROUP BY auction;`)
	x.wait()
	g := nexmark.NewGenerator(1, 10000, nexmark.DefaultBaseTime, 5000)
	bids, auctions := int64(0), map[int64]bool{}
	for n := int64(0); n < 5000; n++ {
		if nexmark.KindOf(n) == nexmark.KindBid {
			bids++
			auctions[g.Bid(n).Auction] = true
		}
	}
	// One fetch holds all 5000 events: one epoch, whose changes are one
	// row per auction.
	want := map[string]int64{"appended": bids, "changes": int64(len(auctions)), "upserts": int64(len(auctions))}
	for _, q := range x.e.Queries() {
		if q.State != engine.QueryFinished {
			t.Fatalf("query %s into %s: %s %s", q.ID, q.Sink, q.State, q.Error)
		}
		if got := q.Progress.TotalOutputRows; got != want[q.Sink] {
			t.Errorf("%s: %d rows written, want %d", q.Sink, got, want[q.Sink])
		}
	}
}
