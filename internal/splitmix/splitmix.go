// Package splitmix is the random number stream of tide's generators
// (datagen, nexmark): splitmix64 seeded from a mix of a seed and the
// coordinates of what is generated (a row and a column, an event number),
// so that any value can be generated again, alone, after a restart, and
// never depends on batch boundaries or on what was generated before it.
package splitmix

import "math/bits"

// Stream is one value's random stream.
type Stream struct{ s uint64 }

// New returns the stream of cell (row, col) for seed.
func New(seed, row int64, col int) Stream {
	s := Mix64(uint64(seed)) ^ Mix64(uint64(row)+0x632BE59BD9B4E019) ^ Mix64(uint64(col)+0x8CB92BA72F3D8DD7)
	return Stream{s: s}
}

// Mix64 is splitmix64's finaliser: a bijection that scatters the bits of z.
func Mix64(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Next returns 64 random bits.
func (r *Stream) Next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	return Mix64(r.s)
}

// Intn returns a uniform value in [0, n); n must be > 0.
func (r *Stream) Intn(n uint64) uint64 {
	hi, _ := bits.Mul64(r.Next(), n)
	return hi
}

// Float returns a uniform value in [0, 1).
func (r *Stream) Float() float64 {
	return float64(r.Next()>>11) * 0x1p-53
}
