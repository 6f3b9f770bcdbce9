// Command placecell computes the theory of how restricted Boltzmann machines
// learn ring data (Harsh, Tubiana, Cocco & Monasson, J. Phys. A 53, 174002,
// 2020) and checks it against its reference simulator.
//
// Usage:
//
//	placecell [global options] command [options] [arguments]
//
// Options go before arguments: urfave/cli stops parsing at the first
// argument, and placecell rejects an option found after one. Commands:
//
//	sample     draw configurations of a ring model and write them as .npy or text
//	spectrum   exact eigenvalues of the ring's correlation matrix; with a data file, the empirical ones
//	threshold  retarded-learning critical ratio r_c and sample size S_c under every rule, each named
//	train      train the reference RBM and write its weight trajectory
//	flow       integrate a learning equation from a seeded small random start
//	field      stationary receptive fields of the small-β theory and their stability
//	compare    run theory-versus-simulation experiments and write a report
//
// Each command is one file (sample.go, spectrum.go, …) that registers itself
// with registerCommand; each compare experiment is one file
// (compare_<name>.go) that registers itself with register. Commands print
// only to the app's Writer and ErrWriter; errors are returned to run, which
// prints them on one line and exits with status 1.
//
// Example:
//
//	$ placecell threshold --beta 0.5 --n 100 --rule edge
//	Ising ring, N = 100, β = 0.5: population top eigenvalue Λ = e^(2β) = 2.718282 (paper eq 26, N → ∞; the rules below use it); exact at this N: λ_0 = 2.718282
//	rule          r_c       S_c = N/r_c  criterion
//	EdgeMatching  0.420839  237.62       Λ = (1 + √r)², the paper's eq 27
package main
