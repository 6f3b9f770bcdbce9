// Package spectral computes eigenmodes of data correlation matrices, exact
// and empirical, the random-matrix noise that hides them, and the
// retarded-learning thresholds: the number of samples below which an RBM
// cannot learn the data's top modes.
//
// Exact spectra. Ring data have block-circulant correlation matrices (N
// sites × F features per site), diagonalised by Fourier modes in space and,
// for Potts data, in the state index (BlockCirculant, ModelSpectrum,
// Spectrum with its eigenspaces and mode vectors; LambdaXY, the paper's
// eq 30). For F = 1 the mode index k runs over 0..N-1 as in the DFT: k = 0
// is the uniform vector, 0 < k < N/2 the cosine of wavenumber q_k = 2πk/N,
// k = N/2 (even N) the alternating vector, and N/2 < k < N the sine of
// wavenumber q_{N−k}; λ_k = λ_{N−k} (THEORY.md §1.4).
//
// Empirical matrices. Correlation (±1 data, the paper's eq 24) and Moments
// (any ring data: exact integer co-occurrence counts from bit columns, in
// batches) form Ĉ without floating-point accumulation; FloatCorrelation is
// the symmetric rank-S update for general data. Every estimator names its
// normalisation (Estimator). TopEigen finds leading eigenpairs by block
// Lanczos; Overlaps projects them on exact eigenspaces.
//
// Noise. MarchenkoPastur (density, edges, atom; BBP spikes of either sign,
// degenerate or not), GeneralizedMP for any population spectrum (ψ, ψ',
// outliers, the right edge, the Silverstein density, the edge overlaps),
// and the plug-in separation size.
//
// Thresholds. Every critical value carries the name of the rule that
// produced it (Rule: EdgeMatching, EdgeMatchingPottsNull, BBPFlatBulk,
// PluginSeparation; THEORY.md §3.9–3.10); the paper's edge-matching rule
// and the BBP rule differ, and neither is a sharp transition for ring data
// (§3.11, PredictCrossover).
package spectral
