package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/connectors/kafka"
)

func TestConsumePrintsRecords(t *testing.T) {
	b := toolBroker(t, kafka.BrokerConfig{})
	addr := b.Addr()
	if err := b.CreateTopic("orders", 2); err != nil {
		t.Fatal(err)
	}
	produceTo(t, addr,
		rec("orders", 0, "CUST-000", `{"order_id":"ORD-0000"}`),
		rec("orders", 1, "CUST-001", `{"order_id":"ORD-0001"}`),
		rec("orders", 0, "CUST-000", `{"order_id":"ORD-0002"}`),
		rec("orders", 1, "", `{"order_id":"ORD-0003"}`))

	code, out, errText := runTool(t, addr, "consume", "--topic", "orders", "--from-beginning", "--key", "--max-messages", "4")
	if code != exitOK || !strings.Contains(errText, "tide: consumed 4 records from orders") {
		t.Fatalf("exit %d, stderr %q", code, errText)
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	sort.Strings(got) // partitions interleave in any order; each keeps its own
	want := []string{
		"0:0\tCUST-000\t{\"order_id\":\"ORD-0000\"}",
		"0:1\tCUST-000\t{\"order_id\":\"ORD-0002\"}",
		"1:0\tCUST-001\t{\"order_id\":\"ORD-0001\"}",
		"1:1\t\t{\"order_id\":\"ORD-0003\"}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("text output:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	_, out, _ = runTool(t, addr, "consume", "--topic", "orders", "--from-beginning", "--max-messages", "4", "--format", "json")
	rows := jsonLines(t, out)
	byPos := map[string]map[string]any{}
	for _, r := range rows {
		byPos[fmt.Sprintf("%v:%v", r["partition"], r["offset"])] = r
	}
	if r := byPos["1:1"]; len(rows) != 4 || r == nil || r["topic"] != "orders" || r["key"] != nil || r["value"] != `{"order_id":"ORD-0003"}` {
		t.Errorf("json output:\n%s", out)
	}
	if ts, _ := byPos["0:0"]["timestamp"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp %q is not RFC 3339 in UTC", ts)
	}

	// Without --from-beginning and without a group: from the end.
	code, out, errText = runTool(t, addr, "consume", "--topic", "orders", "--timeout", "1s")
	if code != exitOK || out != "" || !strings.Contains(errText, "consumed 0 records") {
		t.Errorf("from the end: exit %d, stdout %q, stderr %q", code, out, errText)
	}
}

// TestConsumeWithAGroupCommitsWhatItPrinted: a second run of the same
// group goes on where the first stopped.
func TestConsumeWithAGroupCommitsWhatItPrinted(t *testing.T) {
	b := toolBroker(t, kafka.BrokerConfig{})
	addr := b.Addr()
	if err := b.CreateTopic("events", 1); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		produceTo(t, addr, rec("events", 0, "", fmt.Sprintf("e%d", i)))
	}
	_, out, _ := runTool(t, addr, "consume", "--topic", "events", "--group", "g", "--from-beginning", "--max-messages", "3")
	if out != "0:0\te0\n0:1\te1\n0:2\te2\n" {
		t.Errorf("first run:\n%s", out)
	}
	code, out, _ := runTool(t, addr, "group", "describe", "g", "--format", "csv")
	if want := "GROUP,TOPIC,PARTITION,CURRENT-OFFSET,LOG-END-OFFSET,LAG,CONSUMER-ID,HOST,CLIENT-ID\ng,events,0,3,5,2,-,-,-\n"; code != exitOK || out != want {
		t.Errorf("group after the first run:\n%s\nwant\n%s", out, want)
	}
	_, out, _ = runTool(t, addr, "consume", "--topic", "events", "--group", "g", "--from-beginning", "--timeout", "2s")
	if out != "0:3\te3\n0:4\te4\n" {
		t.Errorf("second run:\n%s", out)
	}
}

func TestConsumeIsolation(t *testing.T) {
	b := toolBroker(t, kafka.BrokerConfig{})
	addr := b.Addr()
	if err := b.CreateTopic("txn", 1); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.TransactionalID("tx-test"), kgo.DefaultProduceTopic("txn"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, c := range []struct {
		value  string
		commit kgo.TransactionEndTry
	}{{"aborted", kgo.TryAbort}, {"committed", kgo.TryCommit}} {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(c.value)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := cl.EndTransaction(ctx, c.commit); err != nil {
			t.Fatal(err)
		}
	}
	values := func(out string) []string {
		var vs []string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			_, v, _ := strings.Cut(line, "\t")
			vs = append(vs, v)
		}
		return vs
	}
	_, out, _ := runTool(t, addr, "consume", "--topic", "txn", "--from-beginning", "--isolation", "read_committed", "--timeout", "2s")
	if got := values(out); len(got) != 1 || got[0] != "committed" {
		t.Errorf("read_committed: %q", got)
	}
	_, out, _ = runTool(t, addr, "consume", "--topic", "txn", "--from-beginning", "--timeout", "2s")
	if got := values(out); len(got) != 2 || got[0] != "aborted" || got[1] != "committed" {
		t.Errorf("read_uncommitted: %q", got)
	}
}

// TestConsumeAnUnknownTopic: a broker that creates topics on first use
// creates it (as for kafka-console-consumer); another says it is missing.
func TestConsumeAnUnknownTopic(t *testing.T) {
	strict := toolBroker(t, kafka.BrokerConfig{NoAutoCreate: true})
	code, _, errText := runTool(t, strict.Addr(), "consume", "--topic", "nosuch", "--timeout", "1s")
	if code != exitFail || !strings.Contains(errText, `tide consume: topic "nosuch" does not exist on `+strict.Addr()) {
		t.Errorf("no auto-create: exit %d, stderr %q", code, errText)
	}
	lenient := toolBroker(t, kafka.BrokerConfig{})
	if code, _, errText = runTool(t, lenient.Addr(), "consume", "--topic", "later", "--timeout", "1s"); code != exitOK {
		t.Errorf("auto-create: exit %d, stderr %q", code, errText)
	}
	if _, out, _ := runTool(t, lenient.Addr(), "topic", "list", "--format", "csv"); !strings.Contains(out, "\nlater,3,1\n") {
		t.Errorf("topic not created:\n%s", out)
	}
}
