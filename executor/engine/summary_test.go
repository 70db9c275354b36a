package engine_test

import (
	"testing"

	"github.com/tide-sql/tide/executor/engine"
)

func TestSummarySaysWhatAQueryReadWroteAndSetAside(t *testing.T) {
	for _, c := range []struct {
		name string
		q    engine.QueryInfo
		want string
	}{
		{"nothing set aside", engine.QueryInfo{ID: "copy", State: engine.QueryFinished, OnError: "fail", Late: "drop",
			Progress: engine.Progress{TotalInputRows: 3, TotalOutputRows: 3}},
			"query copy finished: 3 rows read, 3 written, 0 late, 0 bad"},
		{"skipped and dropped", engine.QueryInfo{ID: "stats", State: engine.QueryStopped, OnError: "skip", Late: "drop",
			Progress: engine.Progress{TotalInputRows: 1000, TotalOutputRows: 12, LateRowsDropped: 4, BadRecords: 2, Tombstones: 1}},
			"query stats stopped: 1000 rows read, 12 written, 4 late (dropped), 2 bad (skipped), 1 tombstones skipped"},
		{"to tables", engine.QueryInfo{ID: "stats", State: engine.QueryFinished, OnError: "table:bad_rows", Late: "table:late_rows",
			Progress: engine.Progress{TotalInputRows: 10, TotalOutputRows: 2, LateRowsDropped: 1, BadRecords: 3}},
			"query stats finished: 10 rows read, 2 written, 1 late (to table late_rows), 3 bad (to table bad_rows)"},
		{"a bad record failed it", engine.QueryInfo{ID: "strict", State: engine.QueryFailed, OnError: "fail",
			Progress: engine.Progress{TotalInputRows: 5, TotalOutputRows: 5, BadRecords: 1}},
			"query strict failed: 5 rows read, 5 written, 0 late, 1 bad (failed the query)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.q.Summary(); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
