package kafka

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRetentionBytesAdvancesTheLogStart: a partition over --retention-bytes
// drops its oldest batches; what is left reads back in order.
func TestRetentionBytesAdvancesTheLogStart(t *testing.T) {
	b, _ := startConfiguredBroker(t, BrokerConfig{Partitions: 1, RetentionBytes: 2000, RetentionCheck: 20 * time.Millisecond})
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.AllowAutoTopicCreation(),
		kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const n = 50
	value := func(i int) string { return fmt.Sprintf("%03d:%0197d", i, i) } // 201 bytes
	for i := range n {                                                      // one batch each
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "kept", Value: []byte(value(i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	adm := kadm.NewClient(cl)
	// 2000 bytes hold fewer than ten batches of a 201-byte record; the
	// retention loop may run while the records are produced.
	var start int64
	for start < n-10 {
		starts, err := adm.ListStartOffsets(ctx, "kept")
		if err != nil || ctx.Err() != nil {
			t.Fatalf("log start offset still %d: %v", start, err)
		}
		o, _ := starts.Lookup("kept", 0)
		start = o.Offset
		time.Sleep(10 * time.Millisecond)
	}
	if start >= n {
		t.Errorf("log start offset %d: every record was dropped", start)
	}
	rd, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ConsumeTopics("kept"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for want := start; want < n; {
		fetches := rd.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read back up to offset %d of %d", want, n)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if r.Offset == want && string(r.Value) == value(int(want)) {
				want++
				return
			}
			t.Fatalf("read offset %d %q, want offset %d %q", r.Offset, r.Value, want, value(int(want)))
		})
	}
}

// TestRetentionIsNotByAgeUnlessTheTopicSaysSo: records with old
// timestamps (replayed history) stay, unless their topic has retention.ms.
func TestRetentionIsNotByAgeUnlessTheTopicSaysSo(t *testing.T) {
	b, _ := startConfiguredBroker(t, BrokerConfig{Partitions: 1, RetentionBytes: 1000, RetentionCheck: 20 * time.Millisecond})
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.AllowAutoTopicCreation(),
		kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, 1, -1, map[string]*string{"retention.ms": kadm.StringPtr("60000")}, "aged"); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, topic := range []string{"history", "aged"} {
		for i := range 3 {
			r := &kgo.Record{Topic: topic, Value: []byte(fmt.Sprint(i)), Timestamp: old}
			if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// "probe" goes over 1000 bytes: once its start moves, retention ran.
	for range 10 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "probe", Value: make([]byte, 300)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	for {
		starts, err := adm.ListStartOffsets(ctx, "history", "aged", "probe")
		if err != nil || ctx.Err() != nil {
			t.Fatalf("retention did not run: %v", err)
		}
		probe, _ := starts.Lookup("probe", 0)
		aged, _ := starts.Lookup("aged", 0)
		history, _ := starts.Lookup("history", 0)
		if probe.Offset > 0 && aged.Offset == 3 {
			if history.Offset != 0 {
				t.Errorf("history's start offset is %d: old records were dropped by age", history.Offset)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBrokerConfigIsChecked(t *testing.T) {
	for _, c := range []struct {
		cfg  BrokerConfig
		want string
	}{
		{BrokerConfig{Addr: "127.0.0.1:0", Partitions: 1, MaxMessageBytes: -1}, "max message bytes must be between 1 and"},
		{BrokerConfig{Addr: "127.0.0.1:0", Partitions: 1, RetentionCheck: -time.Second}, "retention check interval must be positive"},
	} {
		if _, err := c.cfg.Start(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}
