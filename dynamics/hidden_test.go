package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestHiddenDevCases checks the hidden-unit cases of theory-cases.md.
func TestHiddenDevCases(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		name      string
		h         Hidden
		var0      float64
		mean0     float64
		lambda    float64 // data eigenvalue, with σ_v² = 1
		rate      float64
		checkRate bool
	}{
		// GR-1: Var₀ = 1/γ_h, rate Var₀(λ − 1) = 1.
		{"GR-1", Gaussian{GammaH: 2}, 0.5, 0, 3, 1, true},
		// GR-2: ReLU γ_h = 1, θ = 0: Var₀ = 1 − 2/π, mean √(2/π).
		{"GR-2", ReLU{GammaH: 1}, 0.3633802276, 0.7978845608, 3, 0.7267604553, true},
		// GR-6: σ(g)(1 − σ(g)) and 1 − tanh²c.
		{"GR-6 Bernoulli g=0", Bernoulli{}, 0.25, 0.5, 0, 0, false},
		{"GR-6 Bernoulli g=1", Bernoulli{G: 1}, 0.1966119332, 0.7310585786, 0, 0, false},
		{"GR-6 spin c=0", Spin{}, 1, 0, 0, 0, false},
		{"GR-6 spin c=1", Spin{C: 1}, 0.4199743416, 0.7615941560, 0, 0, false},
	} {
		if got := c.h.Var(0); !scalar.EqualWithinAbsOrRel(got, c.var0, 1e-10, 1e-9) {
			t.Errorf("%d %s: Var(0) = %.12g, want %.12g", i, c.name, got, c.var0)
		}
		if got := c.h.Mean(0); !scalar.EqualWithinAbsOrRel(got, c.mean0, 1e-10, 1e-9) {
			t.Errorf("%d %s: Mean(0) = %.12g, want %.12g", i, c.name, got, c.mean0)
		}
		if c.checkRate {
			got := HiddenRates(nil, []float64{c.lambda}, c.h, 1)[0]
			if !scalar.EqualWithinAbsOrRel(got, c.rate, 1e-10, 1e-9) {
				t.Errorf("%d %s: rate = %.12g, want %.12g", i, c.name, got, c.rate)
			}
		}
	}
}

// TestHiddenRatesGR9 checks GR-9: bump data N = 10, η = 1 (φ = 0.3,
// σ_v² = 0.21, λ_1 = 0.6854101966): Gaussian r_1 = 0.47541020,
// r_0 = −0.21; ReLU r_1 = 0.17275467.
func TestHiddenRatesGR9(t *testing.T) {
	t.Parallel()
	lambda := []float64{0, 0.6854101966}
	g := HiddenRates(nil, lambda, Gaussian{GammaH: 1}, 0.21)
	r := HiddenRates(nil, lambda, ReLU{GammaH: 1}, 0.21)
	for i, c := range []struct{ got, want float64 }{
		{g[0], -0.21}, {g[1], 0.47541020}, {r[1], 0.17275467},
	} {
		if !scalar.EqualWithinAbsOrRel(c.got, c.want, 1e-8, 1e-8) {
			t.Errorf("%d: rate = %.10g, want %.10g", i, c.got, c.want)
		}
	}
}

