package kafka

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/executor"
)

// parallelDecodeRecords is the size of a fetch from which partitions are
// decoded on several goroutines.
const parallelDecodeRecords = 4096

// decodeJob is the records of one partition to decode in one fetch.
type decodeJob struct {
	p    *partition
	recs []*kgo.Record
}

// decodeResult is the rows of one job, the message behind each row, the
// records that did not decode and the tombstones skipped.
type decodeResult struct {
	rec        arrow.Record
	origins    []*kgo.Record
	bad        []badRecord
	tombstones int
}

type badRecord struct {
	rec    *kgo.Record
	reason error
}

// deliver decodes the deliverable buffered records and advances positions.
// When the format cannot prepare them yet (see prepare) it waits up to
// wait, then delivers nothing: the records stay buffered.
func (r *Reader) deliver(ctx context.Context, wait time.Duration, until executor.Offsets) (executor.Fetch, error) {
	jobs := make([]decodeJob, 0, len(r.order))
	counts := make([]int, 0, len(r.order))
	for _, id := range r.order {
		p := r.parts[id]
		if p.done {
			continue
		}
		if n := p.deliverable(p.limit(until)); n > 0 {
			jobs = append(jobs, decodeJob{p: p, recs: p.pending[:n]})
			counts = append(counts, n)
		}
	}
	if until == nil {
		kept := jobs[:0]
		for i, n := range fairShare(counts, r.cfg.maxBatch) {
			if n > 0 {
				kept = append(kept, decodeJob{p: jobs[i].p, recs: jobs[i].recs[:n]})
			}
		}
		jobs = kept
	}
	if !r.prepare(ctx, jobs, wait) {
		jobs = nil
	}
	decodeStart := time.Now()
	results := r.decode(jobs)
	r.decodeTime = time.Since(decodeStart)
	if r.cfg.onError == errorFail {
		for _, res := range results {
			if len(res.bad) == 0 {
				continue
			}
			for _, x := range results {
				x.rec.Release()
			}
			b := res.bad[0]
			return executor.Fetch{}, badMessageError(b.rec, b.reason)
		}
	}

	f := executor.Fetch{End: make(executor.Offsets, len(r.order))}
	clear(r.rowOrigins)
	if r.rowOrigins == nil {
		r.rowOrigins = map[int32][]*kgo.Record{}
	}
	r.mu.Lock()
	for i, job := range jobs {
		p, res := job.p, results[i]
		last := job.recs[len(job.recs)-1]
		p.next = last.Offset + 1
		p.lastRecordTime = last.Timestamp
		clear(p.pending[:len(job.recs)])
		p.pending = p.pending[len(job.recs):]
		if res.rec.NumRows() > 0 {
			f.Batches = append(f.Batches, executor.PartitionBatch{Partition: p.id, Record: res.rec})
			r.rowOrigins[p.id] = res.origins
		} else {
			res.rec.Release()
		}
		f.Bad += int64(len(res.bad))
		r.tombstones += int64(res.tombstones)
		if r.dead != nil {
			for _, b := range res.bad {
				r.dead.add(b.rec.Topic, b.rec.Partition, b.rec.Offset, b.rec.Value, b.reason.Error(), b.rec.Timestamp)
			}
		}
	}
	for _, id := range r.order {
		p := r.parts[id]
		// A buffered record at or past the limit proves that the offsets
		// in between hold no records (compaction, transaction markers).
		if lim := p.limit(until); len(p.pending) > 0 && p.pending[0].Offset >= lim && lim > p.next {
			p.next = lim
		}
		if len(p.pending) == 0 && p.ctrlNext > p.next && p.ctrlNext <= p.limit(until) {
			p.next = p.ctrlNext
		}
		f.End[id] = p.next
	}
	r.mu.Unlock()
	r.finishStopped()
	f.Idle = r.idle(time.Now())
	f.Done = r.finished()
	return f, nil
}

// finishStopped retires partitions that reached their stop offset.
func (r *Reader) finishStopped() {
	var ids []int32
	for _, id := range r.order {
		p := r.parts[id]
		if !p.done && p.stop >= 0 && p.next >= p.stop {
			p.done = true
			p.pending = nil
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		r.cl.RemoveConsumePartitions(map[string][]int32{r.cfg.topic: ids})
	}
}

// idle lists the partitions that stop holding the watermark back: those
// without records for idle_timeout, and those that reached the end of their
// input (stop = 'latest'). A partition that only reached the end of what a
// ReadAvailableNow run reads still holds it: the next run goes on there.
func (r *Reader) idle(now time.Time) []int32 {
	var out []int32
	for _, id := range r.order {
		p := r.parts[id]
		if (p.done && r.cfg.stopLatest) || (r.cfg.idleTimeout > 0 && len(p.pending) == 0 && now.Sub(p.lastRec) >= r.cfg.idleTimeout) {
			out = append(out, id)
		}
	}
	return out
}

// decode decodes every job, partitions in parallel when the fetch is big.
func (r *Reader) decode(jobs []decodeJob) []decodeResult {
	res := make([]decodeResult, len(jobs))
	total := 0
	for _, j := range jobs {
		total += len(j.recs)
	}
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	if total < parallelDecodeRecords || workers < 2 {
		for i := range jobs {
			res[i] = r.decodePartition(jobs[i])
		}
		return res
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(jobs); i = int(next.Add(1) - 1) {
				res[i] = r.decodePartition(jobs[i])
			}
		})
	}
	wg.Wait()
	return res
}

// decodePartition decodes one partition's records with its own decoder.
// Tombstones (null values) are counted and skipped: they carry no row. With on_error = 'fail' it stops at the first bad record.
func (r *Reader) decodePartition(j decodeJob) decodeResult {
	p := j.p
	if p.dec == nil {
		p.dec = r.format.NewDecoder(r.mem)
	}
	var res decodeResult
	for _, rec := range j.recs {
		if rec.Value == nil {
			td, ok := p.dec.(tombstoneDecoder)
			if !ok {
				res.tombstones++
				continue
			}
			// An upsert topic: the tombstone deletes its key.
			if err := td.AppendTombstone(rec.Key); err != nil {
				res.bad = append(res.bad, badRecord{rec: rec, reason: err})
				if r.cfg.onError == errorFail {
					break
				}
				continue
			}
			res.origins = append(res.origins, rec)
			continue
		}
		var err error = errEmptyValue
		if len(rec.Value) > 0 {
			err = p.dec.Append(rec.Value)
		}
		if err != nil {
			res.bad = append(res.bad, badRecord{rec: rec, reason: err})
			if r.cfg.onError == errorFail {
				break
			}
			continue
		}
		res.origins = append(res.origins, rec)
	}
	res.rec = p.dec.NewRecord()
	return res
}

var errEmptyValue = errors.New("message value is empty")

// fairShare splits budget between partitions holding counts records: each
// gets an equal share, and what a partition does not need goes to the rest.
func fairShare(counts []int, budget int) []int {
	take := make([]int, len(counts))
	active := 0
	for _, c := range counts {
		if c > 0 {
			active++
		}
	}
	for budget > 0 && active > 0 {
		share := max(budget/active, 1)
		for i, c := range counts {
			if budget == 0 {
				break
			}
			if take[i] == c {
				continue
			}
			n := min(share, c-take[i], budget)
			take[i] += n
			budget -= n
			if take[i] == c {
				active--
			}
		}
	}
	return take
}
