package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kgo"

	_ "github.com/tide-sql/tide/connectors/all"
	"github.com/tide-sql/tide/connectors/kafka"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

// env is one test's engine, broker and state directory.
type env struct {
	t        *testing.T
	broker   *kafka.Broker
	registry string // the engine's default Schema Registry URL, if any
	e        *engine.Engine
	dir      string
}

// newEnv starts a real Kafka-protocol broker on 127.0.0.1 and an engine
// with a fresh state directory.
func newEnv(t *testing.T) *env {
	t.Helper()
	b, err := kafka.StartBroker("127.0.0.1:0", 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return newEnvOn(t, b)
}

// newEnvOn starts an engine with a fresh state directory on broker b.
func newEnvOn(t *testing.T, b *kafka.Broker) *env {
	t.Helper()
	dir := t.TempDir()
	x := &env{t: t, broker: b, dir: dir}
	x.open()
	return x
}

// open (re)starts the engine on the same state directory.
func (x *env) open() {
	x.t.Helper()
	e, err := engine.Open(context.Background(), engine.Config{StateDir: filepath.Join(x.dir, "state"), Brokers: x.broker.Addr(),
		Registry: x.registry, Console: io.Discard, Logf: x.t.Logf})
	if err != nil {
		x.t.Fatal(err)
	}
	x.e = e
	x.t.Cleanup(func() { e.Close() })
}

// produce writes JSON lines to topic, keyed by nothing, spread over partitions.
func (x *env) produce(topic string, lines ...string) {
	x.t.Helper()
	x.produceTo(topic, -1, lines...)
}

// produceTo writes JSON lines to one partition of topic (-1: round robin).
func (x *env) produceTo(topic string, partition int32, lines ...string) {
	x.t.Helper()
	part := kgo.RoundRobinPartitioner()
	if partition >= 0 {
		part = kgo.ManualPartitioner()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(x.broker.Addr()), kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation(),
		kgo.RecordPartitioner(part))
	if err != nil {
		x.t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(lines))
	for i, l := range lines {
		recs[i] = &kgo.Record{Value: []byte(l), Partition: partition}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		x.t.Fatal(err)
	}
}

// produceFile writes the lines of a file (sql-examples/data) to topic.
func (x *env) produceFile(topic, path string) []string {
	x.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		x.t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	x.produce(topic, lines...)
	return lines
}

// exec runs a script and returns its results; a failure fails the test.
func (x *env) exec(sql string) []*engine.Result {
	x.t.Helper()
	res, err := x.tryExec(sql)
	if err != nil {
		x.t.Fatalf("%s", parser.Render(err, sql))
	}
	return res
}

func (x *env) tryExec(sql string) ([]*engine.Result, error) {
	var out []*engine.Result
	err := x.e.Execute(context.Background(), sql, func(r *engine.Result) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// wait waits for every continuous query to finish (bounded sources).
func (x *env) wait() {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := x.e.Wait(ctx); err != nil {
		for _, q := range x.e.Queries() {
			x.t.Logf("query %s: %s, %d rows read, watermark %v %s", q.ID, q.State, q.Progress.TotalInputRows, q.Progress.Watermark, q.Error)
		}
		x.t.Fatal(err)
	}
}

// rows returns the rows of a snapshot SELECT as sorted text lines.
func (x *env) rows(sql string) []string {
	x.t.Helper()
	res := x.exec(sql)
	r := res[len(res)-1]
	defer r.Release()
	if r.Kind != engine.ResultRows {
		x.t.Fatalf("%s: result kind %d, want rows", sql, r.Kind)
	}
	return recordLines(r.Records)
}

func recordLines(recs []arrow.Record) []string {
	var out []string
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			var parts []string
			for c := 0; c < int(rec.NumCols()); c++ {
				v := executor.Value(rec.Column(c), i)
				if f, ok := v.(float64); ok {
					// Sums of floats depend on the order rows arrive in;
					// compare them to 10 significant digits.
					v = strconv.FormatFloat(f, 'g', 10, 64)
				}
				parts = append(parts, rec.ColumnName(c)+"="+executor.FormatValue(v, rec.Column(c).DataType()))
			}
			out = append(out, strings.Join(parts, " "))
		}
	}
	sort.Strings(out)
	return out
}

// stream reads a push query's rows until it ends or n rows arrived.
func stream(t *testing.T, r *engine.Result, n int) []string {
	t.Helper()
	defer r.Stream.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var recs []arrow.Record
	got := 0
	for got < n {
		rec, err := r.Stream.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
		got += int(rec.NumRows())
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return recordLines(recs)
}

func expectLines(t *testing.T, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows differ\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func jsonLine(format string, args ...any) string { return fmt.Sprintf(format, args...) }
