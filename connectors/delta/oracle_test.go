package delta

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// oracleRows reads a Delta table with a protocol reader of the test's own,
// sharing no code with the package's: it replays every JSON commit from
// version 0 (never a checkpoint), keeps the logical files the protocol's
// reconciliation rules leave (keyed by path and deletion vector), and reads
// each data file whole with pqarrow. Partition values are the log's strings
// verbatim; under column mapping mode "name" columns are found by physical
// name. Rows render as "v1|v2|..." in the table's column order (null as
// "null"), sorted. Tables whose files have deletion vectors are refused:
// the fixture with them is checked against delta-rs's stated rows instead.
func oracleRows(t *testing.T, dir string) []string {
	t.Helper()
	type field struct {
		Name     string         `json:"name"`
		Metadata map[string]any `json:"metadata"`
	}
	type file_ struct {
		Path            string             `json:"path"`
		PartitionValues map[string]*string `json:"partitionValues"`
		DeletionVector  json.RawMessage    `json:"deletionVector"`
	}
	var (
		fields   []field
		parts    []string
		mode     string
		live     = map[string]file_{}
		keyOf    = func(f file_) string { return f.Path + "\x00" + string(f.DeletionVector) }
		lastSeen = -1
	)
	for v := 0; ; v++ {
		data, err := os.ReadFile(filepath.Join(dir, "_delta_log", fmt.Sprintf("%020d.json", v)))
		if os.IsNotExist(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lastSeen = v
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var line struct {
				MetaData *struct {
					SchemaString     string            `json:"schemaString"`
					PartitionColumns []string          `json:"partitionColumns"`
					Configuration    map[string]string `json:"configuration"`
				} `json:"metaData"`
				Add    *file_ `json:"add"`
				Remove *file_ `json:"remove"`
			}
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("oracle: version %d: %v", v, err)
			}
			switch {
			case line.MetaData != nil:
				var st struct {
					Fields []field `json:"fields"`
				}
				if err := json.Unmarshal([]byte(line.MetaData.SchemaString), &st); err != nil {
					t.Fatal(err)
				}
				fields, parts, mode = st.Fields, line.MetaData.PartitionColumns, line.MetaData.Configuration["delta.columnMapping.mode"]
			case line.Add != nil:
				for k, f := range live { // a path is in the table once
					if f.Path == line.Add.Path && k != keyOf(*line.Add) {
						delete(live, k)
					}
				}
				live[keyOf(*line.Add)] = *line.Add
			case line.Remove != nil:
				delete(live, keyOf(*line.Remove))
			}
		}
	}
	if lastSeen < 0 {
		t.Fatalf("oracle: no JSON commits in %s", dir)
	}
	isPart := map[string]bool{}
	for _, p := range parts {
		isPart[p] = true
	}
	var out []string
	for _, f := range live {
		if len(f.DeletionVector) > 0 && string(f.DeletionVector) != "null" {
			t.Fatalf("oracle: %s has a deletion vector", f.Path)
		}
		rel, err := url.PathUnescape(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, tbl := range readWholeParquet(t, filepath.Join(dir, rel)) {
			for r := 0; r < int(tbl.NumRows()); r++ {
				vals := make([]string, len(fields))
				for i, fd := range fields {
					phys := fd.Name
					if mode == "name" {
						phys = fd.Metadata["delta.columnMapping.physicalName"].(string)
					}
					if isPart[fd.Name] {
						if v := f.PartitionValues[phys]; v != nil && *v != "" {
							vals[i] = *v
						} else {
							vals[i] = "null"
						}
						continue
					}
					vals[i] = "null"
					for c := 0; c < int(tbl.NumCols()); c++ {
						if tbl.ColumnName(c) == phys && !tbl.Column(c).IsNull(r) {
							vals[i] = tbl.Column(c).ValueStr(r)
						}
					}
				}
				out = append(out, strings.Join(vals, "|"))
			}
			tbl.Release()
		}
	}
	sort.Strings(out)
	return out
}

// readWholeParquet reads a Parquet file with pqarrow, as records.
func readWholeParquet(t *testing.T, path string) []arrow.Record {
	t.Helper()
	pr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 0)
	defer tr.Release()
	var out []arrow.Record
	for tr.Next() {
		rec := tr.Record()
		rec.Retain()
		out = append(out, rec)
	}
	return out
}
