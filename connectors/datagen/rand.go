package datagen

import "math/bits"

// rowRand is the random stream of one cell: it depends only on the seed,
// the row number and the column, so any row can be generated again, alone,
// after a restart (splitmix64 over a mix of the three).
type rowRand struct{ s uint64 }

func newRowRand(seed, row int64, col int) rowRand {
	s := mix64(uint64(seed)) ^ mix64(uint64(row)+0x632BE59BD9B4E019) ^ mix64(uint64(col)+0x8CB92BA72F3D8DD7)
	return rowRand{s: s}
}

func mix64(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rowRand) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	return mix64(r.s)
}

// intn returns a uniform value in [0, n); n must be > 0.
func (r *rowRand) intn(n uint64) uint64 {
	hi, _ := bits.Mul64(r.next(), n)
	return hi
}

// float returns a uniform value in [0, 1).
func (r *rowRand) float() float64 {
	return float64(r.next()>>11) * 0x1p-53
}
