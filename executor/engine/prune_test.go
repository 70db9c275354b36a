package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	_ "github.com/tide-sql/tide/connectors/nexmark"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

// usedColumnNames plans query over the engine's catalog and names the
// columns of source that columnsUsed finds read.
func usedColumnNames(t *testing.T, e *Engine, source, query string) string {
	t.Helper()
	stmts, err := parser.Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := e.plan.PlanQuery(stmts[0].(*parser.Select).Query)
	if err != nil {
		t.Fatal(parser.Render(err, query))
	}
	tbl, err := e.cat.Get(source)
	if err != nil {
		t.Fatal(err)
	}
	for scanned, cols := range columnsUsed(plan.Root) {
		if scanned.Name != tbl.Name {
			continue
		}
		var names []string
		for i, used := range cols {
			if used {
				names = append(names, scanned.Columns[i].Name)
			}
		}
		return strings.Join(names, ", ")
	}
	return "(not scanned)"
}

func TestTheColumnsAQueryReadsAreFoundThroughProjectionsAndFilters(t *testing.T) {
	e, err := Open(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Execute(context.Background(), `CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid');
CREATE SOURCE prices (price BIGINT) WITH (connector = 'nexmark', table = 'bid');`, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ source, query, want string }{
		// The event time is read for the watermark.
		{"bid", "SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0", "auction, price, dateTime"},
		{"bid", "SELECT auction, 0.908 * price AS euros FROM bid WHERE channel = 'Google'", "auction, price, channel, dateTime"},
		{"bid", "SELECT UPPER(url) AS u FROM (SELECT url, price FROM bid) AS b", "url, dateTime"},
		{"bid", "SELECT * FROM bid", "auction, bidder, price, channel, url, dateTime, extra"},
		// An aggregate reads all of its input, which the planner projects.
		{"bid", "SELECT auction, COUNT(*) AS n FROM bid GROUP BY auction", "auction, dateTime"},
		// No watermark, nothing read but the one column.
		{"prices", "SELECT price FROM prices", "price"},
	} {
		if got := usedColumnNames(t, e, c.source, c.query); got != c.want {
			t.Errorf("%s: reads %s, want %s", c.query, got, c.want)
		}
	}
}

// A scan that sends late rows to a table reads every column: the table
// takes the rows whole.
func TestAScanWithALateTableReadsEveryColumn(t *testing.T) {
	tbl := &catalog.Table{Name: "tx", Kind: catalog.KindSource, Connector: "kafka", Options: map[string]string{"late": "table:late_tx"},
		Columns: []catalog.Column{{Name: "id", Type: catalog.Int64}, {Name: "note", Type: catalog.String}}}
	scan := &planner.SourceScan{Table: tbl, Out: tbl.Schema()}
	root := &planner.Project{Input: scan, Exprs: []planner.Expr{&planner.ColumnRef{Index: 0, Name: "id", Typ: catalog.Int64}}, Out: tbl.Schema(), Watermark: -1}
	if got := columnsUsed(root)[tbl]; len(got) != 2 || !got[0] || !got[1] {
		t.Fatalf("with a late table: %v", got)
	}
	delete(tbl.Options, "late")
	if got := columnsUsed(root)[tbl]; len(got) != 2 || !got[0] || got[1] {
		t.Fatalf("without: %v", got)
	}
}
