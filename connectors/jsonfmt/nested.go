package jsonfmt

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Nested columns: a ROW column reads a JSON object (fields by name, exact
// match first, then without case; a missing field or null is NULL; keys
// that match no field are skipped; a repeated key keeps its last value), an
// ARRAY column a JSON array, a MAP<VARCHAR, T> column a JSON object (a
// repeated key keeps its first place and its last value), to any depth;
// the values inside convert as top-level values do. A value of the wrong
// shape or type is an error whose Field is the path to it, with 1-based
// array positions: items[2].price, attrs['k'].
//
// A nested value is decoded twice, with one function: while the message is
// scanned it is only checked (no builder), and when the whole message has
// passed it is appended to the column's builders. So a bad record appends
// nothing, as for top-level columns, and the check and the append cannot
// disagree.

// kindNested is the decoding family of ROW, ARRAY and MAP columns.
const kindNested kind = 100

// nestedPlan is how one nested type (or a value inside one) decodes.
type nestedPlan struct {
	id   arrow.Type // arrow.STRUCT, LIST, MAP, or the leaf's type
	leaf column     // leaves: the kind and unit to convert with (no name)

	// ROW
	names  []string
	exact  map[string]int
	folded map[string]int // ASCII-lowercased name → first field
	fields []*nestedPlan
	pos    []int // per field: where its last value starts, -1 if none (scratch)
	// exactPos: pos came from a key that matched exactly, which a key
	// matching only without case does not override (scratch)
	exactPos []bool

	// ARRAY element, MAP value
	elem *nestedPlan

	// MAP (scratch): the entries of the object being appended
	entries []mapEntry
}

// mapEntry is one key of a JSON object read as a MAP.
type mapEntry struct {
	key  []byte
	pos  int // where its value starts
	last int // the index of the entry holding the key's last value
}

// newNestedPlan returns the plan of t, or an error naming a type inside it
// that cannot be decoded.
func newNestedPlan(t arrow.DataType) (*nestedPlan, error) {
	p := &nestedPlan{id: t.ID()}
	switch t := t.(type) {
	case *arrow.StructType:
		p.exact = map[string]int{}
		p.folded = map[string]int{}
		for i, f := range t.Fields() {
			fp, err := newNestedPlan(f.Type)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			p.names = append(p.names, f.Name)
			p.fields = append(p.fields, fp)
			if _, dup := p.exact[f.Name]; !dup {
				p.exact[f.Name] = i
			}
			if _, dup := p.folded[strings.ToLower(f.Name)]; !dup {
				p.folded[strings.ToLower(f.Name)] = i
			}
		}
		p.pos = make([]int, len(p.fields))
		p.exactPos = make([]bool, len(p.fields))
		return p, nil
	case *arrow.MapType:
		if t.KeyType().ID() != arrow.STRING {
			return nil, fmt.Errorf("MAP keys must be VARCHAR, not %s", t.KeyType())
		}
		elem, err := newNestedPlan(t.ItemType())
		if err != nil {
			return nil, err
		}
		p.elem = elem
		return p, nil
	case *arrow.ListType:
		elem, err := newNestedPlan(t.Elem())
		if err != nil {
			return nil, err
		}
		p.elem = elem
		return p, nil
	}
	k, unit, err := kindOf(t)
	if err != nil {
		return nil, err
	}
	p.leaf = column{kind: k, unit: unit}
	return p, nil
}

// field returns the field key names, or -1, and whether the name matched
// only without case.
func (p *nestedPlan) field(key []byte) (int, bool) {
	if i, ok := p.exact[string(key)]; ok {
		return i, false
	}
	if i, ok := p.folded[strings.ToLower(string(key))]; ok {
		return i, true
	}
	for i, n := range p.names { // names that fold beyond ToLower's reach
		if equalFold(key, n) {
			return i, true
		}
	}
	return -1, false
}

// parseNested stages the nested value at b[i] for column c: it checks it
// and remembers where it is, for commit to append.
func (d *Decoder) parseNested(b []byte, i, c int, fold bool) (int, error) {
	s := &d.slots[c]
	col := &d.cols[c]
	if i < len(b) && b[i] == 'n' {
		end, err := skipLiteral(b, i, "null")
		if err != nil {
			return end, err
		}
		s.gen, s.fold, s.null = d.gen, fold, true
		return end, nil
	}
	end, err := skipValue(b, i, 1)
	if err != nil {
		return end, err
	}
	if _, err := d.nested(col.nest, b, i, nil); err != nil {
		return end, prefixPath(err, col.name)
	}
	s.gen, s.fold, s.null = d.gen, fold, false
	s.bytes, s.i = b, int64(i)
	return end, nil
}

// commitNested appends the staged (and checked) value of a nested column.
func (d *Decoder) commitNested(c *column, s *slot) {
	if _, err := d.nested(c.nest, s.bytes, int(s.i), c.builder); err != nil {
		// The value passed the same function without a builder; an error
		// here is a bug. Keep the columns aligned regardless.
		c.builder.AppendNull()
	}
}

// nested decodes the JSON value at b[i] (syntax already checked) as p:
// appended to bld, or only checked when bld is nil. It returns the index
// after the value. Errors are *DecodeError whose Field is the path inside
// the value.
func (d *Decoder) nested(p *nestedPlan, b []byte, i int, bld array.Builder) (int, error) {
	i = skipWS(b, i)
	if b[i] == 'n' {
		if bld != nil {
			bld.AppendNull()
		}
		return i + 4, nil
	}
	switch p.id {
	case arrow.STRUCT:
		return d.nestedRow(p, b, i, bld)
	case arrow.LIST:
		return d.nestedArray(p, b, i, bld)
	case arrow.MAP:
		return d.nestedMap(p, b, i, bld)
	}
	return d.nestedLeaf(p, b, i, bld)
}

func (d *Decoder) nestedRow(p *nestedPlan, b []byte, i int, bld array.Builder) (int, error) {
	if b[i] != '{' {
		return d.wrongShape(b, i, "an object (a ROW)")
	}
	for f := range p.pos {
		p.pos[f], p.exactPos[f] = -1, false
	}
	end, err := d.eachKey(b, i, func(key []byte, _ bool, v int) (int, error) {
		f, fold := p.field(key)
		if f < 0 || (fold && p.exactPos[f]) {
			return skipValue(b, v, 1)
		}
		p.pos[f], p.exactPos[f] = v, !fold
		if bld != nil {
			return skipValue(b, v, 1) // checked already; appended below
		}
		end, err := d.nested(p.fields[f], b, v, nil)
		if err != nil {
			return end, prefixPath(err, p.names[f])
		}
		return end, nil
	})
	if err != nil || bld == nil {
		return end, err
	}
	sb := bld.(*array.StructBuilder)
	sb.Append(true)
	// The fields' plans are other nodes than p, so p.pos stays as it is
	// while they are appended.
	for f, fp := range p.fields {
		fb := sb.FieldBuilder(f)
		if p.pos[f] < 0 {
			fb.AppendNull()
			continue
		}
		if _, err := d.nested(fp, b, p.pos[f], fb); err != nil {
			return end, prefixPath(err, p.names[f])
		}
	}
	return end, nil
}

func (d *Decoder) nestedArray(p *nestedPlan, b []byte, i int, bld array.Builder) (int, error) {
	if b[i] != '[' {
		return d.wrongShape(b, i, "an array")
	}
	var vb array.Builder
	if bld != nil {
		lb := bld.(*array.ListBuilder)
		lb.Append(true)
		vb = lb.ValueBuilder()
	}
	i = skipWS(b, i+1)
	if b[i] == ']' {
		return i + 1, nil
	}
	for n := 1; ; n++ {
		end, err := d.nested(p.elem, b, i, vb)
		if err != nil {
			return end, prefixPath(err, "["+strconv.Itoa(n)+"]")
		}
		i = skipWS(b, end)
		if b[i] == ']' {
			return i + 1, nil
		}
		i = skipWS(b, i+1) // the ','
	}
}

func (d *Decoder) nestedMap(p *nestedPlan, b []byte, i int, bld array.Builder) (int, error) {
	if b[i] != '{' {
		return d.wrongShape(b, i, "an object (a MAP)")
	}
	if bld == nil {
		return d.eachKey(b, i, func(key []byte, hi bool, v int) (int, error) {
			if hi && !utf8.Valid(key) {
				return v, &DecodeError{Field: mapKeyPath(key), Msg: "invalid UTF-8 in a map key"}
			}
			end, err := d.nested(p.elem, b, v, nil)
			if err != nil {
				return end, prefixPath(err, mapKeyPath(key))
			}
			return end, nil
		})
	}
	// Keys may repeat: each keeps its first place and its last value.
	// The keys point into b, or are fresh when unescaped.
	entries := p.entries[:0]
	end, err := d.eachKey(b, i, func(key []byte, _ bool, v int) (int, error) {
		entries = append(entries, mapEntry{key: key, pos: v, last: len(entries)})
		return skipValue(b, v, 1)
	})
	p.entries = entries
	if err != nil {
		return end, err
	}
	dedupKeys(entries)
	mb := bld.(*array.MapBuilder)
	mb.Append(true)
	kb := mb.KeyBuilder().(*array.StringBuilder)
	ib := mb.ItemBuilder()
	for _, e := range entries {
		if e.last < 0 {
			continue
		}
		kb.BinaryBuilder.Append(e.key)
		if _, err := d.nested(p.elem, b, entries[e.last].pos, ib); err != nil {
			return end, prefixPath(err, mapKeyPath(e.key))
		}
	}
	return end, nil
}

// dedupKeys points the first entry of every repeated key at the entry of
// its last value, and marks the others (last -1).
func dedupKeys(entries []mapEntry) {
	if len(entries) <= 16 {
		for k := range entries {
			if entries[k].last < 0 {
				continue
			}
			for j := k + 1; j < len(entries); j++ {
				if entries[j].last >= 0 && string(entries[j].key) == string(entries[k].key) {
					entries[k].last, entries[j].last = j, -1
				}
			}
		}
		return
	}
	first := make(map[string]int, len(entries))
	for k := range entries {
		if f, ok := first[string(entries[k].key)]; ok {
			entries[f].last, entries[k].last = k, -1
			continue
		}
		first[string(entries[k].key)] = k
	}
}

// eachKey calls f for every key of the object at b[i] (syntax already
// checked) with the key unescaped, whether it has bytes >= 0x80, and where
// its value starts; f returns the index after the value.
func (d *Decoder) eachKey(b []byte, i int, f func(key []byte, hi bool, v int) (int, error)) (int, error) {
	i = skipWS(b, i+1)
	if b[i] == '}' {
		return i + 1, nil
	}
	for {
		end, esc, hi, err := scanString(b, i)
		if err != nil {
			return end, err
		}
		key := b[i+1 : end-1]
		if esc {
			key = unescape(nil, key)
		}
		i = skipWS(b, end)
		i = skipWS(b, i+1) // the ':'
		if i, err = f(key, hi, i); err != nil {
			return i, err
		}
		i = skipWS(b, i)
		if b[i] == '}' {
			return i + 1, nil
		}
		i = skipWS(b, i+1) // the ','
	}
}

// nestedLeaf converts a value inside a nested one as a top-level value of
// its type converts.
func (d *Decoder) nestedLeaf(p *nestedPlan, b []byte, i int, bld array.Builder) (int, error) {
	var (
		jt  int
		raw []byte
		num number
		end int
		err error
	)
	switch ch := b[i]; ch {
	case '"':
		var esc, hi bool
		if end, esc, hi, err = scanString(b, i); err != nil {
			return end, err
		}
		jt, raw = jsonString, b[i+1:end-1]
		if esc {
			raw = unescape(nil, raw)
		}
		if hi && p.leaf.kind == kindString && !utf8.Valid(raw) {
			return end, &DecodeError{Msg: "invalid UTF-8 in string"}
		}
	case 't':
		end, jt, raw = i+4, jsonTrue, b[i:i+4]
	case 'f':
		end, jt, raw = i+5, jsonFalse, b[i:i+5]
	case '{', '[':
		if end, err = skipValue(b, i, 1); err != nil {
			return end, err
		}
		jt, raw = jsonObject, b[i:end]
		if ch == '[' {
			jt = jsonArray
		}
		if p.leaf.kind == kindString && !utf8.Valid(raw) {
			return end, &DecodeError{Msg: "invalid UTF-8 in string"}
		}
	default:
		if num, end, err = scanNumber(b, i); err != nil {
			return end, err
		}
		jt, raw = jsonNumber, b[i:end]
	}
	var s slot
	if err := d.convert(&p.leaf, &s, jt, raw, num); err != nil {
		return end, err
	}
	if bld != nil {
		appendLeaf(bld, p.leaf.kind, &s)
	}
	return end, nil
}

// appendLeaf appends a converted value as commit does for top-level columns.
func appendLeaf(b array.Builder, k kind, s *slot) {
	switch k {
	case kindString:
		b.(*array.StringBuilder).BinaryBuilder.Append(s.bytes)
	case kindFloat64:
		b.(*array.Float64Builder).Append(s.f)
	case kindInt64:
		b.(*array.Int64Builder).Append(s.i)
	case kindTimestamp:
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(s.i))
	case kindDate32:
		b.(*array.Date32Builder).Append(arrow.Date32(s.i))
	case kindBool:
		b.(*array.BooleanBuilder).Append(s.i != 0)
	}
}

