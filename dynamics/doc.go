// Package dynamics describes how RBM weights evolve while they learn ring
// data: the hidden-unit potentials, the linearised dynamics near w = 0, the
// exact full-batch gradient flow for ±1 hidden units, the small-β lattice
// and continuum equations, an adaptive ODE integrator for all of them, and
// the order parameters that summarise a weight vector or a trajectory.
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
// # Hidden units
//
// Hidden is the interface of a hidden-unit potential U(h) through its
// cumulant generating function Γ(I) = ln ∫ e^(−U(h)+hI) dh, with
// Γ' = E[h|I], Γ″ = Var[h|I] and an exact sampler (THEORY.md §4.2–4.3):
// Spin (±1), Bernoulli ({0,1}), Gaussian, ReLU, DReLU and the paper's
// DoubleWell U = h²/2 + θ|h|. The truncated-Gaussian units rest on the
// Mills ratio Φ̃(z) = √(π/2) erfcx(z/√2), evaluated to about 1e-13 relative
// over z ∈ [−40, 10⁴] (erfc with an exact split of z² below z = 2.5,
// Laplace's continued fraction above), and on Robert's (1995) truncated
// normal sampler. HiddenRates gives σ_k = Var₀(λ_k − σ_v²).
//
// # Learning equations
//
// Every equation is a System, dy/dt = f(y) with an M×N row-major state:
//
//   - SpinFlow: the exact full-batch flow of ±1 hidden units with zero
//     fields, dw/dt = ⟨v tanh I⟩_data − ⟨v tanh I⟩_model (eqs 19–22, 32,
//     48), with the model term summed over the 2^(M−1) hidden states and
//     the data term over a training set or, for N ≤ 20, every state of the
//     Ising ring;
//   - Lattice: the small-β cubic lattice equation dŵ/dτ = Aŵ − Gŵ +
//     diag(‖ŵ_i‖²)ŵ (eq 37, eqs 50–51, any M), with its Jacobian and
//     Lyapunov function, in rescaled units ŵ = w√(Var₀/β), τ = β·Var₀·t;
//   - Continuum: the reaction–diffusion equations (eqs 38–39, 52–53) by
//     the method of lines on a periodic grid.
//
// Integrate solves any System with the Dormand–Prince 5(4) pair, error
// control, dense output at the requested times, a stiffness test and, for
// Semilinear systems (Continuum), an automatic switch to the exponential
// ETDRK4 scheme of Cox & Matthews that treats the stiff Laplacian exactly.
//
// # Order parameters
//
// W = |Σ_i w_i| (eq 12), the receptive-field centre by circular mean of w²,
// the FWHM, the participation ratio and the Fourier power per mode
// (THEORY.md §4.12); Track computes them along a trajectory, with centres
// unwrapped in time and the circular separations of pairs of units.
//
// # Invariants
//
// Functions never modify their inputs; results go to a dst argument (nil
// allocates, a wrong length panics) or to fresh values.
package dynamics
