package parser

import "sort"

// Mapper maps offsets of a rewritten statement (the text TiDB parsed) back
// to positions in the user's original script. The dialect layer rewrites a
// few constructs (INTERVAL, CAST, SESSION, EMIT, WATERMARK) into forms TiDB
// accepts; each rewrite is a segment, and everything between them is copied.
type Mapper struct {
	src  string // the whole original script
	segs []segment
}

// segment says that rewritten bytes [to, to+toLen) came from original bytes
// [from, from+fromLen). Copied segments have equal lengths.
type segment struct {
	to, toLen     int
	from, fromLen int
}

// Pos returns the original position of rewritten offset off.
func (m *Mapper) Pos(off int) Pos {
	return PosAt(m.src, m.Offset(off))
}

// Offset returns the original byte offset of rewritten offset off.
func (m *Mapper) Offset(off int) int {
	if len(m.segs) == 0 {
		return off
	}
	i := sort.Search(len(m.segs), func(i int) bool { return m.segs[i].to+m.segs[i].toLen > off })
	if i == len(m.segs) {
		last := m.segs[len(m.segs)-1]
		return last.from + last.fromLen + (off - last.to - last.toLen)
	}
	s := m.segs[i]
	if off < s.to {
		return s.from
	}
	if s.toLen == s.fromLen {
		return s.from + (off - s.to)
	}
	return s.from
}

// edit replaces original bytes [start, end) with repl.
type edit struct {
	start, end int
	repl       string
}

// applyEdits rewrites src[from:to] with edits (which must lie inside it, not
// overlap, and come sorted by start) and returns the text and its Mapper.
func applyEdits(src string, from, to int, edits []edit) (string, *Mapper) {
	// An insertion (start == end) goes before a replacement at the same
	// offset: it opens a call around what the replacement begins.
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end < edits[j].end
	})
	m := &Mapper{src: src}
	var out []byte
	cur := from
	copySeg := func(a, b int) {
		if b <= a {
			return
		}
		m.segs = append(m.segs, segment{to: len(out), toLen: b - a, from: a, fromLen: b - a})
		out = append(out, src[a:b]...)
	}
	for _, e := range edits {
		copySeg(cur, e.start)
		m.segs = append(m.segs, segment{to: len(out), toLen: len(e.repl), from: e.start, fromLen: e.end - e.start})
		out = append(out, e.repl...)
		cur = e.end
	}
	copySeg(cur, to)
	return string(out), m
}
