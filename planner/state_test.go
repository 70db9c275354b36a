package planner_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

const stateCatalog = `
CREATE SOURCE tx (customer_id VARCHAR, product VARCHAR, amount DOUBLE, qty BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND) WITH (connector = 'kafka', topic = 'tx');
CREATE SOURCE tx2 (customer_id VARCHAR, product VARCHAR, amount DOUBLE, qty BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND) WITH (connector = 'kafka', topic = 'tx_other');
CREATE TABLE stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE);
CREATE TABLE stats_pk (window_start TIMESTAMP(3), window_end TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE,
  PRIMARY KEY (window_start, customer_id));
CREATE TABLE wide (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE, w TIMESTAMP(3));
CREATE TABLE running (customer_id VARCHAR, n BIGINT, PRIMARY KEY (customer_id));
CREATE TABLE seen (customer_id VARCHAR, product VARCHAR, PRIMARY KEY (customer_id, product));
`

// stateOf plans insert over stateCatalog and returns its state.
func stateOf(t *testing.T, insert string) planner.State {
	t.Helper()
	cat := catalog.New()
	p := &planner.Planner{Catalog: cat}
	stmts, err := parser.Parse(stateCatalog + insert)
	if err != nil {
		t.Fatalf("%s", parser.Render(err, stateCatalog+insert))
	}
	for _, st := range stmts {
		if ins, ok := st.(*parser.Insert); ok {
			plan, err := p.PlanInsert(ins)
			if err != nil {
				t.Fatalf("%s", parser.Render(err, stateCatalog+insert))
			}
			return planner.StateOf(plan.Root)
		}
		if _, err := apply(p, cat, st, "catalog"); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("no INSERT")
	return planner.State{}
}

const baseInsert = `INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`

func TestStateOfDescribesSourcesAndStatefulOperators(t *testing.T) {
	s := stateOf(t, baseInsert)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sources":[{"id":"tx","name":"tx","connector":"kafka","topic":"tx"}],` +
		`"operators":[{"kind":"source","source":"tx","event_time":"ts"},` +
		`{"kind":"tumble","time_column":"ts","size":"10s","keys":[{"expr":"customer_id","type":"VARCHAR"}],` +
		`"aggregates":[{"func":"count_star"},{"func":"sum","arg":"amount","arg_type":"DOUBLE"}],"emit":"on-window-close"}]}`
	if string(data) != want {
		t.Fatalf("StateOf:\n got %s\nwant %s", data, want)
	}
	if got := s.Operators[1].String(); got != "TUMBLE(ts, INTERVAL 10 SECOND) GROUP BY customer_id VARCHAR aggregates COUNT(*), SUM(amount DOUBLE) EMIT ON WINDOW CLOSE" {
		t.Errorf("String: %s", got)
	}
}

func TestStateOfOtherOperators(t *testing.T) {
	for _, c := range []struct{ insert, want string }{
		{`INSERT INTO stats SELECT window_start, customer_id, COUNT(DISTINCT product), AVG(amount) FROM tx
GROUP BY HOP(ts, INTERVAL 1 MINUTE, INTERVAL 5 MINUTE), customer_id;`,
			"HOP(ts, INTERVAL 1 MINUTE, INTERVAL 5 MINUTE) GROUP BY customer_id VARCHAR aggregates COUNT(DISTINCT product VARCHAR), AVG(amount DOUBLE) EMIT ON WINDOW CLOSE"},
		{`INSERT INTO stats SELECT window_start, customer_id, COUNT(*), APPROX_PERCENTILE(amount, 0.9) FROM tx
GROUP BY SESSION(ts, INTERVAL 90 SECOND), customer_id;`,
			"SESSION(ts, INTERVAL 90 SECOND) GROUP BY customer_id VARCHAR aggregates COUNT(*), APPROX_PERCENTILE(amount DOUBLE, 0.9) EMIT ON WINDOW CLOSE"},
		{`INSERT INTO running SELECT upper(customer_id), SUM(qty) FROM tx GROUP BY upper(customer_id);`,
			"running aggregate GROUP BY upper(customer_id) VARCHAR aggregates SUM(qty BIGINT) EMIT CHANGES"},
		{`INSERT INTO seen SELECT DISTINCT customer_id, product FROM tx;`,
			"DISTINCT customer_id VARCHAR, product VARCHAR EMIT CHANGES"},
	} {
		s := stateOf(t, c.insert)
		if len(s.Operators) != 2 || s.Operators[0].Kind != planner.StateSourceScan {
			t.Fatalf("%s: operators %+v", c.insert, s.Operators)
		}
		if got := s.Operators[1].String(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.insert, got, c.want)
		}
	}
}

