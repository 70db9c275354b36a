package kafka

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/internal/kafkatest"
)

func TestASourceWaitsForItsTopicAndNeverCreatesIt(t *testing.T) {
	b := startTestBroker(t, 2)
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "later"), nil)
	want := fmt.Sprintf("waiting for topic %q on %s", "later", b.Addr())
	if got := r.Status(); got != want {
		t.Fatalf("status %q, want %q", got, want)
	}
	f := &fetched{}
	for i := 0; i < 3; i++ { // several discovery rounds go by
		if err := fetchOnce(t, r, f, 400*time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	if f.count() != 0 || f.done || len(f.end) != 0 {
		t.Fatalf("a missing topic delivered rows=%d done=%v end=%v", f.count(), f.done, f.end)
	}
	if kafkatest.TopicExists(t, b.Addr(), "later") {
		t.Fatal("the source created the topic it waits for")
	}
	if got := r.Status(); got != want {
		t.Fatalf("status while the topic is missing %q, want %q", got, want)
	}

	// The producer creates the topic (auto-creation, two partitions) and
	// writes: the source reads every partition from its start.
	produceSpread(t, b, "later", 2, 0, 10)
	f = fetchRows(t, r, 10)
	if got, want := sorted(f.rows), sorted(append(expectedRows(0, 0, 2, 4, 6, 8), expectedRows(1, 1, 3, 5, 7, 9)...)); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if got := r.Status(); got != "" {
		t.Fatalf("status after the topic appeared %q, want none", got)
	}
}

func TestABoundedSourceOfAMissingTopicHasNothingToRead(t *testing.T) {
	b := startTestBroker(t, 1)
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "absent", "stop", "latest"), nil)
	f := &fetched{}
	if err := fetchOnce(t, r, f, 5*time.Second, nil); err != nil {
		t.Fatal(err)
	}
	if !f.done || f.count() != 0 {
		t.Fatalf("done=%v rows=%d, want done with no rows", f.done, f.count())
	}
	if kafkatest.TopicExists(t, b.Addr(), "absent") {
		t.Fatal("the source created the topic")
	}
}

func TestNoticeSaysWhenTheTopicIsMissingOrTheBrokerUnreachable(t *testing.T) {
	b := startTestBroker(t, 1, "present")
	notice := func(addr, topic string, opts ...string) string {
		t.Helper()
		r, err := NewSourceReader(testTable(addr, topic, opts...), executor.Env{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return r.Notice(context.Background())
	}
	if n := notice(b.Addr(), "present"); n != "" {
		t.Errorf("notice for an existing topic: %q", n)
	}
	want := fmt.Sprintf(`topic "missing" does not exist on %s yet: queries on events wait until it is created`, b.Addr())
	if n := notice(b.Addr(), "missing"); n != want {
		t.Errorf("notice %q, want %q", n, want)
	}
	if n := notice(b.Addr(), "missing", "stop", "latest"); !strings.HasSuffix(n, "queries on events find nothing to read until it is created") {
		t.Errorf("notice for a bounded source %q", n)
	}
	if kafkatest.TopicExists(t, b.Addr(), "missing") {
		t.Error("the check created the topic")
	}
	if n := notice("127.0.0.1:1", "x"); !strings.HasPrefix(n, "cannot reach Kafka at 127.0.0.1:1 (") {
		t.Errorf("notice for an unreachable broker %q", n)
	}
}
