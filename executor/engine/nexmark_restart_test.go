package engine_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tide-sql/tide/connectors/nexmark"
)

const nexmarkRestartSQL = `
CREATE SOURCE IF NOT EXISTS bid WITH (connector = 'nexmark', table = 'bid', events = 40000,
  events_per_second = 10000, rate_limited = true, partitions = 3, max_batch = 500);
CREATE TABLE IF NOT EXISTS per_second (window_start TIMESTAMP(3), bids BIGINT, total BIGINT, top_auction BIGINT,
  PRIMARY KEY (window_start)) WITH (connector = 'delta', path = '%s');
INSERT INTO per_second SELECT window_start, COUNT(*), SUM(price), MAX(auction) FROM bid
GROUP BY TUMBLE(dateTime, INTERVAL 1 SECOND);`

// A nexmark source stopped mid-stream resumes from its checkpoint: the
// restarted query generates exactly the events the first run had not, and
// the windows equal those computed from the generator's events.
func TestAStoppedNexmarkQueryResumesFromItsCheckpoint(t *testing.T) {
	x := newEnv(t)
	out := filepath.Join(x.dir, "out")
	x.exec(fmt.Sprintf(nexmarkRestartSQL, out))
	waitFor(t, func() bool { return x.progress("per_second").TotalInputRows >= 5000 })
	x.e.Close()
	stoppedAt := x.progress("per_second").TotalInputRows
	g := nexmark.NewGenerator(1, 10000, nexmark.DefaultBaseTime, 40000)
	type window struct{ bids, total, top int64 }
	windows := map[int64]*window{}
	var bids int64
	eachBid(g, func(b nexmark.Bid) {
		bids++
		start := b.DateTime - b.DateTime%1000
		w := windows[start]
		if w == nil {
			w = &window{}
			windows[start] = w
		}
		w.bids++
		w.total += b.Price
		w.top = max(w.top, b.Auction)
	})
	if stoppedAt >= bids {
		t.Fatalf("the query finished before it was stopped (%d rows)", stoppedAt)
	}
	x.open()
	x.exec(fmt.Sprintf(nexmarkRestartSQL, out))
	x.wait()
	if n := x.progress("per_second").TotalInputRows; n+stoppedAt != bids {
		t.Fatalf("the restarted query read %d bids after %d, want %d in all", n, stoppedAt, bids)
	}
	var want []string
	for start, w := range windows {
		want = append(want, fmt.Sprintf("window_start=%s bids=%d total=%d top_auction=%d", nexmarkTime(start), w.bids, w.total, w.top))
	}
	expectLines(t, deltaRows(t, out), want)
}