// Changes that leave the state usable compare equal.
func TestStateIgnoresChangesThatDoNotTouchState(t *testing.T) {
	base := stateOf(t, baseInsert)
	for name, insert := range map[string]string{
		"a WHERE constant": `INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
WHERE amount > 7 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`,
		"an extra projected column": `INSERT INTO wide SELECT window_start, customer_id, COUNT(*), SUM(amount), window_end FROM tx
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`,
		"renamed output aliases": `INSERT INTO stats SELECT window_start AS ws, customer_id AS c, COUNT(*) AS cnt, SUM(amount) AS s FROM tx
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`,
		"a subquery renaming a column": `INSERT INTO stats SELECT window_start, cust, COUNT(*), SUM(amt) FROM
(SELECT customer_id AS cust, amount AS amt, ts FROM tx WHERE amount > 1)
GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), cust;`,
	} {
		if ch := planner.CompareState(base, stateOf(t, insert)); len(ch) != 0 {
			t.Errorf("%s: changes %+v", name, ch)
		}
	}
}

// Changes that make the state unusable are named, both sides.
func TestStateNamesIncompatibleChanges(t *testing.T) {
	base := stateOf(t, baseInsert)
	for _, c := range []struct{ name, insert, written, now string }{
		{"window size", `INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 5 SECOND), customer_id;`,
			"TUMBLE(ts, INTERVAL 10 SECOND)", "TUMBLE(ts, INTERVAL 5 SECOND)"},
		{"group key", `INSERT INTO stats SELECT window_start, product, COUNT(*), SUM(amount) FROM tx
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), product;`,
			"GROUP BY customer_id VARCHAR", "GROUP BY product VARCHAR"},
		{"aggregate input", `INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(CAST(qty AS DOUBLE)) FROM tx
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`,
			"aggregates COUNT(*), SUM(amount DOUBLE)", "aggregates COUNT(*), SUM(CAST(qty AS DOUBLE) DOUBLE)"},
		{"emit mode", `INSERT INTO stats_pk SELECT window_start, window_end, customer_id, COUNT(*), SUM(amount) FROM tx
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id EMIT CHANGES;`,
			"EMIT ON WINDOW CLOSE", "EMIT CHANGES"},
		{"source", `INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx2
WHERE amount > 1 GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`,
			"source tx (connector kafka, topic tx)", "source tx2 (connector kafka, topic tx_other)"},
		{"window kind", `INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
WHERE amount > 1 GROUP BY SESSION(ts, INTERVAL 10 SECOND), customer_id;`,
			"TUMBLE(ts, INTERVAL 10 SECOND) GROUP BY customer_id VARCHAR aggregates COUNT(*), SUM(amount DOUBLE) EMIT ON WINDOW CLOSE",
			"SESSION(ts, INTERVAL 10 SECOND) GROUP BY customer_id VARCHAR aggregates COUNT(*), SUM(amount DOUBLE) EMIT ON WINDOW CLOSE"},
		{"no aggregate any more", `INSERT INTO seen SELECT customer_id, product FROM tx WHERE amount > 1;`,
			"2 stateful operators (scan of tx with WATERMARK FOR ts; TUMBLE(ts",
			"1 stateful operators (scan of tx with WATERMARK FOR ts)"},
	} {
		changes := planner.CompareState(base, stateOf(t, c.insert))
		found := false
		for _, ch := range changes {
			found = found || strings.HasPrefix(ch.Written, c.written) && ch.Now == c.now
		}
		if !found {
			t.Errorf("%s: changes %+v, want one from %q to %q", c.name, changes, c.written, c.now)
		}
	}
}

const unionInsert = `INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM
(SELECT customer_id, amount, ts FROM tx UNION ALL SELECT customer_id, amount, ts FROM tx2) AS u
GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`

