// Package spectral computes eigenmodes of data correlation matrices, exact
// and empirical, the random-matrix noise that hides them (Marchenko–Pastur,
// BBP), and the retarded-learning threshold: the number of samples below
// which an RBM cannot learn the data's top modes.
//
// Ring data have circulant correlation matrices, diagonalised by the real
// Fourier basis of THEORY.md §1.4. Mode index k runs over 0..N-1 as in the
// DFT: k = 0 is the uniform vector, 0 < k < N/2 the cosine of wavenumber
// q_k = 2πk/N, k = N/2 (even N) the alternating vector, and N/2 < k < N the
// sine of wavenumber q_{N−k}; eigenvalue k belongs to basis vector k, and
// λ_k = λ_{N−k}.
//
// Every critical value carries the name of the rule that produced it (see
// Rule); the paper's edge-matching rule and the BBP rule differ.
package spectral
