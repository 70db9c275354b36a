package engine_test

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/connectors/kafka"
	"github.com/tide-sql/tide/executor/engine"
)

var (
	benchEvents = flag.Int("tumble.events", 200000, "events BenchmarkTumble reads")
	benchKeys   = flag.Int("tumble.keys", 1000, "customers of BenchmarkTumble")
)

// BenchmarkTumble is the peer workload: JSON transactions read from Kafka,
// a 1-minute tumbling window per customer with COUNT and SUM, at 1 and 2
// tasks. Each iteration reads the whole topic to its end. It reports events
// per second of wall time and per CPU-second of the process (which also
// runs the broker):
//
//	go test -run '^$' -bench Tumble -benchtime 3x ./executor/engine/ -args -tumble.events=1000000
func BenchmarkTumble(b *testing.B) {
	br, err := kafka.StartBroker("127.0.0.1:0", 4)
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	if err := br.CreateTopic("transactions", 4); err != nil {
		b.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(br.Addr()), kgo.DefaultProduceTopic("transactions"), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()),
		kgo.ProducerBatchCompression(kgo.NoCompression())) // as tide produce and the course write
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	base := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	const chunk = 50000
	for i := 0; i < *benchEvents; i += chunk {
		var recs []*kgo.Record
		for j := i; j < min(i+chunk, *benchEvents); j++ {
			recs = append(recs, &kgo.Record{Value: fmt.Appendf(nil, `{"transaction_id":"TXN-%d","customer_id":"CUST-%d","product":"Laptop","amount":%d.5,"event_time":"%s"}`,
				j, j%*benchKeys, j%500, base.Add(time.Duration(j)*10*time.Millisecond).Format(time.RFC3339Nano))})
		}
		if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			b.Fatal(err)
		}
	}
	for _, tasks := range []int{1, 2} {
		b.Run(fmt.Sprintf("parallelism=%d", tasks), func(b *testing.B) {
			var wall, cpu float64
			for i := 0; i < b.N; i++ {
				sql := fmt.Sprintf(`SET parallelism = %d;
CREATE SOURCE tx (transaction_id VARCHAR, customer_id VARCHAR, product VARCHAR, amount DOUBLE, event_time TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL 10 SECOND)
WITH (connector = 'kafka', topic = 'transactions', stop = 'latest');
CREATE TABLE stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE);
INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx GROUP BY TUMBLE(event_time, INTERVAL 1 MINUTE), customer_id;`, tasks)
				w, c := timedRun(b, engine.Config{StateDir: filepath.Join(b.TempDir(), "state"), Brokers: br.Addr()}, sql)
				wall += w
				cpu += c
			}
			n := float64(*benchEvents) * float64(b.N)
			b.ReportMetric(n/wall, "events/s")
			b.ReportMetric(n/cpu, "events/CPU-s")
		})
	}
}

// timedRun runs sql in an engine of its own until its queries finish and
// returns the wall and CPU seconds that took.
func timedRun(b *testing.B, cfg engine.Config, sql string) (wall, cpu float64) {
	e, err := engine.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	c0, t0 := cpuNow(), time.Now()
	if err := e.Execute(context.Background(), sql, nil); err != nil {
		b.Fatal(err)
	}
	if err := e.Wait(context.Background()); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0).Seconds(), cpuNow() - c0
}

func cpuNow() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