// TestHiddenRatesEnumeration checks the linear rate σ_1 = Var₀(λ_1 − σ_v²)
// of GR-9 against the exact likelihood gradient by enumeration of all 2¹⁰
// visible states of an RBM with one hidden unit, {0,1} visible units whose
// fields are fitted to their optimum by Newton's method, and w = ε·cos mode
// 1 (THEORY.md §4.5). The relative error of the linearisation is O(ε).
func TestHiddenRatesEnumeration(t *testing.T) {
	t.Parallel()
	const n, eta, eps = 10, 1, 1e-5
	// Bump data: the 10 positions of a block of 2η+1 ones, equally likely.
	var data [][]float64
	for p := 0; p < n; p++ {
		v := make([]float64, n)
		for d := -eta; d <= eta; d++ {
			v[(p+d+n)%n] = 1
		}
		data = append(data, v)
	}
	mode := make([]float64, n)
	for i := range mode {
		mode[i] = math.Sqrt(2.0/n) * math.Cos(2*math.Pi*float64(i)/n)
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = eps * mode[i]
	}
	states := make([][]float64, 1<<n)
	for s := range states {
		states[s] = make([]float64, n)
		for i := 0; i < n; i++ {
			states[s][i] = float64((s >> i) & 1)
		}
	}
	for _, h := range []Hidden{Gaussian{GammaH: 1}, ReLU{GammaH: 1}, DoubleWell{Theta: 1}, Bernoulli{}} {
		// Fit the visible fields b so that ⟨v_i⟩_model = φ = 0.3.
		b := make([]float64, n)
		probs := func() []float64 {
			l := make([]float64, len(states))
			for s, v := range states {
				var in float64
				for i := range v {
					l[s] += b[i] * v[i]
					in += w[i] * v[i]
				}
				l[s] += h.Gamma(in)
			}
			_, p := logSumExp(l)
			return p
		}
		for it := 0; it < 50; it++ {
			p := probs()
			mean := make([]float64, n)
			for s, v := range states {
				for i := range v {
					mean[i] += p[s] * v[i]
				}
			}
			// Newton step with the model covariance as Hessian.
			cov := make([]float64, n*n)
			for s, v := range states {
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						cov[i*n+j] += p[s] * (v[i] - mean[i]) * (v[j] - mean[j])
					}
				}
			}
			rhs := make([]float64, n)
			for i := range rhs {
				rhs[i] = 0.3 - mean[i]
			}
			step := solveDense(cov, rhs, n)
			for i := range b {
				b[i] += step[i]
			}
		}
		p := probs()
		grad := make([]float64, n)
		for _, v := range data {
			var in float64
			for i := range v {
				in += w[i] * v[i]
			}
			for i := range v {
				grad[i] += v[i] * h.Mean(in) / float64(len(data))
			}
		}
		for s, v := range states {
			var in float64
			for i := range v {
				in += w[i] * v[i]
			}
			for i := range v {
				grad[i] -= p[s] * v[i] * h.Mean(in)
			}
		}
		var rate float64
		for i := range grad {
			rate += grad[i] * mode[i] / eps
		}
		want := HiddenRates(nil, []float64{0.6854101966}, h, 0.21)[0]
		if !scalar.EqualWithinAbsOrRel(rate, want, 1e-6, 1e-4) {
			t.Errorf("%v: enumerated rate of mode 1 = %.8g, want Var₀(λ_1 − σ_v²) = %.8g", h, rate, want)
		}
	}
}

// solveDense solves a·x = y by Gaussian elimination with partial pivoting.
func solveDense(a, y []float64, n int) []float64 {
	a = append([]float64(nil), a...)
	x := append([]float64(nil), y...)
	for k := 0; k < n; k++ {
		p := k
		for i := k + 1; i < n; i++ {
			if math.Abs(a[i*n+k]) > math.Abs(a[p*n+k]) {
				p = i
			}
		}
		for j := 0; j < n; j++ {
			a[k*n+j], a[p*n+j] = a[p*n+j], a[k*n+j]
		}
		x[k], x[p] = x[p], x[k]
		for i := k + 1; i < n; i++ {
			f := a[i*n+k] / a[k*n+k]
			for j := k; j < n; j++ {
				a[i*n+j] -= f * a[k*n+j]
			}
			x[i] -= f * x[k]
		}
	}
	for k := n - 1; k >= 0; k-- {
		for j := k + 1; j < n; j++ {
			x[k] -= a[k*n+j] * x[j]
		}
		x[k] /= a[k*n+k]
	}
	return x
}

// quadGamma returns ln ∫ e^(−U(h) + hI) dh by composite Simpson on a grid
// of step 1e-3 over [lo, hi], split at 0 (where dReLU potentials have a
// kink), in log space relative to the integrand's largest value.
func quadGamma(u func(float64) float64, I, lo, hi float64) float64 {
	const step = 1e-3
	logf := func(h float64) float64 { return -u(h) + h*I }
	var peak = math.Inf(-1)
	for h := lo; h <= hi; h += step {
		peak = math.Max(peak, logf(h))
	}
	simpson := func(a, b float64) float64 {
		if b <= a {
			return 0
		}
		m := 2 * int(math.Ceil((b-a)/step/2))
		d := (b - a) / float64(m)
		s := math.Exp(logf(a)-peak) + math.Exp(logf(b)-peak)
		for k := 1; k < m; k++ {
			c := 2.0
			if k%2 == 1 {
				c = 4
			}
			s += c * math.Exp(logf(a+float64(k)*d)-peak)
		}
		return s * d / 3
	}
	var s float64
	if lo < 0 && hi > 0 {
		s = simpson(lo, 0) + simpson(0, hi)
	} else {
		s = simpson(lo, hi)
	}
	return peak + math.Log(s)
}

