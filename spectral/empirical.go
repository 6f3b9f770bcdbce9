package spectral

import (
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// Correlation returns the empirical correlation matrix of ±1 data (the
// paper's eq 24), uncentred and normalised by 1/S:
//
//	Ĉ_ij = (1/S) Σ_s v_i^s v_j^s,
//
// whose diagonal is exactly 1. It works on bit-packed columns with exact
// integer popcounts and runs in parallel. It panics if d is empty.
func Correlation(d *ring.Spins) *mat.SymDense { panic("unimplemented") }

// Eigen holds leading eigenpairs of a symmetric matrix.
type Eigen struct {
	// Values are the eigenvalues in decreasing order.
	Values []float64
	// Vectors holds the unit eigenvectors as columns, in the same order.
	Vectors *mat.Dense
	// Iterations is the Krylov dimension used (N for a dense solve).
	Iterations int
	// Residual is max_j ‖A u_j − λ_j u_j‖.
	Residual float64
}

// TopEigen returns the k largest eigenpairs of a by a Lanczos iteration with
// full reorthogonalisation, growing the Krylov space until every residual
// is below 1e-10·‖A‖; it never computes all N eigenpairs unless k is close
// to N. It returns an error if the iteration does not converge. It panics
// if k < 1 or k > N.
func TopEigen(a mat.Symmetric, k int) (*Eigen, error) { panic("unimplemented") }
