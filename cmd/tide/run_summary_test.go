package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/connectors/kafka"
	"github.com/tide-sql/tide/executor/engine"
)

func TestRunPrintsASummaryLineWhenAQueryEnds(t *testing.T) {
	eng := &fakeEngine{queries: []engine.QueryInfo{
		{ID: "stats", State: engine.QueryFinished, OnError: "skip", Late: "table:late_rows",
			Progress: engine.Progress{TotalInputRows: 100, TotalOutputRows: 9, LateRowsDropped: 3, BadRecords: 2}},
		{ID: "copy", State: engine.QueryFinished, OnError: "fail", Late: "drop",
			Progress: engine.Progress{TotalInputRows: 7, TotalOutputRows: 7}},
	}}
	ta := newTestApp(t, eng)
	if code := ta.main([]string{"run", "-e", "INSERT INTO stats SELECT * FROM s;"}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.errb.String())
	}
	for _, want := range []string{
		"query stats finished: 100 rows read, 9 written, 3 late (to table late_rows), 2 bad (skipped)\n",
		"query copy finished: 7 rows read, 7 written, 0 late, 0 bad\n",
	} {
		if strings.Count(ta.out.String(), want) != 1 {
			t.Errorf("stdout does not have once %q:\n%s", want, ta.out.String())
		}
	}
}

// produceValues writes raw values (nil: a tombstone) to topic.
func produceValues(t *testing.T, addr, topic string, values ...[]byte) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for _, v := range values {
		recs = append(recs, &kgo.Record{Key: []byte("k"), Value: v})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// TestRealEngineRunOnceSummarisesEachRun runs `tide run --once` twice over a
// Kafka topic with a malformed message, a tombstone and a row without an
// event time: each run says what it read; the second only the new rows.
func TestRealEngineRunOnceSummarisesEachRun(t *testing.T) {
	requireEngine(t)
	b, err := kafka.StartBroker("127.0.0.1:0", 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	row := func(i int) []byte {
		return fmt.Appendf(nil, `{"id": %d, "ts": "2024-01-01T00:00:%02dZ"}`, i, i)
	}
	produceValues(t, b.Addr(), "events", row(1), []byte(`{"id": "x"`), nil, []byte(`{"id": 3}`), row(4))
	script := `CREATE SOURCE events (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 SECOND)
WITH (connector = 'kafka', topic = 'events', on_error = 'skip');
CREATE TABLE copied (id BIGINT, ts TIMESTAMP(3)) WITH (connector = 'parquet', path = '` + t.TempDir() + `');
INSERT INTO copied SELECT id, ts FROM events;`
	state := t.TempDir()
	run := func() string {
		ta := realApp(t)
		if code := ta.main([]string{"run", "--once", "--brokers", b.Addr(), "--state-dir", state, "-e", script}); code != exitOK {
			t.Fatalf("exit %d\n%s\n%s", code, ta.out.String(), ta.errb.String())
		}
		return ta.out.String()
	}
	first := run()
	if want := "query copied finished: 2 rows read, 2 written, 0 late, 2 bad (skipped), 1 tombstones skipped\n"; !strings.HasSuffix(first, want) {
		t.Fatalf("first run printed:\n%s\nwant it to end with %q", first, want)
	}
	produceValues(t, b.Addr(), "events", row(5), row(6), row(7))
	second := run()
	if want := "query copied finished: 3 rows read, 3 written, 0 late, 0 bad\n"; !strings.HasSuffix(second, want) {
		t.Fatalf("second run printed:\n%s\nwant it to end with %q", second, want)
	}
}

func TestRealEngineRunSummarisesQueriesStoppedBySignal(t *testing.T) {
	requireEngine(t)
	b, err := kafka.StartBroker("127.0.0.1:0", 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	produceValues(t, b.Addr(), "ids", []byte(`{"id": 1}`), []byte(`{"id": 2}`))
	ta := realApp(t)
	done := make(chan int)
	go func() {
		done <- ta.main([]string{"run", "--brokers", b.Addr(), "--state-dir", t.TempDir(), "-e",
			"CREATE SOURCE ids (id BIGINT) WITH (connector = 'kafka', topic = 'ids'); CREATE TABLE seen (id BIGINT); INSERT INTO seen SELECT id FROM ids;"})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(ta.out.String(), "query seen started") {
		if time.Now().After(deadline) {
			t.Fatalf("the query did not start:\n%s\n%s", ta.out.String(), ta.errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ta.sigs <- syscall.SIGTERM
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d after SIGTERM", code)
	}
	if !regexp.MustCompile(`(?m)^query seen stopped: [0-2] rows read, [0-2] written, 0 late, 0 bad$`).MatchString(ta.out.String()) {
		t.Fatalf("no summary of the stopped query:\n%s", ta.out.String())
	}
}