// TestHiddenGammaQuadrature checks Γ of the continuous units against
// numerical quadrature of ∫ e^(−U(h)+hI) dh (SIMULATOR.md §3), and Γ of the
// discrete units against the two-term sums.
func TestHiddenGammaQuadrature(t *testing.T) {
	t.Parallel()
	relu := func(g, th float64) func(float64) float64 {
		return func(h float64) float64 {
			if h < 0 {
				return math.Inf(1)
			}
			return g*h*h/2 + th*h
		}
	}
	drelu := func(gp, gm, tp, tm float64) func(float64) float64 {
		return func(h float64) float64 {
			if h >= 0 {
				return gp*h*h/2 + tp*h
			}
			return gm*h*h/2 - tm*h
		}
	}
	for i, c := range []struct {
		h Hidden
		u func(float64) float64
	}{
		{Gaussian{GammaH: 2, Theta: 0.5}, func(h float64) float64 { return h*h + 0.5*h }},
		{ReLU{GammaH: 1, Theta: 0}, relu(1, 0)},
		{ReLU{GammaH: 0.5, Theta: -1}, relu(0.5, -1)},
		{ReLU{GammaH: 3, Theta: 2}, relu(3, 2)},
		{DReLU{GammaPlus: 1, GammaMinus: 2, ThetaPlus: 0.5, ThetaMinus: -1}, drelu(1, 2, 0.5, -1)},
		{DoubleWell{Theta: -2}, drelu(1, 1, -2, -2)},
		{DoubleWell{Theta: 1.5}, drelu(1, 1, 1.5, 1.5)},
	} {
		for _, I := range []float64{-6, -1.3, 0, 0.4, 2, 7} {
			lo, hi := -40.0, 40.0
			if _, ok := c.h.(ReLU); ok {
				lo = 0
			}
			want := quadGamma(c.u, I, lo, hi)
			if got := c.h.Gamma(I); !scalar.EqualWithinAbsOrRel(got, want, 1e-10, 1e-10) {
				t.Errorf("%d %v: Gamma(%v) = %.12g, want %.12g (quadrature)", i, c.h, I, got, want)
			}
		}
	}
	for _, I := range []float64{-3, 0, 0.8} {
		for _, c := range []float64{0, 1, -0.3} {
			want := math.Log(math.Exp(I+c) + math.Exp(-I-c))
			if got := (Spin{C: c}).Gamma(I); !scalar.EqualWithinAbsOrRel(got, want, 1e-14, 1e-14) {
				t.Errorf("Spin{%v}.Gamma(%v) = %v, want %v", c, I, got, want)
			}
			want = math.Log(1 + math.Exp(I+c))
			if got := (Bernoulli{G: c}).Gamma(I); !scalar.EqualWithinAbsOrRel(got, want, 1e-14, 1e-14) {
				t.Errorf("Bernoulli{%v}.Gamma(%v) = %v, want %v", c, I, got, want)
			}
		}
	}
}

// allUnits is a set of hidden units covering every type and regime.
var allUnits = []Hidden{
	Spin{}, Spin{C: 0.7}, Bernoulli{}, Bernoulli{G: -1.2},
	Gaussian{GammaH: 1}, Gaussian{GammaH: 0.3, Theta: -0.4},
	ReLU{GammaH: 1}, ReLU{GammaH: 2, Theta: 1.5}, ReLU{GammaH: 0.5, Theta: -2},
	DReLU{GammaPlus: 1, GammaMinus: 3, ThetaPlus: 0.5, ThetaMinus: -0.5},
	DoubleWell{}, DoubleWell{Theta: -3}, DoubleWell{Theta: 2}, DoubleWell{Theta: -30},
}

// TestHiddenDerivatives checks Γ' and Γ″ against central differences of Γ
// and Γ' (step 1e-4: truncation ~1e-8, rounding ~1e-12·|Γ|/1e-4).
func TestHiddenDerivatives(t *testing.T) {
	t.Parallel()
	const d = 1e-4
	for _, h := range allUnits {
		for _, I := range []float64{-12, -3.1, -0.6, 0, 0.05, 1.7, 4, 15} {
			fdMean := (h.Gamma(I+d) - h.Gamma(I-d)) / (2 * d)
			if got := h.Mean(I); !scalar.EqualWithinAbsOrRel(got, fdMean, 1e-6, 1e-6) {
				t.Errorf("%v: Mean(%v) = %.10g, finite difference of Gamma %.10g", h, I, got, fdMean)
			}
			fdVar := (h.Mean(I+d) - h.Mean(I-d)) / (2 * d)
			// The θ = −30 well varies on the scale 1/30: truncation ~d²·30²/6.
			if got := h.Var(I); !scalar.EqualWithinAbsOrRel(got, fdVar, 1e-6, 1e-5) {
				t.Errorf("%v: Var(%v) = %.10g, finite difference of Mean %.10g", h, I, got, fdVar)
			}
		}
	}
}

