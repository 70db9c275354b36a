package kafka

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// murmur2 is Kafka's murmur2 hash (the Java client's Utils.murmur2), which
// its default partitioner applies to record keys.
func murmur2(data []byte) int32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(data)
	h := seed ^ uint32(n)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n&^3:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// javaPartition is the partition the Java client picks for a key.
func javaPartition(key []byte, partitions int32) int32 {
	return (murmur2(key) & 0x7fffffff) % partitions
}

func TestMurmur2MatchesKafkasTestVectors(t *testing.T) {
	// From Kafka's UtilsTest.testMurmur2.
	for in, want := range map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		if got := murmur2([]byte(in)); got != want {
			t.Errorf("murmur2(%q) = %d, want %d", in, got, want)
		}
	}
}

// foreignProducer returns a command that produces "key:value" lines from
// stdin to topic with a client we did not write, or a reason to skip.
func foreignProducer(ctx context.Context, addr, topic string) (*exec.Cmd, string) {
	if path, err := exec.LookPath("kcat"); err == nil {
		return exec.CommandContext(ctx, path, "-P", "-b", addr, "-t", topic, "-K:", "-X", "topic.partitioner=murmur2_random"), ""
	}
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err == nil && exec.Command(py, "-c", "import kafka").Run() == nil {
		script := `
import sys
from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=sys.argv[1])
for line in sys.stdin:
    k, v = line.rstrip("\n").split(":", 1)
    p.send(sys.argv[2], key=k.encode(), value=v.encode())
p.flush()
`
		return exec.CommandContext(ctx, py, "-c", script, addr, topic), ""
	}
	return nil, "neither kcat nor python3 with the kafka module is installed (apt-get install -y kcat)"
}

func TestKeysFromAnotherClientLandWhereJavaWouldPutThem(t *testing.T) {
	const parts = 5
	b := startTestBroker(t, parts, "keyed")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd, skip := foreignProducer(ctx, b.Addr(), "keyed")
	if cmd == nil {
		t.Skip(skip)
	}
	var in bytes.Buffer
	const n = 40
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, "user-%d:{\"id\":%d,\"name\":\"user-%d\",\"amount\":1.5}\n", i, i, i)
	}
	cmd.Stdin = &in
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd.Path, err, out)
	}

	// What the broker stored: every key on murmur2(key) % partitions.
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ConsumeTopics("keyed"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	stored := 0
	for stored < n && ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(rec *kgo.Record) {
			stored++
			if want := javaPartition(rec.Key, parts); rec.Partition != want {
				t.Errorf("key %s is on partition %d, a Java client would put it on %d", rec.Key, rec.Partition, want)
			}
		})
	}
	if stored != n {
		t.Fatalf("broker holds %d records, want %d", stored, n)
	}

	// And the source reads them, per partition, as rows.
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "keyed"), nil)
	f := fetchRows(t, r, n)
	if f.count() != n || f.bad != 0 {
		t.Fatalf("read %d rows (%d bad), want %d", f.count(), f.bad, n)
	}
	if len(f.ids) < 3 {
		t.Errorf("40 keys landed on only %d of %d partitions", len(f.ids), parts)
	}
	for p, ids := range f.ids {
		for _, id := range ids {
			if want := javaPartition(fmt.Appendf(nil, "user-%d", id), parts); p != want {
				t.Errorf("row %d read from partition %d, want %d", id, p, want)
			}
		}
	}
}
