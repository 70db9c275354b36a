package kafka

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestBrokerOnPortZeroPicksAFreePort(t *testing.T) {
	b := startTestBroker(t, 1)
	host, port, err := net.SplitHostPort(b.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("addr %q", b.Addr())
	}
}

func TestBrokerListensOnTheGivenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	b, err := StartBroker(addr, 1, "t")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Addr() != addr {
		t.Fatalf("addr %q, want %q", b.Addr(), addr)
	}
	if _, err := StartBroker(addr, 1); err == nil {
		t.Fatal("a second broker on the same port started")
	}
	b.Close()
	b.Close() // twice is fine
}

func TestBrokerSeedsTopicsAndProducersCreateMore(t *testing.T) {
	b := startTestBroker(t, 4, "seeded")
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "created", Value: []byte("{}")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	md, err := kadm.NewClient(cl).Metadata(ctx, "seeded", "created")
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"seeded", "created"} {
		if n := len(md.Topics[topic].Partitions); n != 4 {
			t.Errorf("topic %s has %d partitions, want 4", topic, n)
		}
	}
}

func TestBrokerRejectsBadArguments(t *testing.T) {
	for _, c := range []struct {
		addr  string
		parts int32
		want  string
	}{
		{"127.0.0.1", 1, "missing port"},
		{"127.0.0.1:x", 1, "bad port"},
		{"127.0.0.1:0", 0, "at least 1"},
	} {
		if _, err := StartBroker(c.addr, c.parts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("StartBroker(%q, %d): %v, want %q", c.addr, c.parts, err, c.want)
		}
	}
}
