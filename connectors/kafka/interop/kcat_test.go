package interop

import (
	"fmt"
	"strings"
	"testing"
)

// kcat -P writes key:value lines to a new topic; kcat -G reads them in a
// consumer group from the beginning and commits where it stopped, at the
// end of every partition.
func TestKcatProducesAndConsumesInAGroup(t *testing.T) {
	need(t, kcat)
	topic := newTopic(t, "events")
	var lines, want []string
	for i := 0; i < 30; i++ {
		key := fmt.Sprintf("k%d", i%4)
		value := fmt.Sprintf(`{"level": "INFO", "message": "Event %d"}`, i)
		lines = append(lines, key+":"+value)
		want = append(want, key+" "+value)
	}
	runClient(t, strings.Join(lines, "\n")+"\n", "kcat", "-b", brokerAddr, "-P", "-t", topic, "-K:")
	var onBroker []string
	for _, r := range readTopic(t, topic, false) {
		onBroker = append(onBroker, string(r.Key)+" "+string(r.Value))
	}
	sameLines(t, "records on the broker", onBroker, want)

	group := topic + "-group"
	out := runClient(t, "", "kcat", "-b", brokerAddr, "-G", group, "-X", "auto.offset.reset=earliest", "-e", "-q",
		"-f", "%k %s\n", topic)
	sameLines(t, "records kcat read in group "+group, strings.Split(strings.TrimSpace(string(out)), "\n"), want)
	ends := nonEmpty(endOffsets(t, topic))
	if c := committedOffsets(t, group, topic); fmt.Sprint(c) != fmt.Sprint(ends) {
		t.Errorf("group %s committed %v, want the end offsets %v", group, c, ends)
	}
}

// kcat -C with isolation.level=read_committed reads every row of tide's
// transactional sink once.
func TestKcatReadsTheTransactionalSinkReadCommitted(t *testing.T) {
	need(t, kcat)
	in, out := newTopic(t, "in"), newTopic(t, "out")
	createTopic(t, in, 3)
	orders := courseOrders(0, 50)
	produceOrders(t, in, orders)
	runTide(t, t.TempDir(), sinkScript(in, out, 6, true))
	printed := runClient(t, "", "kcat", "-b", brokerAddr, "-C", "-t", out, "-e", "-q",
		"-X", "isolation.level=read_committed", "-f", "%k\t%s\n")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(printed)), "\n") {
		k, v, _ := strings.Cut(l, "\t")
		got = append(got, orderLine(t, k, v))
	}
	sameLines(t, "rows kcat read", got, bigOrders(orders))
}
