package delta

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
)

// A scan reads some columns of a table (all of them, or those a CREATE
// TABLE declares, matched by name without case) as tide types. Each column
// comes from the add action (a partition column) or from the data files,
// where column mapping decides how it is found:
//
//   - mode none: by its name;
//   - mode name: by its physical name (delta.columnMapping.physicalName);
//   - mode id: by Parquet field id (delta.columnMapping.id).
//
// Partition values are keyed by physical name under column mapping. A
// column a data file lacks reads as null there, as the protocol asks.

// scanColumn is one column a scan returns.
type scanColumn struct {
	out       arrow.Field // as returned: name, tide type, nullability
	name      string      // the table's name for it
	deltaType string
	partKey   string // key in add.partitionValues; "" for a data column
	fileName  string // name in data files (mode none, name)
	fieldID   int64  // field id in data files (mode id)
}

// scanPlan is how to read the columns of a scan from each data file.
type scanPlan struct {
	mode   string // column mapping mode
	cols   []scanColumn
	schema *arrow.Schema // the output schema
}

// planScan matches the columns want declares (nil: every column of the
// table) with the table's columns.
func planScan(root string, snap *snapshot, want *arrow.Schema) (*scanPlan, error) {
	p := &scanPlan{mode: snap.columnMappingMode()}
	byName := map[string]*tableColumn{}
	for i := range snap.columns {
		byName[strings.ToLower(snap.columns[i].name)] = &snap.columns[i]
	}
	var fields []arrow.Field
	if want == nil {
		for i := range snap.columns {
			c := &snap.columns[i]
			t, ok := c.tideType()
			if !ok {
				return nil, fmt.Errorf("delta table at %s: column %q has delta type %s, which has no tide type (declare the other columns in CREATE TABLE to read them)", root, c.name, c.deltaType)
			}
			fields = append(fields, arrow.Field{Name: c.name, Type: t, Nullable: true})
		}
	} else {
		fields = want.Fields()
	}
	for _, f := range fields {
		c := byName[strings.ToLower(f.Name)]
		if c == nil {
			return nil, fmt.Errorf("delta table at %s has no column %q (its columns: %s)", root, f.Name, columnNames(snap.columns))
		}
		t, ok := c.tideType()
		if !ok {
			return nil, fmt.Errorf("delta table at %s: column %q has delta type %s, which has no tide type", root, c.name, c.deltaType)
		}
		if catalog.IsNested(t) && p.mode != "none" {
			return nil, fmt.Errorf("delta table at %s uses column mapping (%s): tide does not read nested columns such as %q under it", root, p.mode, c.name)
		}
		if !arrow.TypeEqual(t, f.Type) {
			return nil, fmt.Errorf("delta table at %s: column %q is declared %s, but the table stores %s (which reads as %s)",
				root, f.Name, catalog.TypeName(f.Type), c.deltaType, catalog.TypeName(t))
		}
		sc := scanColumn{out: f, name: c.name, deltaType: c.deltaType, fileName: c.name}
		if p.mode != "none" {
			if c.physical == "" && p.mode == "name" {
				return nil, fmt.Errorf("delta table at %s uses column mapping, but column %q has no delta.columnMapping.physicalName", root, c.name)
			}
			if c.physical != "" {
				sc.fileName = c.physical
			}
			sc.fieldID = c.id
			if p.mode == "id" && c.id == 0 {
				return nil, fmt.Errorf("delta table at %s uses column mapping by id, but column %q has no delta.columnMapping.id", root, c.name)
			}
		}
		if part := partitionColumn(snap.metadata.PartitionColumns, c.name); part != "" {
			sc.partKey = part
			if p.mode != "none" && c.physical != "" {
				sc.partKey = c.physical
			}
		}
		p.cols = append(p.cols, sc)
	}
	p.schema = arrow.NewSchema(fields, nil)
	return p, nil
}

// fileColumn finds column c among a data file's columns: the index, or -1
// if the file does not have it.
func (p *scanPlan) fileColumn(c *scanColumn, cols []pqfile.Column) int {
	if p.mode == "id" {
		for i, fc := range cols {
			if int64(fc.FieldID) == c.fieldID {
				return i
			}
		}
		return -1
	}
	for i, fc := range cols {
		if fc.Name == c.fileName {
			return i
		}
	}
	for i, fc := range cols {
		if strings.EqualFold(fc.Name, c.fileName) {
			return i
		}
	}
	return -1
}

// partitionValue is column c's value in a file's partition values.
func (c *scanColumn) partitionValue(add *addAction) *string {
	if v, ok := add.PartitionValues[c.partKey]; ok {
		return v
	}
	for k, v := range add.PartitionValues {
		if strings.EqualFold(k, c.partKey) {
			return v
		}
	}
	return nil
}

func columnNames(cols []tableColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}
