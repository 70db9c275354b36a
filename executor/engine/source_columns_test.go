package engine_test

import (
	"strings"
	"testing"
)

// The columns a connector supplied are the catalog's: a restarted engine
// has them without asking the connector again, and running the same
// script again finds the source unchanged.
func TestConnectorSuppliedColumnsSurviveARestart(t *testing.T) {
	x := newEnv(t)
	const create = "CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events = 500);"
	x.exec(create)
	before := x.rows("DESCRIBE bid")
	x.e.Close()
	x.open()
	if after := x.rows("DESCRIBE bid"); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("after a restart DESCRIBE shows\n%s\nbefore\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	res := x.exec(create)
	if msg := res[0].Message; !strings.Contains(msg, "unchanged") {
		t.Fatalf("the same CREATE again: %q", msg)
	}
	x.exec("CREATE TABLE bids (auction BIGINT, dt TIMESTAMP(3)); INSERT INTO bids SELECT auction, dateTime FROM bid;")
	x.wait()
	if got := x.rows("SELECT COUNT(*) AS n FROM bids"); len(got) != 1 || got[0] != "n=460" {
		t.Fatalf("the 500 events hold 460 bids; bids has %v", got)
	}
}
