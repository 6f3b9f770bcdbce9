package spectral

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"placecell/ring"
)

func TestRuleNames(t *testing.T) {
	t.Parallel()
	for i, test := range []struct {
		in   string
		want Rule
	}{
		{"EdgeMatching", EdgeMatching},
		{"edgematching", EdgeMatching},
		{"EDGE", EdgeMatching},
		{"edge", EdgeMatching},
		{"BBPFlatBulk", BBPFlatBulk},
		{"bbpflatbulk", BBPFlatBulk},
		{"bbp", BBPFlatBulk},
		{" BBP ", BBPFlatBulk},
		{"EdgeMatchingPottsNull", EdgeMatchingPottsNull},
		{"null", EdgeMatchingPottsNull},
		{"PluginSeparation", PluginSeparation},
		{"plugin", PluginSeparation},
	} {
		got, err := ParseRule(test.in)
		if err != nil || got != test.want {
			t.Errorf("case %d: ParseRule(%q) = %v, %v, want %v", i, test.in, got, err, test.want)
		}
	}
	for _, r := range Rules {
		if got, err := ParseRule(r.String()); err != nil || got != r {
			t.Errorf("ParseRule(%q) = %v, %v, want %v", r.String(), got, err, r)
		}
	}
	if got := EdgeMatching.String(); got != "EdgeMatching" {
		t.Errorf("EdgeMatching.String() = %q", got)
	}
	if got := BBPFlatBulk.String(); got != "BBPFlatBulk" {
		t.Errorf("BBPFlatBulk.String() = %q", got)
	}
	if got := Rule(7).String(); got != "Rule(7)" {
		t.Errorf("Rule(7).String() = %q, want Rule(7)", got)
	}
	for _, s := range []string{"", "bulk", "edge matching", "separation"} {
		if _, err := ParseRule(s); err == nil {
			t.Errorf("ParseRule(%q) returned no error", s)
		}
	}
}

func TestIsingThresholdPaper(t *testing.T) {
	t.Parallel()
	// PAP-2: β = 0.5 gives Λ = e = 2.718281828, r_c = (e^β − 1)² =
	// 0.4208392871 and S_c = N/r_c = 47.52408 (N=20), 237.6204 (N=100),
	// the paper's eqs 26–27, rule EdgeMatching.
	for i, test := range []struct {
		n             int
		lambda, r, sc float64
		scTol         float64
	}{
		{20, 2.718281828, 0.4208392871, 47.52408, 5e-6},
		{100, 2.718281828, 0.4208392871, 237.6204, 5e-5},
	} {
		got := IsingThreshold(ring.Ising{N: test.n, Beta: 0.5}, EdgeMatching)
		if got.Rule != EdgeMatching || got.Bulk != 1 {
			t.Errorf("case %d: rule %v bulk %g, want EdgeMatching 1", i, got.Rule, got.Bulk)
		}
		if math.Abs(got.Lambda-test.lambda) > 1e-9 {
			t.Errorf("case %d: Λ = %.10f, want %.9f", i, got.Lambda, test.lambda)
		}
		if math.Abs(got.R-test.r) > 1e-10 {
			t.Errorf("case %d: r_c = %.11f, want %.10f", i, got.R, test.r)
		}
		if math.Abs(got.S-test.sc) > test.scTol {
			t.Errorf("case %d: S_c = %.7f, want %g", i, got.S, test.sc)
		}
	}

	// PAPER-LAMBDA-ISING: Λ(0.3) = 1.822, Λ(0.5) = 2.718 to 5e-4 (eq 26).
	for _, test := range []struct{ beta, want float64 }{{0.3, 1.822}, {0.5, 2.718}} {
		for _, rule := range []Rule{EdgeMatching, BBPFlatBulk} {
			if got := IsingThreshold(ring.Ising{N: 100, Beta: test.beta}, rule).Lambda; math.Abs(got-test.want) > 5e-4 {
				t.Errorf("Λ(β=%g, %v) = %.5f, want %.3f", test.beta, rule, got, test.want)
			}
		}
	}
}

