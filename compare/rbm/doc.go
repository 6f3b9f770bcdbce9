// Package rbm is placecell's reference RBM simulator: plain stochastic
// gradient ascent on the mean log-likelihood, with the model term estimated
// by persistent contrastive divergence (PCD-k) or computed exactly.
//
// This first version trains ±1 visible and ±1 hidden units with zero fields,
// weights only, as in the paper's Ising experiments. Weights are stored M×N,
// row μ being the receptive field of hidden unit μ (the paper's w_{iμ}).
// Hidden units are averaged out analytically in both phases:
//
//	Δw_μi = ν [ ⟨v_i tanh I_μ⟩_batch − ⟨v_i tanh I_μ⟩_chains ],
//
// both terms being means (over the minibatch and over the persistent chains),
// with the chain term taken at the chains' state after this update's k
// block-Gibbs sweeps. Learning time is t = ν × updates (THEORY.md §1.2).
//
// All randomness derives from Config.Seed through named streams (weight
// initialisation, data order, one stream per chain), and reductions run in a
// fixed order, so a run is bitwise identical for any GOMAXPROCS.
package rbm
