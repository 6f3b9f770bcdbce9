package ring

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// bruteProbs returns the exact probabilities of all 2^N configurations of
// the ring, configuration c having v_i = +1 iff bit i of c is set.
func bruteProbs(n int, beta float64) []float64 {
	p := make([]float64, 1<<n)
	var z float64
	for c := range p {
		e := 0
		for i := range n {
			e += (2*(c>>i&1) - 1) * (2*(c>>((i+1)%n)&1) - 1)
		}
		p[c] = math.Exp(beta * float64(e-n))
		z += p[c]
	}
	for c := range p {
		p[c] /= z
	}
	return p
}

// TestExactTables checks the sampler's conditional tables against the
// exact law: P(v_0) = 1/2 times the product of the tabulated conditionals
// P(u_j | u_{j−1}), u_j = v_j v_0, reproduces each of the 2^N
// probabilities obtained by enumeration (THEORY.md §2.3 reports 1e−16 at
// N = 6). Each tabulated conditional is a multiple of 2^(−64), so a
// product of N−1 of them may differ from the exact one by (N−1)·2^(−64)
// in absolute terms, besides float64 rounding; this decides only the tiny
// probabilities at β = 6.
func TestExactTables(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 3, 6, 9} {
		for _, beta := range []float64{0, 0.3, 1, 2.5, 6} {
			e := NewExact(Ising{N: n, Beta: beta})
			want := bruteProbs(n, beta)
			for c, w := range want {
				got := 0.5
				v0 := 2*(c&1) - 1
				prev := 1 // u_0 = +1
				for j := 1; j < n; j++ {
					u := (2*(c>>j&1) - 1) * v0
					p, q := e.condProb(j, (prev+1)/2)
					if u < 0 {
						p = q
					}
					got *= p
					prev = u
				}
				if math.Abs(got-w) > 1e-14*w+float64(n-1)*0x1p-64 {
					t.Errorf("N=%d β=%g: P(config %0*b) = %.17g, want %.17g (enumeration)", n, beta, n, c, got, w)
				}
			}
		}
	}
}

// TestExactTablesLarge propagates the law of u_j = v_0 v_j through the
// sampler's tables, p_j = P(u_j = +1) = p_{j−1} P(+|+) + (1 − p_{j−1}) P(+|−),
// and checks ⟨v_0 v_j⟩ = 2p_j − 1 against the closed form C(j) of §2.1
// for every j, up to N = 10⁴ and β = 5 where the closure factor matters
// at every j (ρ^N = 0.40).
func TestExactTablesLarge(t *testing.T) {
	t.Parallel()
	for _, m := range []Ising{
		{N: 100, Beta: 1.5}, {N: 1000, Beta: 3}, {N: 10000, Beta: 5}, {N: 10000, Beta: 0}, {N: 200, Beta: 9},
	} {
		e := NewExact(m)
		p := 1.0
		for j := 1; j < m.N; j++ {
			pp, _ := e.condProb(j, 1)
			pm, _ := e.condProb(j, 0)
			if !(pp > 0 && pp <= 1 && pm >= 0 && pm < 1) {
				t.Fatalf("%+v: conditionals at j=%d are %v, %v", m, j, pp, pm)
			}
			p = p*pp + (1-p)*pm
			if got, want := 2*p-1, m.Correlation(j); math.Abs(got-want) > 1e-9 {
				t.Fatalf("%+v: ⟨v_0 v_%d⟩ from tables = %.12g, want C(%d) = %.12g", m, j, got, j, want)
			}
		}
	}
}