func TestIsingBetaC(t *testing.T) {
	t.Parallel()
	// PAP-1: r = 0.01 gives β_c = ln 1.1 = 0.0953101798 (eq 27); the BBP
	// rule (§3.10) gives half of it, ½ ln(1 + √r).
	if got := IsingBetaC(0.01, EdgeMatching); math.Abs(got-0.0953101798) > 1e-10 {
		t.Errorf("IsingBetaC(0.01, EdgeMatching) = %.11f, want 0.0953101798", got)
	}
	if got := IsingBetaC(0.01, BBPFlatBulk); math.Abs(got-0.0953101798/2) > 1e-10 {
		t.Errorf("IsingBetaC(0.01, BBPFlatBulk) = %.11f, want %.11f", got, 0.0953101798/2)
	}
	// Special cases.
	for _, rule := range []Rule{EdgeMatching, BBPFlatBulk} {
		if got := IsingBetaC(0, rule); got != 0 {
			t.Errorf("IsingBetaC(0, %v) = %g, want 0", rule, got)
		}
		if got := IsingBetaC(math.Inf(1), rule); !math.IsInf(got, 1) {
			t.Errorf("IsingBetaC(+Inf, %v) = %g, want +Inf", rule, got)
		}
		if got := IsingBetaC(-1, rule); !math.IsNaN(got) {
			t.Errorf("IsingBetaC(-1, %v) = %g, want NaN", rule, got)
		}
	}
}

func TestIsingThresholdConsistency(t *testing.T) {
	t.Parallel()
	for _, beta := range []float64{1e-8, 1e-3, 0.1, 0.5, 1, 2} {
		m := ring.Ising{N: 100, Beta: beta}
		edge := IsingThreshold(m, EdgeMatching)
		bbp := IsingThreshold(m, BBPFlatBulk)

		// Each rule's defining condition holds at r_c (§3.9–3.10):
		// Λ = (1 + √r)² and Λ − 1 = √r.
		if got, want := edge.Lambda, math.Pow(1+math.Sqrt(edge.R), 2); math.Abs(got-want) > 1e-12*want {
			t.Errorf("β=%g: EdgeMatching Λ = %.15g, (1+√r_c)² = %.15g", beta, got, want)
		}
		// (Λ − 1 carries the absolute rounding error of Λ ≈ 1, 2⁻⁵².)
		if got, want := bbp.Lambda-1, math.Sqrt(bbp.R); math.Abs(got-want) > 1e-12*want+0x1p-52 {
			t.Errorf("β=%g: BBP Λ−1 = %.15g, √r_c = %.15g", beta, got, want)
		}
		// S_c = N/r_c; BBP needs fewer samples than edge matching.
		for _, th := range []Threshold{edge, bbp} {
			if math.Abs(th.S*th.R-100) > 1e-12*100 {
				t.Errorf("β=%g %v: S_c·r_c = %g, want N = 100", beta, th.Rule, th.S*th.R)
			}
		}
		if !(bbp.S < edge.S) {
			t.Errorf("β=%g: S_c BBP = %g not below EdgeMatching %g", beta, bbp.S, edge.S)
		}
		// Round trip through IsingBetaC.
		for _, th := range []Threshold{edge, bbp} {
			if got := IsingBetaC(th.R, th.Rule); math.Abs(got-beta) > 1e-12*beta {
				t.Errorf("IsingBetaC(r_c(β=%g), %v) = %.15g, want %g", beta, th.Rule, got, beta)
			}
		}
	}

	// BBP-5: the BBP rule is S_c = N/l² with the spike l = Λ − 1. (a) N =
	// 200, l = 0.5 gives S_c = 800; (b) N = 100, l = 1 gives S_c = 100.
	for i, test := range []struct {
		n       int
		l, want float64
	}{
		{200, 0.5, 800},
		{100, 1, 100},
	} {
		beta := 0.5 * math.Log1p(test.l) // e^(2β) − 1 = l
		got := IsingThreshold(ring.Ising{N: test.n, Beta: beta}, BBPFlatBulk)
		if math.Abs(got.S-test.want) > 1e-9*test.want || math.Abs(got.R-test.l*test.l) > 1e-12 {
			t.Errorf("case %d (BBP-5): S_c = %.9g, r_c = %.12g, want %g, %g", i, got.S, got.R, test.want, test.l*test.l)
		}
	}

	// β = 0: no structure, r_c = 0 and S_c = +Inf.
	for _, rule := range []Rule{EdgeMatching, BBPFlatBulk} {
		got := IsingThreshold(ring.Ising{N: 10, Beta: 0}, rule)
		if got.R != 0 || !math.IsInf(got.S, 1) || got.Lambda != 1 {
			t.Errorf("IsingThreshold(β=0, %v) = %+v, want R 0, S +Inf, Λ 1", rule, got)
		}
	}
	// Small β: r_c from expm1 keeps full relative precision, r_c ≈ β².
	if got := IsingThreshold(ring.Ising{N: 10, Beta: 1e-10}, EdgeMatching).R; math.Abs(got-1e-20) > 1e-29 {
		t.Errorf("r_c(β=1e-10) = %g, want 1e-20", got)
	}

	for i, f := range []func(){
		func() { IsingThreshold(ring.Ising{N: 10, Beta: 1}, Rule(0)) },
		func() { IsingThreshold(ring.Ising{N: 0, Beta: 1}, EdgeMatching) },
		func() { IsingThreshold(ring.Ising{N: 10, Beta: -1}, EdgeMatching) },
		func() { IsingBetaC(0.1, Rule(9)) },
		func() { IsingBetaC(0.1, PluginSeparation) },
	} {
		if !panics(f) {
			t.Errorf("case %d: no panic", i)
		}
	}
}

