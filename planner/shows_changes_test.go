package planner_test

import (
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/planner"
)

// TestUpdatesWithoutAKeyGoOnlyToSinksThatShowChanges: an updating query
// (a GROUP BY without a window) into a table without a primary key plans
// only when the planner's ShowsChanges hook says the table's connector
// takes updates; the planner knows no connector by name.
func TestUpdatesWithoutAKeyGoOnlyToSinksThatShowChanges(t *testing.T) {
	const script = `CREATE TABLE out (k VARCHAR, n BIGINT) WITH (connector = 'printer');
INSERT INTO out SELECT k, COUNT(*) FROM s GROUP BY k`
	for _, tc := range []struct {
		name  string
		hook  func(string) bool
		plans bool
	}{
		{"no hook: no connector shows changes", nil, false},
		{"the hook refuses the connector", func(c string) bool { return c == "console" }, false},
		{"the hook accepts the connector", func(c string) bool { return c == "printer" }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat := catalog.New()
			var asked []string
			p := &planner.Planner{Catalog: cat}
			if tc.hook != nil {
				p.ShowsChanges = func(c string) bool { asked = append(asked, c); return tc.hook(c) }
			}
			out, err := reviewRunOn(t, p, cat, script)
			if tc.plans {
				if err != nil {
					t.Fatalf("want a plan, got %v", err)
				}
				if !strings.Contains(out, "out") {
					t.Fatalf("the plan does not write to out:\n%s", out)
				}
			} else if err == nil || !strings.Contains(err.Error(), `table "out" is append-only`) {
				t.Fatalf("want the append-only error naming out, got %v\n%s", err, out)
			}
			if tc.hook != nil && (len(asked) != 1 || asked[0] != "printer") {
				t.Errorf("the hook was asked about %q, want [printer]", asked)
			}
		})
	}
}
