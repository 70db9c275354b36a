package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The engine acts on what a connector declares (executor.Connector's
// capabilities), never on its name: these tests check the behaviours that
// used to hang on comparing the table's connector name with "memory".

// TestDroppingAMemoryTableForgetsItsRows: memory declares Drop, so DROP
// TABLE and CREATE OR REPLACE leave the next table of that name empty.
func TestDroppingAMemoryTableForgetsItsRows(t *testing.T) {
	x := newEnv(t)
	expectLines(t, x.rows(`CREATE TABLE m (id BIGINT, v VARCHAR);
INSERT INTO m VALUES (1, 'a'), (2, 'b');
SELECT * FROM m;`), []string{"id=1 v=a", "id=2 v=b"})

	expectLines(t, x.rows(`DROP TABLE m;
CREATE TABLE m (id BIGINT, v VARCHAR);
SELECT * FROM m;`), nil)

	expectLines(t, x.rows(`INSERT INTO m VALUES (3, 'c');
CREATE OR REPLACE TABLE m (id BIGINT, v VARCHAR, n BIGINT);
INSERT INTO m VALUES (4, 'd', 40);
SELECT * FROM m;`), []string{"id=4 v=d n=40"})

	// A memory table replaced by a view, then by a table again: the rows
	// of the first table do not come back.
	expectLines(t, x.rows(`CREATE OR REPLACE VIEW m AS SELECT 1 AS one;
CREATE OR REPLACE TABLE m (id BIGINT, v VARCHAR, n BIGINT);
SELECT * FROM m;`), nil)
}

// TestDroppingAFileTableKeepsItsFiles: delta declares no Drop: its data
// outlives the catalog entry, as a Spark or Flink user expects of an
// external table, and a table created again over the path reads it.
func TestDroppingAFileTableKeepsItsFiles(t *testing.T) {
	x := newEnv(t)
	dir := filepath.Join(t.TempDir(), "kept")
	create := fmt.Sprintf("CREATE TABLE d (id BIGINT, v VARCHAR, PRIMARY KEY (id)) WITH (connector = 'delta', path = '%s');", dir)
	x.exec(create + "INSERT INTO d VALUES (1, 'a'), (2, 'b');")
	x.exec("DROP TABLE d;")
	if _, err := os.Stat(filepath.Join(dir, "_delta_log", "00000000000000000000.json")); err != nil {
		t.Fatalf("DROP TABLE of a delta table removed its log: %v", err)
	}
	x.exec(create)
	expectLines(t, x.rows(`CREATE TABLE ks (id BIGINT);
INSERT INTO ks VALUES (1), (2), (3);
SELECT k.id, d.v FROM ks AS k LEFT JOIN d ON k.id = d.id;`), []string{"id=1 v=a", "id=2 v=b", "id=3 v=NULL"})
}

// TestALookupJoinSeesAVolatileTableChange: memory declares Volatile, so a
// running join reads the table again each epoch and a row added to it
// while the query runs enriches the events that come after.
func TestALookupJoinSeesAVolatileTableChange(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("orders", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(`CREATE SOURCE orders (id BIGINT, customer BIGINT) WITH (connector = 'kafka', topic = 'orders', format = 'json');
CREATE TABLE customers (id BIGINT, name VARCHAR, PRIMARY KEY (id));
INSERT INTO customers VALUES (1, 'ada');
CREATE TABLE enriched (id BIGINT, name VARCHAR);
INSERT INTO enriched SELECT o.id, c.name FROM orders AS o LEFT JOIN customers AS c ON o.customer = c.id;`)
	x.produce("orders", `{"id": 10, "customer": 1}`, `{"id": 11, "customer": 2}`)
	x.waitInput("enriched", 2)
	waitFor(t, func() bool { return len(x.rows("SELECT * FROM enriched")) == 2 })
	x.exec("INSERT INTO customers VALUES (2, 'grace');")
	x.produce("orders", `{"id": 12, "customer": 2}`)
	x.waitInput("enriched", 3)
	waitFor(t, func() bool { return len(x.rows("SELECT * FROM enriched")) == 3 })
	x.produce("orders", `{"id": 13, "customer": 2}`)
	x.waitInput("enriched", 4)
	waitFor(t, func() bool { return len(x.rows("SELECT * FROM enriched")) == 4 })
	expectLines(t, x.rows("SELECT * FROM enriched"), []string{"id=10 name=ada", "id=11 name=NULL", "id=12 name=grace", "id=13 name=grace"})
}
