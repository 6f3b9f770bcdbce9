package meanfield

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Profile is a stationary receptive field of the small-β continuum
// equation on the line (THEORY.md §5.1; the paper's eqs 40–45),
//
//	w(x) = √2 κ / cosh(κx),   κ = √(b − 2),
//
// which is self-consistent, b = ∫w² = 4κ, for κ² − 4κ + 2 = 0, i.e.
// κ± = 2 ± √2 and b± = 8 ± 4√2. All lengths are in lattice sites and the
// amplitude is the rescaled ŵ (Scale converts to physical units).
type Profile struct {
	// Kappa is the inverse width κ; B = κ² + 2 = ∫w² dx.
	Kappa, B float64
	// Peak is w(0) = √2 κ, FWHM = 2 arcosh(2)/κ, Integral = ∫w dx = √2 π,
	// Int4 = ∫w⁴ dx = 16κ³/3 and PR = (∫w²)²/∫w⁴ = 3/κ.
	Peak, FWHM, Integral, Int4, PR float64
}

// NewProfile returns the sech profile of inverse width kappa > 0; it is a
// self-consistent stationary solution only for κ = 2 ± √2.
func NewProfile(kappa float64) Profile {
	return Profile{
		Kappa: kappa, B: kappa*kappa + 2,
		Peak: math.Sqrt2 * kappa, FWHM: 2 * math.Acosh(2) / kappa,
		Integral: math.Sqrt2 * math.Pi, Int4: 16 * kappa * kappa * kappa / 3, PR: 3 / kappa,
	}
}

// ContinuumProfiles returns the two self-consistent profiles b₋ = 8 − 4√2
// (stable) and b₊ = 8 + 4√2 (unstable) (case PAPER-RF-PROFILE).
func ContinuumProfiles() (minus, plus Profile) {
	return NewProfile(2 - math.Sqrt2), NewProfile(2 + math.Sqrt2)
}

// At returns w(x).
func (p Profile) At(x float64) float64 { return math.Sqrt2 * p.Kappa / math.Cosh(p.Kappa*x) }

// Stable reports the analytic stability verdict of THEORY.md §5.3: the
// even sector of the linearised operator has a positive eigenvalue iff
// ⟨w, L₀⁻¹w⟩ = 1/κ < ½, i.e. κ > 2, so b₋ is stable and b₊ is not. The
// paper's criterion b < 8 (eq 47, corrected) selects the same profile.
func (p Profile) Stable() bool { return p.Kappa < 2 }

// Scale converts the rescaled small-β quantities to physical units
// (THEORY.md §5.2): w = √(β/Var₀)·ŵ, positions unchanged, t = τ/(β Var₀).
// For ±1 hidden units Var0 = 1.
type Scale struct {
	Beta, Var0 float64
}

// Weight returns the physical weight √(β/Var₀)·ŵ.
func (s Scale) Weight(what float64) float64 { return math.Sqrt(s.Beta/s.Var0) * what }

// SumSq returns the physical Σw² = (β/Var₀)·Σŵ².
func (s Scale) SumSq(b float64) float64 { return s.Beta / s.Var0 * b }

// Time returns the learning time t = τ/(β Var₀).
func (s Scale) Time(tau float64) float64 { return tau / (s.Beta * s.Var0) }

// Tau returns τ = β Var₀ t.
func (s Scale) Tau(t float64) float64 { return s.Beta * s.Var0 * t }

// ContinuumSpectrum is the numerical spectrum of the continuum equation
// linearised about a stationary profile (THEORY.md §5.3, corrected eq 46):
//
//	∂_τ ε = ε″ + (2 − b)ε + 3w²ε − 2w ∫ w ε dy.
type ContinuumSpectrum struct {
	Profile Profile
	// Length and Points describe the periodic grid, in sites.
	Length float64
	Points int
	// Values holds the largest eigenvalues, in decreasing order.
	Values []float64
	// Translation is the index in Values of the mode closest to the
	// translation w′ (an exact zero mode on the line, O(dx²) on the grid),
	// and TranslationOverlap its |⟨v, w′⟩|/‖w′‖.
	Translation        int
	TranslationOverlap float64
	// Leading is the largest eigenvalue other than the translation mode;
	// the profile is stable iff Leading < 0.
	Leading float64
	Stable  bool
	// Residual is ‖f(w)‖∞ of the grid profile after Newton polishing.
	Residual float64
}

