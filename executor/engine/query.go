package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

// query is a running continuous INSERT.
type query struct {
	id     string
	sql    string
	sink   *catalog.Table
	uses_  map[string]bool
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	state    QueryState
	failure  error
	started  time.Time
	progress Progress
	// fill adds to a snapshot what the driver knows at this moment (the
	// source's status, warnings); nil before the driver starts.
	fill func(*QueryInfo)
}

func (q *query) running() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.state == QueryRunning
}

func (q *query) uses(name string) bool { return q.uses_[strings.ToLower(name)] }

func (q *query) err() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.failure
}

func (q *query) stop() {
	q.mu.Lock()
	if q.state == QueryRunning {
		q.state = QueryStopped
	}
	q.mu.Unlock()
	q.cancel()
	<-q.done
}

func (q *query) snapshotInfo() QueryInfo {
	q.mu.Lock()
	info := QueryInfo{ID: q.id, SQL: q.sql, Sink: q.sink.Name, State: q.state, Started: q.started, Progress: q.progress}
	if q.failure != nil {
		info.Error = q.failure.Error()
	}
	fill := q.fill
	q.mu.Unlock()
	if fill != nil {
		fill(&info)
	}
	return info
}

func (q *query) finish(state QueryState, err error) {
	q.mu.Lock()
	if q.state == QueryRunning {
		q.state = state
	}
	if err != nil && q.state != QueryStopped {
		q.state = QueryFailed
		q.failure = err
	}
	q.mu.Unlock()
}

// insert starts a continuous query for INSERT INTO. The query's id is its
// sink table's name: running the same INSERT again after a restart resumes
// it from its checkpoint.
func (e *Engine) insert(ctx context.Context, s *parser.Insert) (*Result, error) {
	plan, err := e.plan.PlanInsert(s)
	if err != nil {
		return nil, err
	}
	sinkNode := plan.Root.(*planner.Sink)
	id := strings.ToLower(sinkNode.Table.Name)
	e.mu.Lock()
	if old, ok := e.queries[id]; ok && old.running() || e.starting[id] {
		e.mu.Unlock()
		return nil, &parser.Error{Pos: s.TablePos, Msg: fmt.Sprintf("query %s already writes into %s", id, sinkNode.Table.Name), Hint: "STOP QUERY " + id + " first"}
	}
	e.starting[id] = true // reserved until the query is registered or fails to start
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.starting, id)
		e.mu.Unlock()
	}()
	once := e.setting("run_once") == "true"
	store := checkpointStore{}
	if e.cfg.StateDir != "" {
		store = checkpointStore{dir: filepath.Join(e.cfg.StateDir, "queries", id)}
	}
	b := newBuilt(sinkNode)
	var root executor.Operator
	shape, parallel := parallelPlan(sinkNode.Input, !sinkNode.Upsert)
	tasks := 1
	if parallel {
		tasks = e.parallelism()
	}
	if had, ok := store.parallelism(); ok && had != tasks {
		// State is split by key over the tasks: it can only be read back
		// by as many tasks as wrote it.
		if !parallel || e.setting("parallelism") != "" {
			return nil, &parser.Error{Pos: s.TablePos, Msg: fmt.Sprintf("query %s was checkpointed running as %d tasks and would now run as %d", id, had, tasks),
				Hint: fmt.Sprintf("SET parallelism = %d to resume it, or remove %s to start it over", had, store.dir)}
		}
		tasks = had
	}
	if tasks > 1 {
		root, err = e.buildParallel(shape, tasks, b, once)
	} else {
		root, err = e.build(sinkNode, b, once)
	}
	if err != nil {
		return nil, err
	}
	_, sink, err := e.sinkFor(sinkNode.Table.Name)
	if err != nil {
		root.Close()
		return nil, err
	}
	d := &driver{
		e: e, id: id, plan: plan, root: root, b: b, sink: sink, sinkNode: sinkNode,
		store: store,
	}
	b.snapshots = d.store.enabled()
	qctx, cancel := context.WithCancel(context.Background())
	q := &query{id: id, sql: s.Text(), sink: sinkNode.Table, cancel: cancel, done: make(chan struct{}),
		state: QueryRunning, started: time.Now(), uses_: map[string]bool{id: true}}
	for _, name := range b.names {
		q.uses_[strings.ToLower(name)] = true
	}
	d.q = q
	q.fill = d.fillInfo
	if err := d.start(qctx); err != nil {
		cancel()
		d.close()
		var lost *lostCheckpoint
		if errors.As(err, &lost) {
			return nil, &parser.Error{Pos: s.TablePos, Msg: lost.Error(), Hint: lost.hint()}
		}
		var mm *checkpointMismatch
		if errors.As(err, &mm) {
			// Another INSERT into the table of a query that ran before.
			return nil, &parser.Error{Pos: s.TablePos, Msg: mm.what,
				Hint: "restore the query as it was, write into another table, or remove the query's checkpoint " +
					"(queries/" + id + " in the state directory) to start it over"}
		}
		return nil, err
	}
	e.mu.Lock()
	if _, ok := e.queries[id]; !ok {
		e.order = append(e.order, id)
	}
	e.queries[id] = q
	e.mu.Unlock()
	go func() {
		defer close(q.done)
		err := e.blame("query "+id, e.guard("query "+id, func() error { return d.run(qctx) }))
		var panicked *PanicError
		switch {
		case errors.As(err, &panicked):
			q.finish(QueryFailed, err) // logged with its stack
		case err == nil:
			q.finish(QueryFinished, nil)
		case errors.Is(err, context.Canceled) || qctx.Err() != nil:
			// Stopped: whatever the stop interrupted (a fetch, a commit)
			// is redone from the checkpoint on the next start.
			q.finish(QueryStopped, nil)
		default:
			e.cfg.Logf("query %s failed: %v", id, err)
			q.finish(QueryFailed, err)
		}
	}()
	if len(b.sources) == 0 {
		// Every input is bounded (VALUES, snapshots of tables): the rows
		// are written before the next statement runs, so that a script
		// can load a table and then use it.
		select {
		case <-q.done:
		case <-ctx.Done():
			q.stop()
			return nil, ctx.Err()
		}
		if err := q.err(); err != nil {
			return nil, fmt.Errorf("INSERT INTO %s: %w", sinkNode.Table.Name, err)
		}
		info := q.snapshotInfo()
		return &Result{Kind: ResultQuery, QueryID: id,
			Message: fmt.Sprintf("%d rows written into %s", info.Progress.TotalOutputRows, sinkNode.Table.Name)}, nil
	}
	return &Result{Kind: ResultQuery, QueryID: id, Message: fmt.Sprintf("query %s started", id)}, nil
}