// TestExactChiSquare compares the frequencies of all 2^6 configurations in
// 2×10⁵ exact draws with the enumerated probabilities. Pearson's X² has 63
// degrees of freedom, mean 63 and standard deviation √126 ≈ 11.2; the test
// fails above mean + 5 sd.
func TestExactChiSquare(t *testing.T) {
	t.Parallel()
	const n, count = 6, 200000
	for _, beta := range []float64{0.4, 1.2} {
		want := bruteProbs(n, beta)
		d := Generate(NewExact(Ising{N: n, Beta: beta}), count, 11)
		obs := make([]float64, 1<<n)
		for s := range d.Len() {
			obs[d.Packed(s)[0]]++
		}
		var x2 float64
		for c, p := range want {
			x2 += (obs[c] - count*p) * (obs[c] - count*p) / (count * p)
		}
		if limit := 63 + 5*math.Sqrt(126); x2 > limit {
			t.Errorf("β=%g: X² = %.1f over 63 degrees of freedom, want < %.1f", beta, x2, limit)
		}
	}
}

// checkSampledCorrelations compares the sample means of v_i v_{i+d} at
// several i and d (with d and N−d both present, which tests the closure)
// with C(d) of §2.1, and the sample means of v_i with 0. For independent
// samples the variance of v_i v_j is 1 − C(d)², so the standard error is
// √(inflate (1 − C²)/S); the test allows 5 standard errors. Bits above N
// must stay zero.
func checkSampledCorrelations(t *testing.T, label string, m Ising, d *Spins, inflate float64) {
	t.Helper()
	n, count := m.N, float64(d.Len())
	sum := make([][]float64, n)
	for i := range sum {
		sum[i] = make([]float64, n)
	}
	v := make([]int8, n)
	for s := range d.Len() {
		d.RowInt8(s, v)
		for i := range v {
			for j := range v {
				sum[i][j] += float64(v[i] * v[j])
			}
		}
		if w := d.Packed(s)[d.Stride()-1]; w&^lastMask(n) != 0 {
			t.Fatalf("%s: padding bits set in configuration %d", label, s)
		}
	}
	for _, i := range []int{0, 1, n / 3, n - 1} {
		for _, dist := range []int{1, 2, 3, n / 2, n - 3, n - 2, n - 1} {
			if dist < 1 || dist >= n {
				continue
			}
			j := (i + dist) % n
			got, want := sum[i][j]/count, m.Correlation(dist)
			se := math.Sqrt(inflate * (1 - want*want) / count)
			if math.Abs(got-want) > 5*se {
				t.Errorf("%s: ⟨v_%d v_%d⟩ = %.4f, want C(%d) = %.4f ± 5×%.4f", label, i, j, got, dist, want, se)
			}
		}
		got := sum[i][i] / count
		if got != 1 {
			t.Errorf("%s: ⟨v_%d²⟩ = %v, want 1", label, i, got)
		}
	}
	// ⟨v_i⟩ = 0 by the Z2 symmetry; Var v_i = 1.
	for _, i := range []int{0, n / 2, n - 1} {
		var m1 float64
		for s := range d.Len() {
			m1 += float64(d.At(s, i))
		}
		if se := math.Sqrt(inflate / count); math.Abs(m1/count) > 5*se {
			t.Errorf("%s: ⟨v_%d⟩ = %.4f, want 0", label, i, m1/count)
		}
	}
}

// TestExactSampledCorrelations checks exact draws against §2.1 at N = 20,
// where at β = 1.5 the closure term ρ^(N−d) is 0.13 at d = N/2.
func TestExactSampledCorrelations(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		m     Ising
		count int
	}{
		{Ising{N: 20, Beta: 1}, 40000},
		{Ising{N: 20, Beta: 1.5}, 40000},
		{Ising{N: 7, Beta: 0.3}, 40000},
		{Ising{N: 130, Beta: 2}, 8000},
		{Ising{N: 2, Beta: 0.8}, 10000},
	} {
		d := Generate(NewExact(test.m), test.count, 3)
		checkSampledCorrelations(t, fmt.Sprintf("exact %+v", test.m), test.m, d, 1)
	}
}

