package delta

import (
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// structW appends the fields of one struct value, by field index.
type structW struct{ b *array.StructBuilder }

func (w structW) str(i int, s string) { w.b.FieldBuilder(i).(*array.StringBuilder).Append(s) }
func (w structW) i64(i int, v int64)  { w.b.FieldBuilder(i).(*array.Int64Builder).Append(v) }
func (w structW) i32(i int, v int32)  { w.b.FieldBuilder(i).(*array.Int32Builder).Append(v) }
func (w structW) bool(i int, v bool)  { w.b.FieldBuilder(i).(*array.BooleanBuilder).Append(v) }
func (w structW) sub(i int) structW   { return structW{w.b.FieldBuilder(i).(*array.StructBuilder)} }

// optStr appends s, or null if s is empty.
func (w structW) optStr(i int, s string) {
	if s == "" {
		w.b.FieldBuilder(i).AppendNull()
		return
	}
	w.str(i, s)
}

func (w structW) strList(i int, vs []string) {
	lb := w.b.FieldBuilder(i).(*array.ListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, v := range vs {
		vb.Append(v)
	}
}

// strMap appends m (an empty map if m is nil), keys sorted.
func (w structW) strMap(i int, m map[string]*string) {
	mb := w.b.FieldBuilder(i).(*array.MapBuilder)
	mb.Append(true)
	kb := mb.KeyBuilder().(*array.StringBuilder)
	ib := mb.ItemBuilder().(*array.StringBuilder)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kb.Append(k)
		if v := m[k]; v != nil {
			ib.Append(*v)
		} else {
			ib.AppendNull()
		}
	}
}

// optStrMap appends m, or null if m is nil.
func (w structW) optStrMap(i int, m map[string]*string) {
	if m == nil {
		w.b.FieldBuilder(i).AppendNull()
		return
	}
	w.strMap(i, m)
}

// structR reads the fields of a struct column by name. A zero structR (the
// column is absent) reads as all null.
type structR struct {
	a   *array.Struct
	idx map[string]int
}

func newStructR(col arrow.Array) structR {
	a, ok := col.(*array.Struct)
	if !ok {
		return structR{}
	}
	st := a.DataType().(*arrow.StructType)
	idx := make(map[string]int, st.NumFields())
	for i, f := range st.Fields() {
		idx[f.Name] = i
	}
	return structR{a: a, idx: idx}
}

func (r structR) valid(i int) bool { return r.a != nil && r.a.IsValid(i) }

func (r structR) field(name string, i int) arrow.Array {
	if r.a == nil {
		return nil
	}
	j, ok := r.idx[name]
	if !ok || r.a.Field(j).IsNull(i) {
		return nil
	}
	return r.a.Field(j)
}

func (r structR) sub(name string) structR {
	if r.a == nil {
		return structR{}
	}
	j, ok := r.idx[name]
	if !ok {
		return structR{}
	}
	return newStructR(r.a.Field(j))
}

func (r structR) str(name string, i int) string {
	if s, ok := r.field(name, i).(*array.String); ok {
		return s.Value(i)
	}
	return ""
}

func (r structR) i64(name string, i int) int64 {
	switch a := r.field(name, i).(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	}
	return 0
}

func (r structR) bool(name string, i int) bool {
	if b, ok := r.field(name, i).(*array.Boolean); ok {
		return b.Value(i)
	}
	return false
}

func (r structR) strList(name string, i int) []string {
	l, ok := r.field(name, i).(*array.List)
	if !ok {
		return nil
	}
	vals, ok := l.ListValues().(*array.String)
	if !ok {
		return nil
	}
	start, end := l.ValueOffsets(i)
	out := make([]string, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, vals.Value(int(j)))
	}
	return out
}

func (r structR) strMap(name string, i int) map[string]*string {
	m, ok := r.field(name, i).(*array.Map)
	if !ok {
		return nil
	}
	keys, ok1 := m.Keys().(*array.String)
	items, ok2 := m.Items().(*array.String)
	if !ok1 || !ok2 {
		return nil
	}
	start, end := m.ValueOffsets(i)
	out := make(map[string]*string, end-start)
	for j := int(start); j < int(end); j++ {
		if items.IsNull(j) {
			out[keys.Value(j)] = nil
			continue
		}
		v := items.Value(j)
		out[keys.Value(j)] = &v
	}
	return out
}
