package window

import (
	"hash/maphash"
	"math"
	"math/bits"
)

// hashSeed starts every key hash; nullHash stands for a NULL key value.
const (
	hashSeed = 0x243f6a8885a308d3
	nullHash = 0x13198a2e03707344
)

// strSeed seeds string hashing. Hashes never leave the process (a snapshot
// stores key values, not hashes), so a random seed is fine.
var strSeed = maphash.MakeSeed()

// mix64 is a 64-bit finaliser (splitmix64): every input bit affects every
// output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// mum hashes two words with one 64×64→128-bit multiply, folding the halves
// (the core of wyhash): cheaper than two mix64 rounds and as good for a
// table index.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db)
	return hi ^ lo
}

// combine folds the hash of one more key column into h.
func combine(h, v uint64) uint64 {
	return mix64(bits.RotateLeft64(h, 23) ^ v)
}

// tableHash is the hash of group (key, slot) in the group table.
func tableHash(keyHash uint64, slot int64) uint64 {
	return mix64(keyHash ^ uint64(slot)*0x9e3779b97f4a7c15)
}

// hashBytes hashes a string key value.
func hashBytes(b []byte) uint64 {
	return maphash.Bytes(strSeed, b)
}

// floatBits maps a float64 to bits such that values SQL considers equal
// (0 and -0; every NaN) have equal bits.
func floatBits(f float64) uint64 {
	if f == 0 {
		return 0
	}
	if f != f {
		return 0x7ff8000000000001
	}
	return math.Float64bits(f)
}
