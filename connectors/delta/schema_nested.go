package delta

import (
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// Nested columns in the Delta schema, as the protocol's schema
// serialization states them:
//
//	ROW     {"type":"struct","fields":[{"name","type","nullable","metadata"}, ...]}
//	ARRAY   {"type":"array","elementType":T,"containsNull":true}
//	MAP     {"type":"map","keyType":"string","valueType":T,"valueContainsNull":true}
//
// In the data files they are nested Parquet columns (three-level lists with
// "element", maps with "key_value"), which pqarrow writes and reads. They
// have no statistics: the protocol keeps stats of struct fields nested,
// and tide uses stats only for its key columns, which cannot be nested.

type deltaArray struct {
	Type         string          `json:"type"`
	ElementType  json.RawMessage `json:"elementType"`
	ContainsNull bool            `json:"containsNull"`
}

type deltaMap struct {
	Type              string          `json:"type"`
	KeyType           json.RawMessage `json:"keyType"`
	ValueType         json.RawMessage `json:"valueType"`
	ValueContainsNull bool            `json:"valueContainsNull"`
}

// deltaTypeJSON is the Delta schema type of an Arrow type: a primitive's
// name as a JSON string, or a struct, array or map object.
func deltaTypeJSON(t arrow.DataType) (json.RawMessage, error) {
	var v any
	switch t := t.(type) {
	case *arrow.StructType:
		st := deltaStruct{Type: "struct", Fields: make([]deltaField, 0, t.NumFields())}
		for _, f := range t.Fields() {
			ft, err := deltaTypeJSON(f.Type)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			st.Fields = append(st.Fields, deltaField{Name: f.Name, Type: ft, Nullable: f.Nullable, Metadata: map[string]any{}})
		}
		v = st
	case *arrow.MapType:
		k, err := deltaTypeJSON(t.KeyType())
		if err != nil {
			return nil, err
		}
		val, err := deltaTypeJSON(t.ItemType())
		if err != nil {
			return nil, err
		}
		v = deltaMap{Type: "map", KeyType: k, ValueType: val, ValueContainsNull: t.ItemField().Nullable}
	case *arrow.ListType:
		e, err := deltaTypeJSON(t.Elem())
		if err != nil {
			return nil, err
		}
		v = deltaArray{Type: "array", ElementType: e, ContainsNull: t.ElemField().Nullable}
	default:
		name, ok := deltaTypeOf(t)
		if !ok {
			return nil, fmt.Errorf("type %s has no delta type", catalog.TypeName(t))
		}
		v = name
	}
	return json.Marshal(v)
}

// nestedTypeOf maps a Delta struct, array or map type to an Arrow type:
// with the tide types of its leaves when tide is set (reading), with the
// types the table stores (arrowTypeOf) otherwise (writing). ok is false
// when raw is not a nested type or a leaf has no such type.
func nestedTypeOf(raw json.RawMessage, tide bool) (arrow.DataType, bool) {
	var obj struct {
		Type        string          `json:"type"`
		Fields      []deltaField    `json:"fields"`
		ElementType json.RawMessage `json:"elementType"`
		KeyType     json.RawMessage `json:"keyType"`
		ValueType   json.RawMessage `json:"valueType"`
		// Nullability inside a nested value: tide's nested values are
		// always nullable; a table that says otherwise is written as it says.
		ContainsNull      *bool `json:"containsNull"`
		ValueContainsNull *bool `json:"valueContainsNull"`
	}
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return nil, false
	}
	leaf := func(raw json.RawMessage) (arrow.DataType, bool) {
		if t, ok := nestedTypeOf(raw, tide); ok {
			return t, true
		}
		var name string
		if json.Unmarshal(raw, &name) != nil {
			return nil, false
		}
		if tide {
			return tideTypeOf(name)
		}
		return arrowTypeOf(name)
	}
	nullable := func(b *bool) bool { return tide || b == nil || *b }
	switch obj.Type {
	case "struct":
		fields := make([]arrow.Field, len(obj.Fields))
		for i, f := range obj.Fields {
			t, ok := leaf(f.Type)
			if !ok {
				return nil, false
			}
			fields[i] = arrow.Field{Name: f.Name, Type: t, Nullable: tide || f.Nullable}
		}
		return arrow.StructOf(fields...), true
	case "array":
		e, ok := leaf(obj.ElementType)
		if !ok {
			return nil, false
		}
		return arrow.ListOfField(arrow.Field{Name: "element", Type: e, Nullable: nullable(obj.ContainsNull)}), true
	case "map":
		k, ok := leaf(obj.KeyType)
		if !ok || (tide && k.ID() != arrow.STRING) {
			return nil, false
		}
		v, ok := leaf(obj.ValueType)
		if !ok {
			return nil, false
		}
		m := arrow.MapOf(k, v)
		if !nullable(obj.ValueContainsNull) {
			m = arrow.MapOfFields(m.KeyField(), arrow.Field{Name: m.ItemField().Name, Type: v, Nullable: false})
		}
		return m, true
	}
	return nil, false
}

// tideType is the tide type column c reads as.
func (c *tableColumn) tideType() (arrow.DataType, bool) {
	if t, ok := nestedTypeOf(c.raw, true); ok {
		return t, true
	}
	return tideTypeOf(c.deltaType)
}

// storedType is the Arrow type tide writes column c with.
func (c *tableColumn) storedType() (arrow.DataType, bool) {
	if t, ok := nestedTypeOf(c.raw, false); ok {
		return t, true
	}
	return arrowTypeOf(c.deltaType)
}