func TestRuleJSON(t *testing.T) {
	t.Parallel()
	for _, r := range Rules {
		b, err := json.Marshal(Threshold{Rule: r})
		if err != nil {
			t.Fatal(err)
		}
		var back Threshold
		if err := json.Unmarshal(b, &back); err != nil || back.Rule != r {
			t.Errorf("JSON round trip of %v = %v (%s), err %v", r, back.Rule, b, err)
		}
		if !strings.Contains(string(b), `"`+r.String()+`"`) {
			t.Errorf("JSON of %v = %s, want the rule's name", r, b)
		}
	}
}

// TestThresholdJSONNonFinite checks that thresholds with no crossing
// encode: at β = 0.5, P = 10 the additive edge of eq 31 never falls below
// Λ_XY (Λ − P/(P−1) < 1), so r_c = 0 and S_c = +Inf (XYThreshold doc),
// which JSON cannot hold; it is written as null and read back as +Inf.
// Λ_XY = +Inf (β = 5000) round-trips the same way; finite fields are
// kept to the bit.
func TestThresholdJSONNonFinite(t *testing.T) {
	t.Parallel()
	for _, beta := range []float64{0.5, 5000} {
		th := XYThreshold(ring.XY{N: 20, P: 10, Beta: beta}, EdgeMatching)
		b, err := json.Marshal(th)
		if err != nil {
			t.Fatalf("β = %g: %v", beta, err)
		}
		var back Threshold
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("β = %g: decoding %s: %v", beta, b, err)
		}
		same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
		if !same(back.S, th.S) || !same(back.R, th.R) || !same(back.Lambda, th.Lambda) || back.Bulk != th.Bulk ||
			back.Rule != th.Rule || back.Model != th.Model {
			t.Errorf("β = %g: round trip %+v, want %+v (JSON %s)", beta, back, th, b)
		}
	}
	b, _ := json.Marshal(XYThreshold(ring.XY{N: 20, P: 10, Beta: 0.5}, EdgeMatching))
	if !strings.Contains(string(b), `"S":null`) {
		t.Errorf("JSON %s, want S null", b)
	}
}

