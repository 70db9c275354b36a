package interop

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

var topicSeq atomic.Int64

// newTopic names a topic no other test uses.
func newTopic(t *testing.T, suffix string) string {
	name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")
	return fmt.Sprintf("%s-%d-%s", strings.ToLower(name), topicSeq.Add(1), suffix)
}

// goClient is a franz-go client on the broker, for what the tests check.
func goClient(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokerAddr)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// createTopic creates topic with the given partitions.
func createTopic(t *testing.T, topic string, partitions int32) {
	t.Helper()
	resp, err := kadm.NewClient(goClient(t)).CreateTopic(testCtx(t), partitions, -1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
}

// produce writes records to topic, keyed ones by Kafka's murmur2
// partitioner, uncompressed (kafka-python has no snappy here).
func produce(t *testing.T, topic string, recs ...*kgo.Record) {
	t.Helper()
	cl := goClient(t, kgo.DefaultProduceTopic(topic), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err := cl.ProduceSync(testCtx(t), recs...).FirstErr(); err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
}

// endOffsets are the partitions' end offsets (high watermarks).
func endOffsets(t *testing.T, topic string) map[int32]int64 {
	t.Helper()
	ends, err := kadm.NewClient(goClient(t)).ListEndOffsets(testCtx(t), topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		t.Fatalf("end offsets of %s: %v", topic, err)
	}
	out := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out
}

// sumOffsets adds up the offsets of all partitions.
func sumOffsets(offsets map[int32]int64) int64 {
	sum := int64(0)
	for _, o := range offsets {
		sum += o
	}
	return sum
}

// committedOffsets are the offsets group committed on topic's partitions.
func committedOffsets(t *testing.T, group, topic string) map[int32]int64 {
	t.Helper()
	resp, err := kadm.NewClient(goClient(t)).FetchOffsets(testCtx(t), group)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatalf("committed offsets of group %s: %v", group, err)
	}
	out := map[int32]int64{}
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic {
			out[o.Partition] = o.At
		}
	})
	return out
}

// nonEmpty drops the partitions at offset 0: a group commits nothing for a
// partition it read no record from.
func nonEmpty(offsets map[int32]int64) map[int32]int64 {
	out := map[int32]int64{}
	for p, o := range offsets {
		if o > 0 {
			out[p] = o
		}
	}
	return out
}

// readTopic reads every data record of topic up to its end offsets, with
// the given isolation level, in partition and offset order.
func readTopic(t *testing.T, topic string, committed bool) []*kgo.Record {
	t.Helper()
	left := map[int32]int64{}
	for p, end := range endOffsets(t, topic) {
		if end > 0 {
			left[p] = end - 1
		}
	}
	iso := kgo.ReadUncommitted()
	if committed {
		iso = kgo.ReadCommitted()
	}
	cl := goClient(t, kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(iso),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.KeepControlRecords())
	ctx := testCtx(t)
	var out []*kgo.Record
	for len(left) > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %s: %v (partitions left: %v)", topic, ctx.Err(), left)
		}
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				out = append(out, r)
			}
			if end, ok := left[r.Partition]; ok && r.Offset >= end {
				delete(left, r.Partition)
			}
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Partition != out[j].Partition {
			return out[i].Partition < out[j].Partition
		}
		return out[i].Offset < out[j].Offset
	})
	return out
}

// sameLines fails the test unless got and want hold the same lines, as
// many times each (order does not matter).
func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("%s: got %d lines\n%s\nwant %d lines\n%s", what, len(g), strings.Join(g, "\n"), len(w), strings.Join(w, "\n"))
	}
}
