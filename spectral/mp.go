package spectral

import "math"

// MarchenkoPastur is the limiting eigenvalue law of the sample covariance of
// D-dimensional vectors with independent entries of variance Sigma2, from S
// samples, aspect ratio Gamma = D/S (Marchenko & Pastur 1967; THEORY.md §3.3).
//
// Gamma and Sigma2 must be positive; the methods return NaN otherwise.
type MarchenkoPastur struct {
	Gamma  float64
	Sigma2 float64
}

// valid reports whether the parameters define a law.
func (m MarchenkoPastur) valid() bool {
	return m.Gamma > 0 && m.Sigma2 > 0 && !math.IsInf(m.Gamma, 1) && !math.IsInf(m.Sigma2, 1)
}

// Edges returns λ± = σ²(1 ± √γ)².
//
// At γ = 1 the lower edge is 0 and the upper 4σ²; the paper's noise edge
// (eq 25) is the upper edge at σ² = 1, γ = r.
func (m MarchenkoPastur) Edges() (lower, upper float64) {
	if !m.valid() {
		return math.NaN(), math.NaN()
	}
	s := math.Sqrt(m.Gamma)
	return m.Sigma2 * (1 - s) * (1 - s), m.Sigma2 * (1 + s) * (1 + s)
}

// Density returns the continuous part of the density,
//
//	f(x) = √((λ₊−x)(x−λ₋)) / (2π γ σ² x)   on [λ₋, λ₊], 0 elsewhere;
//
// for γ > 1 an atom of mass 1 − 1/γ at 0 is not included (see Atom).
//
// The continuous part has mass ∫f = min(1, 1/γ) and first moment
// ∫x f = σ², the mean of the whole law. At γ = 1 the density diverges as
// x^(−1/2) at 0, and Density(0) is +Inf. NaN x gives NaN.
func (m MarchenkoPastur) Density(x float64) float64 {
	if !m.valid() || math.IsNaN(x) {
		return math.NaN()
	}
	lo, hi := m.Edges()
	if x < lo || x > hi {
		return 0
	}
	if x == 0 {
		// Only reachable at γ = 1, where λ₋ = 0.
		return math.Inf(1)
	}
	return math.Sqrt((hi-x)*(x-lo)) / (2 * math.Pi * m.Gamma * m.Sigma2 * x)
}

// Atom returns the mass (1 − 1/γ)₊ of the atom at zero.
func (m MarchenkoPastur) Atom() float64 {
	if !m.valid() {
		return math.NaN()
	}
	return math.Max(0, 1-1/m.Gamma)
}
