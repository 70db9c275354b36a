package delta

import (
	"context"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/internal/deltafixtures"
)

// copyFixture copies a Delta table another engine wrote into a fresh
// temporary directory (the fixtures stay read-only).
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	return deltafixtures.Copy(t, name)
}

// TestForeignFixtures reads each fixture table and compares its rows with
// the rows the test's own protocol reader finds (oracleRows) and, where
// delta-rs's tests state a table's contents, with those.
func TestForeignFixtures(t *testing.T) {
	cases := []struct {
		table   string
		columns string // the table's columns and tide types
		oracle  bool
		// stated: the rows delta-rs's tests say the table holds, "|"
		// joining columns in table order; nil if they state none.
		stated []string
	}{
		{table: "simple_table_with_checkpoint", columns: "version BIGINT", oracle: true},
		{
			table: "delta-0.8.0-partitioned", columns: "value VARCHAR, year VARCHAR, month VARCHAR, day VARCHAR", oracle: true,
			// delta-rs python/tests/test_table_read.py, test_read_partitioned_table_to_dict:
			// value ["1","2","3","6","7","5","4"], year ["2020","2020","2020","2021","2021","2021","2021"],
			// month ["1","2","2","12","12","12","4"], day ["1","3","5","20","20","4","5"].
			stated: []string{"1|2020|1|1", "2|2020|2|3", "3|2020|2|5", "6|2021|12|20", "7|2021|12|20", "5|2021|12|4", "4|2021|4|5"},
		},
		{
			table: "delta-2.2.0-partitioned-types", columns: "c1 BIGINT, c2 VARCHAR, c3 BIGINT", oracle: true,
			// delta-rs crates/core/tests/it_datafusion/integration_datafusion.rs,
			// test_datafusion_partitioned_types: | 4 | c | 5 |, | 5 | b | 6 |, | 6 | a | 4 |.
			stated: []string{"4|c|5", "5|b|6", "6|a|4"},
		},
		{
			table: "table_with_column_mapping", columns: "Company Very Short VARCHAR, Super Name VARCHAR", oracle: true,
			// delta-rs python/tests/test_column_mapping.py: test_column_mapping_delete_roundtrip
			// leaves the four BMS rows once "Timothy Lamb" is deleted, and
			// test_column_mapping_append_roundtrip lists BME / Timothy Lamb.
			stated: []string{"BME|Timothy Lamb", "BMS|Anthony Johnson", "BMS|Mr. Daniel Ferguson MD", "BMS|Nathan Bennett", "BMS|Stephanie Mcgrath"},
		},
		{
			table: "table-with-dv-small", columns: "value BIGINT",
			// delta-rs python/tests/test_table_read.py, test_read_deletion_vectors:
			// [1, 2, 3, 4, 5, 6, 7, 8] (the deletion vector hides 0 and 9; see
			// test_deletion_vectors_api_smoke's selection vector).
			stated: []string{"1", "2", "3", "4", "5", "6", "7", "8"},
		},
		{
			table: "table_with_edge_timestamps", columns: "BIG_DATE TIMESTAMP, NORMAL_DATE TIMESTAMP, SOME_VALUE BIGINT",
			// delta-rs python/tests/test_table_read.py, test_read_table_with_edge_timestamps:
			// BIG_DATE 9999-12-31 and 9999-12-30, NORMAL_DATE 2022-01-01 and
			// 2022-02-01, SOME_VALUE 1 and 2 (UTC midnights); the add
			// actions' stats say the same.
			stated: []string{"9999-12-31T00:00:00Z|2022-01-01T00:00:00Z|1", "9999-12-30T00:00:00Z|2022-02-01T00:00:00Z|2"},
		},
	}
	for _, c := range cases {
		t.Run(c.table, func(t *testing.T) {
			mem := newMem(t)
			dir := copyFixture(t, c.table)
			recs, sc, _, err := ReadTable(dir, mem)
			if err != nil {
				t.Fatal(err)
			}
			defer release(recs)
			if got := schemaText(sc); got != c.columns {
				t.Errorf("columns %q, want %q", got, c.columns)
			}
			got := rowStrings(recs)
			if c.oracle {
				if want := oracleRows(t, dir); !reflect.DeepEqual(got, want) {
					t.Errorf("rows\n%q\nthe test's protocol reader reads\n%q", got, want)
				}
			}
			if c.stated != nil {
				want := append([]string(nil), c.stated...)
				sort.Strings(want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("rows\n%q\ndelta-rs's tests state\n%q", got, want)
				}
			}
		})
	}
}

// TestForeignCheckpointAlone reads simple_table_with_checkpoint with the
// commits before its checkpoint deleted, as a log cleanup leaves it: the
// rows come from Spark's Parquet checkpoint alone and must be the ones the
// full JSON log gives.
func TestForeignCheckpointAlone(t *testing.T) {
	dir := copyFixture(t, "simple_table_with_checkpoint")
	want := oracleRows(t, dir)
	for v := 0; v < 10; v++ {
		if err := os.Remove(commitFile(dir, int64(v))); err != nil {
			t.Fatal(err)
		}
	}
	if got := tableRows(t, dir, newMem(t)); !reflect.DeepEqual(got, want) {
		t.Errorf("rows from the checkpoint %q, the full log has %q", got, want)
	}
}

