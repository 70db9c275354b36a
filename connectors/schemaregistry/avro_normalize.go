package schemaregistry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// normalizeAvro writes a parsed Avro schema (JSON decoded with UseNumber)
// in the form that identifies it in the registry: Avro's Parsing Canonical
// Form (full names, no namespace attribute, primitives as plain strings,
// attributes in a fixed order, no whitespace) that keeps what the
// canonical form strips but which changes how data is read or what a
// reader sees: logical types with their precision and scale, field and
// enum defaults, aliases (sorted, full names), a field's order when not
// ascending, docs, and other properties (sorted by name). Two texts of the
// same schema, differing only in whitespace, attribute order, or namespace
// spelling, normalize alike; a schema that gains a default does not.
func normalizeAvro(doc any) (string, error) {
	var b strings.Builder
	if err := writeSchema(&b, doc, ""); err != nil {
		return "", err
	}
	return b.String(), nil
}

var primitives = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

// writeSchema writes one schema found in namespace ns.
func writeSchema(b *strings.Builder, v any, ns string) error {
	switch s := v.(type) {
	case string:
		if primitives[s] {
			writeJSON(b, s)
		} else {
			writeJSON(b, fullName(s, ns))
		}
		return nil
	case []any:
		b.WriteByte('[')
		for i, branch := range s {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeSchema(b, branch, ns); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case map[string]any:
		return writeObject(b, s, ns)
	}
	return fmt.Errorf("a schema must be a string, an object or an array, not %s", jsonText(v))
}

// writeObject writes a schema written as a JSON object.
func writeObject(b *strings.Builder, m map[string]any, ns string) error {
	t, ok := m["type"].(string)
	if !ok {
		if inner, has := m["type"]; has {
			return writeSchema(b, inner, ns) // {"type": {...}}: the inner schema
		}
		return fmt.Errorf("schema %s has no type", jsonText(m))
	}
	switch t {
	case "record", "error", "enum", "fixed":
		return writeNamed(b, m, t, ns)
	case "array", "map":
		key := map[string]string{"array": "items", "map": "values"}[t]
		b.WriteString(`{"type":`)
		writeJSON(b, t)
		b.WriteString(`,"` + key + `":`)
		if err := writeSchema(b, m[key], ns); err != nil {
			return err
		}
		writeProps(b, m, "type", key)
		b.WriteByte('}')
		return nil
	}
	if !primitives[t] {
		writeJSON(b, fullName(t, ns)) // {"type": "Name"}: a named type
		return nil
	}
	if len(m) == 1 {
		writeJSON(b, t)
		return nil
	}
	b.WriteString(`{"type":`)
	writeJSON(b, t)
	writeLogical(b, m)
	writeProps(b, m, "type", "logicalType", "precision", "scale")
	b.WriteByte('}')
	return nil
}

// writeNamed writes a record, enum or fixed definition.
func writeNamed(b *strings.Builder, m map[string]any, t, ns string) error {
	name, _ := m["name"].(string)
	if name == "" {
		return fmt.Errorf("%s %s has no name", t, jsonText(m))
	}
	if space, ok := m["namespace"].(string); ok && !strings.Contains(name, ".") {
		ns = space
	}
	full := fullName(name, ns)
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		ns = full[:i]
	} else {
		ns = ""
	}
	b.WriteString(`{"name":`)
	writeJSON(b, full)
	b.WriteString(`,"type":`)
	writeJSON(b, t)
	reserved := []string{"type", "name", "namespace", "aliases", "doc", "logicalType", "precision", "scale"}
	switch t {
	case "enum":
		b.WriteString(`,"symbols":`)
		writeJSON(b, m["symbols"])
		if d, ok := m["default"]; ok {
			b.WriteString(`,"default":`)
			writeJSON(b, d)
		}
		reserved = append(reserved, "symbols", "default")
	case "fixed":
		b.WriteString(`,"size":`)
		writeJSON(b, m["size"])
		reserved = append(reserved, "size")
	default:
		fields, _ := m["fields"].([]any)
		b.WriteString(`,"fields":[`)
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeField(b, f, ns); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		reserved = append(reserved, "fields")
	}
	writeLogical(b, m)
	writeAliases(b, m, ns, true)
	writeDoc(b, m)
	writeProps(b, m, reserved...)
	b.WriteByte('}')
	return nil
}

// writeField writes one field of a record in namespace ns.
func writeField(b *strings.Builder, v any, ns string) error {
	f, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("record field %s is not an object", jsonText(v))
	}
	b.WriteString(`{"name":`)
	writeJSON(b, f["name"])
	b.WriteString(`,"type":`)
	if err := writeSchema(b, f["type"], ns); err != nil {
		return fmt.Errorf("field %s: %w", jsonText(f["name"]), err)
	}
	if d, ok := f["default"]; ok {
		b.WriteString(`,"default":`)
		writeJSON(b, d)
	}
	if o, ok := f["order"]; ok && o != "ascending" {
		b.WriteString(`,"order":`)
		writeJSON(b, o)
	}
	writeAliases(b, f, ns, false)
	writeDoc(b, f)
	writeProps(b, f, "name", "type", "default", "order", "aliases", "doc")
	b.WriteByte('}')
	return nil
}

// writeLogical writes a logical type and a decimal's precision and scale.
func writeLogical(b *strings.Builder, m map[string]any) {
	for _, k := range []string{"logicalType", "precision", "scale"} {
		if v, ok := m[k]; ok {
			b.WriteString(`,"` + k + `":`)
			writeJSON(b, v)
		}
	}
}

// writeAliases writes aliases sorted; a named type's as full names.
func writeAliases(b *strings.Builder, m map[string]any, ns string, named bool) {
	list, ok := m["aliases"].([]any)
	if !ok || len(list) == 0 {
		return
	}
	var aliases []string
	for _, a := range list {
		s, _ := a.(string)
		if named {
			s = fullName(s, ns)
		}
		aliases = append(aliases, s)
	}
	sort.Strings(aliases)
	b.WriteString(`,"aliases":`)
	writeJSON(b, aliases)
}

func writeDoc(b *strings.Builder, m map[string]any) {
	if d, ok := m["doc"]; ok {
		b.WriteString(`,"doc":`)
		writeJSON(b, d)
	}
}

// writeProps writes the attributes of m not in reserved, sorted by name.
func writeProps(b *strings.Builder, m map[string]any, reserved ...string) {
	var keys []string
	for k := range m {
		if !slices.Contains(reserved, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteByte(',')
		writeJSON(b, k)
		b.WriteByte(':')
		writeJSON(b, m[k])
	}
}

// fullName resolves a type name found in namespace ns: a name with a dot
// is already full; another is in ns.
func fullName(name, ns string) string {
	if strings.Contains(name, ".") || ns == "" {
		return name
	}
	return ns + "." + name
}

// writeJSON writes a JSON value compactly, objects' keys sorted, without
// escaping HTML characters.
func writeJSON(b *strings.Builder, v any) {
	b.WriteString(jsonText(v))
}

func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