// driver runs one continuous query: it drains the operator tree, writes
// each epoch's rows to the sink, commits the sink with the epoch, and then
// checkpoints offsets and operator state.
type driver struct {
	e        *Engine
	id       string
	q        *query
	plan     *planner.Plan
	sinkNode *planner.Sink
	root     executor.Operator
	b        *built
	sink     executor.Sink
	store    checkpointStore

	sinkEpoch int64                    // last epoch the sink holds
	epoch     int64                    // epoch of the rows flowing now
	sinkID    string                   // the id sinks know the query by (persistent, unique per state directory)
	sides     map[string]executor.Sink // late and dead-letter tables, by name
	state     planner.State            // what the checkpoint's snapshots depend on
	last      *capture                 // the tree's state at the last committed barrier
	lastWM    *time.Time               // the watermark then
	watch     stateWatch               // the state's size against its budget
}

// idle reports whether an epoch changed nothing since the last committed
// one: every source is where it was, with nothing set aside, and the
// watermark has not moved.
func (d *driver) idle(c *capture, wm *time.Time) bool {
	if d.last == nil || len(d.b.sources) == 0 {
		return false
	}
	if (wm == nil) != (d.lastWM == nil) || wm != nil && !wm.Equal(*d.lastWM) {
		return false
	}
	for i, src := range d.b.sources {
		m, prev := c.marks[i], src.mark
		if m == nil || prev == nil || len(m.sideLate)+len(m.sideDead) > 0 && !m.sideOutputsTaken ||
			m.bad != prev.bad || m.late != prev.late || m.tombstones != prev.tombstones || len(m.offsets) != len(prev.offsets) {
			return false
		}
		for p, o := range m.offsets {
			if prev.offsets[p] != o {
				return false
			}
		}
	}
	for k := range c.delivered {
		if !d.last.delivered[k] {
			return false
		}
	}
	return true
}