// TestXYThresholdPaper checks PAPER-XY-CROSSING: at P = 10, β = 1.5 the
// additive eq-31 edge rule gives r_c = 0.0658 (paper "r ≃ 0.066"; matched
// to 5e−5) with Λ_XY = 4.391 (5e−4), and that each rule's defining
// condition holds at its r_c (§3.9–3.10): Λ equals the additive and the
// multiplicative noise edges, and Λ/σ_b² − 1 = √γ with γ = r(P−1);
// S_c·r_c = N.
func TestXYThresholdPaper(t *testing.T) {
	t.Parallel()
	m := ring.XY{N: 100, P: 10, Beta: 1.5}
	edge := XYThreshold(m, EdgeMatching)
	if math.Abs(edge.R-0.0658) > 5e-5 || math.Abs(edge.Lambda-4.391) > 5e-4 {
		t.Errorf("EdgeMatching r_c = %.6f, Λ = %.5f, want 0.0658 and 4.391 (PAPER-XY-CROSSING)", edge.R, edge.Lambda)
	}
	if got := XYNoiseEdge(10, edge.R, EdgeMatching); math.Abs(got-edge.Lambda) > 1e-12 {
		t.Errorf("additive edge at r_c = %.15g, want Λ = %.15g", got, edge.Lambda)
	}
	null := XYThreshold(m, EdgeMatchingPottsNull)
	if got := XYNoiseEdge(10, null.R, EdgeMatchingPottsNull); math.Abs(got-null.Lambda) > 1e-12 {
		t.Errorf("multiplicative edge at r_c = %.15g, want Λ = %.15g", got, null.Lambda)
	}
	bbp := XYThreshold(m, BBPFlatBulk)
	if got, want := bbp.Lambda/bbp.Bulk-1, math.Sqrt(bbp.R*9); math.Abs(got-want) > 1e-12 {
		t.Errorf("BBP: l = %.15g, √γ_c = %.15g", got, want)
	}
	// BBP needs the fewest samples, the additive edge the most.
	if !(bbp.S < null.S && null.S < edge.S) {
		t.Errorf("S_c: BBP %g, null %g, edge %g; want increasing", bbp.S, null.S, edge.S)
	}
	for _, th := range []Threshold{edge, null, bbp} {
		if math.Abs(th.S*th.R-100) > 1e-9 || th.Bulk != 10.0/9 || th.DimRatio != 9 {
			t.Errorf("%v: S·r = %v, bulk %v, D/N %v", th.Rule, th.S*th.R, th.Bulk, th.DimRatio)
		}
	}
	plug := XYThreshold(m, PluginSeparation)
	sp := ModelSpectrum(m)
	if want := SeparationSamples(sp, []Mode{{0, 1}, {0, 9}}); plug.S != want || math.Abs(plug.R*plug.S-100) > 1e-9 || len(plug.Group) != 2 {
		t.Errorf("PluginSeparation S_c = %v, group %v, want %v for {(0,1),(0,9)}", plug.S, plug.Group, want)
	}
	// β = 0: no structure under any rule.
	for _, rule := range Rules {
		if th := XYThreshold(ring.XY{N: 10, P: 4, Beta: 0}, rule); th.R != 0 || !math.IsInf(th.S, 1) {
			t.Errorf("β=0 %v: r_c = %v, S_c = %v, want 0 and +Inf", rule, th.R, th.S)
		}
	}
}

// TestXYThresholdIsingLimit checks that at P = 2 the statistically correct
// rules of the XY ring reduce to the Ising ones (Λ(0,1) = 2e^(2β),
// σ_b² = 2, γ = r): the Potts-null edge gives the Ising eq-27 r_c, and BBP
// the Ising BBP r_c. The additive eq 31 does not reduce (it is the
// paper's ad hoc form).
func TestXYThresholdIsingLimit(t *testing.T) {
	t.Parallel()
	for _, beta := range []float64{0.2, 0.5, 1} {
		x := ring.XY{N: 50, P: 2, Beta: beta}
		is := ring.Ising{N: 50, Beta: beta}
		pairs := [][2]Rule{{EdgeMatchingPottsNull, EdgeMatching}, {BBPFlatBulk, BBPFlatBulk}}
		for _, p := range pairs {
			got, want := XYThreshold(x, p[0]).R, IsingThreshold(is, p[1]).R
			if math.Abs(got-want) > 1e-12*want {
				t.Errorf("β=%g: XY P=2 %v r_c = %.15g, Ising %v = %.15g", beta, p[0], got, p[1], want)
			}
		}
	}
}

