package main

import (
	"strings"
	"testing"

	"github.com/tide-sql/tide/connectors/kafka"
)

// TestTopicCommands walks the course's exercise 1: create a topic with
// three partitions, check it exists, describe it, and delete it.
func TestTopicCommands(t *testing.T) {
	b := toolBroker(t, kafka.BrokerConfig{Partitions: 5})
	addr := b.Addr()

	code, out, errText := runTool(t, addr, "topic", "create", "events", "--partitions", "3", "--replication-factor", "1",
		"--config", "retention.ms=3600000", "--config", "cleanup.policy=delete")
	if code != exitOK || out != "created topic events (3 partitions, replication factor 1)\n" {
		t.Fatalf("create: exit %d, stdout %q, stderr %q", code, out, errText)
	}
	code, _, errText = runTool(t, addr, "topic", "create", "--topic", "events")
	if code != exitFail || !strings.Contains(errText, `topic "events" already exists on `+addr) {
		t.Errorf("create again: exit %d, stderr %q", code, errText)
	}
	if code, out, _ = runTool(t, addr, "topic", "create", "events", "--if-not-exists"); code != exitOK || out != "topic events exists already\n" {
		t.Errorf("--if-not-exists: exit %d, stdout %q", code, out)
	}
	if code, out, _ = runTool(t, addr, "topic", "create", "defaults"); code != exitOK || out != "created topic defaults (5 partitions, replication factor 1)\n" {
		t.Errorf("create with the broker's defaults: exit %d, stdout %q", code, out)
	}
	code, _, errText = runTool(t, addr, "topic", "create", "x", "--replication-factor", "3")
	if code != exitFail || !strings.Contains(errText, `create topic "x" on `+addr+": INVALID_REPLICATION_FACTOR") {
		t.Errorf("replication factor 3 on one broker: exit %d, stderr %q", code, errText)
	}

	code, out, _ = runTool(t, addr, "topic", "list", "--format", "csv")
	if want := "TOPIC,PARTITIONS,REPLICATION-FACTOR\ndefaults,5,1\nevents,3,1\n"; code != exitOK || out != want {
		t.Errorf("list: exit %d\n%s\nwant\n%s", code, out, want)
	}

	// Offsets: 3 records in partition 0, 1 in partition 2.
	produceTo(t, addr, rec("events", 0, "", "a"), rec("events", 0, "", "b"), rec("events", 0, "", "c"), rec("events", 2, "", "d"))
	code, out, _ = runTool(t, addr, "topic", "describe", "events")
	if code != exitOK {
		t.Fatalf("describe: exit %d", code)
	}
	header, table, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(header, "Topic: events\tTopicId: ") ||
		!strings.HasSuffix(header, "\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: cleanup.policy=delete,retention.ms=3600000") {
		t.Errorf("describe header %q", header)
	}
	for _, row := range []string{
		"│ events │         0 │      0 │ 0        │ 0   │            0 │          3 │",
		"│ events │         1 │      0 │ 0        │ 0   │            0 │          0 │",
		"│ events │         2 │      0 │ 0        │ 0   │            0 │          1 │",
	} {
		if !strings.Contains(table, row) {
			t.Errorf("describe table lacks %q:\n%s", row, table)
		}
	}
	_, out, _ = runTool(t, addr, "topic", "describe", "events", "--format", "json")
	rows := jsonLines(t, out)
	ends := []float64{3, 0, 1}
	if len(rows) != 3 {
		t.Fatalf("describe json: %q", out)
	}
	for p, row := range rows {
		if row["PARTITION"] != float64(p) || row["END-OFFSET"] != ends[p] || row["START-OFFSET"] != 0.0 || row["LEADER"] != 0.0 {
			t.Errorf("partition %d: %v", p, row)
		}
	}

	if code, out, _ = runTool(t, addr, "topic", "delete", "events"); code != exitOK || out != "deleted topic events\n" {
		t.Errorf("delete: exit %d, stdout %q", code, out)
	}
	for _, action := range []string{"describe", "delete"} {
		code, _, errText = runTool(t, addr, "topic", action, "events")
		if code != exitFail || !strings.Contains(errText, `topic "events" does not exist on `+addr) {
			t.Errorf("%s after delete: exit %d, stderr %q", action, code, errText)
		}
	}
	if _, out, _ = runTool(t, addr, "topic", "list", "--format", "csv"); out != "TOPIC,PARTITIONS,REPLICATION-FACTOR\ndefaults,5,1\n" {
		t.Errorf("list after delete:\n%s", out)
	}
}
