// Package dynamics describes how RBM weights evolve while they learn ring
// data: the linearised dynamics near w = 0, the exact model term for ±1
// hidden units, and the order parameters that summarise a weight vector.
//
// # Conventions
//
// Time is the learning time t = ν × (number of updates) (THEORY.md §1.2), so
// the full-batch gradient flow reads dw/dt = ∂ log L/∂w and every rate is per
// unit learning time. Weights of M hidden units on N sites are stored M×N,
// row μ being the receptive field w_μ of unit μ; the paper writes w_{iμ}.
//
// # Linearised dynamics
//
// Near w = 0, with visible fields at their optimum and fixed hidden
// potentials (THEORY.md §4.5),
//
//	dw_μ/dt = Var₀ (C − σ_v² I) w_μ + O(w³),
//
// so for circulant C each Fourier mode k grows at σ_k = Var₀(λ_k − σ_v²).
// For ±1 data and ±1 hidden units with zero fields, Var₀ = σ_v² = 1 and this
// is the paper's eq 23, σ_k = λ_k − 1.
//
// # Order parameters
//
// W = |Σ_i w_i| (eq 12), the receptive-field centre by circular mean of w²,
// the FWHM, the participation ratio and the Fourier power per mode
// (THEORY.md §4.12).
//
// # Invariants
//
// Functions never modify their inputs; results go to a dst argument (nil
// allocates, a wrong length panics) or to fresh values.
package dynamics