// start restores the checkpoint and opens the sink and operators.
func (d *driver) start(ctx context.Context) error {
	d.state = planner.StateOf(d.plan.Root)
	d.watch.budget = d.e.stateBudget()
	tasks := max(1, d.b.tasks)
	if len(d.state.Operators)*tasks != len(d.b.stateful) {
		return fmt.Errorf("query %s: the plan has %d stateful operators but %d were built for %d tasks (planner.StateOf is missing an operator)", d.id, len(d.state.Operators), len(d.b.stateful), tasks)
	}
	cp, ol, err := d.store.load(d.id, d.state, d.plan.Root)
	if err != nil {
		return err
	}
	if len(d.state.Sources)*tasks != len(d.b.sources) {
		return fmt.Errorf("query %s: the plan reads %d sources but %d scans were built for %d tasks", d.id, len(d.state.Sources), len(d.b.sources), tasks)
	}
	for i, src := range d.b.sources {
		src.id, src.task, src.tasks = d.state.Sources[i/tasks].ID, i%tasks, tasks
	}
	next := int64(1)
	if cp != nil {
		for i, st := range d.b.stateful {
			if err := st.Restore(cp.Snapshots[i]); err != nil {
				return fmt.Errorf("restore query %s: %w", d.id, err)
			}
		}
		next = cp.Epoch + 1
		for _, i := range cp.Delivered {
			if i >= 0 && i < len(d.b.bounded) {
				d.b.bounded[i].Resumed()
			}
		}
	}
	d.epoch = next
	replaying := ol != nil && ol.Epoch == next
	for _, src := range d.b.sources {
		offsets := executor.Offsets{}
		if cp != nil {
			if o, ok := cp.Sources[src.id]; ok {
				offsets = src.own(o)
			}
		}
		var replay executor.Offsets
		if replaying {
			// Every source replays its part of the epoch, up to where the
			// log says it ended (where it started, if the log lacks it), so
			// that every union waits for each of them.
			end, ok := ol.Sources[src.logKey()]
			replay = src.own(end.End)
			if !ok || replay == nil {
				replay = offsets.Clone()
			}
			if ok && end.Watermark != nil {
				src.scan.SetReplayWatermark(*end.Watermark)
			}
		}
		src.scan.Resume(offsets, next, replay)
	}
	if replaying {
		for _, u := range d.b.unions {
			u.Replay()
		}
	}
	sinkID, err := d.store.sinkID(d.id)
	if err != nil {
		return fmt.Errorf("query %s: %w", d.id, err)
	}
	d.sinkID = sinkID
	spec := executor.SinkSpec{QueryID: sinkID, Schema: d.sinkNode.Schema(), PrimaryKey: d.sinkNode.Key, Mode: executor.SinkAppend}
	if d.sinkNode.Upsert {
		spec.Mode = executor.SinkUpsert
	}
	if err := d.sink.Open(ctx, spec); err != nil {
		return fmt.Errorf("open %s: %w", d.sinkNode.Table.Name, err)
	}
	if d.sinkEpoch, err = d.sink.LastEpoch(ctx); err != nil {
		return fmt.Errorf("table %s: %w", d.sinkNode.Table.Name, err)
	}
	if err := d.checkLostCheckpoint(ctx, cp, replaying); err != nil {
		return err
	}
	if len(d.b.sources) == 0 && d.epoch <= d.sinkEpoch {
		// A query over tables only has no checkpoint: each run is a new
		// snapshot, written as the epoch after the last one the sink holds.
		d.epoch = d.sinkEpoch + 1
	}
	if err := d.openSides(ctx); err != nil {
		return err
	}
	if err := d.root.Open(ctx); err != nil {
		return err
	}
	d.startGroupCommits()
	return nil
}

