package spectral

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"slices"
)

// Spike returns the limit of the sample eigenvalue that a population spike
// ℓ = σ²(1+l) on the flat bulk σ² produces, and the limit of the squared
// overlap of its eigenvector with the spike direction, as D, S → ∞ at
// γ = D/S (Baik, Ben Arous & Péché 2005; Paul 2007; THEORY.md §3.4):
//
//	l > √γ:           x = σ²(1+l)(1+γ/l) > λ₊,   overlap² = (1 − γ/l²)/(1 + γ/l)
//	−1 < l < −√γ:     the same formulas, an outlier below λ₋ (needs γ < 1)
//	otherwise:        x sticks to the bulk edge (λ₊ for l ≥ 0, λ₋ for l < 0),
//	                  overlap² = 0, outlier false
//
// An m-fold degenerate spike (the cos/sin pair of a ring, m = 2) gives m
// outliers at the same x, and the squared norm of the projection of each
// outlier eigenvector on the m-dimensional spike eigenspace tends to the
// same overlap² (Benaych-Georges & Nadakuditi 2011; §3.5); its projection
// on any one direction of that space is random. Example: l = 1, γ = 1/4
// gives x = 2.5 and overlap² = 0.6. NaN l, or l ≤ −1, gives NaNs.
func (m MarchenkoPastur) Spike(l float64) (x, overlap2 float64, outlier bool) {
	if !m.valid() || !(l > -1) {
		return math.NaN(), math.NaN(), false
	}
	g := m.Gamma
	if l*l > g && !math.IsInf(l, 1) {
		return m.Sigma2 * (1 + l) * (1 + g/l), (1 - g/(l*l)) / (1 + g/l), true
	}
	if math.IsInf(l, 1) {
		return math.Inf(1), 1, true
	}
	lo, hi := m.Edges()
	if l < 0 {
		return lo, 0, false
	}
	return hi, 0, false
}

// BBPCriticalSamples returns the BBP critical sample size of a spike of
// relative size l in dimension d, S_c = D/l² (γ_c = l², THEORY.md §3.4):
// below it the spike is undetectable. In terms of the spike eigenvalue
// ℓ = σ²(1+l), S_c = Dσ⁴/(ℓ−σ²)². l = 0 gives +Inf.
func BBPCriticalSamples(d int, l float64) float64 { return float64(d) / (l * l) }

// GeneralizedMP is the limiting law of the eigenvalues of a sample
// covariance matrix whose population spectrum is H = Σ_k w_k δ(t − t_k),
// at aspect ratio γ = D/S (Silverstein & Choi 1995; Bai & Yao 2012;
// THEORY.md §3.6–3.7). For ring data H is the finite set of exact
// population eigenvalues with equal weights, so that γ∫f dH = (1/S)Σ_k f(t_k).
//
// The population eigenvalues must be finite and ≥ 0 and γ positive; the
// methods panic otherwise.
type GeneralizedMP struct {
	// T holds the population eigenvalues t_k.
	T []float64
	// W holds their weights w_k, summing to 1; nil means 1/len(T) each.
	W []float64
	// Gamma is γ = D/S.
	Gamma float64
}

func (g GeneralizedMP) check() {
	if len(g.T) == 0 || !(g.Gamma > 0) || math.IsInf(g.Gamma, 1) {
		panic(fmt.Sprintf("spectral: generalized Marchenko–Pastur law needs eigenvalues and γ > 0, have %d and %v", len(g.T), g.Gamma))
	}
	if g.W != nil && len(g.W) != len(g.T) {
		panic("spectral: weights and eigenvalues differ in length")
	}
	for _, t := range g.T {
		if !(t >= 0) || math.IsInf(t, 1) {
			panic(fmt.Sprintf("spectral: population eigenvalue %v is not finite and ≥ 0", t))
		}
	}
}

func (g GeneralizedMP) weight(k int) float64 {
	if g.W == nil {
		return 1 / float64(len(g.T))
	}
	return g.W[k]
}

// Psi returns
//
//	ψ(ℓ) = ℓ + γ ℓ ∫ t dH(t)/(ℓ − t),
//
// the limiting location of the sample eigenvalue produced by a population
// spike ℓ outside the support of H when ψ'(ℓ) > 0 (Bai & Yao 2012). For
// H = δ_σ² it is the BBP location of Spike.
func (g GeneralizedMP) Psi(l float64) float64 {
	g.check()
	var s float64
	for k, t := range g.T {
		s += g.weight(k) * t / (l - t)
	}
	return l + g.Gamma*l*s
}