// wrongShape is the error for a value that is not the object or array its
// type needs.
func (d *Decoder) wrongShape(b []byte, i int, want string) (int, error) {
	end, err := skipValue(b, i, 1)
	if err != nil {
		return end, err
	}
	jt, raw := jsonNumber, b[i:end]
	switch b[i] {
	case '"':
		jt, raw = jsonString, b[i+1:end-1]
	case 't':
		jt = jsonTrue
	case 'f':
		jt = jsonFalse
	case '{':
		jt = jsonObject
	case '[':
		jt = jsonArray
	}
	return end, &DecodeError{Msg: "expected " + want + ", got " + describe(jt, raw)}
}

// prefixPath puts seg in front of the path of a *DecodeError.
func prefixPath(err error, seg string) error {
	de, ok := err.(*DecodeError)
	if !ok || err == nil {
		return err
	}
	switch {
	case de.Field == "":
		de.Field = seg
	case de.Field[0] == '[':
		de.Field = seg + de.Field
	default:
		de.Field = seg + "." + de.Field
	}
	return de
}

// mapKeyPath is the path segment of a map's key: ['k'].
func mapKeyPath(key []byte) string {
	return "['" + strings.ReplaceAll(string(truncate(key)), "'", "''") + "']"
}

// DecodeValue appends one JSON value, the whole of value, to b (a builder
// of any type a Decoder column may have), converted as a column's value
// is: for nested values kept as JSON text elsewhere (PostgreSQL jsonb). On
// error, a *DecodeError, nothing is appended.
func DecodeValue(b array.Builder, value []byte) error {
	p, err := newNestedPlan(b.Type())
	if err != nil {
		return err
	}
	i := skipWS(value, 0)
	end, err := skipValue(value, i, 1)
	if err != nil {
		return err
	}
	if j := skipWS(value, end); j < len(value) {
		return syntaxErrorMsg(j, fmt.Sprintf("unexpected %s after the value", describeByte(value[j])))
	}
	var d Decoder
	if _, err := d.nested(p, value, i, nil); err != nil {
		return err
	}
	_, err = d.nested(p, value, i, b)
	return err
}
