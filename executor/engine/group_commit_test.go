package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/internal/kafkatest"
)

// committed returns the offsets group has committed on topic, by partition.
func committed(t *testing.T, addr, group, topic string) map[int32]int64 {
	t.Helper()
	var resp kadm.OffsetResponses
	var err error
	kafkatest.Ask(t, addr, func(ctx context.Context, adm *kadm.Client) { resp, err = adm.FetchOffsets(ctx, group) })
	out := map[int32]int64{}
	if errors.Is(err, kerr.GroupIDNotFound) {
		return out // nothing committed yet
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic && o.Err == nil {
			out[o.Partition] = o.At
		}
	})
	return out
}

// endOffsets returns the log end offsets of topic, by partition.
func endOffsets(t *testing.T, addr, topic string) map[int32]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out
}

// kafkaPythonGroupOffsets asks kafka-python's KafkaAdminClient for the
// group's committed offsets ("topic/partition" → offset); ok is false when
// /usr/bin/python3 has no kafka module.
func kafkaPythonGroupOffsets(t *testing.T, addr, group string) (map[string]int64, bool) {
	t.Helper()
	const py = "/usr/bin/python3"
	if exec.Command(py, "-c", "import kafka").Run() != nil {
		t.Log("no kafka-python: skipping its check")
		return nil, false
	}
	script := `
import json, sys
from kafka import KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id="course-check")
offsets = admin.list_consumer_group_offsets(sys.argv[2])
print(json.dumps({"%s/%d" % (tp.topic, tp.partition): om.offset for tp, om in offsets.items()}))
admin.close()
`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", script, addr, group).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("kafka-python: %v\n%s", err, stderr)
	}
	got := map[string]int64{}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("kafka-python printed %q: %v", out, err)
	}
	return got, true
}

func sum(m map[int32]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func idLines(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf(`{"id": %d}`, i))
	}
	return out
}

const groupSQL = `
CREATE SOURCE ids (id BIGINT) WITH (connector = 'kafka', topic = 'ids', group = 'course'%s);
CREATE TABLE seen (id BIGINT);
INSERT INTO seen SELECT id FROM ids;`

func TestQueriesCommitTheirOffsetsToTheirGroupAndStartGroupResumesThere(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("ids", 3); err != nil {
		t.Fatal(err)
	}
	x.produce("ids", idLines(0, 30)...)
	x.exec(fmt.Sprintf(groupSQL, ""))
	// While the query runs, the group's offsets follow it: what Kafka tools
	// show as the group's lag goes to zero.
	waitFor(t, func() bool { return sum(committed(t, x.broker.Addr(), "course", "ids")) == 30 })
	if got, want := committed(t, x.broker.Addr(), "course", "ids"), endOffsets(t, x.broker.Addr(), "ids"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("committed %v, want the end offsets %v", got, want)
	}
	if q, _ := x.e.Query("seen"); q.State != engine.QueryRunning || len(q.Progress.Warnings) != 0 {
		t.Fatalf("query %s, warnings %v", q.State, q.Progress.Warnings)
	}
	// The course's own tool sees them too.
	if got, ok := kafkaPythonGroupOffsets(t, x.broker.Addr(), "course"); ok {
		want := map[string]int64{}
		for p, o := range endOffsets(t, x.broker.Addr(), "ids") {
			want[fmt.Sprintf("ids/%d", p)] = o
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("kafka-python's list_consumer_group_offsets: %v, want %v", got, want)
		}
	}
	x.produce("ids", idLines(30, 40)...)
	waitFor(t, func() bool { return sum(committed(t, x.broker.Addr(), "course", "ids")) == 40 })
	if err := x.e.StopQuery("seen"); err != nil {
		t.Fatal(err)
	}

	// Another deployment (a new state directory, no checkpoint) with
	// start = 'group' reads only what came after.
	x.produce("ids", idLines(40, 52)...)
	y := newEnvOn(t, x.broker)
	y.exec(fmt.Sprintf(groupSQL, ", start = 'group', stop = 'latest'"))
	y.wait()
	var want []string
	for i := 40; i < 52; i++ {
		want = append(want, fmt.Sprintf("id=%d", i))
	}
	expectLines(t, y.rows("SELECT id FROM seen"), want)
	if got := sum(committed(t, x.broker.Addr(), "course", "ids")); got != 52 {
		t.Fatalf("after the second run the group committed %d offsets, want 52", got)
	}
}

