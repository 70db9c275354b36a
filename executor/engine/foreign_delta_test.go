package engine_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/internal/deltafixtures"
)

// Delta tables Spark, Databricks and delta-rs wrote, read through SQL. The
// expected rows are what delta-rs's own tests state these tables hold
// (cited per table); the fixtures are read-only, so each test reads a copy.

// waitErr waits for the running queries and returns the error one ended with.
func waitErr(x *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return x.e.Wait(ctx)
}

func sortedRows(x *env, sql string) []string {
	x.t.Helper()
	rows := x.rows(sql)
	sort.Strings(rows)
	return rows
}

func TestForeignDeltaTablesThroughSQL(t *testing.T) {
	x := newEnv(t)

	t.Run("deletion vectors hide the deleted rows", func(t *testing.T) {
		dir := deltafixtures.Copy(t, "table-with-dv-small")
		x.exec(fmt.Sprintf(`CREATE TABLE dv (value BIGINT) WITH (connector = 'delta', path = '%s');`, dir))
		// delta-rs python/tests/test_table_read.py, test_read_deletion_vectors: [1..8].
		expectLines(t, sortedRows(x, "SELECT * FROM dv"), []string{
			"value=1", "value=2", "value=3", "value=4", "value=5", "value=6", "value=7", "value=8"})
		expectLines(t, x.rows("SELECT SUM(value) AS total, COUNT(*) AS n FROM dv"), []string{"total=36 n=8"})
	})

	t.Run("column mapping: logical names with spaces, physical names in the files", func(t *testing.T) {
		dir := deltafixtures.Copy(t, "table_with_column_mapping")
		x.exec(fmt.Sprintf("CREATE TABLE cm (`Company Very Short` VARCHAR, `Super Name` VARCHAR) WITH (connector = 'delta', path = '%s');", dir))
		// delta-rs python/tests/test_column_mapping.py (append and delete
		// round trips): BME/Timothy Lamb and four BMS rows.
		expectLines(t, sortedRows(x, "SELECT `Super Name` AS name FROM cm WHERE `Company Very Short` = 'BMS'"), []string{
			"name=Anthony Johnson", "name=Mr. Daniel Ferguson MD", "name=Nathan Bennett", "name=Stephanie Mcgrath"})
		expectLines(t, sortedRows(x, "SELECT * FROM cm WHERE `Super Name` = 'Timothy Lamb'"), []string{
			"Company Very Short=BME Super Name=Timothy Lamb"})
	})

	t.Run("a declared subset of the columns, in another order and case", func(t *testing.T) {
		dir := deltafixtures.Copy(t, "delta-0.8.0-partitioned")
		x.exec(fmt.Sprintf(`CREATE TABLE part (DAY VARCHAR, value VARCHAR) WITH (connector = 'delta', path = '%s');`, dir))
		// delta-rs python/tests/test_table_read.py, test_read_table_with_column_subset:
		// value ["1","2","3","6","7","5","4"], day ["1","3","5","20","20","4","5"].
		expectLines(t, sortedRows(x, "SELECT * FROM part"), []string{
			"DAY=1 value=1", "DAY=20 value=6", "DAY=20 value=7", "DAY=3 value=2", "DAY=4 value=5", "DAY=5 value=3", "DAY=5 value=4"})
	})

	t.Run("timestamps at the edge of the range and integer columns", func(t *testing.T) {
		dir := deltafixtures.Copy(t, "table_with_edge_timestamps")
		x.exec(fmt.Sprintf(`CREATE TABLE edge (BIG_DATE TIMESTAMP(3), SOME_VALUE BIGINT) WITH (connector = 'delta', path = '%s');`, dir))
		// delta-rs python/tests/test_table_read.py, test_read_table_with_edge_timestamps.
		expectLines(t, sortedRows(x, "SELECT SOME_VALUE, BIG_DATE FROM edge"), []string{
			"SOME_VALUE=1 BIG_DATE=9999-12-31 00:00:00.000", "SOME_VALUE=2 BIG_DATE=9999-12-30 00:00:00.000"})
	})

	t.Run("declared columns the table lacks or types it does not have are refused at CREATE", func(t *testing.T) {
		dir := deltafixtures.Copy(t, "table-with-dv-small")
		_, err := x.tryExec(fmt.Sprintf(`CREATE TABLE bad (value BIGINT, nope VARCHAR) WITH (connector = 'delta', path = '%s');`, dir))
		if err == nil || !strings.Contains(err.Error(), `has no column "nope"`) {
			t.Errorf("err %v", err)
		}
		_, err = x.tryExec(fmt.Sprintf(`CREATE TABLE bad2 (value VARCHAR) WITH (connector = 'delta', path = '%s');`, dir))
		if err == nil || !strings.Contains(err.Error(), `column "value" is declared VARCHAR, but the table stores integer`) {
			t.Errorf("err %v", err)
		}
	})

	t.Run("rows inserted into a Spark table are read back with the old ones", func(t *testing.T) {
		dir := deltafixtures.Copy(t, "delta-2.2.0-partitioned-types")
		x.produce("more_types", `{"c1": 7, "c2": "d", "c3": 8}`)
		x.exec(fmt.Sprintf(`CREATE SOURCE more (c1 BIGINT, c2 VARCHAR, c3 BIGINT) WITH (connector = 'kafka', topic = 'more_types', format = 'json', stop = 'latest');
CREATE TABLE types (c1 BIGINT, c2 VARCHAR, c3 BIGINT) WITH (connector = 'delta', path = '%s');
INSERT INTO types SELECT c1, c2, c3 FROM more;`, dir))
		x.wait()
		// delta-rs crates/core/tests/it_datafusion/integration_datafusion.rs,
		// test_datafusion_partitioned_types: (4, c, 5), (5, b, 6), (6, a, 4).
		expectLines(t, sortedRows(x, "SELECT * FROM types"), []string{
			"c1=4 c2=c c3=5", "c1=5 c2=b c3=6", "c1=6 c2=a c3=4", "c1=7 c2=d c3=8"})
	})

	t.Run("a table needing a writer feature tide lacks is not written", func(t *testing.T) {
		dir := deltafixtures.Copy(t, "table-with-dv-small")
		x.produce("more_values", `{"value": 10}`)
		_, err := x.tryExec(fmt.Sprintf(`CREATE SOURCE morev (value BIGINT) WITH (connector = 'kafka', topic = 'more_values', format = 'json', stop = 'latest');
CREATE TABLE dvw (value BIGINT) WITH (connector = 'delta', path = '%s');
INSERT INTO dvw SELECT value FROM morev;`, dir))
		if err == nil {
			err = waitErr(x)
		}
		if err == nil || !strings.Contains(err.Error(), `needs writer feature "deletionVectors"`) {
			t.Errorf("err %v", err)
		}
		expectLines(t, x.rows("SELECT COUNT(*) AS n FROM dvw"), []string{"n=8"})
	})
}
