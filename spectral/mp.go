package spectral

// MarchenkoPastur is the limiting eigenvalue law of the sample covariance of
// D-dimensional vectors with independent entries of variance Sigma2, from S
// samples, aspect ratio Gamma = D/S (Marchenko & Pastur 1967; THEORY.md §3.3).
type MarchenkoPastur struct {
	Gamma  float64
	Sigma2 float64
}

// Edges returns λ± = σ²(1 ± √γ)².
func (m MarchenkoPastur) Edges() (lower, upper float64) { panic("unimplemented") }

// Density returns the continuous part of the density,
//
//	f(x) = √((λ₊−x)(x−λ₋)) / (2π γ σ² x)   on [λ₋, λ₊], 0 elsewhere;
//
// for γ > 1 an atom of mass 1 − 1/γ at 0 is not included (see Atom).
func (m MarchenkoPastur) Density(x float64) float64 { panic("unimplemented") }

// Atom returns the mass (1 − 1/γ)₊ of the atom at zero.
func (m MarchenkoPastur) Atom() float64 { panic("unimplemented") }
