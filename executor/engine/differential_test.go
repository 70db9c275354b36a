package engine_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// TestWindowsDoNotDependOnBatching runs the same events through tumbling,
// hopping and session windows as one big micro-batch and as many small ones,
// read from 1 or 3 partitions: the final windows must be the same.
func TestWindowsDoNotDependOnBatching(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var lines []string
	for i := 0; i < 2000; i++ {
		// Out of order by up to 40 s; the watermark delay (1 minute) covers it.
		ts := base.Add(time.Duration(i)*time.Second - time.Duration(rng.Intn(40000))*time.Millisecond)
		lines = append(lines, fmt.Sprintf(`{"k": "k%d", "v": %d, "ts": "%s"}`, rng.Intn(5), rng.Intn(1000), ts.Format(time.RFC3339Nano)))
	}
	queries := map[string]string{
		"tumble":   "SELECT window_start, window_end, k, COUNT(*) AS n, SUM(v) AS s, MIN(v) AS lo, MAX(v) AS hi FROM ev GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k",
		"hop":      "SELECT window_start, window_end, k, COUNT(*) AS n, AVG(v) AS a FROM ev GROUP BY HOP(ts, INTERVAL 30 SECOND, INTERVAL 2 MINUTE), k",
		"session":  "SELECT window_start, window_end, k, COUNT(*) AS n FROM ev GROUP BY SESSION(ts, INTERVAL 3 SECOND), k",
		"distinct": "SELECT window_start, COUNT(DISTINCT v % 10) AS d FROM ev GROUP BY TUMBLE(ts, INTERVAL 5 MINUTE)",
	}
	var ref map[string]string
	for _, layout := range []struct {
		name       string
		partitions int32
		maxBatch   int
	}{{"one batch", 1, 100000}, {"small batches", 1, 7}, {"three partitions", 3, 13}, {"three partitions big", 3, 100000}} {
		t.Run(layout.name, func(t *testing.T) {
			x := newEnv(t)
			if err := x.broker.CreateTopic("ev", layout.partitions); err != nil {
				t.Fatal(err)
			}
			x.produce("ev", lines...)
			got := map[string]string{}
			for name, q := range queries {
				cols := "window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT, s BIGINT, lo BIGINT, hi BIGINT"
				switch name {
				case "hop":
					cols = "window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT, a DOUBLE"
				case "session":
					cols = "window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT"
				case "distinct":
					cols = "window_start TIMESTAMP(3), d BIGINT"
				}
				x.exec(fmt.Sprintf(`CREATE OR REPLACE SOURCE ev (k VARCHAR, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
WITH (connector = 'kafka', topic = 'ev', stop = 'latest', max_batch = '%d');
CREATE TABLE out_%s (%s);
INSERT INTO out_%s %s;`, layout.maxBatch, name, cols, name, q))
				x.wait()
				if late := x.progress("out_" + name).LateRowsDropped; late != 0 {
					t.Fatalf("%s: %d late rows; the test needs none", name, late)
				}
				got[name] = strings.Join(x.rows("SELECT * FROM out_"+name), "\n")
				if got[name] == "" {
					t.Fatalf("%s produced nothing", name)
				}
			}
			if ref == nil {
				ref = got
				return
			}
			for name := range queries {
				if got[name] != ref[name] {
					t.Errorf("%s windows differ from the one-batch run:\n%s\n---- one batch:\n%s", name, got[name], ref[name])
				}
			}
		})
	}
}
