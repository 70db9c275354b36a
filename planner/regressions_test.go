package planner_test

// Regression tests from a review: each comment says what used to go wrong;
// each test checks that it no longer does.

import (
	"errors"
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

const reviewDDL = `
CREATE SOURCE s (k VARCHAR, amount DOUBLE, pct DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND) WITH (topic = 's');
CREATE SOURCE raw (k VARCHAR, amount DOUBLE, ts TIMESTAMP(3)) WITH (topic = 'raw');
CREATE TABLE t (a VARCHAR, b VARCHAR, n BIGINT);
`

// reviewRun plans every statement of script over a catalog holding
// reviewDDL; it returns the EXPLAIN of the last statement or the error.
func reviewRun(t *testing.T, script string) (string, error) {
	t.Helper()
	cat := catalog.New()
	p := &planner.Planner{Catalog: cat}
	return reviewRunOn(t, p, cat, script)
}

func reviewRunOn(t *testing.T, p *planner.Planner, cat *catalog.Catalog, script string) (string, error) {
	t.Helper()
	if _, err := cat.Get("s"); err != nil {
		stmts, err := parser.Parse(reviewDDL)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stmts {
			if _, err := apply(p, cat, st, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	stmts, err := parser.Parse(script)
	if err != nil {
		return "", err
	}
	out := ""
	for _, st := range stmts {
		s, err := apply(p, cat, st, "")
		if err != nil {
			return "", err
		}
		out = s
	}
	return out, nil
}

func TestApproxPercentileWithANonLiteralPercentileIsAnError(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("planning panicked instead of returning an error: %v", r)
		}
	}()
	_, err := reviewRun(t, "SELECT k, APPROX_PERCENTILE(amount, pct) FROM s GROUP BY k")
	if err == nil {
		t.Fatal("want an error: the percentile must be a constant")
	}
}

func TestAnAggregateOverAnUpdatingSubqueryRetracts(t *testing.T) {
	// The inner aggregate emits updates (EMIT CHANGES); the outer COUNT(*)
	// must count the groups, not every update: the inner one emits
	// retractions and the outer one takes them back.
	out, err := reviewRun(t, "SELECT COUNT(*) FROM (SELECT k, COUNT(*) AS n FROM s GROUP BY k) AS x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "emit=changes changes=retract") || !strings.Contains(out, "input=retract") {
		t.Fatalf("the inner aggregate does not emit retractions for the outer one:\n%s", out)
	}
	// A windowed aggregate's updates cannot be retracted yet.
	if _, err := reviewRun(t, "SELECT COUNT(*) FROM (SELECT window_start, k, COUNT(*) AS n FROM s GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k EMIT CHANGES) AS x"); err == nil {
		t.Fatal("an aggregate over a windowed aggregate's updates was planned")
	}
}

func TestAViewsWatermarkClauseApplies(t *testing.T) {
	out, err := reviewRun(t, `CREATE VIEW v AS SELECT k, ts FROM raw WATERMARK FOR ts AS ts - INTERVAL 1 SECOND;
SELECT window_start, COUNT(*) FROM v GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE)`)
	if err != nil {
		t.Fatalf("the view's WATERMARK FOR clause was dropped: %v", err)
	}
	if !strings.Contains(out, "watermark=ts-1s") {
		t.Fatalf("the view's watermark is not on the scan:\n%s", out)
	}
}

func TestADuplicateInsertColumnIsRefused(t *testing.T) {
	out, err := reviewRun(t, "INSERT INTO t (a, a) SELECT k, k FROM raw")
	if err == nil {
		t.Fatalf("INSERT INTO t (a, a) was accepted; one value is lost and b gets NULL:\n%s", out)
	}
}

func TestAQualifiedGroupKeyInSelectBinds(t *testing.T) {
	if _, err := reviewRun(t, "SELECT c.k, COUNT(*) FROM s AS c GROUP BY k"); err != nil {
		t.Fatalf("c.k is the GROUP BY key k: %v", err)
	}
}

func TestHavingCanUseASelectAlias(t *testing.T) {
	if _, err := reviewRun(t, "SELECT k, COUNT(*) AS n FROM s GROUP BY k HAVING n > 1"); err != nil {
		t.Fatalf("HAVING on a SELECT alias (accepted by Spark, Flink, MySQL): %v", err)
	}
}

func reviewPos(t *testing.T, err error) parser.Pos {
	t.Helper()
	var pe *parser.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *parser.Error", err)
	}
	return pe.Pos
}

func TestAnUnknownSourceIsReportedAtItsFromName(t *testing.T) {
	sql := "SELECT missing_col FROM missing"
	_, err := reviewRun(t, sql)
	if err == nil {
		t.Fatal("want an error")
	}
	if p := reviewPos(t, err); p.Column != strings.LastIndex(sql, "missing")+1 {
		t.Fatalf("error at column %d, want %d (the FROM name)\n%s", p.Column, strings.LastIndex(sql, "missing")+1, parser.Render(err, sql))
	}
}

func TestAnUnknownSourceAfterANewlineIsReportedOnItsLine(t *testing.T) {
	sql := "SELECT k FROM\nmissing"
	_, err := reviewRun(t, sql)
	if err == nil {
		t.Fatal("want an error")
	}
	if p := reviewPos(t, err); p.Line != 2 || p.Column != 1 {
		t.Fatalf("error at %d:%d, want 2:1\n%s", p.Line, p.Column, parser.Render(err, sql))
	}
}

func TestAnUnknownSourcePositionSurvivesRewrites(t *testing.T) {
	// The INTERVAL before FROM is rewritten into a longer TIDE_INTERVAL(...)
	// call; textOffset returns an offset of the original text that is then
	// mapped as if it were one of the rewritten text.
	sql := "SELECT DATE_ADD(ts, INTERVAL 1 DAYS), TIMESTAMPADD(MINUTE, 1, ts) FROM missing"
	_, err := reviewRun(t, sql)
	if err == nil {
		t.Fatal("want an error")
	}
	want := strings.LastIndex(sql, "missing") + 1
	if p := reviewPos(t, err); p.Column != want {
		t.Fatalf("error at column %d, want %d\n%s", p.Column, want, parser.Render(err, sql))
	}
}

func TestAnErrorInAViewIsReportedAtTheViewsName(t *testing.T) {
	cat := catalog.New()
	p := &planner.Planner{Catalog: cat}
	if _, err := reviewRunOn(t, p, cat, "CREATE VIEW v AS SELECT k, amount FROM raw"); err != nil {
		t.Fatal(err)
	}
	if err := cat.Delete("raw"); err != nil {
		t.Fatal(err)
	}
	script := "\n\n\nSELECT *\nFROM v"
	_, err := reviewRunOn(t, p, cat, script)
	if err == nil {
		t.Fatal("want an error")
	}
	pos := reviewPos(t, err)
	if pos.IsValid() && pos.Line < 4 {
		t.Fatalf("error position %d:%d is a position in the view's stored text, not in the user's script:\n%s", pos.Line, pos.Column, parser.Render(err, script))
	}
}
