package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/parquet"
	"github.com/tide-sql/tide/parser"
)

// parquetRows reads a Parquet directory back with the connector's reader
// of the files, not through the engine.
func parquetRows(t *testing.T, dir string) []string {
	t.Helper()
	recs, _, err := parquet.ReadDir(context.Background(), dir, nil, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return recordLines(recs)
}

// loseStateDir stops the engine, deletes its state directory (catalog and
// checkpoints) and opens a fresh engine.
func (x *env) loseStateDir() {
	x.t.Helper()
	x.e.Close()
	if err := os.RemoveAll(filepath.Join(x.dir, "state")); err != nil {
		x.t.Fatal(err)
	}
	x.open()
}

// A query whose state directory was lost starts again with no checkpoint:
// into a Delta or Parquet table that holds its epochs, an append would
// write every row again. It is refused with an error that says what
// happened and how to start over, and the table keeps its rows once; with
// on_lost_checkpoint = 'append' the rows are appended again, deliberately.
// A table with a primary key is upserted: the rerun changes nothing.
func TestLostStateDirectoryDoesNotDuplicateAnAppendTable(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("tx", 1); err != nil {
		t.Fatal(err)
	}
	var lines, want []string
	for i := range 50 {
		lines = append(lines, fmt.Sprintf(`{"id": %d, "amount": %d}`, i, i*10))
		want = append(want, fmt.Sprintf("id=%d amount=%d", i, i*10))
	}
	x.produceTo("tx", 0, lines...)
	source := "CREATE SOURCE IF NOT EXISTS tx (id BIGINT, amount BIGINT) WITH (connector = 'kafka', topic = 'tx', stop = 'latest');\n"
	for _, c := range []struct {
		connector, key string
		read           func(t *testing.T, dir string) []string
	}{
		{"delta", "", deltaRows},
		{"parquet", "", parquetRows},
		{"delta", ", PRIMARY KEY (id)", deltaRows},
	} {
		name := c.connector + strings.ReplaceAll(strings.TrimSpace(strings.ToLower(c.key)), " ", "")
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(x.dir, "out-"+name)
			table := func(extra string) string {
				return fmt.Sprintf("CREATE TABLE IF NOT EXISTS out (id BIGINT, amount BIGINT%s) WITH (connector = '%s', path = '%s'%s);\n",
					c.key, c.connector, dir, extra)
			}
			insert := "INSERT INTO out SELECT id, amount FROM tx;"
			x.loseStateDir() // a fresh start for each table
			x.exec(source + table("") + insert)
			x.wait()
			expectLines(t, c.read(t, dir), want)

			x.loseStateDir()
			script := source + table("") + insert
			_, err := x.tryExec(script)
			if c.key != "" {
				if err != nil {
					t.Fatalf("an upsert table after a lost state directory: %v", err)
				}
				x.wait()
				expectLines(t, c.read(t, dir), want) // the same rows, by key
				return
			}
			var pe *parser.Error
			if !errors.As(err, &pe) {
				t.Fatalf("rerun after the state directory was lost: %v, want a SQL error", err)
			}
			for _, say := range []string{"table out already holds epochs that query out wrote from another state directory (as out-",
				"no checkpoint", "append all of its input again"} {
				if !strings.Contains(pe.Msg, say) {
					t.Errorf("the error does not say %q:\n%s", say, pe.Msg)
				}
			}
			for _, say := range []string{"restore the state directory", "a new table", "on_lost_checkpoint = 'append'"} {
				if !strings.Contains(pe.Hint, say) {
					t.Errorf("the hint does not say %q:\n%s", say, pe.Hint)
				}
			}
			if pos := strings.Index(script, "INSERT INTO out") + len("INSERT INTO "); pe.Pos.Offset != pos {
				t.Errorf("the error points at offset %d, want %d (the table of the INSERT)", pe.Pos.Offset, pos)
			}
			if _, ok := x.e.Query("out"); ok {
				t.Error("the refused query is listed")
			}
			expectLines(t, c.read(t, dir), want) // nothing written twice

			// Deliberately: every row once more.
			x.loseStateDir()
			x.exec(source + table(", on_lost_checkpoint = 'append'") + insert)
			x.wait()
			expectLines(t, c.read(t, dir), append(append([]string(nil), want...), want...))

			// The state directory of that run is kept: its rerun resumes
			// from its checkpoint, and reads nothing new.
			x.e.Close()
			x.open()
			x.exec(source + table("") + insert)
			x.wait()
			if n := x.progress("out").TotalInputRows; n != 0 {
				t.Errorf("the query with its checkpoint read %d rows again", n)
			}
			expectLines(t, c.read(t, dir), append(append([]string(nil), want...), want...))
		})
	}
}
