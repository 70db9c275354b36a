package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestRecordKey(t *testing.T) {
	cases := []struct {
		line, field string
		key         string
		bad         string
	}{
		{`{"customer_id":"CUST-001"}`, "customer_id", "CUST-001", ""},
		{`{"id":42}`, "id", "42", ""},
		{`{"id":{"a":1}}`, "id", `{"a":1}`, ""},
		{`{"other":1}`, "id", "", ""},
		{`{"id":null}`, "id", "", ""},
		{`[1,2]`, "", "", ""},
		{`[1,2]`, "id", "", "not a JSON object"},
		{`{"id":`, "", "", "bad JSON"},
		{`{"id":`, "id", "", "bad JSON"},
	}
	for _, c := range cases {
		key, err := recordKey([]byte(c.line), c.field)
		switch {
		case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%s by %q: err %v, want %q", c.line, c.field, err, c.bad)
		case c.bad == "" && err != nil:
			t.Errorf("%s by %q: %v", c.line, c.field, err)
		case string(key) != c.key:
			t.Errorf("%s by %q: key %q, want %q", c.line, c.field, key, c.key)
		}
	}
}

// TestProduceToEmbeddedBroker produces to a real in-process broker and
// reads the records back.
func TestProduceToEmbeddedBroker(t *testing.T) {
	b, err := startBroker("127.0.0.1:0", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ta := newTestApp(t, nil)
	ta.env["TIDE_BROKERS"] = b.Addr()
	ta.stdin = strings.NewReader(`{"transaction_id":"TXN-1","customer_id":"CUST-001","amount":10}

{"transaction_id":"TXN-2","customer_id":"CUST-002","amount":
{"transaction_id":"TXN-3","customer_id":"CUST-001","amount":30}
`)
	code := ta.main([]string{"produce", "--topic", "transactions", "--key", "customer_id"})
	if code != exitFail {
		t.Errorf("exit %d, want 1 (a bad line was skipped)", code)
	}
	if !strings.Contains(ta.errb.String(), "<stdin>:3: bad JSON") {
		t.Errorf("stderr does not name line 3:\n%s", ta.errb.String())
	}
	if !strings.Contains(ta.out.String(), "produced 2 records to transactions (1 bad lines skipped)") {
		t.Errorf("stdout: %s", ta.out.String())
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ConsumeTopics("transactions"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := map[string]string{}
	for len(got) < 2 {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read back %d records: %v", len(got), fetches.Errors())
		}
		fetches.EachRecord(func(r *kgo.Record) {
			got[string(r.Value)] = string(r.Key)
			if c := r.Attrs.CompressionType(); c != 0 {
				t.Errorf("record batch compressed with codec %d; kafka-python without extra libraries reads only uncompressed batches", c)
			}
		})
	}
	if got[`{"transaction_id":"TXN-1","customer_id":"CUST-001","amount":10}`] != "CUST-001" ||
		got[`{"transaction_id":"TXN-3","customer_id":"CUST-001","amount":30}`] != "CUST-001" {
		t.Errorf("records %q", got)
	}
}

func TestProduceNeedsABroker(t *testing.T) {
	ta := newTestApp(t, nil)
	if code := ta.main([]string{"produce", "--topic", "t"}); code != exitUsage {
		t.Errorf("exit %d", code)
	}
	if ta.brokers != 0 {
		t.Error("produce started an embedded broker; its records would vanish")
	}
	if code := ta.main([]string{"produce", "--brokers", "x:1"}); code != exitUsage {
		t.Errorf("no --topic: exit %d", code)
	}
}
