package window

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// strView is a VARCHAR key value in 16 bytes, after Umbra's strings: w0
// holds the length and the first 4 bytes; w1 the next 8 bytes when the
// value has at most 12 (zero-padded), else the offset of the whole value in
// the arena. Comparing two short values is comparing two words, with no
// pointer to follow; a long value's prefix rejects most mismatches before
// the arena is read.
type strView struct{ w0, w1 uint64 }

const (
	maxInline = 12
	// nullLen in a view's length field marks NULL.
	nullLen = 1<<32 - 1
	// compactMin is the arena size below which garbage is never compacted.
	compactMin = 1 << 16
)

var nullView = strView{w0: nullLen}

func (v strView) len() int     { return int(uint32(v.w0)) }
func (v strView) isNull() bool { return uint32(v.w0) == nullLen }
func (v strView) long() bool   { return v.len() > maxInline && !v.isNull() }

// viewOf returns the view of b; for a long value w1 is left 0 (the caller
// sets the arena offset).
func viewOf(b []byte) strView {
	var buf [16]byte
	copy(buf[:], b)
	return makeView(len(b), binary.LittleEndian.Uint64(buf[:]), binary.LittleEndian.Uint64(buf[8:]))
}

// viewAt is viewOf(data[o:o+n]), reading whole words when the buffer
// extends 16 bytes past o (bytes past the value are masked off).
func viewAt(data []byte, o, n int) strView {
	if o+16 > len(data) {
		return viewOf(data[o : o+n])
	}
	lo := binary.LittleEndian.Uint64(data[o:])
	hi := binary.LittleEndian.Uint64(data[o+8:])
	switch {
	case n < 8:
		lo &= 1<<(8*n) - 1
		hi = 0
	case n < 16:
		hi &= 1<<(8*(n-8)) - 1
	}
	return makeView(n, lo, hi)
}

// makeView builds the view of an n-byte value whose first 16 bytes (zero
// past n) are lo, hi.
func makeView(n int, lo, hi uint64) strView {
	v := strView{w0: uint64(n) | lo<<32}
	if n <= maxInline {
		v.w1 = lo>>32 | hi<<32
	}
	return v
}

// viewHash hashes a value from its view, or its bytes when it is long.
func viewHash(v strView, b []byte) uint64 {
	if v.long() {
		return hashBytes(b)
	}
	return mum(v.w0, v.w1)
}

// stringKey stores a VARCHAR key column as one view per group; values
// longer than 12 bytes also live in an arena, so a new group costs no Go
// allocation. Freed long values become garbage that is compacted away when
// it outweighs the live bytes.
type stringKey struct {
	views   []strView // per group
	arena   []byte
	garbage int // bytes of arena no live group refers to

	scratch [16]byte  // groupBytes of a short value
	rows    []strView // views of the bound column's rows
	offs    []int32   // offsets of the bound column, absolute
	data    []byte    // the bound column's value buffer
	arr     *array.String
	anyNull bool
}

func (k *stringKey) bind(arr arrow.Array) {
	a := arr.(*array.String)
	k.arr, k.anyNull = a, a.NullN() > 0
	k.offs = a.ValueOffsets()
	k.data = nil
	if bufs := a.Data().Buffers(); len(bufs) > 2 && bufs[2] != nil {
		k.data = bufs[2].Bytes()
	}
	k.rows = growTo(k.rows, a.Len())
}

// rowBytes is the value of row i of the bound column.
func (k *stringKey) rowBytes(i int) []byte {
	return k.data[k.offs[i]:k.offs[i+1]]
}

// groupBytes is group g's value (empty for NULL). A short value is
// assembled in k.scratch, valid until the next call.
func (k *stringKey) groupBytes(g int32) []byte {
	v := k.views[g]
	if v.isNull() {
		return nil
	}
	if v.long() {
		return k.arena[v.w1 : v.w1+uint64(v.len())]
	}
	binary.LittleEndian.PutUint32(k.scratch[:], uint32(v.w0>>32))
	binary.LittleEndian.PutUint64(k.scratch[4:], v.w1)
	return k.scratch[:v.len()]
}

// hashRows computes the rows' views as well as their hashes.
func (k *stringKey) hashRows(h []uint64, first bool) {
	rows := k.rows[:len(h)]
	for i := range rows {
		var x uint64
		if k.anyNull && k.arr.IsNull(i) {
			rows[i], x = nullView, nullHash
		} else {
			o, n := int(k.offs[i]), int(k.offs[i+1]-k.offs[i])
			rows[i] = viewAt(k.data, o, n)
			x = viewHash(rows[i], k.data[o:o+n])
		}
		if first {
			h[i] = x
		} else {
			h[i] = combine(h[i], x)
		}
	}
}

// equalView reports whether group g has value v (whose bytes are b).
func (k *stringKey) equalView(g int32, v strView, b []byte) bool {
	gv := k.views[g]
	if gv.w0 != v.w0 {
		return false
	}
	if !gv.long() {
		return gv.w1 == v.w1
	}
	return string(k.arena[gv.w1:gv.w1+uint64(len(b))]) == string(b)
}

func (k *stringKey) equalRow(g int32, row int) bool {
	v := k.rows[row]
	if v.long() {
		return k.equalView(g, v, k.rowBytes(row))
	}
	return k.views[g] == v
}

func (k *stringKey) setRow(g int32, row int) error {
	v := k.rows[row]
	if v.long() {
		k.setLong(g, v, k.rowBytes(row))
		return nil
	}
	k.views[g] = v
	return nil
}

func (k *stringKey) setLong(g int32, v strView, b []byte) {
	v.w1 = uint64(len(k.arena))
	k.arena = append(k.arena, b...)
	k.views[g] = v
}

func (k *stringKey) equalGroups(a, b int32) bool {
	if !k.views[b].long() {
		return k.views[a] == k.views[b]
	}
	return k.equalView(a, k.views[b], k.groupBytes(b))
}

func (k *stringKey) hashGroup(g int32) uint64 {
	v := k.views[g]
	if v.isNull() {
		return nullHash
	}
	return viewHash(v, k.groupBytes(g))
}

func (k *stringKey) release(g int32) {
	if v := k.views[g]; v.long() {
		k.garbage += v.len()
	}
	k.views[g] = strView{}
	if len(k.arena) > compactMin && k.garbage > len(k.arena)/2 {
		k.compact()
	}
}

// compact copies the live long values into a new arena.
func (k *stringKey) compact() {
	arena := make([]byte, 0, 2*(len(k.arena)-k.garbage))
	for g, v := range k.views {
		if v.long() {
			k.views[g].w1 = uint64(len(arena))
			arena = append(arena, k.arena[v.w1:v.w1+uint64(v.len())]...)
		}
	}
	k.arena, k.garbage = arena, 0
}

func (k *stringKey) grow(n int) { k.views = growTo(k.views, n) }

func (k *stringKey) appendTo(b array.Builder, g int32) {
	sb, ok := b.(*array.StringBuilder)
	if !ok || k.views[g].isNull() {
		b.AppendNull()
		return
	}
	sb.BinaryBuilder.Append(k.groupBytes(g))
}

func (k *stringKey) encode(e *encoder, g int32) {
	e.boolean(k.views[g].isNull())
	e.bytes(k.groupBytes(g))
}

func (k *stringKey) decode(d *decoder, g int32) error {
	null := d.boolean()
	b := d.bytes()
	if d.err != nil {
		return d.err
	}
	if null {
		k.views[g] = nullView
		return nil
	}
	if v := viewOf(b); v.long() {
		k.setLong(g, v, b)
	} else {
		k.views[g] = v
	}
	return nil
}
