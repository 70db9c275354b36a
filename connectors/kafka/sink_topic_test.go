package kafka

import (
	"context"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/executor"
)

// On brokers that do not create topics on first use, a sink whose topic is
// missing fails to open, naming the topic and the brokers, and creates
// nothing; an existing topic on the same brokers works.
func TestSinkMissingTopicWithoutAutoCreation(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "exists"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]

	tbl := sinkTestTable(addr, "nosuch", nil)
	sk, err := NewSink(tbl, executor.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer sk.Close()
	err = sk.Open(context.Background(), sinkTestSpec(tbl, "q-missing"))
	for _, want := range []string{"kafka sink out: open: topic nosuch does not exist on " + addr, "auto.create.topics.enable=false", "tide topic create nosuch"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Open error = %v, want it to say %q", err, want)
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	topics, err := kadm.NewClient(cl).ListTopics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if topics.Has("nosuch") {
		t.Fatalf("the failed Open created the topic: %v", topics.Names())
	}

	ok := sinkTestTable(addr, "exists", nil)
	s := sinkTestOpen(t, ok, sinkTestSpec(ok, "q-exists"))
	sinkWriteCommit(t, s, 0, sinkTestRecord(t, ok.Schema(), sinkRow(0, "a", 1)))
	if got := sinkConsume(t, addr, "exists", true); len(got) != 1 {
		t.Fatalf("existing topic holds %q", got)
	}
}

// A row whose record exceeds the topic's max.message.bytes fails the write
// with the record's size and the limit, and nothing of the epoch is
// committed; rows under the limit go through.
func TestSinkOversizeRecordNamesTheLimit(t *testing.T) {
	addr := sinkTestBroker(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	limit := "2000"
	resp, err := kadm.NewClient(cl).CreateTopic(context.Background(), 1, -1, map[string]*string{"max.message.bytes": &limit}, "small")
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, transactional := range []string{"true", "false"} {
		tbl := sinkTestTable(addr, "small", nil, "transactional", transactional)
		s := sinkTestOpen(t, tbl, sinkTestSpec(tbl, "q-small-"+transactional))
		ctx := context.Background()
		big := sinkRow(0, strings.Repeat("x", 3000), 1)
		err := s.Write(ctx, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "fits", 1), big))
		for _, want := range []string{"kafka sink out: write: row 1: a record of 3", "exceeds the 2000 bytes that topic small accepts on " + addr, "max.message.bytes"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("transactional = %s: Write error = %v, want it to say %q", transactional, err, want)
			}
		}
		if err := s.Abort(ctx); err != nil {
			t.Fatal(err)
		}
		sinkWriteCommit(t, s, 0, sinkTestRecord(t, tbl.Schema(), sinkRow(0, strings.Repeat("y", 1500), 2)))
	}
	got := sinkConsume(t, addr, "small", true)
	if len(got) != 2 || !strings.Contains(got[0], strings.Repeat("y", 1500)) || strings.Contains(strings.Join(got, ""), "fits") {
		t.Fatalf("topic small holds %d records %.200q; want the two rows under the limit only", len(got), got)
	}
}