// TestEdgeTimestampsAgreeWithDeltaRsWrapping checks the expected 9999
// dates against the other thing delta-rs states about that table: its
// DataFusion scan (integration_datafusion.rs, test_datafusion_scan_timestamps)
// reads BIG_DATE through 64-bit nanoseconds, which wrap, as
// 1816-03-29T05:56:08.066278Z and 1816-03-28T05:56:08.066278Z. Those are
// 9999-12-31 and 9999-12-30 taken modulo 2^64 nanoseconds, then divided
// (towards zero) into microseconds.
func TestEdgeTimestampsAgreeWithDeltaRsWrapping(t *testing.T) {
	for _, c := range []struct{ day, wrapped time.Time }{
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(1816, 3, 29, 5, 56, 8, 66278000, time.UTC)},
		{time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC), time.Date(1816, 3, 28, 5, 56, 8, 66278000, time.UTC)},
	} {
		// Seconds and nanoseconds separately: their product overflows,
		// which is the point.
		ns := uint64(c.day.Unix())*1e9 + uint64(c.day.Nanosecond())
		got := time.UnixMicro(int64(ns) / 1000).UTC()
		if !got.Equal(c.wrapped) {
			t.Errorf("%s wraps to %s, delta-rs shows %s", c.day, got, c.wrapped)
		}
	}
}

// schemaText renders a schema as "name TYPE, ...".
func schemaText(sc *arrow.Schema) string {
	parts := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		parts[i] = f.Name + " " + strings.TrimSuffix(catalog.TypeName(f.Type), "(6)")
	}
	return strings.Join(parts, ", ")
}

// TestForeignDeclaredColumns reads fixture tables through declared
// columns, as CREATE TABLE declares them.
func TestForeignDeclaredColumns(t *testing.T) {
	ctx := context.Background()
	decl := func(fields ...arrow.Field) *arrow.Schema { return arrow.NewSchema(fields, nil) }

	t.Run("a subset of the columns, matched without case, in the declared order", func(t *testing.T) {
		mem := newMem(t)
		dir := copyFixture(t, "delta-0.8.0-partitioned")
		want := decl(arrow.Field{Name: "DAY", Type: catalog.String, Nullable: true}, arrow.Field{Name: "Value", Type: catalog.String})
		recs, sc, _, err := ReadColumns(ctx, dir, want, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		if !sc.Equal(want) {
			t.Errorf("schema %v, want the declared %v", sc, want)
		}
		// The oracle's rows, day and value picked out.
		var expect []string
		for _, r := range oracleRows(t, dir) {
			f := strings.Split(r, "|")
			expect = append(expect, f[3]+"|"+f[0])
		}
		sort.Strings(expect)
		if got := rowStrings(recs); !reflect.DeepEqual(got, expect) {
			t.Errorf("rows %q, want %q", got, expect)
		}
	})

	t.Run("only partition columns, and a column-mapped table by logical name", func(t *testing.T) {
		mem := newMem(t)
		recs, _, _, err := ReadColumns(ctx, copyFixture(t, "delta-2.2.0-partitioned-types"), decl(arrow.Field{Name: "c2", Type: catalog.String}), mem)
		if err != nil {
			t.Fatal(err)
		}
		got := rowStrings(recs)
		release(recs)
		if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
			t.Errorf("c2 %q, want %q", got, want)
		}
		recs, _, _, err = ReadColumns(ctx, copyFixture(t, "table_with_column_mapping"), decl(arrow.Field{Name: "super name", Type: catalog.String}), mem)
		if err != nil {
			t.Fatal(err)
		}
		got = rowStrings(recs)
		release(recs)
		if want := []string{"Anthony Johnson", "Mr. Daniel Ferguson MD", "Nathan Bennett", "Stephanie Mcgrath", "Timothy Lamb"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Super Name %q, want %q", got, want)
		}
	})

	t.Run("a declared column the table lacks is an error naming it", func(t *testing.T) {
		dir := copyFixture(t, "table-with-dv-small")
		_, _, _, err := ReadColumns(ctx, dir, decl(arrow.Field{Name: "value", Type: catalog.Int64}, arrow.Field{Name: "missing_col", Type: catalog.String}), newMem(t))
		if err == nil || !strings.Contains(err.Error(), `has no column "missing_col" (its columns: value)`) || !strings.Contains(err.Error(), dir) {
			t.Errorf("err %v", err)
		}
		if err := CheckColumns(ctx, dir, decl(arrow.Field{Name: "missing_col", Type: catalog.String}), newMem(t)); err == nil || !strings.Contains(err.Error(), "missing_col") {
			t.Errorf("CheckColumns: err %v", err)
		}
	})

	t.Run("a declared type the column does not read as is an error naming both", func(t *testing.T) {
		_, _, _, err := ReadColumns(ctx, copyFixture(t, "delta-2.2.0-partitioned-types"), decl(arrow.Field{Name: "c3", Type: catalog.String}), newMem(t))
		if err == nil || !strings.Contains(err.Error(), `column "c3" is declared VARCHAR, but the table stores integer (which reads as BIGINT)`) {
			t.Errorf("err %v", err)
		}
	})
}
