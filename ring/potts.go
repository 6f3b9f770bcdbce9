package ring

import "fmt"

// MaxStates is the largest number of Potts states a Potts data set holds
// (one byte per site).
const MaxStates = 256

// Potts is a data set of S configurations of N Potts variables
// v_i ∈ {0, …, P−1}, one byte per site, configurations stored one after
// the other: S = 10⁶ configurations of N = 100 take 100 MB.
//
// The zero value is an empty set; use NewPotts to allocate.
type Potts struct {
	n, s, p int
	v       []uint8
}

// NewPotts returns a data set of s configurations of n sites with p
// states, all in state 0. It panics if n < 1, s < 0 or p is outside
// [2, MaxStates].
func NewPotts(n, s, p int) *Potts {
	if n < 1 || s < 0 || p < 2 || p > MaxStates {
		panic(fmt.Sprintf("ring: invalid Potts data set %d×%d with %d states", s, n, p))
	}
	return &Potts{n: n, s: s, p: p, v: make([]uint8, n*s)}
}

// Sites returns N.
func (d *Potts) Sites() int { return d.n }

// Len returns S.
func (d *Potts) Len() int { return d.s }

// States returns P.
func (d *Potts) States() int { return d.p }

// Bytes returns the memory held by the states.
func (d *Potts) Bytes() int { return len(d.v) }

// State returns v_i of configuration s.
func (d *Potts) State(s, i int) int {
	d.check(s, i)
	return int(d.v[s*d.n+i])
}

// Set sets v_i of configuration s. It panics unless 0 ≤ v < P.
func (d *Potts) Set(s, i, v int) {
	d.check(s, i)
	if v < 0 || v >= d.p {
		panic(fmt.Sprintf("ring: Potts state %d outside [0, %d)", v, d.p))
	}
	d.v[s*d.n+i] = uint8(v)
}

// Config returns configuration s. The slice aliases the data set: callers
// must not modify it (use SetRow).
func (d *Potts) Config(s int) []uint8 {
	d.check(s, 0)
	return d.v[s*d.n : (s+1)*d.n : (s+1)*d.n]
}

// SetRow sets configuration s from v. It panics if len(v) != N or a value
// is not in [0, P).
func (d *Potts) SetRow(s int, v []uint8) {
	if len(v) != d.n {
		panic("ring: row length mismatch")
	}
	d.check(s, 0)
	for _, x := range v {
		if int(x) >= d.p {
			panic(fmt.Sprintf("ring: Potts state %d outside [0, %d)", x, d.p))
		}
	}
	copy(d.v[s*d.n:], v)
}

// Slice returns the configurations from..to-1 as a new data set sharing no
// memory with d.
func (d *Potts) Slice(from, to int) *Potts {
	if from < 0 || to > d.s || from > to {
		panic(fmt.Sprintf("ring: slice [%d:%d] out of range for %d configurations", from, to, d.s))
	}
	out := NewPotts(d.n, to-from, d.p)
	copy(out.v, d.v[from*d.n:to*d.n])
	return out
}

func (d *Potts) check(s, i int) {
	if s < 0 || s >= d.s || i < 0 || i >= d.n {
		panic(fmt.Sprintf("ring: index (%d,%d) out of range for %d×%d data set", s, i, d.s, d.n))
	}
}

// asPotts returns d as a *Potts with p states and n sites, or panics.
func asPotts(d Data, n, p int) *Potts {
	x, ok := d.(*Potts)
	if !ok {
		panic(fmt.Sprintf("ring: Potts sampler given a %T", d))
	}
	if x.n != n || x.p != p {
		panic(fmt.Sprintf("ring: data set has %d sites and %d states, sampler has %d and %d", x.n, x.p, n, p))
	}
	return x
}
