package ring

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Bump is the binary bump ring of THEORY.md §2.11, an auxiliary model with
// an exact spectrum (not in the paper): N {0,1} units of which a block of
// L = 2·Eta+1 consecutive ones, the bump, sits at a uniformly random
// position, with zeros elsewhere. It is place-field-like data: the top
// modes of its covariance are the k = ±1 Fourier pair.
//
// The data are stored as *Spins with a set bit for a unit equal to 1.
type Bump struct {
	N   int
	Eta int // half-width η: the bump has 2η+1 ones
}

func init() {
	RegisterModel(ModelSpec{
		Name:     "bump",
		Order:    30,
		Usage:    "binary bump ring: a block of 2η+1 ones at a uniformly random position (THEORY.md §2.11)",
		Defaults: []Param{{"n", 20}, {"eta", 2}},
		New: func(p map[string]float64) (Model, error) {
			n, err := intParam(p, "n")
			if err != nil {
				return nil, err
			}
			eta, err := intParam(p, "eta")
			return Bump{N: n, Eta: eta}, err
		},
	})
}

// Validate returns an error unless Eta ≥ 0 and the bump, 2η+1 sites, is
// shorter than the ring (otherwise every unit is 1 and nothing varies).
func (m Bump) Validate() error {
	if m.Eta < 0 {
		return fmt.Errorf("ring: bump half-width η = %d must be ≥ 0", m.Eta)
	}
	if m.N < 2 || 2*m.Eta+1 >= m.N {
		return fmt.Errorf("ring: bump of 2η+1 = %d sites needs a longer ring than N = %d", 2*m.Eta+1, m.N)
	}
	return nil
}

// Name returns "bump".
func (m Bump) Name() string { return "bump" }

// Params returns n and eta.
func (m Bump) Params() []Param { return []Param{{"n", float64(m.N)}, {"eta", float64(m.Eta)}} }

// Sites returns N.
func (m Bump) Sites() int { return m.N }

// States returns 2: state 1 is a unit inside the bump.
func (m Bump) States() int { return 2 }

// Phi returns the mean activity φ = (2η+1)/N.
func (m Bump) Phi() float64 { return float64(2*m.Eta+1) / float64(m.N) }

// Encoding returns one feature per site, 0 or 1, with population mean φ
// and standard deviation √(φ(1−φ)), and the Covariance normalisation of
// THEORY.md §2.11.
func (m Bump) Encoding() Encoding {
	phi := m.Phi()
	return Encoding{Features: 1, Values: []float64{0, 1}, Mean: []float64{phi},
		SD: []float64{math.Sqrt(phi * (1 - phi))}, Normalisation: Covariance}
}

// Kernel writes the exact connected covariance
//
//	c(d) = P(x_i = x_{i+d} = 1) − φ²,
//	P(x_i = x_{i+d} = 1) = [max(0, L−δ) + max(0, L−N+δ)]/N,
//
// with L = 2η+1 and δ = min(d, N−d), for d = 0..N-1: of the N positions of
// the bump, L−δ cover both sites through the short arc between them and
// L−(N−δ) through the long one (an arc shorter than the ring cannot do
// both). Its spectrum is λ_0 = 0 and the squared Dirichlet kernel
// λ_k = [sin(πkL/N)/sin(πk/N)]²/N for k ≠ 0 (§2.11). A nil dst is
// allocated; a dst of another length than N panics.
func (m Bump) Kernel(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, m.N)
	}
	if len(dst) != m.N {
		panic("ring: destination length mismatch")
	}
	l, n := 2*m.Eta+1, m.N
	phi := m.Phi()
	for d := range dst {
		delta := min(d, n-d)
		both := max(0, l-delta) + max(0, l-n+delta)
		dst[d] = float64(both)/float64(n) - phi*phi
	}
	return dst
}

// NewData returns NewSpins(N, count).
func (m Bump) NewData(count int) Data { return NewSpins(m.N, count) }

// NewSampler returns the exact sampler: the bump's first site is uniform.
func (m Bump) NewSampler() DataSampler { return bumpSampler{m} }

// bumpSampler draws bump configurations.
type bumpSampler struct{ m Bump }

func (b bumpSampler) Sites() int { return b.m.N }

func (b bumpSampler) Draw(d Data, from, to int, rnd *rand.Rand) {
	x := asSpins(d)
	n, l := b.m.N, 2*b.m.Eta+1
	checkFill(x, n, from, to)
	for s := from; s < to; s++ {
		words := x.bits[s*x.stride : (s+1)*x.stride]
		clear(words)
		hi, _ := bits.Mul64(rnd.Uint64(), uint64(n))
		start := int(hi)
		for k := range l {
			i := start + k
			if i >= n {
				i -= n
			}
			words[i>>6] |= 1 << (uint(i) & 63)
		}
	}
}