// failCommits makes the cluster refuse every offset commit until the
// returned function is called.
func failCommits(c *kfake.Cluster) (restore func()) {
	stop := make(chan struct{})
	c.ControlKey(int16(kmsg.OffsetCommit), func(req kmsg.Request) (kmsg.Response, error, bool) {
		select {
		case <-stop:
			c.DropControl()
			return nil, nil, false
		default:
		}
		c.KeepControl()
		r := req.(*kmsg.OffsetCommitRequest)
		resp := r.ResponseKind().(*kmsg.OffsetCommitResponse)
		for _, rt := range r.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = 30 // GROUP_AUTHORIZATION_FAILED: not retried
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	return func() { close(stop) }
}

// kfakeEnv is an engine over a kfake cluster the test controls (to make
// it refuse or count requests), with a topic "ids" of two partitions.
type kfakeEnv struct {
	*env
	cluster *kfake.Cluster
	addr    string
}

func newKfakeEnv(t *testing.T) *kfakeEnv {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "ids"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addr := c.ListenAddrs()[0]
	e, err := engine.Open(context.Background(), engine.Config{StateDir: filepath.Join(t.TempDir(), "state"), Brokers: addr, Console: io.Discard, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return &kfakeEnv{env: &env{t: t, e: e}, cluster: c, addr: addr}
}

// produceIDs writes idLines(from, to) to "ids", one record per request
// when apart is set (so that they arrive over several fetches).
func (k *kfakeEnv) produceIDs(from, to int, apart bool) {
	k.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.addr), kgo.DefaultProduceTopic("ids"))
	if err != nil {
		k.t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for _, l := range idLines(from, to) {
		recs = append(recs, &kgo.Record{Value: []byte(l)})
		if apart {
			if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
				k.t.Fatal(err)
			}
			recs = recs[:0]
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		k.t.Fatal(err)
	}
}

func TestGroupCommitsAreAtMostAboutOneASecond(t *testing.T) {
	k := newKfakeEnv(t)
	var commits atomic.Int64
	k.cluster.ControlKey(int16(kmsg.OffsetCommit), func(kmsg.Request) (kmsg.Response, error, bool) {
		k.cluster.KeepControl()
		commits.Add(1)
		return nil, nil, false // only counts
	})
	k.exec(fmt.Sprintf(groupSQL, ", max_batch = '1'"))
	start := time.Now()
	k.produceIDs(0, 60, true) // an epoch per record
	waitFor(t, func() bool { return sum(committed(t, k.addr, "course", "ids")) == 60 })
	elapsed := time.Since(start)
	if epochs := k.progress("seen").BatchID; epochs < 30 {
		t.Fatalf("only %d epochs: the test needs many more epochs than seconds", epochs)
	}
	if n, most := commits.Load(), int64(elapsed/time.Second)+2; n > most {
		t.Fatalf("%d commits in %v, want at most %d (about one a second)", n, elapsed, most)
	}
}

func TestAFailedGroupCommitIsAWarningNotAFailure(t *testing.T) {
	k := newKfakeEnv(t)
	x, c, addr := k.env, k.cluster, k.addr
	produce := func(from, to int) { k.produceIDs(from, to, false) }
	produce(0, 10)
	x.exec(fmt.Sprintf(groupSQL, ""))
	waitFor(t, func() bool { return sum(committed(t, addr, "course", "ids")) == 10 })

	restore := failCommits(c)
	produce(10, 25)
	var q engine.QueryInfo
	waitFor(t, func() bool { q, _ = x.e.Query("seen"); return len(q.Progress.Warnings) > 0 })
	if q.State != engine.QueryRunning {
		t.Fatalf("a failed commit made the query %s: %s", q.State, q.Error)
	}
	if w := q.Progress.Warnings[0]; !strings.Contains(w, `commit offsets of group "course" on topic "ids"`) {
		t.Fatalf("warning %q does not say which commit failed", w)
	}
	waitFor(t, func() bool { return len(x.rows("SELECT id FROM seen")) == 25 })
	if got := sum(committed(t, addr, "course", "ids")); got != 10 {
		t.Fatalf("refused commits left %d committed offsets, want the 10 of before", got)
	}

	// Commits go through again: the next checkpoint commits, the warning goes.
	restore()
	produce(25, 30)
	waitFor(t, func() bool { return sum(committed(t, addr, "course", "ids")) == 30 })
	waitFor(t, func() bool { q, _ = x.e.Query("seen"); return len(q.Progress.Warnings) == 0 })
}

func TestABrokerClosedUnderGroupCommitsDoesNotFailTheQuery(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("ids", 3); err != nil {
		t.Fatal(err)
	}
	x.produce("ids", idLines(0, 20)...)
	x.exec(fmt.Sprintf(groupSQL, ""))
	waitFor(t, func() bool { return sum(committed(t, x.broker.Addr(), "course", "ids")) == 20 })
	x.broker.Close()
	time.Sleep(2 * time.Second) // the source polls a broker that is gone
	q, _ := x.e.Query("seen")
	if q.State != engine.QueryRunning {
		t.Fatalf("query %s after the broker went away: %s", q.State, q.Error)
	}
	if err := x.e.StopQuery("seen"); err != nil {
		t.Fatal(err)
	}
	// Stopping commits the last checkpoint once more, which fails: the
	// query still stops cleanly, keeping its checkpoint, and says so.
	q, _ = x.e.Query("seen")
	if q.State != engine.QueryStopped {
		t.Fatalf("query %s after the stop: %s", q.State, q.Error)
	}
	if len(q.Progress.Warnings) != 1 || !strings.Contains(q.Progress.Warnings[0], `commit offsets of group "course"`) {
		t.Fatalf("warnings %q, want the failed commit", q.Progress.Warnings)
	}
}
