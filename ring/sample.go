package ring

import "math/rand/v2"

// Sampler draws configurations of a ring model.
type Sampler interface {
	// Sites returns the number of spins per configuration.
	Sites() int
	// Fill overwrites configurations from..to-1 of d with fresh draws
	// taken from rnd. Each call of a Markov-chain sampler starts a new
	// chain (with its burn-in).
	Fill(d *Spins, from, to int, rnd *rand.Rand)
}

// Exact is the exact independent sampler of the Ising ring (THEORY.md §2.3):
// v_0 is uniform and each v_j is drawn from p(v_j | v_{j−1}, v_0), whose
// closure factor (1 + v_j v_0 ρ^(N−j)) accounts for the periodic bond exactly.
// Draws are independent: no burn-in, no autocorrelation.
type Exact struct {
	// unexported precomputed thresholds
}

// NewExact returns the exact sampler of m. It panics if m is invalid.
func NewExact(m Ising) *Exact { panic("unimplemented") }

// HeatBath is the single-site heat-bath (Glauber) sampler the paper used
// (THEORY.md §2.4): a sweep is N attempts, each setting v_i = +1 with
// probability σ(2β(v_{i−1} + v_{i+1})). Each Fill starts one chain from a
// uniformly random configuration, discards BurnIn sweeps, then records a
// configuration every Spacing sweeps.
type HeatBath struct {
	Model Ising
	// BurnIn is the number of sweeps discarded before the first record.
	BurnIn int
	// Spacing is the number of sweeps between records (≥ 1).
	Spacing int
	// Sequential visits sites in order 0..N-1; the default (false) picks
	// N sites at random with replacement, as the authors' PGM code does.
	Sequential bool
}

// NewHeatBath returns the heat-bath sampler of m with burn-in ⌈10 τ_M⌉ and
// spacing ⌈5 τ_M⌉ sweeps, τ_M = 1/(1 − tanh 2β) (THEORY.md §2.4).
func NewHeatBath(m Ising) HeatBath { panic("unimplemented") }

// MagnetisationTime returns τ_M = 1/(1 − tanh 2β), the relaxation time in
// sweeps of the magnetisation under random-site heat-bath dynamics on the
// infinite ring (Glauber 1963).
func MagnetisationTime(beta float64) float64 { panic("unimplemented") }

// BlockSize is the number of consecutive configurations Generate draws from
// one random stream (and, for a Markov-chain sampler, one chain).
const BlockSize = 1024

// Generate draws count configurations with smp. Configurations are produced
// in blocks of BlockSize; block b reads the stream (seed, "data", b) of
// internal/rng, and blocks run in parallel on all cores, so the result is the
// same whatever the core count.
func Generate(smp Sampler, count int, seed uint64) *Spins { panic("unimplemented") }
