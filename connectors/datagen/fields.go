package datagen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// settings are the per-column options a generator understands; min and max
// are Flink's names for start and end.
var settings = map[string]string{
	"kind": "kind", "start": "start", "end": "end", "min": "start", "max": "end",
	"length": "length", "values": "values", "prefix": "prefix",
	"max_disorder": "max_disorder", "max-past": "max_disorder", "decimals": "decimals", "step": "step",
}

// fieldSpec is the options of one column's generator, by canonical setting.
type fieldSpec map[string]string

// ValidateFields checks the fields.<column>.<setting> options of a datagen
// table: every column named must exist, every setting must be known and
// every value must suit the column's type and generator kind.
func ValidateFields(t *catalog.Table) error {
	_, err := buildGenerators(t, 1000)
	return err
}

// fieldSpecs groups a table's fields.* options by column index.
func fieldSpecs(t *catalog.Table) (map[int]fieldSpec, error) {
	keys := make([]string, 0, len(t.Options))
	for k := range t.Options {
		if len(k) > len(FieldPrefix) && strings.EqualFold(k[:len(FieldPrefix)], FieldPrefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	specs := map[int]fieldSpec{}
	for _, k := range keys {
		rest := k[len(FieldPrefix):]
		dot := strings.LastIndexByte(rest, '.')
		if dot <= 0 || dot == len(rest)-1 {
			return nil, fmt.Errorf("option %s: expected fields.<column>.<setting>", k)
		}
		colName, setting := rest[:dot], strings.ToLower(rest[dot+1:])
		col := t.ColumnIndex(colName)
		if col < 0 {
			return nil, fmt.Errorf("option %s: no column %q in %s (columns: %s)", k, colName, t.Name, columnList(t))
		}
		canon, ok := settings[setting]
		if !ok {
			return nil, fmt.Errorf("option %s: unknown setting %q (settings: kind, start, end, step, length, values, prefix, max_disorder, decimals)", k, setting)
		}
		if specs[col] == nil {
			specs[col] = fieldSpec{}
		}
		if prev, dup := specs[col][canon]; dup && prev != t.Options[k] {
			return nil, fmt.Errorf("option %s: %s of column %s is given twice", k, canon, t.Columns[col].Name)
		}
		specs[col][canon] = strings.TrimSpace(t.Options[k])
	}
	return specs, nil
}

// buildGenerators makes a generator for every column of t: from its
// fields.* options, or the default for its type.
func buildGenerators(t *catalog.Table, rate float64) ([]generator, error) {
	specs, err := fieldSpecs(t)
	if err != nil {
		return nil, err
	}
	gens := make([]generator, len(t.Columns))
	for i, c := range t.Columns {
		spec := specs[i]
		if spec == nil {
			spec = fieldSpec{}
		}
		g, err := newGenerator(c.Type, spec, rate)
		if err != nil {
			return nil, fmt.Errorf("column %s of %s: %v", c.Name, t.Name, err)
		}
		gens[i] = g
	}
	return gens, nil
}

// newGenerator builds the generator of one column.
func newGenerator(typ arrow.DataType, spec fieldSpec, rate float64) (generator, error) {
	kind := strings.ToLower(spec["kind"])
	var (
		g       generator
		err     error
		allowed []string // settings the kind uses
	)
	switch typ.ID() {
	case arrow.INT64:
		g, allowed, err = newIntGen(kind, spec)
	case arrow.FLOAT64:
		g, allowed, err = newFloatGen(kind, spec)
	case arrow.STRING:
		g, allowed, err = newStringGen(kind, spec)
	case arrow.TIMESTAMP:
		g, allowed, err = newTimeGen(kind, spec, rate, typ.(*arrow.TimestampType).Unit)
	case arrow.DATE32:
		g, allowed, err = newDateGen(kind, spec)
	case arrow.BOOL:
		g, allowed, err = newBoolGen(kind, spec)
	default:
		return nil, fmt.Errorf("datagen cannot generate %s", catalog.TypeName(typ))
	}
	if err != nil {
		return nil, err
	}
	for s := range spec {
		if s != "kind" && !contains(allowed, s) {
			return nil, fmt.Errorf("setting %s does not apply to kind %s on %s", s, kindName(kind, g), catalog.TypeName(typ))
		}
	}
	return g, nil
}

func kindName(kind string, g generator) string {
	if kind != "" {
		return kind
	}
	return g.kind()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func columnList(t *catalog.Table) string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// badKind is the error for a kind a type does not support.
func badKind(kind string, kinds ...string) error {
	return fmt.Errorf("unknown generator kind %q (expected %s)", kind, strings.Join(kinds, ", "))
}
