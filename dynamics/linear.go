package dynamics

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// LinearRates writes the linear growth rates σ_k = var0·(λ_k − sigmaV2) for
// the eigenvalues lambda into dst and returns it (THEORY.md §4.5). For ±1
// data and ±1 hidden units, var0 = sigmaV2 = 1.
//
// A nil dst is allocated; a dst of another length than lambda panics. dst
// may alias lambda.
func LinearRates(dst, lambda []float64, var0, sigmaV2 float64) []float64 {
	dst = useDst(dst, len(lambda))
	for k, l := range lambda {
		dst[k] = var0 * (l - sigmaV2)
	}
	return dst
}

// LinearFlow is the exact solution of the linearised dynamics
// dw/dt = var0·(C − sigmaV2·I) w for a symmetric C:
//
//	w(t) = V exp(var0 (Λ − sigmaV2) t) Vᵀ w(0),   C = V Λ Vᵀ.
type LinearFlow struct {
	n     int
	rates []float64  // σ_k = var0(λ_k − sigmaV2), ascending in λ_k
	vecs  *mat.Dense // orthonormal eigenvectors of C, column k for λ_k
}

// NewLinearFlow diagonalises c once. It returns an error if the symmetric
// eigendecomposition fails.
func NewLinearFlow(c mat.Symmetric, var0, sigmaV2 float64) (*LinearFlow, error) {
	var eig mat.EigenSym
	if ok := eig.Factorize(c, true); !ok {
		return nil, errors.New("dynamics: symmetric eigendecomposition failed")
	}
	f := &LinearFlow{n: c.SymmetricDim(), vecs: &mat.Dense{}}
	f.rates = LinearRates(nil, eig.Values(nil), var0, sigmaV2)
	eig.VectorsTo(f.vecs)
	return f, nil
}

// Rates writes the growth rates σ_k = var0(λ_k − sigmaV2) of the flow's
// eigenmodes, in ascending order of λ_k, into dst and returns it. A nil dst
// is allocated; a dst of another length than N panics.
func (f *LinearFlow) Rates(dst []float64) []float64 {
	dst = useDst(dst, f.n)
	copy(dst, f.rates)
	return dst
}

// Evolve writes w(t) for the initial vector w0 into dst and returns it.
//
// A nil dst is allocated; a dst or w0 of another length than N panics. dst
// may alias w0. Negative t integrates backwards in time.
func (f *LinearFlow) Evolve(dst, w0 []float64, t float64) []float64 {
	if len(w0) != f.n {
		panic("dynamics: initial vector length mismatch")
	}
	dst = useDst(dst, f.n)

	// Project on the eigenmodes, a = Vᵀ w0, and let each grow by e^(σ_k t).
	a := mat.NewVecDense(f.n, nil)
	a.MulVec(f.vecs.T(), mat.NewVecDense(f.n, w0))
	for k, s := range f.rates {
		a.SetVec(k, a.AtVec(k)*math.Exp(s*t))
	}

	// Back to site space, w(t) = V a.
	out := mat.NewVecDense(f.n, dst)
	out.MulVec(f.vecs, a)
	return dst
}

// useDst returns dst, allocated with length n if nil. It panics if a
// non-nil dst has another length.
func useDst(dst []float64, n int) []float64 {
	if dst == nil {
		return make([]float64, n)
	}
	if len(dst) != n {
		panic("dynamics: destination length mismatch")
	}
	return dst
}
