package rng

import (
	"hash/fnv"
	"math/rand/v2"
)

// PCG returns the PCG source of the stream (master, name, index).
//
// The two 64-bit PCG seeds are obtained by passing the master seed, a
// 64-bit FNV-1a hash of the name and the index through the SplitMix64
// finaliser, which decorrelates nearby inputs (Steele, Lea & Flood 2014).
func PCG(master uint64, name string, index uint64) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	key := h.Sum64()

	s1 := mix(master ^ mix(key))
	s2 := mix(s1 ^ mix(index+0x9e3779b97f4a7c15))
	return rand.NewPCG(s1, mix(s2^key))
}

// New returns a generator reading the stream (master, name, index).
func New(master uint64, name string, index uint64) *rand.Rand {
	return rand.New(PCG(master, name, index))
}

// mix is the SplitMix64 output function.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