// The sources under a union are listed in order (in build order, depth
// first), each with its watermark, then the operators above the union;
// expressions through the union name the inputs' columns once when they
// agree.
func TestStateOfAUnionListsItsInputsInOrder(t *testing.T) {
	s := stateOf(t, unionInsert)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sources":[{"id":"tx","name":"tx","connector":"kafka","topic":"tx"},{"id":"tx2","name":"tx2","connector":"kafka","topic":"tx_other"}],` +
		`"operators":[{"kind":"source","source":"tx","event_time":"ts"},{"kind":"source","source":"tx2","event_time":"ts"},` +
		`{"kind":"tumble","time_column":"ts","size":"10s","keys":[{"expr":"customer_id","type":"VARCHAR"}],` +
		`"aggregates":[{"func":"count_star"},{"func":"sum","arg":"amount","arg_type":"DOUBLE"}],"emit":"on-window-close"}]}`
	if string(data) != want {
		t.Fatalf("StateOf:\n got %s\nwant %s", data, want)
	}
	// The same source twice gets a second id; inputs that disagree are
	// printed each.
	s = stateOf(t, `INSERT INTO stats SELECT window_start, k, COUNT(*), SUM(amount) FROM
(SELECT customer_id AS k, amount, ts FROM tx UNION ALL SELECT product, CAST(qty AS DOUBLE), ts FROM tx) AS u
GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), k;`)
	if got := sourceList(s); got != "tx tx#2" {
		t.Errorf("sources %s, want tx tx#2", got)
	}
	if got := s.Operators[2].String(); got != "TUMBLE(ts, INTERVAL 10 SECOND) GROUP BY union(customer_id, product) VARCHAR aggregates COUNT(*), SUM(union(amount, CAST(qty AS DOUBLE)) DOUBLE) EMIT ON WINDOW CLOSE" {
		t.Errorf("operator: %s", got)
	}
}

func sourceList(s planner.State) string {
	var ids []string
	for _, src := range s.Sources {
		ids = append(ids, src.ID)
	}
	return strings.Join(ids, " ")
}

// VALUES rows are bounded and re-read on every run: they hold no state, so
// changing them, or adding VALUES to a union, keeps a checkpoint usable.
// Dropping or reordering a source does not.
func TestStateOfUnionsWithValuesAndChangedInputs(t *testing.T) {
	running := func(inputs string) planner.State {
		return stateOf(t, `INSERT INTO running SELECT customer_id, SUM(qty) FROM (`+inputs+`) AS u GROUP BY customer_id;`)
	}
	const txs = `SELECT customer_id, qty FROM tx UNION ALL SELECT customer_id, qty FROM tx2`
	base := running(txs + ` UNION ALL VALUES ('c1', 5)`)
	if got := sourceList(base); got != "tx tx2" || len(base.Operators) != 3 {
		t.Fatalf("sources %s, operators %+v", got, base.Operators)
	}
	for name, inputs := range map[string]string{
		"other VALUES rows":    txs + ` UNION ALL VALUES ('c1', 7), ('c2', 8)`,
		"no VALUES":            txs,
		"a constant row first": `SELECT 'c0' AS customer_id, 1 AS qty UNION ALL ` + txs,
	} {
		if ch := planner.CompareState(base, running(inputs)); len(ch) != 0 {
			t.Errorf("%s: changes %+v", name, ch)
		}
	}
	for name, c := range map[string]struct{ inputs, written, now string }{
		"a source dropped": {`SELECT customer_id, qty FROM tx UNION ALL VALUES ('c1', 5)`,
			"source tx (connector kafka, topic tx), source tx2 (connector kafka, topic tx_other)", "source tx (connector kafka, topic tx)"},
		"sources swapped": {`SELECT customer_id, qty FROM tx2 UNION ALL SELECT customer_id, qty FROM tx`,
			"source tx (connector kafka, topic tx), source tx2 (connector kafka, topic tx_other)",
			"source tx2 (connector kafka, topic tx_other), source tx (connector kafka, topic tx)"},
	} {
		changes := planner.CompareState(base, running(c.inputs))
		found := false
		for _, ch := range changes {
			found = found || ch.Written == c.written && ch.Now == c.now
		}
		if !found {
			t.Errorf("%s: changes %+v, want one from %q to %q", name, changes, c.written, c.now)
		}
	}
	// INSERT ... VALUES holds no state at all.
	if s := stateOf(t, `INSERT INTO running VALUES ('c1', 1), ('c2', 2);`); len(s.Sources) != 0 || len(s.Operators) != 0 {
		t.Errorf("INSERT VALUES state %+v", s)
	}
}