// TestHiddenTails checks |I| up to 10³ (THEORY.md §4.3): every value
// finite, variances non-negative, and the tail limits: for ReLU and the
// double well Γ' ≈ I − θ and Γ″ → 1 as I → +∞; for the ReLU Γ' ≈
// 1/|z| and Γ″ ≈ 1/z² as I → −∞ (z = (θ−I)/√γ, asymptotic series of
// THEORY.md §4.3).
func TestHiddenTails(t *testing.T) {
	t.Parallel()
	for _, h := range allUnits {
		for _, I := range []float64{-1000, -300, -40, 40, 300, 1000} {
			g, m, v := h.Gamma(I), h.Mean(I), h.Var(I)
			if math.IsNaN(g) || math.IsInf(g, 0) || math.IsNaN(m) || math.IsInf(m, 0) || !(v >= 0) || math.IsInf(v, 0) {
				t.Errorf("%v at I = %v: Gamma %v, Mean %v, Var %v", h, I, g, m, v)
			}
		}
	}
	for _, c := range []struct {
		h          Hidden
		I          float64
		mean, vari float64
	}{
		{ReLU{GammaH: 1}, 1000, 1000, 1},
		{DoubleWell{Theta: 2}, 1000, 998, 1},
		{DoubleWell{Theta: 2}, -1000, -998, 1},
		// z = 1000: mean excess A_1/A_0 = 1/z − 2/z³ + 10/z⁵ and variance
		// 1/z² − 8/z⁴ from the asymptotic series of A_n (THEORY.md §4.3).
		{ReLU{GammaH: 1}, -1000, 1e-3 - 2e-9 + 1e-14, 1e-6 - 8e-12},
		// γ = 4, z = 500.5: the same divided by √γ and γ.
		{ReLU{GammaH: 4, Theta: 1}, -1000, (1/500.5 - 2/math.Pow(500.5, 3) + 10/math.Pow(500.5, 5)) / 2,
			(1/500.5/500.5 - 8/math.Pow(500.5, 4)) / 4},
		{Spin{}, 1000, 1, 0},
		{Bernoulli{}, -1000, 0, 0},
	} {
		if got := c.h.Mean(c.I); !scalar.EqualWithinAbsOrRel(got, c.mean, 1e-300, 1e-11) {
			t.Errorf("%v: Mean(%v) = %.15g, want %.15g", c.h, c.I, got, c.mean)
		}
		if got := c.h.Var(c.I); !scalar.EqualWithinAbsOrRel(got, c.vari, 1e-300, 1e-5) {
			t.Errorf("%v: Var(%v) = %.15g, want %.15g", c.h, c.I, got, c.vari)
		}
	}
}

// TestDoubleWellLimits checks the double well (THEORY.md §4.2): θ = 0 is
// the unit Gaussian, Γ = I²/2 + ½ ln 2π; Var₀ = 1 + θ² − θ m(θ) with m the
// inverse Mills ratio; θ → −∞ approaches a ±|θ| unit, Γ' → |θ| tanh(|θ|I)
// plus the unit-width spread of each well.
func TestDoubleWellLimits(t *testing.T) {
	t.Parallel()
	for _, I := range []float64{-3, 0, 0.5, 4} {
		want := I*I/2 + 0.5*math.Log(2*math.Pi)
		if got := (DoubleWell{}).Gamma(I); !scalar.EqualWithinAbsOrRel(got, want, 1e-13, 1e-13) {
			t.Errorf("DoubleWell{0}.Gamma(%v) = %v, want %v", I, got, want)
		}
		if got := (DoubleWell{}).Mean(I); !scalar.EqualWithinAbsOrRel(got, I, 1e-13, 1e-13) {
			t.Errorf("DoubleWell{0}.Mean(%v) = %v, want %v", I, got, I)
		}
	}
	for _, th := range []float64{-30, -2, -0.5, 0, 1, 2, 6} {
		m := math.Exp(-logMills(th))
		want := 1 + th*th - th*m
		if got := (DoubleWell{Theta: th}).Var(0); !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12) {
			t.Errorf("DoubleWell{%v}.Var(0) = %.14g, want 1 + θ² − θm(θ) = %.14g", th, got, want)
		}
	}
	// θ = −30: h = ±(30 + x), each well ~ N(±I, 1) truncated far from 0;
	// p₊ = σ(2·30·I + …). For I = 0.01 the exact mixture mean is
	// p₊(30 + I) − p₋(30 − I) with p₊ = σ(ln Φ̃(−30−I) − ln Φ̃(−30+I)).
	th, I := -30.0, 0.01
	lp, lm := logMills(th-I), logMills(th+I)
	pp := 1 / (1 + math.Exp(lm-lp))
	want := pp*(-th+I) - (1-pp)*(-th-I)
	if got := (DoubleWell{Theta: th}).Mean(I); !scalar.EqualWithinAbsOrRel(got, want, 1e-10, 1e-10) {
		t.Errorf("DoubleWell{−30}.Mean(0.01) = %v, want %v", got, want)
	}
	if binary := -th * math.Tanh(-th*I); math.Abs((DoubleWell{Theta: th}).Mean(I)-binary) > 0.02*binary {
		t.Errorf("DoubleWell{−30}.Mean(0.01) = %v, far from the binary limit |θ|tanh(|θ|I) = %v", (DoubleWell{Theta: th}).Mean(I), binary)
	}
}

