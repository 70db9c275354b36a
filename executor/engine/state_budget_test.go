package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tide-sql/tide/executor/engine"
)

// orderRound is n orders of distinct customers (numbered from first), all
// at the same event time: the watermark never passes the hour's window.
func orderRound(first, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"customer_id": "customer-with-a-long-name-%07d", "amount": %d, "ts": "2024-01-01T00:00:10Z"}`, first+i, i)
	}
	return lines
}

const stuckOrdersSQL = `
CREATE SOURCE orders (customer_id VARCHAR, amount BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 5 SECOND)
WITH (connector = 'kafka', topic = 'orders');
CREATE TABLE per_customer (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total BIGINT);
`

// A window whose watermark never advances grows with every new customer;
// past state.max_bytes its query fails, naming the operator, the size and
// the budget, while another query over the same topic, whose state stays
// small, reads on.
func TestStatePastTheBudgetFailsOnlyItsQuery(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("orders", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(stuckOrdersSQL + `
CREATE TABLE per_hour (window_start TIMESTAMP(3), n BIGINT);
SET 'state.max_bytes' = '200KB';
INSERT INTO per_customer SELECT window_start, customer_id, COUNT(*) AS n, SUM(amount) AS total
FROM orders GROUP BY TUMBLE(ts, INTERVAL 1 HOUR), customer_id;
SET 'state.max_bytes' = '1GiB';
INSERT INTO per_hour SELECT window_start, COUNT(*) AS n FROM orders GROUP BY TUMBLE(ts, INTERVAL 1 HOUR);`)
	produced := 0
	failed := func() bool {
		q, _ := x.e.Query("per_customer")
		return q.State == engine.QueryFailed
	}
	for round := 0; !failed(); round++ {
		if round == 20 { // 20,000 customers: far past 200 KiB
			q, _ := x.e.Query("per_customer")
			t.Fatalf("the query did not fail; its state is %d bytes (%d rows)", q.Progress.StateBytes, q.Progress.StateRows)
		}
		x.produceTo("orders", 0, orderRound(produced, 1000)...)
		produced += 1000
		waitFor(t, func() bool {
			q, _ := x.e.Query("per_customer")
			return failed() || q.Progress.TotalInputRows == int64(produced)
		})
	}
	q, _ := x.e.Query("per_customer")
	for _, want := range []string{"query per_customer: state of TUMBLE(ts, INTERVAL 1 HOUR) GROUP BY customer_id",
		"past state.max_bytes = 200.0 KiB", "the watermark stands at 2024-01-01 00:00:05.000", "a watermark that advances",
		"a smaller window", "SET 'state.max_bytes'"} {
		if !strings.Contains(q.Error, want) {
			t.Errorf("the error does not say %q:\n%s", want, q.Error)
		}
	}
	if q.Progress.StateBytes <= 200<<10 {
		t.Errorf("the last progress shows %d state bytes, not past the budget", q.Progress.StateBytes)
	}
	// The other query runs on and reads what comes next.
	x.produceTo("orders", 0, orderRound(produced, 10)...)
	produced += 10
	waitFor(t, func() bool { return x.progress("per_hour").TotalInputRows == int64(produced) })
	if other, _ := x.e.Query("per_hour"); other.State != engine.QueryRunning || other.Progress.StateBytes <= 0 ||
		other.Progress.StateBytes > 10<<10 {
		t.Fatalf("the other query: %s, %d state bytes", other.State, other.Progress.StateBytes)
	}
}

func TestStateBudgetSettingIsChecked(t *testing.T) {
	x := newEnv(t)
	for _, bad := range []string{"'lots'", "'12 parsecs'", "'0'", "'-5MB'"} {
		_, err := x.tryExec("SET 'state.max_bytes' = " + bad + ";")
		if err == nil || !strings.Contains(err.Error(), "state.max_bytes") {
			t.Errorf("SET 'state.max_bytes' = %s: %v, want an error naming the setting", bad, err)
		}
	}
	for _, good := range []string{"'512MB'", "'1GiB'", "'100000000'", "'1.5 g'"} {
		if _, err := x.tryExec("SET 'state.max_bytes' = " + good + ";"); err != nil {
			t.Errorf("SET 'state.max_bytes' = %s: %v", good, err)
		}
	}
}

// A window whose state grows for 10 epochs while the watermark stands
// still gets a warning in its progress and SHOW QUERIES; the warning goes
// once the watermark moves.
func TestStateGrowingWhileTheWatermarkStandsIsAWarning(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("orders", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(stuckOrdersSQL + `
INSERT INTO per_customer SELECT window_start, customer_id, COUNT(*) AS n, SUM(amount) AS total
FROM orders GROUP BY TUMBLE(ts, INTERVAL 1 HOUR), customer_id;`)
	produced := 0
	for round := range 12 {
		x.produceTo("orders", 0, orderRound(produced, 50)...)
		produced += 50
		waitFor(t, func() bool { return x.progress("per_customer").TotalInputRows == int64(produced) })
		p := x.progress("per_customer")
		if round < 9 && len(p.Warnings) > 0 {
			t.Fatalf("round %d: a warning already: %v", round, p.Warnings)
		}
	}
	p := x.progress("per_customer")
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "state has grown for 10 epochs") ||
		!strings.Contains(p.Warnings[0], "the watermark stands at 2024-01-01 00:00:05.000") {
		t.Fatalf("warnings after 12 rounds of new customers: %q", p.Warnings)
	}
	show := x.rows("SHOW QUERIES")
	if len(show) != 1 || !strings.Contains(show[0], "warnings=state has grown") {
		t.Fatalf("SHOW QUERIES does not show the warning: %q", show)
	}
	// An order two hours later moves the watermark and closes the window.
	x.produceTo("orders", 0, `{"customer_id": "late-riser", "amount": 1, "ts": "2024-01-01T02:00:10Z"}`)
	produced++
	waitFor(t, func() bool {
		p := x.progress("per_customer")
		return p.TotalInputRows == int64(produced) && len(p.Warnings) == 0
	})
	waitFor(t, func() bool { return len(x.rows("SELECT * FROM per_customer")) == 600 })
}
