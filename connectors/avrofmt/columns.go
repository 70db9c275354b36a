package avrofmt

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// kind is the decoding family of a column.
type kind uint8

const (
	kindBool kind = iota
	kindInt64
	kindFloat64
	kindString
	kindTimestamp
	kindDate32
)

// column is a column of the table as the decode programs see it.
type column struct {
	name    string
	kind    kind
	unit    arrow.TimeUnit // kindTimestamp only
	notNull bool
	sqlType string // as DESCRIBE shows it, for messages
	unused  bool   // the query does not read it (PruneColumns): always NULL
}

// tableColumns describes t's columns, or says which one has a type the
// format cannot decode into.
func tableColumns(t *catalog.Table) ([]column, error) {
	cols := make([]column, len(t.Columns))
	for i, c := range t.Columns {
		k, unit, err := kindOf(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", c.Name, err)
		}
		sql := c.SQLType
		if sql == "" {
			sql = catalog.TypeName(c.Type)
		}
		cols[i] = column{name: c.Name, kind: k, unit: unit, notNull: c.NotNull, sqlType: strings.ToUpper(sql)}
	}
	return cols, nil
}

func kindOf(t arrow.DataType) (kind, arrow.TimeUnit, error) {
	if t == nil {
		return 0, 0, fmt.Errorf("has no type")
	}
	switch t.ID() {
	case arrow.BOOL:
		return kindBool, 0, nil
	case arrow.INT64:
		return kindInt64, 0, nil
	case arrow.FLOAT64:
		return kindFloat64, 0, nil
	case arrow.STRING:
		return kindString, 0, nil
	case arrow.TIMESTAMP:
		return kindTimestamp, t.(*arrow.TimestampType).Unit, nil
	case arrow.DATE32:
		return kindDate32, 0, nil
	}
	if catalog.IsNested(t) {
		return 0, 0, fmt.Errorf("%s columns are not supported yet by format avro (Avro records, arrays and maps: declare the other columns, whose fields are read, the nested ones skipped)", catalog.TypeName(t))
	}
	return 0, 0, fmt.Errorf("type %s cannot be read from Avro", catalog.TypeName(t))
}

// columnIndex matches writer field names to columns: the exact name first,
// then the first column equal to it case-insensitively (SQL names are).
type columnIndex struct {
	exact  map[string]int
	folded map[string]int
}

func newColumnIndex(cols []column) columnIndex {
	x := columnIndex{exact: map[string]int{}, folded: map[string]int{}}
	for i, c := range cols {
		if _, dup := x.exact[c.name]; !dup {
			x.exact[c.name] = i
		}
		if _, dup := x.folded[strings.ToLower(c.name)]; !dup {
			x.folded[strings.ToLower(c.name)] = i
		}
	}
	return x
}

func (x columnIndex) find(name string) int {
	if i, ok := x.exact[name]; ok {
		return i
	}
	if i, ok := x.folded[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}
