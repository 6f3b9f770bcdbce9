package spectral

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"placecell/internal/jsonfloat"
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// Rule names a criterion for the retarded-learning threshold (THEORY.md
// §3.9–3.10). Every reported critical value carries its rule.
type Rule int

const (
	// EdgeMatching is the paper's rule: the population top eigenvalue Λ
	// equals the noise edge. Ising ring: Λ = (1 + √r)² (eqs 25–27),
	// r_c = (e^β − 1)². XY ring: the additive edge of eq 31 as printed,
	// Λ = P/(P−1) + (1 + √(rP))². Other models: the edge σ_b²(1 + √γ)²
	// of their independent-site null (as EdgeMatchingPottsNull).
	EdgeMatching Rule = iota + 1
	// BBPFlatBulk treats Λ as a spike on the flat bulk σ_b² of the
	// independent-site null, γ = r·D/N, and applies the BBP detection
	// condition Λ/σ_b² − 1 > √γ; for the Ising ring r_c = (e^(2β) − 1)².
	BBPFlatBulk
	// EdgeMatchingPottsNull matches Λ with the edge of the statistically
	// correct null, independent sites with the data's marginals, which
	// for one-hot Potts data is multiplicative, σ_b²(1 + √γ)² with
	// σ_b² = P/(P−1) and γ = r(P−1) (§3.9). For ±1 data it coincides
	// with EdgeMatching.
	EdgeMatchingPottsNull
	// PluginSeparation is the plug-in separation size of §3.6 with the
	// exact finite-N spectrum: a stated group G of modes (by default
	// the top eigenspace) separates from the rest once
	// S > S_sep(G) = Σ_{k∉G} λ_k²/(λ_G − λ_k)².
	PluginSeparation
)

// Rules lists every rule in order.
var Rules = []Rule{EdgeMatching, EdgeMatchingPottsNull, BBPFlatBulk, PluginSeparation}

// String returns the rule's name: "EdgeMatching", "BBPFlatBulk",
// "EdgeMatchingPottsNull" or "PluginSeparation". Other values print as
// "Rule(n)".
func (r Rule) String() string {
	switch r {
	case EdgeMatching:
		return "EdgeMatching"
	case BBPFlatBulk:
		return "BBPFlatBulk"
	case EdgeMatchingPottsNull:
		return "EdgeMatchingPottsNull"
	case PluginSeparation:
		return "PluginSeparation"
	default:
		return fmt.Sprintf("Rule(%d)", int(r))
	}
}