// ContinuumStability discretises the linearised operator about profile p
// on a periodic grid of length 24/κ with spacing dyKappa/κ (dyKappa ≤ 0.2;
// 0.05 gives eigenvalues to about 1e-3 relative), after polishing the
// sampled sech into the exact stationary state of the discretised
// equation by Newton's method, and returns its top eigenvalues by dense
// symmetric diagonalisation. The discretisation is that of
// dynamics.Continuum: second-order Laplacian, trapezoid integrals.
//
// For b₋ every eigenvalue but the translation mode is negative; for b₊
// one eigenvalue is positive, ≈ 11.48 (THEORY.md §5.3).
func ContinuumStability(p Profile, dyKappa float64) (*ContinuumSpectrum, error) {
	if !(dyKappa > 0) || dyKappa > 0.2 {
		return nil, fmt.Errorf("meanfield: grid spacing %v·(1/κ) outside (0, 0.2]", dyKappa)
	}
	length := 24 / p.Kappa
	pts := int(math.Round(24 / dyKappa))
	dx := length / float64(pts)
	w := make([]float64, pts)
	for k := range w {
		w[k] = p.At(float64(k)*dx - length/2)
	}

	// Newton polish on the discretised stationarity equation.
	res, err := polishContinuum(w, dx)
	if err != nil {
		return nil, err
	}

	jac := continuumJacobian(w, dx)
	var eig mat.EigenSym
	if !eig.Factorize(jac, true) {
		return nil, errors.New("meanfield: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)

	// Translation generator: the centred derivative of w.
	tr := make([]float64, pts)
	var tn float64
	for k := range tr {
		tr[k] = (w[(k+1)%pts] - w[(k+pts-1)%pts]) / (2 * dx)
		tn += tr[k] * tr[k]
	}
	tn = math.Sqrt(tn)
	order := make([]int, pts)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	out := &ContinuumSpectrum{Profile: p, Length: length, Points: pts, Residual: res}
	best := -1.0
	for rank, j := range order[:min(12, pts)] {
		out.Values = append(out.Values, vals[j])
		var ov float64
		for k := range tr {
			ov += vecs.At(k, j) * tr[k]
		}
		if ov = math.Abs(ov) / tn; ov > best {
			best, out.Translation = ov, rank
		}
	}
	out.TranslationOverlap = best
	out.Leading = math.Inf(-1)
	for rank, v := range out.Values {
		if rank != out.Translation {
			out.Leading = math.Max(out.Leading, v)
		}
	}
	out.Stable = out.Leading < 0
	return out, nil
}

// continuumResidual writes f(w) of the discretised M = 1 continuum
// equation and returns ‖f‖∞.
func continuumResidual(f, w []float64, dx float64) float64 {
	n := len(w)
	var b float64
	for _, x := range w {
		b += x * x
	}
	b *= dx
	var m float64
	for k, x := range w {
		f[k] = (w[(k+1)%n]-2*x+w[(k+n-1)%n])/(dx*dx) + (2-b)*x + x*x*x
		m = math.Max(m, math.Abs(f[k]))
	}
	return m
}

// continuumJacobian returns J = D₂ + diag(2 − b + 3w²) − 2dx·wwᵀ.
func continuumJacobian(w []float64, dx float64) *mat.SymDense {
	n := len(w)
	var b float64
	for _, x := range w {
		b += x * x
	}
	b *= dx
	j := mat.NewSymDense(n, nil)
	for k := 0; k < n; k++ {
		for l := k; l < n; l++ {
			v := -2 * dx * w[k] * w[l]
			if l == k {
				v += -2/(dx*dx) + 2 - b + 3*w[k]*w[k]
			}
			if l == (k+1)%n || l == (k+n-1)%n {
				v += 1 / (dx * dx)
			}
			j.SetSym(k, l, v)
		}
	}
	return j
}

// polishContinuum refines w in place by Newton's method on the
// discretised stationarity equation, solving J δ = −f by least squares in
// the eigenbasis of J with the (near-)zero translation mode removed. It
// returns the final residual.
func polishContinuum(w []float64, dx float64) (float64, error) {
	f := make([]float64, len(w))
	res := continuumResidual(f, w, dx)
	for it := 0; it < 30 && res > 1e-11; it++ {
		step, err := symSolve(continuumJacobian(w, dx), f, 1e-9)
		if err != nil {
			return res, err
		}
		for k := range w {
			w[k] -= step[k]
		}
		res = continuumResidual(f, w, dx)
	}
	if !(res <= 1e-8) {
		return res, fmt.Errorf("meanfield: Newton did not converge (residual %.3g)", res)
	}
	return res, nil
}

// symSolve returns the minimum-norm least-squares solution of J x = f in
// the eigenbasis of the symmetric J, ignoring eigenvalues below
// cut·max|λ| (the symmetry zero modes, to which f is orthogonal).
func symSolve(jac *mat.SymDense, f []float64, cut float64) ([]float64, error) {
	var eig mat.EigenSym
	if !eig.Factorize(jac, true) {
		return nil, errors.New("meanfield: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var big float64
	for _, v := range vals {
		big = math.Max(big, math.Abs(v))
	}
	n := len(f)
	x := make([]float64, n)
	for j, l := range vals {
		if math.Abs(l) <= cut*big {
			continue
		}
		var c float64
		for k := 0; k < n; k++ {
			c += vecs.At(k, j) * f[k]
		}
		c /= l
		for k := 0; k < n; k++ {
			x[k] += c * vecs.At(k, j)
		}
	}
	return x, nil
}