// TestHiddenSampleMoments checks the sample mean and variance of Sample
// against Mean and Var within 5 standard errors (fixed seed), including
// far tails where the truncated normal is drawn at z up to 30.
func TestHiddenSampleMoments(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(21, 22))
	const draws = 40000
	for _, h := range allUnits {
		inputs := []float64{-30, -2, 0, 0.7, 5}
		switch h.(type) {
		case Spin, Bernoulli:
			// Keep both outcomes frequent enough for the standard error.
			inputs = []float64{-2, 0, 0.7}
		}
		for _, I := range inputs {
			var s, s2, s4 float64
			mean := h.Mean(I)
			for range draws {
				x := h.Sample(I, rnd) - mean
				s += x
				s2 += x * x
				s4 += x * x * x * x
			}
			m := s / draws
			want := h.Var(I)
			se := math.Sqrt(want / draws)
			if math.Abs(m) > 5*se+1e-12*math.Abs(mean) {
				t.Errorf("%v at I = %v: sample mean %.6g, want %.6g (se %.2g)", h, I, m+mean, mean, se)
			}
			// Second moment about the exact mean; its standard error is
			// √((μ₄ − σ⁴)/n).
			v := s2 / draws
			seV := math.Sqrt(math.Max(s4/draws-want*want, 0) / draws)
			if math.Abs(v-want) > 5*seV+1e-12 {
				t.Errorf("%v at I = %v: sample variance %.6g, want %.6g (se %.2g)", h, I, v, want, seV)
			}
		}
	}
}

// TestTruncNormal checks the truncated-normal sampler for a ∈ [−5, 30]
// (THEORY.md §4.3) against the exact mean excess and variance.
func TestTruncNormal(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(23, 24))
	const draws = 50000
	for _, a := range []float64{-5, -1, 0, 0.3, 1, 3, 8, 30} {
		r, v, _ := truncMoments(a)
		var s, s2 float64
		for range draws {
			x := truncNormalExcess(a, rnd)
			if x < 0 {
				t.Fatalf("a = %v: negative excess %v", a, x)
			}
			s += x
			s2 += x * x
		}
		m := s / draws
		sv := s2/draws - m*m
		if se := math.Sqrt(v / draws); math.Abs(m-r) > 5*se {
			t.Errorf("a = %v: mean excess %.6g, want %.6g (se %.2g)", a, m, r, se)
		}
		// For a ≥ 3 the law is near-exponential, whose variance has
		// standard error about 2v/√n; use a conservative 3v/√n.
		if se := 3 * v / math.Sqrt(draws); math.Abs(sv-v) > 5*se {
			t.Errorf("a = %v: variance %.6g, want %.6g (se %.2g)", a, sv, v, se)
		}
	}
}

// TestHiddenValidate checks that parameters out of range are reported.
func TestHiddenValidate(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		h  Hidden
		ok bool
	}{
		{Gaussian{GammaH: 1}, true}, {Gaussian{}, false}, {ReLU{GammaH: -1}, false},
		{DReLU{1, 1, 0, 0}, true}, {DReLU{1, 0, 0, 0}, false}, {DoubleWell{Theta: math.NaN()}, false},
		{Spin{C: math.Inf(1)}, false}, {Bernoulli{G: 2}, true},
	} {
		if err := c.h.Validate(); (err == nil) != c.ok {
			t.Errorf("%d: %v.Validate() = %v, want ok %v", i, c.h, err, c.ok)
		}
	}
}

