package spectral

import "placecell/ring"

// Rule names a criterion for the retarded-learning threshold (THEORY.md
// §3.9–3.10). Every reported critical value carries its rule.
type Rule int

const (
	// EdgeMatching is the paper's rule (eqs 25–27): the population top
	// eigenvalue Λ equals the noise edge (1 + √r)²; for the Ising ring
	// r_c = (e^β − 1)².
	EdgeMatching Rule = iota + 1
	// BBPFlatBulk treats Λ as a spike on a flat bulk of level 1 and applies
	// the BBP detection condition Λ − 1 > √r; for the Ising ring
	// r_c = (e^(2β) − 1)².
	BBPFlatBulk
)

// String returns the rule's name: "EdgeMatching" or "BBPFlatBulk".
func (r Rule) String() string { panic("unimplemented") }

// ParseRule accepts a rule's name, case-insensitively, or the short forms
// "edge" and "bbp".
func ParseRule(s string) (Rule, error) { panic("unimplemented") }

// Threshold is a retarded-learning critical point.
type Threshold struct {
	Rule Rule
	// Lambda is the population top eigenvalue the rule used (e^(2β) for
	// the Ising ring, the paper's eq 26).
	Lambda float64
	// Bulk is the noise level σ_b² of the bulk (1 for ±1 spins).
	Bulk float64
	// R is the critical ratio r_c = N/S_c.
	R float64
	// S is the critical sample size S_c = N/r_c.
	S float64
}

// IsingThreshold returns the threshold of the Ising ring m under rule.
func IsingThreshold(m ring.Ising, rule Rule) Threshold { panic("unimplemented") }

// IsingBetaC returns the critical inverse temperature at ratio r under rule;
// for EdgeMatching this is the paper's eq 27, β_c = ln(1 + √r).
func IsingBetaC(r float64, rule Rule) float64 { panic("unimplemented") }
