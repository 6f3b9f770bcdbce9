// Package ring provides the translation-invariant data models of placecell:
// the periodic Ising ring p(v) ∝ exp(β Σ v_i v_{i+1}) with its exact
// finite-N statistics, an exact independent (transfer-matrix) sampler and the
// single-site heat-bath sampler the paper used, a compact bit-packed data set
// type, and readers and writers for data files (plain text and NumPy .npy).
//
// Sites are numbered 0..N-1 and the ring is periodic, v_N ≡ v_0. Equations
// refer to Harsh, Tubiana, Cocco & Monasson, J. Phys. A 53, 174002 (2020),
// "the paper", and to §2 of the project's THEORY.md.
//
// Every sampler takes its randomness from the caller (a *rand.Rand of
// math/rand/v2); Generate splits a large draw into fixed blocks with streams
// derived from one seed, so its output does not depend on the core count.
package ring