// openSides opens the tables that the sources' options late =
// 'table:NAME' and on_error = 'table:NAME' name: one sink per table, even
// where several sources send rows to it. The first source's tables keep
// the ids they had when a query read one source.
func (d *driver) openSides(ctx context.Context) error {
	d.sides = map[string]executor.Sink{}
	for i, src := range d.b.sources {
		for _, side := range []struct{ option, suffix string }{{"late", "-late"}, {"on_error", "-errors"}} {
			v := src.table.Options[side.option]
			if !strings.HasPrefix(v, "table:") {
				continue
			}
			name := strings.ToLower(strings.TrimPrefix(v, "table:"))
			if _, open := d.sides[name]; open {
				continue
			}
			t, s, err := d.e.sinkFor(name)
			if err != nil {
				return fmt.Errorf("%s table: %w", side.option, err)
			}
			d.q.uses_[strings.ToLower(t.Name)] = true // not droppable while the query runs
			qid := d.sinkID + side.suffix
			if i > 0 {
				qid += "-" + src.id
			}
			if err := s.Open(ctx, executor.SinkSpec{QueryID: qid, Schema: t.Schema(), Mode: executor.SinkAppend}); err != nil {
				return err
			}
			d.sides[name] = s
		}
	}
	return nil
}

// side is the sink of a source's late or on_error table, nil if it has none.
func (d *driver) side(src *builtSource, option string) executor.Sink {
	v := src.table.Options[option]
	if !strings.HasPrefix(v, "table:") {
		return nil
	}
	return d.sides[strings.ToLower(strings.TrimPrefix(v, "table:"))]
}

func (d *driver) close() {
	for _, src := range d.b.sources {
		src.group.close() // before the reader it commits through closes
	}
	d.root.Close()
	d.sink.Close()
	for _, s := range d.sides {
		s.Close()
	}
}

// run drives the query until its input ends, it is stopped or it fails;
// a panic in its operators or sinks becomes its error.
func (d *driver) run(ctx context.Context) (err error) {
	defer d.close()
	defer func() {
		var panicked *PanicError
		if errors.As(err, &panicked) {
			_ = d.sink.Abort(context.Background()) // the epoch is redone on the next start
		}
	}()
	defer d.e.recoverPanic("query "+d.id, &err)
	var (
		epochStart        = time.Now()
		before            counters // of the sources, at the last barrier
		outRows, totalOut int64
		wm                *time.Time
	)
	for {
		m, err := d.root.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			_ = d.sink.Abort(context.Background())
			return err
		}
		switch m.Kind {
		case executor.MsgBatch:
			epoch := d.currentEpoch()
			if epoch > d.sinkEpoch {
				err = d.sink.Write(ctx, m.Batch)
				outRows += m.Batch.NumRows()
			}
			m.Batch.Release()
			if err != nil {
				_ = d.sink.Abort(context.Background())
				return fmt.Errorf("write %s: %w", d.sinkNode.Table.Name, err)
			}
		case executor.MsgWatermark:
			if !m.Watermark.Idle {
				t := m.Watermark.Time
				wm = &t
			}
		case executor.MsgBarrier:
			processEnd := time.Now()
			epoch := m.Barrier.Epoch
			if epoch == 0 {
				epoch = d.currentEpoch()
			}
			// The state of everything the epoch covers: operators this
			// goroutine pulls now, those below unions as their inputs
			// were at the barriers the union aligned.
			cp, err := d.b.capture(d.b.top)
			if err != nil {
				return fmt.Errorf("checkpoint: %w", err)
			}
			if outRows == 0 && !m.Barrier.Final && d.idle(cp, wm) {
				// Nothing was read, written or moved (the tasks of a
				// parallel query end an epoch at every fetch, also an
				// empty one): no commit, no checkpoint, no progress. The
				// next epoch's duration spans this one (its wait, mostly).
				continue
			}
			for i, src := range d.b.sources {
				src.mark = cp.marks[i]
			}
			d.last, d.lastWM = cp, wm
			if err := d.logOffsets(epoch); err != nil {
				return fmt.Errorf("offset log: %w", err)
			}
			if err := d.commit(ctx, epoch); err != nil {
				return err
			}
			commitEnd := time.Now()
			if err := d.checkpoint(epoch, cp); err != nil {
				return fmt.Errorf("checkpoint: %w", err)
			}
			d.commitGroups()
			d.epoch = epoch + 1
			totalOut += outRows
			d.observeState(cp)
			d.report(epoch, epochStart, processEnd, commitEnd, before, outRows, totalOut, wm)
			if err := d.checkBudget(); err != nil {
				return err
			}
			before = d.counters()
			outRows = 0
			epochStart = time.Now()
			if m.Barrier.Final {
				return nil
			}
		}
	}
}

