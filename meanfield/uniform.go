package meanfield

import (
	"fmt"
	"math"
)

// Uniform is the uniform fixed point of the small-β dynamics on a ring of
// length L and its pattern-formation (Turing) analysis (THEORY.md §5.5;
// the paper's appendix, eqs A1–A12, case PAPER-UNIFORM-FP).
type Uniform struct {
	L float64 // ring length (sites)
	// W = √(2/(L−1)) and B = L·W² = 2L/(L−1), from 2 − b + w² = 0 (A2).
	W, B float64
	// The activator–inhibitor matrix of eq A4,
	//
	//	𝒜 = [[f_w, f_b], [g_w, g_b]] = [[2 + 3w² − b, −w], [8Lw³, 4(1 − b)]],
	//
	// its trace −4L/(L−1) and determinant 16/(L−1) (A5–A6).
	Fw, Fb, Gw, Gb float64
	Trace, Det     float64
}

// UniformFixedPoint returns the uniform fixed point on a ring of length
// l > 1.
func UniformFixedPoint(l float64) (Uniform, error) {
	if !(l > 1) || math.IsInf(l, 0) {
		return Uniform{}, fmt.Errorf("meanfield: ring length %v must be finite and > 1", l)
	}
	w := math.Sqrt(2 / (l - 1))
	b := l * w * w
	u := Uniform{L: l, W: w, B: b, Fw: 2 + 3*w*w - b, Fb: -w, Gw: 8 * l * w * w * w, Gb: 4 * (1 - b)}
	u.Trace = u.Fw + u.Gb
	u.Det = u.Fw*u.Gb - u.Fb*u.Gw
	return u, nil
}

// HomogeneousStable reports tr 𝒜 < 0 and det 𝒜 > 0 (A5–A6): the uniform
// state is stable against uniform perturbations (true for every L > 1).
func (u Uniform) HomogeneousStable() bool { return u.Trace < 0 && u.Det > 0 }

// TuringUnstable reports the conditions A10–A11 for an inhibitor of
// relative diffusion d: d f_w + g_b > 0 and (d f_w + g_b)² − 4d det 𝒜 > 0.
// As d → ∞ (the global inhibitor b) both reduce to f_w = 4/(L−1) > 0 (A12).
func (u Uniform) TuringUnstable(d float64) bool {
	a := d*u.Fw + u.Gb
	return a > 0 && a*a-4*d*u.Det > 0
}

// ContinuumRate returns the growth rate of a non-uniform perturbation of
// wavenumber k ≠ 0 on the continuum, σ(k) = 4/(L−1) − k² (THEORY.md §5.5:
// b is unchanged at linear order). For k = 0 it returns −4, the decay of a
// uniform perturbation.
func (u Uniform) ContinuumRate(k float64) float64 {
	if k == 0 {
		return -4
	}
	return 4/(u.L-1) - k*k
}

// LatticeRate returns the growth rate of lattice mode n on a ring of N = L
// sites, σ_n = 2cos(2πn/N) − 2 + 4/(N−1) for n ≠ 0 mod N, and −4 for the
// uniform mode.
func (u Uniform) LatticeRate(n int) float64 {
	nn := int(math.Round(u.L))
	if n%nn == 0 {
		return -4
	}
	return 2*math.Cos(2*math.Pi*float64(n)/u.L) - 2 + 4/(u.L-1)
}

// UnstableModes returns the lattice modes n = 1..⌊N/2⌋ with a positive
// growth rate: n = 1, 2, 3 at N = 100 (rates 0.03646, 0.02463, 0.00498).
func (u Uniform) UnstableModes() []int {
	var out []int
	for n := 1; 2*n <= int(math.Round(u.L)); n++ {
		if u.LatticeRate(n) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// MaxUnstableWavenumber returns √(4/(L−1)), the continuum band edge: modes
// with 0 < k² < 4/(L−1) grow.
func (u Uniform) MaxUnstableWavenumber() float64 { return math.Sqrt(4 / (u.L - 1)) }
