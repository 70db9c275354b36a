package window

import (
	"errors"
	"fmt"

	"github.com/tide-sql/tide/planner"
)

// Snapshot format: the magic "tagg", a version byte, a header describing
// the operator (window, key types, aggregate functions; Restore refuses a
// snapshot of a different aggregate), the watermark and counters, then the
// groups with their key values and accumulator states:
//
//	TUMBLE, HOP, running: panes × (start, groups × (changed, keys, accs))
//	SESSION: keys × (key values, sessions × (start, last, seq, changed, accs))
//
// Integers are varints, floats 8 bytes little-endian. Group ids are not
// stored: Restore allocates new ones, and nothing observable depends on
// them.
const (
	snapshotMagic   = "tagg"
	snapshotVersion = 1
)

// Snapshot encodes the operator's whole state. It is called after a
// barrier has passed, when no output is pending.
func (o *aggOp) Snapshot() ([]byte, error) {
	if o.snap != nil && !o.dirty {
		return o.snap, nil // nothing came since the last one (an idle epoch)
	}
	b, err := o.snapshot()
	if err == nil {
		o.snap, o.dirty = b, false
	}
	return b, err
}

func (o *aggOp) snapshot() ([]byte, error) {
	e := &encoder{buf: make([]byte, 0, 1024)}
	e.buf = append(e.buf, snapshotMagic...)
	e.u8(snapshotVersion)
	o.encodeHeader(e)
	e.boolean(o.hasWM)
	e.varint(o.wm)
	e.varint(o.late)
	e.varint(o.skipped)
	e.varint(o.sess.nextSeq)
	if o.kind == planner.WindowSession {
		o.encodeSessions(e)
	} else {
		o.encodePanes(e)
	}
	return e.buf, nil
}

// encodeHeader writes what must match for a snapshot to be restorable.
func (o *aggOp) encodeHeader(e *encoder) {
	e.u8(byte(o.kind))
	e.u8(byte(o.mode))
	e.varint(o.size)
	e.varint(o.slide)
	e.varint(o.gap)
	e.count(len(o.keyCols))
	for _, c := range o.keyCols {
		e.str(o.inTypes[c].String())
	}
	e.count(len(o.aggSig))
	for _, sig := range o.aggSig {
		e.str(sig)
	}
}

func (o *aggOp) encodeGroup(e *encoder, keyGroup, acc int32) {
	if keyGroup >= 0 {
		for _, k := range o.g.keys {
			k.encode(e, keyGroup)
		}
	}
	if acc >= 0 {
		e.boolean(o.g.stamp[acc] == o.epoch)
		for _, a := range o.g.accs {
			a.encode(e, acc)
		}
	}
}

func (o *aggOp) encodePanes(e *encoder) {
	panes := o.panes.order
	if o.kind == 0 {
		panes = []*pane{&o.keyPane}
	}
	e.count(len(panes))
	for _, p := range panes {
		e.varint(p.start)
		e.count(len(p.gids))
		for _, g := range p.gids {
			o.encodeGroup(e, g, g)
		}
	}
}

func (o *aggOp) encodeSessions(e *encoder) {
	ss := &o.sess
	var kids []int32
	for g := range o.g.n {
		if o.g.state[g] == groupKeyed {
			kids = append(kids, int32(g))
		}
	}
	e.count(len(kids))
	for _, k := range kids {
		o.encodeGroup(e, k, -1)
		e.count(len(ss.lists[k]))
		for _, s := range ss.lists[k] {
			e.varint(ss.start[s])
			e.varint(ss.last[s])
			e.varint(ss.seq[s])
			o.encodeGroup(e, -1, s)
		}
	}
}

// Restore replaces the state of a new, unused operator with a snapshot.
func (o *aggOp) Restore(state []byte) error {
	if o.g.n != 0 || o.hasWM {
		return errors.New("aggregate: restore into an operator that already has state")
	}
	if len(state) < len(snapshotMagic)+1 || string(state[:len(snapshotMagic)]) != snapshotMagic {
		return errors.New("aggregate: not an aggregate snapshot")
	}
	if v := state[len(snapshotMagic)]; v != snapshotVersion {
		return fmt.Errorf("aggregate: snapshot version %d is not supported (want %d)", v, snapshotVersion)
	}
	d := &decoder{buf: state[len(snapshotMagic)+1:]}
	want := &encoder{}
	o.encodeHeader(want)
	if len(d.buf) < len(want.buf) || string(d.buf[:len(want.buf)]) != string(want.buf) {
		return errors.New("aggregate: snapshot is of a different aggregate")
	}
	d.buf = d.buf[len(want.buf):]
	o.hasWM = d.boolean()
	o.wm = d.varint()
	o.late = d.varint()
	o.skipped = d.varint()
	o.sess.nextSeq = d.varint()
	var err error
	if o.kind == planner.WindowSession {
		err = o.decodeSessions(d)
	} else {
		err = o.decodePanes(d)
	}
	if err == nil && d.err == nil && len(d.buf) != 0 {
		err = errCorrupt
	}
	if err == nil {
		err = d.err
	}
	if err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	return nil
}

// decodeAccs reads a group's changed flag and accumulator states into g.
func (o *aggOp) decodeAccs(d *decoder, g int32) error {
	if d.boolean() {
		o.g.stamp[g] = o.epoch
		o.changed = append(o.changed, g)
	}
	for _, a := range o.g.accs {
		if err := a.decode(d, g); err != nil {
			return err
		}
	}
	return d.err
}

// decodeKeyed reads key values into a new keyed group of pane p and puts
// it in p's table.
func (o *aggOp) decodeKeyed(d *decoder, p *pane) (int32, error) {
	g := o.g.alloc(groupKeyed)
	for _, k := range o.g.keys {
		if k.decode(d, g) != nil {
			o.g.release(g)
			return -1, errCorrupt
		}
	}
	o.g.slot[g] = p.start
	o.g.keyHash[g] = o.g.hashGroupKey(g)
	if o.g.findLike(&p.tab, g) >= 0 { // the same group twice
		o.g.release(g)
		return -1, errCorrupt
	}
	p.tab.insert(o.g, o.g.keyHash[g], g)
	return g, nil
}

func (o *aggOp) decodePanes(d *decoder) error {
	for range d.count() {
		p := o.paneFor(d.varint())
		for range d.count() {
			g, err := o.decodeKeyed(d, p)
			if err != nil {
				return err
			}
			p.gids = append(p.gids, g)
			if err := o.decodeAccs(d, g); err != nil {
				return err
			}
		}
		if d.err != nil {
			return d.err
		}
	}
	return d.err
}

func (o *aggOp) decodeSessions(d *decoder) error {
	ss := &o.sess
	for range d.count() {
		kid, err := o.decodeKeyed(d, &o.keyPane)
		if err != nil {
			return err
		}
		for range d.count() {
			s := o.g.alloc(groupLoose)
			ss.start[s], ss.last[s], ss.seq[s], ss.kid[s] = d.varint(), d.varint(), d.varint(), kid
			if err := o.decodeAccs(d, s); err != nil {
				return err
			}
			ss.lists[kid] = append(ss.lists[kid], s)
			ss.pos[s] = int32(len(ss.live))
			ss.live = append(ss.live, s)
			if end := ss.last[s] + o.gap; len(ss.live) == 1 || end < ss.minEnd {
				ss.minEnd = end
			}
		}
		if d.err != nil {
			return d.err
		}
	}
	return d.err
}
