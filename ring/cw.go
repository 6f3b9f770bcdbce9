package ring

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// CurieWeiss is the mean-field (Curie–Weiss) model of N ±1 spins, an
// auxiliary model with an exact spectrum (THEORY.md §2.11, not in the
// paper):
//
//	p(s) ∝ exp(βJ (Σ_i s_i)²/(2N)).
//
// Every pair of spins has the same correlation c, so its correlation
// matrix (1−c)I + c11ᵀ is circulant: a rank-one spike λ_0 = ⟨M²⟩/N =
// 1 + (N−1)c on the uniform mode over a flat bulk 1−c. As N → ∞ with
// βJ < 1, λ_0 → 1/(1−βJ). It is stored as *Spins.
type CurieWeiss struct {
	N     int
	BetaJ float64
}

func init() {
	RegisterModel(ModelSpec{
		Name:     "curieweiss",
		Order:    40,
		Usage:    "Curie–Weiss spins, p(s) ∝ exp(βJ (Σ s_i)²/(2N)) (THEORY.md §2.11)",
		Defaults: []Param{{"n", 400}, {"betaj", 0.5}},
		New: func(p map[string]float64) (Model, error) {
			n, err := intParam(p, "n")
			return CurieWeiss{N: n, BetaJ: p["betaj"]}, err
		},
	})
}

// Validate returns an error unless N ≥ 2 and BetaJ is finite.
func (m CurieWeiss) Validate() error {
	if m.N < 2 {
		return fmt.Errorf("ring: Curie–Weiss model needs N ≥ 2 spins, have N = %d", m.N)
	}
	if math.IsNaN(m.BetaJ) || math.IsInf(m.BetaJ, 0) {
		return fmt.Errorf("ring: Curie–Weiss coupling βJ = %v must be finite", m.BetaJ)
	}
	return nil
}

// Name returns "curieweiss".
func (m CurieWeiss) Name() string { return "curieweiss" }

// Params returns n and betaj.
func (m CurieWeiss) Params() []Param { return []Param{{"n", float64(m.N)}, {"betaj", m.BetaJ}} }

// Sites returns N.
func (m CurieWeiss) Sites() int { return m.N }

// States returns 2: state 0 is s = −1, state 1 is s = +1.
func (m CurieWeiss) States() int { return 2 }

// logWeights returns ln P(k) up to a constant for k = 0..N spins up, the
// magnetisation being M = 2k − N: ln C(N, k) + βJ M²/(2N).
func (m CurieWeiss) logWeights() []float64 {
	w := make([]float64, m.N+1)
	ln, _ := math.Lgamma(float64(m.N + 1))
	for k := range w {
		lk, _ := math.Lgamma(float64(k + 1))
		lnk, _ := math.Lgamma(float64(m.N - k + 1))
		x := float64(2*k - m.N)
		w[k] = ln - lk - lnk + m.BetaJ*x*x/(2*float64(m.N))
	}
	return w
}

// SecondMoment returns the exact ⟨M²⟩ of the total magnetisation
// M = Σ_i s_i, a binomial sum over M evaluated in log space (§2.11).
func (m CurieWeiss) SecondMoment() float64 {
	w := m.logWeights()
	top := math.Inf(-1)
	for _, x := range w {
		top = math.Max(top, x)
	}
	var z, m2 float64
	for k, x := range w {
		p := math.Exp(x - top)
		z += p
		mk := float64(2*k - m.N)
		m2 += p * mk * mk
	}
	return m2 / z
}

// PairCorrelation returns c = ⟨s_i s_j⟩, i ≠ j: (⟨M²⟩ − N)/(N(N−1)).
func (m CurieWeiss) PairCorrelation() float64 {
	n := float64(m.N)
	return (m.SecondMoment() - n) / (n * (n - 1))
}

// Encoding returns one ±1 feature per site with mean 0 (by the s → −s
// symmetry) and standard deviation 1, under SecondMoment.
func (m CurieWeiss) Encoding() Encoding {
	return Encoding{Features: 1, Values: []float64{-1, 1}, Mean: []float64{0}, SD: []float64{1},
		Normalisation: SecondMoment}
}

// Kernel writes C(0) = 1 and C(d) = c for d = 1..N-1. A nil dst is
// allocated; a dst of another length than N panics.
func (m CurieWeiss) Kernel(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, m.N)
	}
	if len(dst) != m.N {
		panic("ring: destination length mismatch")
	}
	c := m.PairCorrelation()
	for d := range dst {
		dst[d] = c
	}
	dst[0] = 1
	return dst
}

// NewData returns NewSpins(N, count).
func (m CurieWeiss) NewData(count int) Data { return NewSpins(m.N, count) }

// NewSampler returns the exact sampler: the number of up spins k is drawn
// from its exact law ∝ C(N, k) exp(βJ (2k−N)²/(2N)), then the k up spins
// are placed uniformly at random (a partial Fisher–Yates shuffle). It
// panics if m is invalid.
func (m CurieWeiss) NewSampler() DataSampler {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	w := m.logWeights()
	top := math.Inf(-1)
	for _, x := range w {
		top = math.Max(top, x)
	}
	cum := make([]float64, len(w))
	var z float64
	for k, x := range w {
		z += math.Exp(x - top)
		cum[k] = z
	}
	for k := range cum {
		cum[k] /= z
	}
	return cwSampler{n: m.N, cum: cum}
}

type cwSampler struct {
	n   int
	cum []float64 // cumulative law of the number of up spins
}

func (c cwSampler) Sites() int { return c.n }

func (c cwSampler) Draw(d Data, from, to int, rnd *rand.Rand) {
	x := asSpins(d)
	checkFill(x, c.n, from, to)
	perm := make([]int, c.n)
	for s := from; s < to; s++ {
		u := rnd.Float64()
		k := 0
		for k < c.n && c.cum[k] <= u {
			k++
		}
		for i := range perm {
			perm[i] = i
		}
		words := x.bits[s*x.stride : (s+1)*x.stride]
		clear(words)
		for i := range k {
			hi, _ := bits.Mul64(rnd.Uint64(), uint64(c.n-i))
			j := i + int(hi)
			perm[i], perm[j] = perm[j], perm[i]
			words[perm[i]>>6] |= 1 << (uint(perm[i]) & 63)
		}
	}
}

// MeanFieldMagnetisation returns the largest solution m of the mean-field
// equation m = tanh(βJ m + h) (THEORY.md §2.11), by bisection on
// [0, 1] for h ≥ 0 (on [−1, 0] for h < 0, returning the solution of the
// sign of h); at h = 0 it is 0 for βJ ≤ 1 and the positive root otherwise
// (case CW-3: βJ = 1.5 gives 0.8585596366).
func MeanFieldMagnetisation(betaJ, h float64) float64 {
	if h < 0 {
		return -MeanFieldMagnetisation(betaJ, -h)
	}
	f := func(x float64) float64 { return math.Tanh(betaJ*x+h) - x }
	if h == 0 && betaJ <= 1 {
		return 0
	}
	// f(1) < 0 always; f > 0 just above 0 (h > 0, or βJ > 1).
	lo, hi := 0.0, 1.0
	if h == 0 {
		lo = 1e-300
	}
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if f(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