// currentEpoch is the epoch of the rows flowing now.
func (d *driver) currentEpoch() int64 { return d.epoch }

// commit makes the epoch's rows durable in the sink and the side tables.
func (d *driver) commit(ctx context.Context, epoch int64) error {
	side := map[executor.Sink][]arrow.Record{}
	var order []executor.Sink
	add := func(s executor.Sink, recs []arrow.Record) {
		if s == nil {
			for _, r := range recs {
				r.Release()
			}
			return
		}
		if _, ok := side[s]; !ok {
			order = append(order, s)
		}
		side[s] = append(side[s], recs...)
	}
	for _, src := range d.b.sources {
		late, dead := src.mark.takeSideOutputs()
		add(d.side(src, "late"), late)
		add(d.side(src, "on_error"), dead)
	}
	defer func() {
		for _, recs := range side {
			for _, r := range recs {
				r.Release()
			}
		}
	}()
	for _, s := range order {
		if err := d.commitSide(ctx, s, side[s], epoch); err != nil {
			return fmt.Errorf("late or dead-letter table: %w", err)
		}
	}
	if epoch <= d.sinkEpoch {
		return d.sink.Abort(ctx) // replayed epoch the sink already holds
	}
	if err := d.sink.Commit(ctx, epoch); err != nil {
		return fmt.Errorf("commit %s: %w", d.sinkNode.Table.Name, err)
	}
	d.sinkEpoch = epoch
	return nil
}

func (d *driver) commitSide(ctx context.Context, s executor.Sink, recs []arrow.Record, epoch int64) error {
	if s == nil {
		return nil
	}
	for _, r := range recs {
		if err := s.Write(ctx, r); err != nil {
			return err
		}
	}
	return s.Commit(ctx, epoch)
}

// logOffsets records where the epoch ends for every source before the
// sink may hold it (Spark's offset log): a restart replays exactly that.
func (d *driver) logOffsets(epoch int64) error {
	if !d.store.enabled() || len(d.b.sources) == 0 {
		return nil
	}
	ol := offsetLog{Epoch: epoch, Sources: map[string]sourceEnd{}}
	for _, src := range d.b.sources {
		wm := src.mark.watermarkMicros
		ol.Sources[src.logKey()] = sourceEnd{End: src.mark.offsets, Watermark: &wm}
	}
	return d.store.saveOffsets(ol)
}

// checkpoint saves the epoch's state as captured at its barrier.
func (d *driver) checkpoint(epoch int64, c *capture) error {
	if !d.store.enabled() || len(d.b.sources) == 0 {
		return nil
	}
	cp := checkpoint{QueryID: d.id, Stateful: d.state, Epoch: epoch, Sources: map[string]executor.Offsets{}}
	if d.b.tasks > 1 {
		cp.Parallelism = d.b.tasks
	}
	for _, src := range d.b.sources {
		// The tasks of a source read disjoint partitions: their offsets
		// together are the source's.
		all := cp.Sources[src.id]
		if all == nil {
			all = executor.Offsets{}
			cp.Sources[src.id] = all
		}
		for p, o := range src.mark.offsets {
			all[p] = o
		}
	}
	for i := range d.b.bounded {
		if c.delivered[i] {
			cp.Delivered = append(cp.Delivered, i)
		}
	}
	for i := range d.b.stateful {
		snap, ok := c.snapshots[i]
		if !ok {
			return fmt.Errorf("stateful operator %d was not captured", i)
		}
		cp.Snapshots = append(cp.Snapshots, snap)
	}
	return d.store.save(cp)
}
