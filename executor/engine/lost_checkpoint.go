package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/tide-sql/tide/executor"
)

// lostCheckpoint is the error of a query that starts without a checkpoint
// into an append table that holds its epochs from another state
// directory: it would write everything again.
type lostCheckpoint struct {
	query, table string
	others       []string // the sink ids it wrote under before
}

func (l *lostCheckpoint) Error() string {
	return fmt.Sprintf("table %s already holds epochs that query %s wrote from another state directory (as %s), "+
		"but this state directory has no checkpoint of the query: it was lost, or the query ran with another --state-dir. "+
		"Starting over would append all of its input again",
		l.table, l.query, strings.Join(l.others, ", "))
}

// hint says how to start over.
func (l *lostCheckpoint) hint() string {
	return "restore the state directory the query ran with, write into a new table, " +
		"or create the table WITH (on_lost_checkpoint = 'append') to append it all again deliberately"
}

// isSinkIDOf reports whether id is a sink id the query named name had in
// some state directory: name, a dash and the random part (checkpointStore.sinkID).
func isSinkIDOf(id, name string) bool {
	rest, ok := strings.CutPrefix(id, name+"-")
	if !ok || len(rest) != 12 {
		return false
	}
	for _, c := range rest {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkLostCheckpoint refuses to start an append query that has no
// checkpoint while its sink holds epochs it wrote under another sink id.
// Upserts are idempotent by key and go ahead; so does a table with
// on_lost_checkpoint = 'append', and a query that reads no stream (each
// run of it is a new snapshot).
func (d *driver) checkLostCheckpoint(ctx context.Context, cp *checkpoint, replaying bool) error {
	if cp != nil || replaying || !d.store.enabled() || len(d.b.sources) == 0 || d.sinkNode.Upsert {
		return nil
	}
	if strings.EqualFold(d.sinkNode.Table.Options["on_lost_checkpoint"], "append") {
		return nil
	}
	h, ok := d.sink.(executor.EpochHistory)
	if !ok {
		return nil
	}
	ids, err := h.QueryIDs(ctx)
	if err != nil {
		return fmt.Errorf("table %s: %w", d.sinkNode.Table.Name, err)
	}
	var others []string
	for _, id := range ids {
		if id != d.sinkID && isSinkIDOf(id, d.id) {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return nil
	}
	return &lostCheckpoint{query: d.id, table: d.sinkNode.Table.Name, others: others}
}