// TestHeatBathSampledCorrelations checks heat-bath draws with the default
// burn-in 10τ_M and spacing 5τ_M against §2.1. Under Glauber dynamics the
// slowest spin mode decays as e^(−s/τ_M) (THEORY.md §2.4) and products of
// spins decay faster, so consecutive records have autocorrelation at most
// e^(−5); the variance of a mean grows at most by the integrated
// autocorrelation factor (1 + e^(−5))/(1 − e^(−5)) ≈ 1.013, used as the
// inflation. The burn-in leaves a bias below e^(−10), negligible here.
func TestHeatBathSampledCorrelations(t *testing.T) {
	t.Parallel()
	inflate := (1 + math.Exp(-5)) / (1 - math.Exp(-5))
	for _, test := range []struct {
		m          Ising
		count      int
		sequential bool
	}{
		{Ising{N: 20, Beta: 0.5}, 8000, false},
		{Ising{N: 20, Beta: 1}, 8000, false},
		{Ising{N: 20, Beta: 1.5}, 3000, false},
		{Ising{N: 20, Beta: 1}, 8000, true},
		{Ising{N: 9, Beta: 1.5}, 3000, true},
	} {
		h := NewHeatBath(test.m)
		h.Sequential = test.sequential
		d := Generate(h, test.count, 5)
		label := fmt.Sprintf("heat bath %+v sequential=%t", test.m, test.sequential)
		checkSampledCorrelations(t, label, test.m, d, inflate)
	}
}

// TestHeatBathChiSquare compares the frequencies of the 2^5 configurations
// of heat-bath records with their exact probabilities, for both sweep
// orders. X² has 31 degrees of freedom (mean 31, sd √62 ≈ 7.9); the limit
// mean + 5 sd is widened by the autocorrelation factor 1.013 of
// TestHeatBathSampledCorrelations.
func TestHeatBathChiSquare(t *testing.T) {
	t.Parallel()
	const n, count, beta = 5, 30000, 0.7
	want := bruteProbs(n, beta)
	for _, sequential := range []bool{false, true} {
		h := NewHeatBath(Ising{N: n, Beta: beta})
		h.Sequential = sequential
		d := Generate(h, count, 17)
		obs := make([]float64, 1<<n)
		for s := range d.Len() {
			obs[d.Packed(s)[0]]++
		}
		var x2 float64
		for c, p := range want {
			x2 += (obs[c] - count*p) * (obs[c] - count*p) / (count * p)
		}
		if limit := 1.013 * (31 + 5*math.Sqrt(62)); x2 > limit {
			t.Errorf("sequential=%t: X² = %.1f over 31 degrees of freedom, want < %.1f", sequential, x2, limit)
		}
	}
}

// TestHeatBathAutocorrelation checks that with the default spacing the
// lag-1 autocorrelation of the magnetisation m = Σ v_i/N along a chain is
// small: at most e^(−5) ≈ 0.007 in theory (§2.4), tested as < e^(−5) plus
// 5 standard errors 1/√S of a sample autocorrelation. With spacing 1 at
// β = 1 it must be large (e^(−1/τ_M) ≈ 0.96 in continuous time), which
// shows that the test can fail.
func TestHeatBathAutocorrelation(t *testing.T) {
	t.Parallel()
	m := Ising{N: 20, Beta: 1}
	lag1 := func(h HeatBath, count int) float64 {
		d := NewSpins(m.N, count)
		h.Fill(d, 0, count, rand.New(rand.NewPCG(7, 8)))
		mag := make([]float64, count)
		for s := range mag {
			for i := range m.N {
				mag[s] += float64(d.At(s, i)) / float64(m.N)
			}
		}
		var c0, c1, mean float64
		for _, x := range mag {
			mean += x / float64(count)
		}
		for s := range mag {
			c0 += (mag[s] - mean) * (mag[s] - mean)
			if s > 0 {
				c1 += (mag[s] - mean) * (mag[s-1] - mean)
			}
		}
		return c1 / c0
	}
	const count = 4000
	if got, limit := lag1(NewHeatBath(m), count), math.Exp(-5)+5/math.Sqrt(count); math.Abs(got) > limit {
		t.Errorf("lag-1 autocorrelation with default spacing = %.4f, want |·| < %.4f", got, limit)
	}
	if got := lag1(HeatBath{Model: m, BurnIn: 300, Spacing: 1}, count); got < 0.8 {
		t.Errorf("lag-1 autocorrelation with spacing 1 = %.4f, want > 0.8", got)
	}
}

