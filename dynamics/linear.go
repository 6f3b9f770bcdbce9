package dynamics

import "gonum.org/v1/gonum/mat"

// LinearRates writes the linear growth rates σ_k = var0·(λ_k − sigmaV2) for
// the eigenvalues lambda into dst and returns it (THEORY.md §4.5). For ±1
// data and ±1 hidden units, var0 = sigmaV2 = 1.
func LinearRates(dst, lambda []float64, var0, sigmaV2 float64) []float64 {
	panic("unimplemented")
}

// LinearFlow is the exact solution of the linearised dynamics
// dw/dt = var0·(C − sigmaV2·I) w for a symmetric C:
//
//	w(t) = V exp(var0 (Λ − sigmaV2) t) Vᵀ w(0),   C = V Λ Vᵀ.
type LinearFlow struct {
	// unexported eigendecomposition
}

// NewLinearFlow diagonalises c once. It returns an error if the symmetric
// eigendecomposition fails.
func NewLinearFlow(c mat.Symmetric, var0, sigmaV2 float64) (*LinearFlow, error) {
	panic("unimplemented")
}

// Evolve writes w(t) for the initial vector w0 into dst and returns it.
func (f *LinearFlow) Evolve(dst, w0 []float64, t float64) []float64 {
	panic("unimplemented")
}