// PsiPrime returns ψ'(ℓ) = 1 − γ ∫ t² dH(t)/(ℓ − t)².
func (g GeneralizedMP) PsiPrime(l float64) float64 {
	g.check()
	var s float64
	for k, t := range g.T {
		s += g.weight(k) * t * t / ((l - t) * (l - t))
	}
	return 1 - g.Gamma*s
}

// Outlier returns the limiting location ψ(ℓ) of the sample eigenvalue of
// a population spike ℓ outside the support of H and the squared overlap
// ℓ ψ'(ℓ)/ψ(ℓ) of its eigenvector with the spike direction, and whether
// the spike separates from the bulk, ψ'(ℓ) > 0 (THEORY.md §3.6). When it
// does not, x is NaN and the overlap 0. It panics if ℓ is inside
// [min t_k, max t_k].
func (g GeneralizedMP) Outlier(l float64) (x, overlap2 float64, outlier bool) {
	g.check()
	if l >= slices.Min(g.T) && l <= slices.Max(g.T) {
		panic(fmt.Sprintf("spectral: spike %v inside the population bulk [%v, %v]", l, slices.Min(g.T), slices.Max(g.T)))
	}
	d := g.PsiPrime(l)
	if !(d > 0) {
		return math.NaN(), 0, false
	}
	x = g.Psi(l)
	return x, l * d / x, true
}

