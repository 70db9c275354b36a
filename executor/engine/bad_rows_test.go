package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// produceValues writes raw values (nil: a tombstone) to partition 0 of topic.
func (x *env) produceValues(topic string, values ...[]byte) {
	x.t.Helper()
	if err := x.broker.CreateTopic(topic, 1); err != nil {
		x.t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(x.broker.Addr()), kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		x.t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Key: []byte("k"), Value: v}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		x.t.Fatal(err)
	}
}

// timedRows is a topic with two good rows, a tombstone and two rows without
// an event time (a missing field, a null), at offsets 0 to 4.
func timedRows(x *env, topic string) {
	x.produceValues(topic,
		[]byte(`{"id": 1, "ts": "2024-01-01T00:00:01Z"}`),
		nil,
		[]byte(`{"id": 2}`),
		[]byte(`{"id": 3, "ts": null}`),
		[]byte(`{"id": 4, "ts": "2024-01-01T00:00:04Z"}`))
}

const timedSQL = `
CREATE SOURCE %[1]s (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 SECOND)
WITH (connector = 'kafka', topic = '%[1]s', stop = 'latest', on_error = '%[2]s');
CREATE TABLE %[1]s_counts (window_start TIMESTAMP(3), n BIGINT);
INSERT INTO %[1]s_counts SELECT window_start, COUNT(*) AS n FROM %[1]s GROUP BY TUMBLE(ts, INTERVAL 10 SECOND);`

func TestTombstonesAreCountedAndSkipped(t *testing.T) {
	x := newEnv(t)
	x.produceValues("keyed", []byte(`{"id": 1}`), nil, nil, []byte(`{"id": 2}`))
	x.exec(`CREATE SOURCE keyed (id BIGINT) WITH (connector = 'kafka', topic = 'keyed', stop = 'latest');
CREATE TABLE ids (id BIGINT); INSERT INTO ids SELECT id FROM keyed;`)
	x.wait() // on_error = 'fail' (the default) does not fail on tombstones
	expectLines(t, x.rows("SELECT * FROM ids"), []string{"id=1", "id=2"})
	p := x.progress("ids")
	if p.Tombstones != 2 || p.BadRecords != 0 || p.TotalInputRows != 2 {
		t.Fatalf("tombstones %d, bad %d, input %d; want 2, 0, 2", p.Tombstones, p.BadRecords, p.TotalInputRows)
	}
	// (The query has ended: its watermark, the end of input, shows too.)
	text := x.exec("DESCRIBE QUERY ids;")[0].Text
	if !strings.Contains(text, `"numTombstones": 2`) || !strings.Contains(text, `"watermark": "end of input"`) {
		t.Fatalf("DESCRIBE QUERY does not show the tombstones:\n%s", text)
	}
}

func TestRowsWithoutAnEventTimeAreBadRecords(t *testing.T) {
	x := newEnv(t)
	t.Run("skip counts them", func(t *testing.T) {
		timedRows(x, "skipped")
		x.exec(fmt.Sprintf(timedSQL, "skipped", "skip"))
		x.wait()
		expectLines(t, x.rows("SELECT * FROM skipped_counts"), []string{"window_start=2024-01-01 00:00:00.000 n=2"})
		p := x.progress("skipped_counts")
		if p.BadRecords != 2 || p.Tombstones != 1 || p.TotalInputRows != 2 {
			t.Fatalf("bad %d, tombstones %d, input %d; want 2, 1, 2", p.BadRecords, p.Tombstones, p.TotalInputRows)
		}
	})
	t.Run("table keeps them with the reason", func(t *testing.T) {
		timedRows(x, "kept")
		x.exec("CREATE TABLE no_time (topic VARCHAR, `partition` BIGINT, `offset` BIGINT, value VARCHAR, error VARCHAR, kafka_timestamp TIMESTAMP(6));")
		x.exec(fmt.Sprintf(timedSQL, "kept", "table:no_time"))
		x.wait()
		expectLines(t, x.rows("SELECT * FROM kept_counts"), []string{"window_start=2024-01-01 00:00:00.000 n=2"})
		expectLines(t, x.rows("SELECT topic, `partition`, `offset`, value, error FROM no_time"), []string{
			`topic=kept partition=0 offset=2 value={"id": 2} error=event time is NULL`,
			`topic=kept partition=0 offset=3 value={"id": 3, "ts": null} error=event time is NULL`,
		})
		if p := x.progress("kept_counts"); p.BadRecords != 2 {
			t.Fatalf("bad %d, want 2", p.BadRecords)
		}
	})
	t.Run("fail stops the query naming the message", func(t *testing.T) {
		timedRows(x, "strict")
		x.exec(fmt.Sprintf(timedSQL, "strict", "fail"))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := x.e.Wait(ctx)
		want := `topic strict partition 0 offset 2: event time is NULL (message: "{\"id\": 2}")`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Wait: %v, want a failure with %s", err, want)
		}
	})
}
