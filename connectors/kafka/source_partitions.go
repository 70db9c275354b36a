package kafka

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// discoverEvery is how often an unbounded source looks for partitions added
// to its topic. A variable so that tests can shorten it.
var discoverEvery = 10 * time.Second

// topicWaitEvery is how often a source whose topic does not exist yet looks
// for it: the producer that creates it is usually about to write.
const topicWaitEvery = 500 * time.Millisecond

// discovery polls the topic's metadata in the background and remembers
// partitions that appeared since Open, with their earliest offsets. While
// no partition is known (the topic does not exist yet) it looks more often.
type discovery struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	found map[int32]int64 // new partition → earliest offset, not yet taken
}

func startDiscovery(adm *kadm.Client, topic string, known []int32) *discovery {
	ctx, cancel := context.WithCancel(context.Background())
	d := &discovery{cancel: cancel, found: map[int32]int64{}}
	seen := make(map[int32]bool, len(known))
	for _, id := range known {
		seen[id] = true
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for {
			every := discoverEvery
			if len(seen) == 0 {
				every = min(every, topicWaitEvery)
			}
			t := time.NewTimer(every)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			d.poll(ctx, adm, topic, seen)
		}
	}()
	return d
}

// poll looks once; errors are left for the next tick (the consumer itself
// reports a broker that went away).
func (d *discovery) poll(ctx context.Context, adm *kadm.Client, topic string, seen map[int32]bool) {
	ctx, cancel := context.WithTimeout(ctx, discoverEvery)
	defer cancel()
	md, err := adm.Metadata(ctx, topic)
	if err != nil {
		return
	}
	td, ok := md.Topics[topic]
	if !ok || td.Err != nil {
		return
	}
	var added []int32
	for _, id := range td.Partitions.Numbers() {
		if !seen[id] {
			added = append(added, id)
		}
	}
	if len(added) == 0 {
		return
	}
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err != nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range added {
		o, ok := starts.Lookup(topic, id)
		if !ok || o.Err != nil || o.Offset < 0 {
			continue // not ready yet: try again next tick
		}
		seen[id] = true
		d.found[id] = o.Offset
	}
}

// take returns the partitions found since the last call.
func (d *discovery) take() map[int32]int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.found) == 0 {
		return nil
	}
	out := d.found
	d.found = map[int32]int64{}
	return out
}

func (d *discovery) stop() {
	d.cancel()
	d.wg.Wait()
}

// addDiscovered starts consuming partitions that appeared since Open, at
// their checkpointed offset if they have one, else at their earliest.
func (r *Reader) addDiscovered() {
	if r.disc == nil {
		return
	}
	found := r.disc.take()
	if len(found) == 0 {
		return
	}
	now := time.Now()
	consume := make(map[int32]kgo.Offset, len(found))
	for id, start := range found {
		if _, known := r.parts[id]; known || !r.cfg.mine(id) {
			continue
		}
		if o, ok := r.resume[id]; ok {
			start = o
		}
		r.addPartition(id, start, -1, now)
		consume[id] = kgo.NewOffset().At(start)
	}
	r.mu.Lock()
	r.waiting = len(r.parts) == 0
	r.mu.Unlock()
	if len(consume) > 0 {
		r.cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{r.cfg.topic: consume})
	}
}