// TestMagnetisationTime checks τ_M = 1/(1 − tanh 2β) against the values
// printed in THEORY.md §2.4 (at their printed precision) and against the
// direct formula, and the defaults of NewHeatBath.
func TestMagnetisationTime(t *testing.T) {
	t.Parallel()
	for _, test := range []struct{ beta, want, tol float64 }{
		{0.5, 4.19, 0.005},
		{1, 27.8, 0.05},
		{1.5, 202, 0.5},
	} {
		got := MagnetisationTime(test.beta)
		if math.Abs(got-test.want) > test.tol {
			t.Errorf("MagnetisationTime(%g) = %.4f, want %g (THEORY §2.4)", test.beta, got, test.want)
		}
		direct := 1 / (1 - math.Tanh(2*test.beta))
		if math.Abs(got-direct) > 1e-12*direct {
			t.Errorf("MagnetisationTime(%g) = %.15g, want 1/(1 − tanh 2β) = %.15g", test.beta, got, direct)
		}
		h := NewHeatBath(Ising{N: 10, Beta: test.beta})
		if h.BurnIn != int(math.Ceil(10*direct)) || h.Spacing != int(math.Ceil(5*direct)) || h.Sequential {
			t.Errorf("NewHeatBath(β=%g) = %+v, want burn-in ⌈10τ⌉ = %g, spacing ⌈5τ⌉ = %g", test.beta, h, math.Ceil(10*direct), math.Ceil(5*direct))
		}
	}
	if got := MagnetisationTime(0); got != 1 {
		t.Errorf("MagnetisationTime(0) = %v, want 1", got)
	}
}

// TestGenerateDeterministic checks that Generate depends on the seed only:
// not on repetition, not on GOMAXPROCS. It changes GOMAXPROCS and so does
// not run in parallel with other tests.
func TestGenerateDeterministic(t *testing.T) {
	samplers := []Sampler{
		NewExact(Ising{N: 70, Beta: 1}),
		HeatBath{Model: Ising{N: 30, Beta: 0.8}, BurnIn: 5, Spacing: 2},
		HeatBath{Model: Ising{N: 30, Beta: 0.8}, BurnIn: 5, Spacing: 2, Sequential: true},
	}
	const count = 3*BlockSize + 17
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	for k, smp := range samplers {
		runtime.GOMAXPROCS(1)
		one := Generate(smp, count, 42)
		runtime.GOMAXPROCS(4)
		four := Generate(smp, count, 42)
		again := Generate(smp, count, 42)
		other := Generate(smp, count, 43)
		runtime.GOMAXPROCS(prev)
		if one.Len() != count || one.Sites() != smp.Sites() {
			t.Fatalf("sampler %d: Generate gave %d×%d, want %d×%d", k, one.Len(), one.Sites(), count, smp.Sites())
		}
		if !slices.Equal(one.bits, four.bits) {
			t.Errorf("sampler %d: Generate differs between GOMAXPROCS 1 and 4", k)
		}
		if !slices.Equal(four.bits, again.bits) {
			t.Errorf("sampler %d: Generate differs between two calls with the same seed", k)
		}
		if slices.Equal(four.bits, other.bits) {
			t.Errorf("sampler %d: Generate is the same for seeds 42 and 43", k)
		}
		// Blocks are independent streams: the first configurations of two
		// blocks differ.
		if slices.Equal(one.Packed(0), one.Packed(BlockSize)) {
			t.Errorf("sampler %d: blocks 0 and 1 start with the same configuration", k)
		}
	}
}

