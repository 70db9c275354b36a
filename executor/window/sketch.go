package window

import (
	"math"
)

// Sketch parameters: relative accuracy sketchAlpha, so buckets grow by
// sketchGamma = (1+α)/(1-α), and at most sketchMaxBuckets buckets per sign,
// which span 18 decades. Beyond that the buckets nearest zero are folded
// together, so only the smallest magnitudes lose accuracy.
const (
	sketchAlpha      = 0.01
	sketchMaxBuckets = 2048
	sketchTiny       = 1e-300 // magnitudes below this count as zero
)

var (
	sketchGamma    = (1 + sketchAlpha) / (1 - sketchAlpha)
	sketchLogGamma = math.Log(sketchGamma)
)

// sketch is a mergeable quantile sketch with bounded memory: a histogram
// over logarithmically spaced buckets. Bucket i holds the magnitudes in
// (γ^(i-1), γ^i]; every value in it is within relative error α of the
// bucket's representative 2γ^i/(γ+1), so quantiles are too. Two sketches
// merge by adding bucket counts, which is what HOP panes and sessions need.
type sketch struct {
	pos, neg logBuckets
	zero     uint64
	n        uint64
	min, max float64
}

// logBuckets are the counts of buckets off..off+len(counts)-1.
type logBuckets struct {
	off    int32
	counts []uint64
}

func (s *sketch) reset() {
	s.pos.counts, s.neg.counts = s.pos.counts[:0], s.neg.counts[:0]
	s.zero, s.n, s.min, s.max = 0, 0, 0, 0
}

func bucketOf(mag float64) int32 {
	return int32(math.Ceil(math.Log(mag) / sketchLogGamma))
}

func bucketValue(i int32) float64 {
	return 2 * math.Exp(float64(i)*sketchLogGamma) / (sketchGamma + 1)
}

// add counts value v (NaN is ignored).
func (s *sketch) add(v float64) {
	if math.IsNaN(v) {
		return
	}
	if s.n == 0 || v < s.min {
		s.min = v
	}
	if s.n == 0 || v > s.max {
		s.max = v
	}
	s.n++
	switch {
	case v > sketchTiny:
		s.pos.add(bucketOf(v), 1)
	case v < -sketchTiny:
		s.neg.add(bucketOf(-v), 1)
	default:
		s.zero++
	}
}

// add adds c to bucket i, widening (and if need be folding) the range.
func (b *logBuckets) add(i int32, c uint64) {
	if len(b.counts) == 0 {
		b.off = i
		b.counts = append(b.counts, c)
		return
	}
	lo, hi := b.off, b.off+int32(len(b.counts))-1
	if i >= lo && i <= hi {
		b.counts[i-lo] += c
		return
	}
	newLo, newHi := min(lo, i), max(hi, i)
	if i < lo {
		// Leave room below, so that a falling sequence does not copy the
		// buckets once per new bucket.
		newLo -= int32(len(b.counts) / 2)
	}
	if newHi-newLo+1 > sketchMaxBuckets {
		// Fold an extra eighth, so that a rising sequence folds once per
		// sketchMaxBuckets/8 new buckets, not on every one.
		newLo = newHi - sketchMaxBuckets + 1 + sketchMaxBuckets/8
	}
	b.reshape(newLo, newHi)
	b.counts[max(i, newLo)-newLo] += c
}

// reshape makes the range [lo, hi], folding buckets below lo into lo.
func (b *logBuckets) reshape(lo, hi int32) {
	if lo == b.off {
		// Growing upwards only: append keeps capacity amortised.
		for int32(len(b.counts)) < hi-lo+1 {
			b.counts = append(b.counts, 0)
		}
		return
	}
	counts := make([]uint64, hi-lo+1)
	for j, c := range b.counts {
		k := b.off + int32(j)
		counts[max(k, lo)-lo] += c
	}
	b.off, b.counts = lo, counts
}

// merge adds o's counts to s.
func (s *sketch) merge(o *sketch) {
	if o.n == 0 {
		return
	}
	if s.n == 0 || o.min < s.min {
		s.min = o.min
	}
	if s.n == 0 || o.max > s.max {
		s.max = o.max
	}
	s.n += o.n
	s.zero += o.zero
	s.pos.merge(&o.pos)
	s.neg.merge(&o.neg)
}

func (b *logBuckets) merge(o *logBuckets) {
	if len(o.counts) == 0 {
		return
	}
	// Widen once to cover both ranges, then add bucket by bucket.
	oHi := o.off + int32(len(o.counts)) - 1
	b.add(o.off, 0)
	b.add(oHi, 0)
	for j, c := range o.counts {
		if c != 0 {
			b.add(o.off+int32(j), c)
		}
	}
}

// quantile returns the value at quantile q (0..1): the element of rank
// floor(q·(n-1)) in sorted order, within relative error α.
func (s *sketch) quantile(q float64) float64 {
	if s.n == 0 {
		return math.NaN()
	}
	rank := uint64(q * float64(s.n-1))
	switch rank {
	case 0:
		return s.min
	case s.n - 1:
		return s.max
	}
	var seen uint64
	// Negative values, most negative (highest bucket) first.
	for j := len(s.neg.counts) - 1; j >= 0; j-- {
		seen += s.neg.counts[j]
		if seen > rank {
			return s.clamp(-bucketValue(s.neg.off + int32(j)))
		}
	}
	seen += s.zero
	if seen > rank {
		return s.clamp(0)
	}
	for j, c := range s.pos.counts {
		seen += c
		if seen > rank {
			return s.clamp(bucketValue(s.pos.off + int32(j)))
		}
	}
	return s.max
}

// clamp keeps an estimate inside the exact range seen.
func (s *sketch) clamp(v float64) float64 {
	return min(max(v, s.min), s.max)
}

func (s *sketch) encode(e *encoder) {
	e.uvarint(s.n)
	if s.n == 0 {
		return
	}
	e.uvarint(s.zero)
	e.f64(s.min)
	e.f64(s.max)
	for _, b := range []*logBuckets{&s.pos, &s.neg} {
		e.varint(int64(b.off))
		e.count(len(b.counts))
		for _, c := range b.counts {
			e.uvarint(c)
		}
	}
}

func (s *sketch) decode(d *decoder) error {
	s.reset()
	if s.n = d.uvarint(); s.n == 0 {
		return d.err
	}
	s.zero = d.uvarint()
	s.min, s.max = d.f64(), d.f64()
	for _, b := range []*logBuckets{&s.pos, &s.neg} {
		b.off = int32(d.varint())
		n := d.count()
		if n > sketchMaxBuckets {
			d.fail()
		}
		for range n {
			if d.err != nil {
				break
			}
			b.counts = append(b.counts, d.uvarint())
		}
	}
	return d.err
}
