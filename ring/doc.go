// Package ring provides the translation-invariant data models of placecell
// and their exact statistics: the periodic Ising ring p(v) ∝ exp(β Σ v_i
// v_{i+1}) and the discretised XY (clock) ring of P-state Potts variables
// p(v) ∝ exp(β Σ cos(2π(v_i − v_{i+1})/P)) of the paper, and two auxiliary
// models with exact spectra, the binary bump ring and the Curie–Weiss
// model.
//
// Every model implements Model: its exact population correlation matrix,
// a block-circulant kernel over (site, feature) pairs in a stated
// normalisation (second moment, covariance or Pearson), the Encoding that
// turns a site's state into those features (±1, {0,1} or one-hot), and an
// exact independent sampler. Package spectral, the simulator and the
// command line take any Model; a new model is added by implementing the
// interface in this package and registering it with RegisterModel.
//
// Data sets are *Spins (two states, one bit per site) or *Potts (one byte
// per site); both implement Data. Readers and writers handle plain text
// and NumPy .npy files. The Ising and XY rings also have the single-site
// heat-bath sampler the paper used (they implement HeatBather).
//
// Sites are numbered 0..N-1 and the ring is periodic, v_N ≡ v_0. Equations
// refer to Harsh, Tubiana, Cocco & Monasson, J. Phys. A 53, 174002 (2020),
// "the paper", and to §2 of the project's THEORY.md.
//
// Every sampler takes its randomness from the caller (a *rand.Rand of
// math/rand/v2); Generate, GenerateData and Sample split a large draw into
// fixed blocks with streams derived from one seed, so their output does
// not depend on the core count.
package ring