func TestGenerateEdges(t *testing.T) {
	t.Parallel()
	d := Generate(NewExact(Ising{N: 5, Beta: 1}), 0, 1)
	if d.Len() != 0 || d.Sites() != 5 {
		t.Errorf("Generate(count 0) = %d×%d, want 0×5", d.Len(), d.Sites())
	}
	for name, f := range map[string]func(){
		"count < 0":       func() { Generate(NewExact(Ising{N: 5, Beta: 1}), -1, 1) },
		"spacing 0":       func() { Generate(HeatBath{Model: Ising{N: 5, Beta: 1}}, 10, 1) },
		"negative burnin": func() { Generate(HeatBath{Model: Ising{N: 5, Beta: 1}, BurnIn: -1, Spacing: 1}, 3000, 1) },
		"invalid model":   func() { NewExact(Ising{N: 1, Beta: 1}) },
		"invalid beta":    func() { NewHeatBath(Ising{N: 5, Beta: -1}) },
		"huge beta":       func() { NewHeatBath(Ising{N: 5, Beta: 20}) },
		"wrong sites":     func() { NewExact(Ising{N: 5, Beta: 1}).Fill(NewSpins(6, 2), 0, 2, rand.New(rand.NewPCG(1, 2))) },
		"bad range":       func() { NewExact(Ising{N: 5, Beta: 1}).Fill(NewSpins(5, 2), 1, 3, rand.New(rand.NewPCG(1, 2))) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestThreshold checks the probability thresholds on 64-bit draws: σ(0)
// is exactly 1/2, and the complement is kept accurate near 1.
func TestThreshold(t *testing.T) {
	t.Parallel()
	if got := threshold(0); got != 1<<63 {
		t.Errorf("threshold(0) = %d, want 2^63", got)
	}
	for _, l := range []float64{-30, -3, -0.1, 0.1, 3, 30, 40} {
		p := 1 / (1 + math.Exp(-l))
		got := float64(threshold(l)) / (1 << 64)
		if math.Abs(got-p) > 2.5e-16 { // two ulps of 1
			t.Errorf("threshold(%g)/2^64 = %.17g, want σ = %.17g", l, got, p)
		}
		if l > 0 {
			q := 1 / (1 + math.Exp(l))
			// Quantised to multiples of 2^(−64), else to float64 precision.
			if c := float64(-threshold(l)) / (1 << 64); math.Abs(c-q) > 0x1p-64+1e-15*q {
				t.Errorf("1 − threshold(%g)/2^64 = %.17g, want σ(−l) = %.17g", l, c, q)
			}
		}
	}
	if got := threshold(100); got != math.MaxUint64 {
		t.Errorf("threshold(100) = %d, want 2^64 − 1", got)
	}
	if got := threshold(-100); got != 0 {
		t.Errorf("threshold(-100) = %d, want 0", got)
	}
}

// TestGenerateContext checks that a cancelled context stops generation with
// its error, and that an uncancelled one gives the same data as Generate.
func TestGenerateContext(t *testing.T) {
	t.Parallel()
	m := Ising{N: 16, Beta: 0.7}
	want := Generate(NewExact(m), 3*BlockSize+5, 11)
	got, err := GenerateContext(context.Background(), NewExact(m), 3*BlockSize+5, 11)
	if err != nil {
		t.Fatal(err)
	}
	for s := range want.Len() {
		for i := range m.N {
			if got.At(s, i) != want.At(s, i) {
				t.Fatalf("GenerateContext differs from Generate at (%d, %d)", s, i)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if d, err := GenerateContext(ctx, NewExact(m), 10*BlockSize, 11); !errors.Is(err, context.Canceled) || d != nil {
		t.Errorf("cancelled GenerateContext = %v, %v; want nil, context.Canceled", d, err)
	}
	if d, err := GenerateDataContext(ctx, NewExact(m), NewSpins(m.N, 5), 1); !errors.Is(err, context.Canceled) || d != nil {
		t.Errorf("cancelled GenerateDataContext = %v, %v; want nil, context.Canceled", d, err)
	}
}
