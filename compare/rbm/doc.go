// Package rbm is placecell's reference RBM simulator (SIMULATOR.md): it
// trains restricted Boltzmann machines on ring data and records
// trajectories to test the theory of Harsh, Tubiana, Cocco & Monasson
// (J. Phys. A 53, 174002, 2020) against.
//
// # Model
//
// N visible and M hidden units with energy
//
//	E(v, h) = −Σ_i g_i·x_i(v) + Σ_μ U_μ(h_μ) − Σ_μ h_μ I_μ(v),   I_μ(v) = Σ_i w_μi·x_i(v),
//
// x_i(v) being v_i for ±1 (VisibleSpin) and {0,1} (VisibleBernoulli) units
// and the colour indicator for Potts units (VisiblePotts, q = data.States(),
// zero-sum gauge on weights and fields after every update). Hidden
// potentials are those of package dynamics: ±1, {0,1}, Gaussian, the
// paper's double well, ReLU and dReLU (HiddenUnit), with their Γ, Γ′, Γ″ and
// exact samplers. Weights are stored M×N (M×N×q, colour fastest): row μ is
// the receptive field of unit μ, the paper's w_{iμ}.
//
// # Training
//
// The gradient of the mean log-likelihood has the hidden layer summed out
// in both phases (SIMULATOR.md §4): ⟨x Γ'(I)ᵀ⟩_data − ⟨x Γ'(I)ᵀ⟩_model for
// the weights, ⟨x⟩_data − ⟨x⟩_model for the fields, ⟨∂Γ/∂p⟩_data −
// ⟨∂Γ/∂p⟩_model for the hidden offsets; both terms are means. The model
// term comes from persistent chains after this update's k sweeps (PCD,
// the default, k = 20, C = 100), from chains reset to the minibatch (CD),
// from an exact sum over hidden or visible states (Exact), optionally with
// parallel tempering (Replicas). Mode SGD is plain gradient ascent with a
// constant rate, t = ν × updates; Mode PGM reproduces PGM's fit (RMSprop
// without momentum, clipping, decay, batch normalisation), every option of
// which can also be set by itself. The zero Config (with Nu) is the
// paper's Ising setting: ±1 units, zero frozen fields, plain SGD, PCD-20.
//
// Train runs a whole training; NewTrainer and Step advance one update at
// a time; Run continues a trainer, for instance one returned by Resume.
//
// # Observables and files
//
// Every RecordEvery updates (and at 0 and at the end) a Record holds the
// parameters, per-unit order parameters (Σw², W = |Σw|, PR_a, FWHM, centre,
// Fourier power), chain diagnostics, and on request the pseudo-likelihood
// per site, the exact log-likelihood and AIS bounds. Result.Save and Load
// write and read trajectories (.npy arrays and a JSON header with every
// parameter and the seed); ImportWeights reads another simulator's weight
// trajectory; Checkpoint, WriteCheckpoint, ReadCheckpoint and Resume
// continue an interrupted run bit for bit.
//
// # Reproducibility
//
// One master seed gives named PCG streams (internal/rng): ("init", 0) for
// the weights, ("order", 0) for the minibatch permutations, ("chain", c)
// and ("replica", ·) for the chains, ("pt", c) for tempering swaps,
// ("ais", r) and ("ais-reverse", r) for AIS. Chains run in parallel but
// each reads only its own stream, and every reduction has a fixed order,
// so a run is bitwise identical for any GOMAXPROCS.
//
// # Speed
//
// A block-Gibbs sweep of binary layers costs two input computations and
// N + M Bernoulli draws. Inputs come from lookup tables rebuilt once per
// update and shared by all chains and sweeps: for groups of g = 5 (or 8)
// binary units, the table holds the partial sums Σ_b x(bit b)·w_·,(gj+b) of
// every bit pattern, so I_μ is the sum of ⌈N/g⌉ table rows instead of N
// multiply-adds (the sums are rounded differently from plain dot products,
// deterministically). When fewer units flipped than there are groups, the
// inputs are updated for the flipped units instead. Draws compare a
// uniform u, read 16 bits at a time, with σ(a) through a table of integer
// bounds that decides more than 99% of them without an exponential and
// falls back to the exact comparison otherwise, so the draws are exact
// (see sample.go). On amd64 with AVX2 and FMA the row sums, the draw
// bracket, axpy and the weight-gradient sums run in assembly
// (kernel_amd64.s); the pure-Go kernels perform the same operations in the
// same order and give bitwise identical results (TestKernels).
package rbm
