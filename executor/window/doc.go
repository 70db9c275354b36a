// Package window implements tide's aggregate operator: GROUP BY over an
// event-time window (TUMBLE, HOP, SESSION) or over the whole stream (a
// running aggregate).
//
// The model: every input row is mapped to a group, a (slot, key) pair. For
// TUMBLE and HOP the slot is the row's pane, gcd(size, slide) wide, so a
// HOP row lands in exactly one pane however many windows overlap it; a
// running aggregate has one slot; SESSION maps the key alone to a key
// group that owns the key's open sessions. Each pane has its own
// open-addressing hash table from a vectorised hash of the key columns to
// a group id, and a group id indexes struct-of-arrays storage for the key
// values (short strings inline, long ones in an arena) and for every
// accumulator; freed ids are reused. Accumulators can merge, so a HOP
// window is the merge of its panes, emitted once per (window, key), and
// two sessions bridged by an out-of-order row become one. A watermark
// closes every window whose end it has reached: with EMIT ON WINDOW CLOSE
// each closed (window, key) row is emitted once, in window_end order,
// before the watermark is forwarded; with EMIT CHANGES a barrier emits the
// current row of every group the epoch changed. Closed state is freed at
// once (a pane's table is dropped whole), so state is proportional to the
// open windows, never to the length of the stream.
package window
