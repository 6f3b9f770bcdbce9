package spectral

import (
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// CirculantEigenvalues writes the eigenvalues of the real symmetric circulant
// matrix with first row row, λ_k = Σ_r row[r] cos(2πkr/N) for k = 0..N-1,
// into dst and returns it. It uses a real FFT (gonum dsp/fourier). The row
// must be symmetric, row[r] = row[N−r]; asymmetry beyond rounding panics.
// A nil dst is allocated; a dst of the wrong length panics.
func CirculantEigenvalues(dst, row []float64) []float64 { panic("unimplemented") }

// FourierMode writes the real orthonormal Fourier basis vector k of length
// len(dst) (see the package doc for the index convention) and returns dst.
func FourierMode(dst []float64, k int) []float64 { panic("unimplemented") }

// FourierBasis returns the N×N orthogonal matrix whose column k is
// FourierMode(k).
func FourierBasis(n int) *mat.Dense { panic("unimplemented") }

// IsingSpectrum writes the exact finite-N eigenvalues of the Ising-ring
// correlation matrix (THEORY.md §2.2),
//
//	λ_k = (1−ρ^N)/(1+ρ^N) · (1−ρ²)/(1 − 2ρ cos q_k + ρ²),   ρ = tanh β,
//
// for k = 0..N-1 into dst and returns it.
func IsingSpectrum(dst []float64, m ring.Ising) []float64 { panic("unimplemented") }