// TestSymmetricMeanSmallInput checks the relative accuracy of the mean of
// the symmetric double well and dReLU near I = 0, where Γ'(I) ≈ Var₀·I is
// the small difference of the two branch terms p₊μ₊ − p₋μ₋. References:
// 60-digit mpmath values of the closed form (THEORY.md §4.2)
//
//	E[h | I] = (A₁(z₊) − A₁(z₋)) / ((A₀(z₊) + A₀(z₋))√γ),   z± = (θ ∓ I)/√γ,
//	A₀(z) = √(π/2) e^(z²/2) erfc(z/√2),   A₁ = 1 − zA₀,
//
// (mp.mp.dps = 60, the formula above evaluated literally). The mean is odd
// in I, so Mean(−I) = −Mean(I) is checked too.
func TestSymmetricMeanSmallInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		gamma, theta, I, want float64
	}{
		{1, -3, 1e-14, 1.0013313517126376991e-13},
		{1, -3, 1e-10, 1.0013313517126376991e-9},
		{1, -3, 1e-6, 0.000010013313517099274832},
		{1, -3, 1e-3, 0.010013286415065217312},
		{1, -3, 0.05, 0.49730818083869738004},
		{1, -3, 0.3, 2.4510747012609189142},
		{1, -3, 2, 4.9999689837467513733},
		{1, 0, 1e-14, 1e-14},
		{1, 0, 1e-3, 0.001},
		{1, 0, 0.3, 0.3},
		{1, 1, 1e-14, 4.7486472383901879091e-15},
		{1, 1, 1e-10, 4.7486472383901879091e-11},
		{1, 1, 1e-6, 4.7486472383904757405e-7},
		{1, 1, 1e-3, 0.00047486475262215596635},
		{1, 1, 0.05, 0.023746833972558339517},
		{1, 1, 0.3, 0.14323567912639916368},
		{1, 1, 2, 1.161088907843145517},
		{1, 5, 1e-14, 6.7480164370789421917e-16},
		{1, 5, 1e-10, 6.7480164370789421917e-12},
		{1, 5, 1e-6, 6.748016437079121262e-8},
		{1, 5, 1e-3, 0.000067480166161491688454},
		{1, 5, 0.05, 0.003374232068092582904},
		{1, 5, 0.3, 0.020292489958069923616},
		{1, 5, 2, 0.15057166375290328975},
		{1, -20, 1e-14, 4.01e-12},
		{1, -20, 1e-10, 4.0099999999999999947e-8},
		{1, -20, 1e-6, 0.00040099999994666666668},
		{1, -20, 1e-3, 0.40094667519861863661},
		{1, -20, 0.05, 15.281883119115297762},
		{1, -20, 0.3, 20.299754233015911411},
		{2, 1.5, 1e-14, 2.2779737450724270299e-15},
		{2, 1.5, 1e-10, 2.2779737450724270299e-11},
		{2, 1.5, 1e-6, 2.2779737450724969541e-7},
		{2, 1.5, 1e-3, 0.00022779738149966399518},
		{2, 1.5, 0.05, 0.0113907427687488903},
		{2, 1.5, 0.3, 0.068527934673719027608},
		{2, 1.5, 2, 0.51007213056323794218},
	} {
		units := []Hidden{DReLU{c.gamma, c.gamma, c.theta, c.theta}}
		if c.gamma == 1 {
			units = append(units, DoubleWell{Theta: c.theta})
		}
		for _, u := range units {
			if got := u.Mean(c.I); !scalar.EqualWithinRel(got, c.want, 1e-13) {
				t.Errorf("%v: Mean(%v) = %.17g, want %.17g (relative error %.2g)", u, c.I, got, c.want, math.Abs(got/c.want-1))
			}
			if got := u.Mean(-c.I); !scalar.EqualWithinRel(got, -c.want, 1e-13) {
				t.Errorf("%v: Mean(%v) = %.17g, want %.17g", u, -c.I, got, -c.want)
			}
		}
	}
	// Exactly zero at I = 0.
	if got := (DoubleWell{Theta: 1}).Mean(0); got != 0 {
		t.Errorf("DoubleWell{1}.Mean(0) = %v, want 0", got)
	}
}
