package ring

import (
	"fmt"
	"math"
)

// HeatBather is a Model that also has a single-site heat-bath sampler, the
// Markov-chain sampler the paper used, beside its exact one. Command-line
// tools offer a heat bath for every model that implements it.
type HeatBather interface {
	Model
	// HeatBathSampler returns the heat-bath sampler of the model that
	// discards burnIn sweeps per chain and records a configuration every
	// spacing sweeps, visiting sites in order if sequential and at random
	// otherwise.
	HeatBathSampler(burnIn, spacing int, sequential bool) DataSampler
	// DefaultHeatBath returns the default burn-in and spacing in sweeps,
	// which may be +Inf where the chain does not relax in practice, and a
	// phrase saying where they come from.
	DefaultHeatBath() (burnIn, spacing float64, origin string)
}

var (
	_ HeatBather = Ising{}
	_ HeatBather = XY{}
)

// HeatBathSampler returns HeatBath{m, burnIn, spacing, sequential}.
func (m Ising) HeatBathSampler(burnIn, spacing int, sequential bool) DataSampler {
	return HeatBath{Model: m, BurnIn: burnIn, Spacing: spacing, Sequential: sequential}
}

// DefaultHeatBath returns ⌈10 τ_M⌉ and ⌈5 τ_M⌉ sweeps, τ_M the
// magnetisation time 1/(1 − tanh 2β) (THEORY.md §2.4), as NewHeatBath.
// Both are +Inf for β ≳ 177.
func (m Ising) DefaultHeatBath() (burnIn, spacing float64, origin string) {
	tau := MagnetisationTime(m.Beta)
	return math.Ceil(10 * tau), math.Ceil(5 * tau), fmt.Sprintf("10τ_M and 5τ_M, τ_M = 1/(1 − tanh 2β) = %.4g", tau)
}

// HeatBathSampler returns XYHeatBath{m, burnIn, spacing, sequential}.
func (m XY) HeatBathSampler(burnIn, spacing int, sequential bool) DataSampler {
	return XYHeatBath{Model: m, BurnIn: burnIn, Spacing: spacing, Sequential: sequential}
}

// DefaultHeatBath returns 1000 and 300 sweeps, the settings of the authors'
// XY example (THEORY.md §2.9), as NewXYHeatBath; they are not derived
// from a relaxation time.
func (m XY) DefaultHeatBath() (burnIn, spacing float64, origin string) {
	return 1000, 300, "the authors' XY settings, not derived from a relaxation time"
}
