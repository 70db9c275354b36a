package kafka

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// sinkCheckNested checks that every type inside a ROW, ARRAY or MAP can be
// written as JSON: rows and maps become objects, arrays arrays, the values
// inside as executor.AppendJSON writes them (timestamps as RFC 3339 with
// milliseconds in UTC, as top-level ones).
func sinkCheckNested(t arrow.DataType) error {
	switch t := t.(type) {
	case *arrow.StructType:
		for _, f := range t.Fields() {
			if err := sinkCheckType(f.Type); err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return nil
	case *arrow.MapType:
		if t.KeyType().ID() != arrow.STRING {
			return fmt.Errorf("map keys of type %s cannot be written as JSON object keys", t.KeyType())
		}
		return sinkCheckType(t.ItemType())
	case *arrow.ListType:
		return sinkCheckType(t.Elem())
	}
	return fmt.Errorf("type %s cannot be written as JSON", t)
}