// TestIsingPluginSeparation checks PluginSeparation for the Ising ring
// against the direct sum Σ_{k≠0} λ_k²/(λ_0 − λ_k)² of §3.6 over the exact
// spectrum, and that it needs far more samples than edge matching
// (§3.11).
func TestIsingPluginSeparation(t *testing.T) {
	t.Parallel()
	m := ring.Ising{N: 100, Beta: 0.5}
	lam := IsingSpectrum(nil, m)
	var want float64
	for k := 1; k < 100; k++ {
		want += lam[k] * lam[k] / ((lam[0] - lam[k]) * (lam[0] - lam[k]))
	}
	got := IsingThreshold(m, PluginSeparation)
	if math.Abs(got.S-want) > 1e-9*want || got.Rule != PluginSeparation || len(got.Group) != 1 {
		t.Errorf("S_sep({0}) = %.12g, group %v, want %.12g", got.S, got.Group, want)
	}
	if edge := IsingThreshold(m, EdgeMatching); !(got.S > 100*edge.S) {
		t.Errorf("S_sep = %g not orders of magnitude above S_c = %g", got.S, edge.S)
	}
	if th := IsingThreshold(ring.Ising{N: 10, Beta: 0}, PluginSeparation); !math.IsInf(th.S, 1) || th.R != 0 {
		t.Errorf("β = 0: %+v, want r_c 0", th)
	}
}

// flatless is a test model whose on-site block has two distinct non-zero
// eigenvalues, so that its null has no flat bulk.
type flatless struct{ ring.XY }

func (f flatless) Kernel(dst []float64) []float64 {
	dst = f.XY.Kernel(dst)
	dst[0] = 2 // C_0(0,0)
	return dst
}

// TestModelThreshold checks the generic path: it dispatches the Ising and
// XY rings to their own functions, and NullBulk finds the independent-site
// bulk 1 (±1), P/(P−1) with D/N = P−1 (Potts), and reports a null without
// a flat bulk.
func TestModelThreshold(t *testing.T) {
	t.Parallel()
	for _, m := range []ring.Model{ring.Ising{N: 30, Beta: 0.7}, ring.XY{N: 30, P: 5, Beta: 1}} {
		for _, rule := range Rules {
			got, err := ModelThreshold(m, rule)
			var want Threshold
			switch x := m.(type) {
			case ring.Ising:
				want = IsingThreshold(x, rule)
			case ring.XY:
				want = XYThreshold(x, rule)
			}
			if err != nil || got.R != want.R || got.S != want.S {
				t.Errorf("%s %v: %+v, %v, want %+v", ring.Label(m), rule, got, err, want)
			}
		}
	}
	for _, c := range []struct {
		m     ring.Model
		level float64
		dim   int
	}{{ring.Ising{N: 10, Beta: 1}, 1, 1}, {ring.XY{N: 10, P: 7, Beta: 1}, 7.0 / 6, 6}} {
		level, dim, err := NullBulk(c.m)
		if err != nil || math.Abs(level-c.level) > 1e-14 || dim != c.dim {
			t.Errorf("NullBulk(%s) = %v, %d, %v, want %v, %d", ring.Label(c.m), level, dim, err, c.level, c.dim)
		}
	}
	bad := flatless{ring.XY{N: 6, P: 3, Beta: 1}}
	if _, _, err := NullBulk(bad); err == nil {
		t.Error("NullBulk of a null without flat bulk returned no error")
	}
	if _, err := ModelThreshold(bad, EdgeMatching); err == nil {
		t.Error("ModelThreshold of a null without flat bulk returned no error")
	}
}
