package ring

import "fmt"

// Spins is a data set of S configurations of N ±1 spins, stored one bit per
// spin: bit i%64 of word i/64 of a configuration is set iff v_i = +1. Each
// configuration occupies ⌈N/64⌉ words, so S = 10⁶ configurations of N = 100
// take 16 MB.
//
// The zero value is an empty set of zero sites; use NewSpins to allocate.
type Spins struct {
	n, s   int
	stride int
	bits   []uint64
}

// NewSpins returns a data set of s configurations of n spins, all -1.
// It panics if n < 1 or s < 0.
func NewSpins(n, s int) *Spins {
	if n < 1 || s < 0 {
		panic(fmt.Sprintf("ring: invalid data set size %d×%d", s, n))
	}
	stride := (n + 63) / 64
	return &Spins{n: n, s: s, stride: stride, bits: make([]uint64, s*stride)}
}

// Sites returns N, the number of spins per configuration.
func (d *Spins) Sites() int { return d.n }

// Len returns S, the number of configurations.
func (d *Spins) Len() int { return d.s }

// Stride returns the number of 64-bit words per configuration, ⌈N/64⌉.
func (d *Spins) Stride() int { return d.stride }

// Bytes returns the memory held by the packed spins.
func (d *Spins) Bytes() int { return 8 * len(d.bits) }

// States returns 2. It makes *Spins a Data.
func (d *Spins) States() int { return 2 }

// State returns 1 if bit i of configuration s is set (v_i = +1, or a
// {0,1} unit equal to 1) and 0 otherwise.
func (d *Spins) State(s, i int) int {
	d.check(s, i)
	return int(d.bits[s*d.stride+i>>6] >> (uint(i) & 63) & 1)
}

// SetState sets bit i of configuration s to state, 0 or 1. It panics for
// other values.
func (d *Spins) SetState(s, i, state int) {
	switch state {
	case 0:
		d.Set(s, i, -1)
	case 1:
		d.Set(s, i, 1)
	default:
		panic(fmt.Sprintf("ring: state %d of a two-state site is not 0 or 1", state))
	}
}

// At returns v_i of configuration s, as +1 or -1.
func (d *Spins) At(s, i int) int8 {
	d.check(s, i)
	w := d.bits[s*d.stride+i>>6]
	return int8(2*int((w>>(uint(i)&63))&1) - 1)
}

// Set sets v_i of configuration s. It panics unless v is +1 or -1.
func (d *Spins) Set(s, i int, v int8) {
	d.check(s, i)
	k := s*d.stride + i>>6
	bit := uint64(1) << (uint(i) & 63)
	switch v {
	case 1:
		d.bits[k] |= bit
	case -1:
		d.bits[k] &^= bit
	default:
		panic(fmt.Sprintf("ring: spin value %d is not ±1", v))
	}
}

// Row writes configuration s into dst as ±1 float64 values and returns dst.
// A nil dst is allocated; a dst of another length than N panics.
func (d *Spins) Row(s int, dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, d.n)
	}
	if len(dst) != d.n {
		panic("ring: destination length mismatch")
	}
	d.check(s, 0)
	words := d.bits[s*d.stride : (s+1)*d.stride]
	for i := range dst {
		dst[i] = float64(2*int((words[i>>6]>>(uint(i)&63))&1) - 1)
	}
	return dst
}

// RowInt8 is Row with int8 values.
func (d *Spins) RowInt8(s int, dst []int8) []int8 {
	if dst == nil {
		dst = make([]int8, d.n)
	}
	if len(dst) != d.n {
		panic("ring: destination length mismatch")
	}
	d.check(s, 0)
	words := d.bits[s*d.stride : (s+1)*d.stride]
	for i := range dst {
		dst[i] = int8(2*int((words[i>>6]>>(uint(i)&63))&1) - 1)
	}
	return dst
}

// SetRow sets configuration s from the ±1 values in v. It panics if
// len(v) != N or a value is not ±1.
func (d *Spins) SetRow(s int, v []int8) {
	if len(v) != d.n {
		panic("ring: row length mismatch")
	}
	d.check(s, 0)
	words := d.bits[s*d.stride : (s+1)*d.stride]
	clear(words)
	for i, x := range v {
		switch x {
		case 1:
			words[i>>6] |= 1 << (uint(i) & 63)
		case -1:
		default:
			panic(fmt.Sprintf("ring: spin value %d is not ±1", x))
		}
	}
}

// Packed returns the packed words of configuration s. The slice aliases the
// data set: callers must not modify it, and bits at positions ≥ N are zero.
func (d *Spins) Packed(s int) []uint64 {
	d.check(s, 0)
	return d.bits[s*d.stride : (s+1)*d.stride : (s+1)*d.stride]
}

// Slice returns the configurations from..to-1 as a new data set sharing no
// memory with d.
func (d *Spins) Slice(from, to int) *Spins {
	if from < 0 || to > d.s || from > to {
		panic(fmt.Sprintf("ring: slice [%d:%d] out of range for %d configurations", from, to, d.s))
	}
	out := NewSpins(d.n, to-from)
	copy(out.bits, d.bits[from*d.stride:to*d.stride])
	return out
}

func (d *Spins) check(s, i int) {
	if s < 0 || s >= d.s || i < 0 || i >= d.n {
		panic(fmt.Sprintf("ring: index (%d,%d) out of range for %d×%d data set", s, i, d.s, d.n))
	}
}
