// Package meanfield solves for the stationary receptive fields of the
// small-β learning equations and decides their stability (THEORY.md §5).
//
// # Continuum
//
// The stationary profile of ∂_τ w = ∂_x²w + (2 − b)w + w³, b = ∫w², on the
// line is the sech bump w = √2κ sech(κx), self-consistent for
// κ = 2 ± √2, i.e. b± = 8 ± 4√2 (eqs 40–45, ContinuumProfiles). Only b₋ is
// stable: the linearised operator (corrected eq 46) has a positive even
// eigenvalue iff κ > 2 (≈ 11.48 for b₊), and its translation mode w′ is
// neutral (ContinuumStability, by dense diagonalisation on a grid).
//
// # Lattice
//
// SolveLattice integrates the lattice equation (eq 37, eqs 50–51 and the
// general-M form of dynamics.Lattice) from a small random start and
// polishes the result by Newton's method: for N = 100, M = 1 the bump of
// peak 0.919593 and Σŵ² = 2.400121 (§5.4). LatticeStability classifies the
// Jacobian spectrum: translation modes (pinned by the lattice, −0.0323 at
// N = 100), rotation modes and shape modes. For M ≥ 2 the small-β equations
// are invariant under orthogonal mixing of the units, ŵ → Rŵ, which gives
// M(M−1)/2 exact zero modes; Localize picks the representative with one
// bump per unit.
//
// # Uniform state and pattern formation
//
// UniformFixedPoint gives w* = √(2/(L−1)), b* = 2L/(L−1), the
// activator–inhibitor matrix of the appendix (eqs A1–A12) and the growth
// rates of non-uniform perturbations, σ(k) = 4/(L−1) − k² on the continuum
// and 2cos k − 2 + 4/(N−1) on the lattice (unstable n = 1, 2, 3 at
// N = 100).
//
// # Units
//
// Fields ŵ and times τ are the rescaled small-β variables: w = √(β/Var₀)·ŵ,
// t = τ/(β Var₀) (Scale, §5.2); lengths are in lattice sites. States of M
// units on N sites are M×N row-major, as in package dynamics. Functions do
// not modify their inputs unless documented (Newton and Localize work in
// place).
package meanfield
