package spectral

import (
	"fmt"
	"math"
	"strings"

	"placecell/ring"
)

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
// Other values print as "Rule(n)".
func (r Rule) String() string {
	switch r {
	case EdgeMatching:
		return "EdgeMatching"
	case BBPFlatBulk:
		return "BBPFlatBulk"
	default:
		return fmt.Sprintf("Rule(%d)", int(r))
	}
}

// ParseRule accepts a rule's name, case-insensitively, or the short forms
// "edge" and "bbp".
func ParseRule(s string) (Rule, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "edgematching", "edge":
		return EdgeMatching, nil
	case "bbpflatbulk", "bbp":
		return BBPFlatBulk, nil
	}
	return 0, fmt.Errorf("spectral: unknown rule %q", s)
}

// MarshalText implements encoding.TextMarshaler, so that rules appear by
// name in JSON output.
func (r Rule) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseRule.
func (r *Rule) UnmarshalText(b []byte) error {
	q, err := ParseRule(string(b))
	if err != nil {
		return err
	}
	*r = q
	return nil
}

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
//
// With Λ = e^(2β) (eq 26, the N → ∞ value) and bulk level 1:
//
//	EdgeMatching:  Λ = (1 + √r)²   ⇔  r_c = (e^β − 1)²     (eq 27)
//	BBPFlatBulk:   Λ − 1 = √r      ⇔  r_c = (e^(2β) − 1)²  (§3.10)
//
// and S_c = N/r_c. The squares are formed from expm1, exact to rounding at
// small β. At β = 0, r_c = 0 and S_c = +Inf (no structure to learn). It
// panics if rule is unknown, m.N < 1, or β is negative or NaN.
func IsingThreshold(m ring.Ising, rule Rule) Threshold {
	if m.N < 1 || !(m.Beta >= 0) {
		panic(fmt.Sprintf("spectral: invalid Ising ring N=%d β=%g", m.N, m.Beta))
	}
	t := Threshold{Rule: rule, Lambda: math.Exp(2 * m.Beta), Bulk: 1}
	switch rule {
	case EdgeMatching:
		x := math.Expm1(m.Beta)
		t.R = x * x
	case BBPFlatBulk:
		x := math.Expm1(2 * m.Beta)
		t.R = x * x
	default:
		panic(fmt.Sprintf("spectral: unknown rule %v", rule))
	}
	t.S = float64(m.N) / t.R
	return t
}

// IsingBetaC returns the critical inverse temperature at ratio r under rule;
// for EdgeMatching this is the paper's eq 27, β_c = ln(1 + √r).
//
// For BBPFlatBulk it is β_c = ½ ln(1 + √r) (THEORY.md §3.10). Both are
// formed with log1p. r = 0 gives 0, r = +Inf gives +Inf, and negative or
// NaN r gives NaN. It panics if rule is unknown.
func IsingBetaC(r float64, rule Rule) float64 {
	switch rule {
	case EdgeMatching:
		return math.Log1p(math.Sqrt(r))
	case BBPFlatBulk:
		return 0.5 * math.Log1p(math.Sqrt(r))
	default:
		panic(fmt.Sprintf("spectral: unknown rule %v", rule))
	}
}