// ParseRule accepts a rule's name, case-insensitively, or the short forms
// "edge", "bbp", "null" and "plugin".
func ParseRule(s string) (Rule, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "edgematching", "edge":
		return EdgeMatching, nil
	case "bbpflatbulk", "bbp":
		return BBPFlatBulk, nil
	case "edgematchingpottsnull", "null":
		return EdgeMatchingPottsNull, nil
	case "pluginseparation", "plugin":
		return PluginSeparation, nil
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

// Threshold is a retarded-learning critical point. In JSON, non-finite
// fields (S = +Inf when the rule is never met) are null.
type Threshold struct {
	Rule Rule `json:"Rule"`
	// Model names the model and its parameters (ring.Label).
	Model string `json:"Model,omitempty"`
	// Lambda is the population top eigenvalue the rule used: e^(2β) for
	// the Ising ring (the paper's eq 26), Λ_XY of eq 30 for the XY ring,
	// the exact finite-N top eigenvalue otherwise; for PluginSeparation
	// the smallest eigenvalue of the group.
	Lambda float64 `json:"Lambda"`
	// Bulk is the noise level σ_b² of the bulk (1 for ±1 spins, P/(P−1)
	// for Pearson Potts data).
	Bulk float64 `json:"Bulk"`
	// DimRatio is D/N, the non-degenerate dimensions per site of the
	// null (1 for ±1 spins, P−1 for Potts), so that γ = r·D/N.
	DimRatio float64 `json:"DimRatio,omitempty"`
	// Group is the stated group G of PluginSeparation.
	Group []Mode `json:"Group,omitempty"`
	// R is the critical ratio r_c = N/S_c.
	R float64 `json:"R"`
	// S is the critical sample size S_c = N/r_c.
	S float64 `json:"S"`
}

// jsonFloat is a float64 written as null in JSON when it is not finite.
type jsonFloat = jsonfloat.Null

// thresholdJSON is the JSON form of a Threshold.
type thresholdJSON struct {
	Rule     Rule      `json:"Rule"`
	Model    string    `json:"Model,omitempty"`
	Lambda   jsonFloat `json:"Lambda"`
	Bulk     jsonFloat `json:"Bulk"`
	DimRatio float64   `json:"DimRatio,omitempty"`
	Group    []Mode    `json:"Group,omitempty"`
	R        jsonFloat `json:"R"`
	S        jsonFloat `json:"S"`
}

// MarshalJSON implements json.Marshaler. JSON has no infinities: a
// threshold that is never crossed (S_c = +Inf, r_c = 0) has "S": null, and
// so has any other non-finite field.
func (t Threshold) MarshalJSON() ([]byte, error) {
	return json.Marshal(thresholdJSON{t.Rule, t.Model, jsonFloat(t.Lambda), jsonFloat(t.Bulk), t.DimRatio, t.Group,
		jsonFloat(t.R), jsonFloat(t.S)})
}

// UnmarshalJSON implements json.Unmarshaler. A null R, S or Lambda reads
// as +Inf, the only non-finite value these take; a null Bulk as NaN.
func (t *Threshold) UnmarshalJSON(b []byte) error {
	var v struct {
		Rule     Rule     `json:"Rule"`
		Model    string   `json:"Model"`
		Lambda   *float64 `json:"Lambda"`
		Bulk     *float64 `json:"Bulk"`
		DimRatio float64  `json:"DimRatio"`
		Group    []Mode   `json:"Group"`
		R        *float64 `json:"R"`
		S        *float64 `json:"S"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	or := func(p *float64, def float64) float64 {
		if p == nil {
			return def
		}
		return *p
	}
	*t = Threshold{Rule: v.Rule, Model: v.Model, Lambda: or(v.Lambda, math.Inf(1)), Bulk: or(v.Bulk, math.NaN()),
		DimRatio: v.DimRatio, Group: v.Group, R: or(v.R, math.Inf(1)), S: or(v.S, math.Inf(1))}
	return nil
}

// IsingThreshold returns the threshold of the Ising ring m under rule.
//
// With Λ = e^(2β) (eq 26, the N → ∞ value) and bulk level 1:
//
//	EdgeMatching:  Λ = (1 + √r)²   ⇔  r_c = (e^β − 1)²     (eq 27)
//	BBPFlatBulk:   Λ − 1 = √r      ⇔  r_c = (e^(2β) − 1)²  (§3.10)
//
// EdgeMatchingPottsNull coincides with EdgeMatching for ±1 data.
// PluginSeparation uses the exact finite-N spectrum and the group {k = 0}
// of the uniform mode (SeparationThreshold), whose S_c is orders of
// magnitude above the others (§3.11). S_c = N/r_c. The squares are formed
// from expm1, exact to rounding at small β. At β = 0, r_c = 0 and
// S_c = +Inf (no structure to learn). It panics if rule is unknown,
// m.N < 1, or β is negative or NaN.
func IsingThreshold(m ring.Ising, rule Rule) Threshold {
	if m.N < 1 || !(m.Beta >= 0) {
		panic(fmt.Sprintf("spectral: invalid Ising ring N=%d β=%g", m.N, m.Beta))
	}
	t := Threshold{Rule: rule, Model: ring.Label(m), Lambda: math.Exp(2 * m.Beta), Bulk: 1, DimRatio: 1}
	switch rule {
	case EdgeMatching, EdgeMatchingPottsNull:
		x := math.Expm1(m.Beta)
		t.R = x * x
	case BBPFlatBulk:
		x := math.Expm1(2 * m.Beta)
		t.R = x * x
	case PluginSeparation:
		if m.N < 2 || m.Beta == 0 {
			t.Lambda = 1
			t.S = math.Inf(1)
			return t
		}
		sp := ModelSpectrum(m)
		th := SeparationThreshold(sp, []Mode{{0, 0}})
		th.Model, th.Bulk, th.DimRatio = t.Model, 1, 1
		return th
	default:
		panic(fmt.Sprintf("spectral: unknown rule %v", rule))
	}
	t.S = float64(m.N) / t.R
	return t
}

// XYThreshold returns the threshold of the XY ring m under rule, with
// Λ = Λ_XY of eq 30 (LambdaXY, the N → ∞ value), the Pearson bulk level
// σ_b² = P/(P−1) and D/N = P−1 (THEORY.md §3.9–3.10):
//
//	EdgeMatching (eq 31, additive):  r_c = (√(Λ − P/(P−1)) − 1)²/P
//	EdgeMatchingPottsNull:           r_c = (√(Λ(P−1)/P) − 1)²/(P−1)
//	BBPFlatBulk:                     r_c = l²/(P−1),  l = Λ(P−1)/P − 1
//	PluginSeparation:                N/S_sep of the top eigenspace
//	                                 {(K, p) = (0, 1), (0, P−1)} of the
//	                                 exact finite-N spectrum
//
// P = 10, β = 1.5 give Λ = 4.391 and r_c = 0.0658 under EdgeMatching, the
// paper's "r ≃ 0.066". A Λ the noise edge never falls below gives r_c = 0
// and S_c = +Inf. It panics if m is invalid or rule unknown.
func XYThreshold(m ring.XY, rule Rule) Threshold {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	p := float64(m.P)
	bulk := p / (p - 1)
	t := Threshold{Rule: rule, Model: ring.Label(m), Lambda: LambdaXY(m.P, m.Beta), Bulk: bulk, DimRatio: p - 1}
	switch rule {
	case EdgeMatching:
		if x := t.Lambda - bulk; x > 1 {
			y := math.Sqrt(x) - 1
			t.R = y * y / p
		}
	case EdgeMatchingPottsNull, BBPFlatBulk:
		t.R = flatBulkRatio(rule, t.Lambda, bulk, p-1)
	case PluginSeparation:
		if m.Beta == 0 {
			t.S = math.Inf(1) // no structure: every Pearson eigenvalue is σ_b²
			return t
		}
		sp := ModelSpectrum(m)
		th := SeparationThreshold(sp, sp.Top().Modes)
		th.Model, th.Bulk, th.DimRatio = t.Model, bulk, p-1
		return th
	default:
		panic(fmt.Sprintf("spectral: unknown rule %v", rule))
	}
	t.S = float64(m.N) / t.R
	return t
}

// flatBulkRatio returns r_c of a spike Λ on the flat bulk σ² with
// γ = r·dimRatio: (√(Λ/σ²) − 1)² (edge) or (Λ/σ² − 1)² (BBP), divided by
// dimRatio; 0 when Λ ≤ σ².
func flatBulkRatio(rule Rule, lambda, bulk, dimRatio float64) float64 {
	u := lambda / bulk
	if !(u > 1) {
		return 0
	}
	var g float64
	if rule == BBPFlatBulk {
		g = (u - 1) * (u - 1)
	} else {
		x := math.Sqrt(u) - 1
		g = x * x
	}
	return g / dimRatio
}

// XYNoiseEdge returns the noise edge of XY data at ratio r under rule:
// the additive P/(P−1) + (1 + √(rP))² of eq 31 for EdgeMatching and the
// multiplicative P/(P−1)(1 + √(r(P−1)))² for EdgeMatchingPottsNull
// (THEORY.md §3.9). It panics for other rules.
func XYNoiseEdge(p int, r float64, rule Rule) float64 {
	q := float64(p)
	switch rule {
	case EdgeMatching:
		x := 1 + math.Sqrt(r*q)
		return q/(q-1) + x*x
	case EdgeMatchingPottsNull:
		x := 1 + math.Sqrt(r*(q-1))
		return q / (q - 1) * x * x
	}
	panic(fmt.Sprintf("spectral: rule %v has no noise edge", rule))
}

// NullBulk returns the flat bulk of m's independent-site null in the
// normalisation of its Kernel: the non-zero eigenvalue σ_b² of the
// on-site block C_0 and its multiplicity D/N (under the null C = I_N ⊗
// C_0). It is 1 and 1 for ±1 spins, P/(P−1) and P−1 for Pearson Potts
// data, φ(1−φ) and 1 for the bump ring's covariance. It returns an error
// if C_0 has several distinct non-zero eigenvalues (no flat bulk).
func NullBulk(m ring.Model) (level float64, dimRatio int, err error) {
	f := m.Encoding().Features
	blk := m.Kernel(nil)[:f*f]
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(f, append([]float64(nil), blk...)), false) {
		return 0, 0, fmt.Errorf("spectral: on-site block of %s could not be diagonalised", ring.Label(m))
	}
	vals := es.Values(nil)
	top := vals[f-1]
	for _, v := range vals {
		switch {
		case math.Abs(v-top) <= 1e-10*math.Abs(top):
			dimRatio++
		case math.Abs(v) > 1e-10*math.Abs(top):
			return 0, 0, fmt.Errorf("spectral: the independent-site null of %s has no flat bulk (on-site eigenvalues %v)", ring.Label(m), vals)
		}
	}
	return top, dimRatio, nil
}

// ModelThreshold returns the threshold of any ring model under rule. The
// Ising and XY rings use IsingThreshold and XYThreshold (the paper's Λ);
// other models take Λ as the exact top eigenvalue of their spectrum and
// the flat bulk of NullBulk, EdgeMatching then being the flat-null edge
// σ_b²(1 + √γ)² like EdgeMatchingPottsNull, and PluginSeparation using
// the top eigenspace. It returns an error if the model's null has no flat
// bulk, and panics for an unknown rule or an invalid model.
func ModelThreshold(m ring.Model, rule Rule) (Threshold, error) {
	switch x := m.(type) {
	case ring.Ising:
		return IsingThreshold(x, rule), nil
	case ring.XY:
		return XYThreshold(x, rule), nil
	}
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	if rule < EdgeMatching || rule > PluginSeparation {
		panic(fmt.Sprintf("spectral: unknown rule %v", rule))
	}
	bulk, dr, err := NullBulk(m)
	if err != nil {
		return Threshold{}, err
	}
	sp := ModelSpectrum(m)
	top := sp.Top()
	if !(top.Value > bulk*(1+1e-12)) {
		// No eigenvalue above the null's bulk: nothing to learn.
		return Threshold{Rule: rule, Model: ring.Label(m), Lambda: top.Value, Bulk: bulk,
			DimRatio: float64(dr), S: math.Inf(1)}, nil
	}
	if rule == PluginSeparation {
		th := SeparationThreshold(sp, top.Modes)
		th.Model, th.Bulk, th.DimRatio = ring.Label(m), bulk, float64(dr)
		return th, nil
	}
	t := Threshold{Rule: rule, Model: ring.Label(m), Lambda: top.Value, Bulk: bulk, DimRatio: float64(dr)}
	t.R = flatBulkRatio(rule, t.Lambda, bulk, float64(dr))
	t.S = float64(m.Sites()) / t.R
	return t, nil
}

// SeparationSamples returns the plug-in separation size of a group G of
// modes of the exact spectrum s (THEORY.md §3.6),
//
//	S_sep(G) = Σ_{k∉G} λ_k² / (λ_G − λ_k)²,
//
// the sample size above which ψ'(λ_G) > 0 for the spectrum of the other
// modes, so that G separates from the rest. For a group with unequal
// eigenvalues λ_G is the smallest of them (the member closest to the
// rest); the group is meant to be the top of the spectrum. For one spike
// ℓ = 1+l on an identity bulk of D−1 modes it is (D−1)/l², the finite-D
// form of the BBP value D/l². It is meaningful only when G is separated
// from the rest by an O(1) gap; a rest eigenvalue equal to λ_G gives +Inf.
// It panics if the group is empty or a mode is out of range.
func SeparationSamples(s *Spectrum, group []Mode) float64 {
	if len(group) == 0 {
		panic("spectral: empty separation group")
	}
	in := make(map[int]bool, len(group))
	lg := math.Inf(1)
	for _, md := range group {
		in[s.index(md)] = true
		lg = math.Min(lg, s.Value(md))
	}
	var sum float64
	for i, v := range s.Values {
		if !in[i] {
			sum += v * v / ((lg - v) * (lg - v))
		}
	}
	return sum
}

// SeparationThreshold returns the PluginSeparation threshold of group in
// the spectrum s: S_c = S_sep(G) and r_c = N/S_c, with Lambda the smallest
// eigenvalue of the group.
func SeparationThreshold(s *Spectrum, group []Mode) Threshold {
	sc := SeparationSamples(s, group)
	lg := math.Inf(1)
	for _, md := range group {
		lg = math.Min(lg, s.Value(md))
	}
	return Threshold{Rule: PluginSeparation, Lambda: lg, Group: slices.Clone(group),
		R: float64(s.N) / sc, S: sc}
}

// IsingBetaC returns the critical inverse temperature at ratio r under rule;
// for EdgeMatching (and EdgeMatchingPottsNull, the same for ±1 data) this
// is the paper's eq 27, β_c = ln(1 + √r).
//
// For BBPFlatBulk it is β_c = ½ ln(1 + √r) (THEORY.md §3.10). Both are
// formed with log1p. r = 0 gives 0, r = +Inf gives +Inf, and negative or
// NaN r gives NaN. It panics for other rules (PluginSeparation has no
// closed form).
func IsingBetaC(r float64, rule Rule) float64 {
	switch rule {
	case EdgeMatching, EdgeMatchingPottsNull:
		return math.Log1p(math.Sqrt(r))
	case BBPFlatBulk:
		return 0.5 * math.Log1p(math.Sqrt(r))
	default:
		panic(fmt.Sprintf("spectral: unknown rule %v", rule))
	}
}
