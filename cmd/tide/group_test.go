package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/connectors/kafka"
)

// TestGroupDescribeOfAGroupThatOnlyCommits: tide's sources commit offsets
// to a group without joining it; describe shows the offsets and lag with
// "-" for the member columns, as kafka-consumer-groups does.
func TestGroupDescribeOfAGroupThatOnlyCommits(t *testing.T) {
	b := toolBroker(t, kafka.BrokerConfig{})
	addr := b.Addr()
	if err := b.CreateTopic("clicks", 3); err != nil {
		t.Fatal(err)
	}
	produceTo(t, addr, rec("clicks", 0, "", "a"), rec("clicks", 0, "", "b"), rec("clicks", 0, "", "c"),
		rec("clicks", 1, "", "d"), rec("clicks", 2, "", "e"), rec("clicks", 2, "", "f"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var offsets kadm.Offsets
	offsets.AddOffset("clicks", 0, 2, -1)
	offsets.AddOffset("clicks", 2, 2, -1)
	if err := kadm.NewClient(cl).CommitAllOffsets(ctx, "tide-clicks", offsets); err != nil {
		t.Fatal(err)
	}

	code, out, errText := runTool(t, addr, "group", "describe", "tide-clicks")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errText)
	}
	for _, want := range []string{
		"Consumer group 'tide-clicks' has no active members.\n",
		"│ GROUP       │ TOPIC  │ PARTITION │ CURRENT-OFFSET │ LOG-END-OFFSET │ LAG │ CONSUMER-ID │ HOST │ CLIENT-ID │",
		"│ tide-clicks │ clicks │         0 │              2 │              3 │   1 │ -           │ -    │ -         │",
		"│ tide-clicks │ clicks │         2 │              2 │              2 │   0 │ -           │ -    │ -         │",
		"(2 rows)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runTool(t, addr, "group", "describe", "tide-clicks", "--format", "json")
	rows := jsonLines(t, out)
	if len(rows) != 2 || rows[0]["CONSUMER-ID"] != nil || rows[0]["LAG"] != 1.0 || rows[1]["PARTITION"] != 2.0 {
		t.Errorf("json:\n%s", out)
	}

	code, out, _ = runTool(t, addr, "group", "list", "--format", "csv")
	if want := "GROUP,STATE,PROTOCOL-TYPE\ntide-clicks,Empty,-\n"; code != exitOK || out != want {
		t.Errorf("list:\n%s\nwant\n%s", out, want)
	}
	code, _, errText = runTool(t, addr, "group", "describe", "nosuch")
	if code != exitFail || !strings.Contains(errText, `group "nosuch" does not exist on `+addr) {
		t.Errorf("unknown group: exit %d, stderr %q", code, errText)
	}
}

// TestGroupDescribeShowsMembers: a member of a consumer group appears
// with its member ID and client ID beside the partitions it owns, with
// "-" where it has not committed yet.
func TestGroupDescribeShowsMembers(t *testing.T) {
	b := toolBroker(t, kafka.BrokerConfig{})
	addr := b.Addr()
	if err := b.CreateTopic("views", 2); err != nil {
		t.Fatal(err)
	}
	produceTo(t, addr, rec("views", 0, "", "a"), rec("views", 0, "", "b"), rec("views", 1, "", "c"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ClientID("viewer"), kgo.ConsumerGroup("viewers"),
		kgo.ConsumeTopics("views"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var first *kgo.Record
	for first == nil {
		fetches := cl.PollRecords(ctx, 1)
		if ctx.Err() != nil {
			t.Fatal("no record")
		}
		fetches.EachRecord(func(r *kgo.Record) { first = r })
	}
	if first.Partition != 0 {
		// Commit partition 0 only, whichever record came first.
		first = &kgo.Record{Topic: "views", Partition: 0, Offset: 0, LeaderEpoch: first.LeaderEpoch}
	}
	if err := cl.CommitRecords(ctx, first); err != nil {
		t.Fatal(err)
	}
	member, _ := cl.GroupMetadata()

	code, out, errText := runTool(t, addr, "group", "describe", "viewers", "--format", "csv")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errText)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 ||
		!strings.HasPrefix(lines[1], "viewers,views,0,1,2,1,"+member+",") || !strings.HasSuffix(lines[1], ",viewer") ||
		!strings.HasPrefix(lines[2], "viewers,views,1,-,1,-,"+member+",") {
		t.Errorf("describe (member %s):\n%s", member, out)
	}
	if _, out, _ = runTool(t, addr, "group", "list", "--format", "csv"); out != "GROUP,STATE,PROTOCOL-TYPE\nviewers,Stable,consumer\n" {
		t.Errorf("list:\n%s", out)
	}
}