// RightEdge returns the right edge x₊ = ψ(ℓ*) of the limiting sample
// spectrum and the critical point ℓ* > max t_k, the root of ψ'(ℓ*) = 0
// (THEORY.md §3.6, §3.11). Above max t_k, ψ' increases from −∞ to 1, so
// ℓ* is bracketed by max t_k and max t_k(1+√γ), where ψ' ≥ 0, and found by
// bisection to rounding. For H = δ_σ², x₊ = σ²(1+√γ)². When every t_k is
// zero, x₊ = 0.
func (g GeneralizedMP) RightEdge() (x, lstar float64) {
	g.check()
	tmax := slices.Max(g.T)
	if tmax == 0 {
		return 0, 0
	}

	// Bisect on the gap δ = ℓ − t_max, geometrically while the bracket
	// spans orders of magnitude, so tiny gaps (large S) resolve too.
	lo, hi := 0.0, tmax*math.Sqrt(g.Gamma)*(1+1e-12)+math.SmallestNonzeroFloat64
	for range 2000 {
		mid := (lo + hi) / 2
		if lo > 0 && hi/lo > 4 {
			mid = math.Sqrt(lo * hi)
		} else if lo == 0 {
			mid = hi / 16
		}
		if mid <= lo || mid >= hi {
			break
		}
		if g.PsiPrime(tmax+mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	lstar = tmax + hi
	return g.Psi(lstar), lstar
}

// EdgeWeight returns the predicted squared projection, on the population
// eigenvectors of the eigenvalues listed by index in group, of a sample
// eigenvector at the right edge x₊ of the bulk:
//
//	f_G = γ Σ_{k∈G} w_k t_k ℓ*² / (x₊ (ℓ* − t_k)²),
//
// the Ledoit–Péché (2011) eigenvector overlap γ t x / |t(1−γ−γ x m(x)) − x|²
// evaluated at x₊, where the Stieltjes transform is real and equals
// m̲ = −1/ℓ* for the companion matrix. [derived here] Summed over all k it
// is 1, by ψ'(ℓ*) = 0 and the definition of ψ. This is the smooth
// prediction, for a population spectrum with no separated spike, of the
// weight of the top sample eigenvector on a group of population modes
// (THEORY.md §3.11: the low-wavenumber band or the uniform mode of the
// Ising ring); as S → ∞ the group containing max t_k takes all the weight.
// It panics if an index is out of range.
func (g GeneralizedMP) EdgeWeight(group []int) float64 {
	x, l := g.RightEdge()
	if x == 0 {
		return 0
	}
	var s float64
	for _, k := range group {
		t := g.T[k]
		s += g.weight(k) * t * l * l / ((l - t) * (l - t))
	}
	return g.Gamma * s / x
}

// ErrNoConvergence is returned when the Silverstein equation cannot be
// solved at a point.
var ErrNoConvergence = errors.New("spectral: Silverstein equation did not converge")

// Stieltjes returns the companion Stieltjes transform m̲(z), Im m̲ > 0 for
// Im z > 0, the solution of the Silverstein equation (Silverstein & Choi
// 1995; THEORY.md §3.7)
//
//	z = −1/m̲ + γ ∫ t dH(t)/(1 + t m̲).
//
// It starts from the fixed-point map m̲ ← −1/(z − γ∫t dH/(1+t m̲)), which
// keeps the upper half plane, at a distance from the real axis where it
// contracts fast, then follows the root towards z by Newton's method while
// halving that distance. It panics if Im z ≤ 0, and returns an error if no
// root with Im m̲ > 0 is found.
func (g GeneralizedMP) Stieltjes(z complex128) (complex128, error) {
	g.check()
	if !(imag(z) > 0) {
		panic(fmt.Sprintf("spectral: Stieltjes transform needs Im z > 0, have %v", z))
	}
	scale := math.Max(slices.Max(g.T), 1e-300) * (1 + math.Sqrt(g.Gamma)) * (1 + math.Sqrt(g.Gamma))
	eps := math.Max(imag(z), 0.1*scale)
	w := complex(real(z), eps)

	// Fixed point at the starting height.
	m := -1 / w
	for range 10000 {
		next := -1 / (w - complex(g.Gamma, 0)*g.sumT(m))
		if cmplx.Abs(next-m) <= 1e-13*cmplx.Abs(next) {
			m = next
			break
		}
		m = next
	}

	// Newton steps while descending to Im z.
	for {
		var err error
		m, err = g.newton(m, w)
		if err != nil {
			return 0, err
		}
		if eps == imag(z) {
			return m, nil
		}
		eps = math.Max(eps/2, imag(z))
		w = complex(real(z), eps)
	}
}

// sumT returns ∫ t dH(t)/(1 + t m).
func (g GeneralizedMP) sumT(m complex128) complex128 {
	var s complex128
	for k, t := range g.T {
		s += complex(g.weight(k)*t, 0) / (1 + complex(t, 0)*m)
	}
	return s
}

// newton solves the Silverstein equation at w from m.
func (g GeneralizedMP) newton(m, w complex128) (complex128, error) {
	for range 200 {
		var s, ds complex128
		var size float64 // scale of the terms of f, for the rounding floor
		for k, t := range g.T {
			d := 1 + complex(t, 0)*m
			term := complex(g.weight(k)*t, 0) / d
			s += term
			size += cmplx.Abs(term)
			ds += term * complex(t, 0) / d
		}
		f := -1/m + complex(g.Gamma, 0)*s - w
		// Near a square-root edge f' vanishes and Newton stalls at the
		// rounding floor of f: accept a residual at that floor.
		if cmplx.Abs(f) <= 8*0x1p-53*(cmplx.Abs(1/m)+g.Gamma*size+cmplx.Abs(w)) {
			return m, nil
		}
		df := 1/(m*m) - complex(g.Gamma, 0)*ds
		step := f / df
		// Damp steps that would leave the upper half plane.
		next := m - step
		for k := 0; imag(next) <= 0 && k < 60; k++ {
			step /= 2
			next = m - step
		}
		if imag(next) <= 0 || cmplx.IsNaN(next) {
			return 0, ErrNoConvergence
		}
		m = next
		if cmplx.Abs(step) <= 1e-14*cmplx.Abs(m) {
			return m, nil
		}
	}
	return 0, ErrNoConvergence
}

// Density returns the density f(x) of the continuous part of the limiting
// sample spectrum at x > 0 (THEORY.md §3.7), from the companion Stieltjes
// transform just above the real axis,
//
//	f(x) = lim_{ε→0} Im m̲(x + iε)/(πγ) ≈ [2 Im m̲(x + iε) − Im m̲(x + 2iε)]/(πγ),
//
// with ε = 10⁻⁸ max t_k (1+√γ)²: the Richardson extrapolation cancels
// the O(ε) bias of a fixed offset (10⁻⁸ relative), leaving O(ε²) inside
// the support: for H = δ_σ² f agrees with the Marchenko–Pastur closed
// form to about 10⁻¹¹ relative (measured on a grid down to 1/400 of the
// bulk's width from its edges; case MP-5). The atom at zero is not
// included (its mass is 1 − ∫f: (1 − 1/γ)₊ for H = δ_σ²). Within about ε
// of a square-root edge the smoothing leaves a tail of order √ε; negative
// extrapolated values there are returned as 0. It returns an error if
// the equation cannot be solved.
func (g GeneralizedMP) Density(x float64) (float64, error) {
	g.check()
	scale := math.Max(slices.Max(g.T), 1e-300) * (1 + math.Sqrt(g.Gamma)) * (1 + math.Sqrt(g.Gamma))
	eps := 1e-8 * scale
	m1, err := g.Stieltjes(complex(x, eps))
	if err != nil {
		return math.NaN(), err
	}
	m2, err := g.Stieltjes(complex(x, 2*eps))
	if err != nil {
		return math.NaN(), err
	}
	return math.Max(0, 2*imag(m1)-imag(m2)) / (math.Pi * g.Gamma), nil
}
