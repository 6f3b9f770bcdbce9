package rbm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"placecell/dynamics"
)

// refLogistic is σ(a) written independently of the package.
func refLogistic(a float64) float64 {
	if a >= 0 {
		return 1 / (1 + math.Exp(-a))
	}
	e := math.Exp(a)
	return e / (1 + e)
}

// refBits is the draw procedure of sampleBits written without the table:
// ⌈n/4⌉ words of src first, unit j taking bits 16(j%4).. of word j/4 as k;
// with P = 2¹⁶σ(a_j): 1 if k+1 ≤ P, 0 if k ≥ P, else a fresh 53-bit f
// from src (in unit order) decides 1 iff f < P − k. It returns the bits.
func refBits(a []float64, src *rand.PCG) []uint64 {
	n := len(a)
	words := make([]uint64, (n+3)/4)
	for j := range words {
		words[j] = src.Uint64()
	}
	out := make([]uint64, n)
	var open []int
	for j, x := range a {
		k := float64(words[j/4] >> (16 * uint(j%4)) & 0xffff)
		p := refLogistic(x) * 65536
		switch {
		case k+1 <= p:
			out[j] = 1
		case k >= p:
			out[j] = 0
		default:
			open = append(open, j)
		}
	}
	for _, j := range open {
		k := float64(words[j/4] >> (16 * uint(j%4)) & 0xffff)
		p := refLogistic(a[j]) * 65536
		f := float64(src.Uint64()>>11) * 0x1p-53
		if f < p-k {
			out[j] = 1
		}
	}
	return out
}

func clonePCG(t *testing.T, p *rand.PCG) *rand.PCG {
	t.Helper()
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	q := &rand.PCG{}
	if err := q.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestSampleBitsExact checks that the table-accelerated draws equal, bit
// for bit and in stream consumption, the table-free reference procedure
// (refBits), for inputs spread over the table, its cell boundaries, its
// ends and far beyond, with the assembly kernel on and off. The reference
// decides 1 with probability σ(a) exactly (to 2⁻⁶⁹), so equality proves
// that the table only accelerates.
func TestSampleBitsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 3, 4, 63, 64, 65, 100, 131} {
		for rep := range 40 {
			x, g := make([]float64, n), make([]float64, n)
			for i := range x {
				switch rep % 4 {
				case 0:
					x[i] = r.NormFloat64() * 0.3
				case 1:
					x[i] = r.NormFloat64() * 10
				case 2:
					// Cell boundaries a = −16 + c/32 (scale 2).
					x[i] = (-16 + float64(r.IntN(1025))/32) / 2
				case 3:
					x[i] = []float64{-1e300, -1e3, -60, -48, -16.5, 16.01, 40, 1e3, 1e300}[r.IntN(9)]
				}
				g[i] = 0.1 * r.NormFloat64()
			}
			for _, scale := range []float64{1, 2} {
				a := make([]float64, n)
				for i := range a {
					a[i] = scale * (x[i] + g[i])
				}
				for _, asm := range []bool{true, false} {
					prev := useAsm
					useAsm = asm && prev
					src := rand.NewPCG(uint64(rep), uint64(n))
					ref := clonePCG(t, src)
					words := make([]uint64, (n+63)/64)
					open := make([]uint64, len(words))
					rbuf := make([]uint64, (n+3)/4)
					bad := sampleBits(words, x, g, scale, src, rbuf, open)
					useAsm = prev
					want := refBits(a, ref)
					if bad {
						t.Fatalf("n=%d: finite inputs reported non-finite", n)
					}
					for i := range n {
						if got := words[i>>6] >> (uint(i) & 63) & 1; got != want[i] {
							t.Fatalf("n=%d rep=%d asm=%v unit %d (a = %v): bit %d, want %d", n, rep, asm, i, a[i], got, want[i])
						}
					}
					if src.Uint64() != ref.Uint64() {
						t.Fatalf("n=%d rep=%d: stream consumption differs from the reference", n, rep)
					}
				}
			}
		}
	}
}

// TestBernoulliFrequency: the frequency of 1 at input a matches σ(a)
// within 5 standard errors (10⁵ draws), and saturated inputs are
// deterministic (P < 2⁻⁶⁰ of the other outcome), including ±Inf. Bug class
// "softplus or log-cosh overflow" for the samplers.
func TestBernoulliFrequency(t *testing.T) {
	t.Parallel()
	src := rand.NewPCG(18, 19)
	const draws = 100000
	n := 100
	words, open, rbuf := make([]uint64, 2), make([]uint64, 2), make([]uint64, 25)
	zeros := make([]float64, n)
	for _, a := range []float64{-3, -0.4, 0, 0.8, 4, -15.99, 15.99} {
		x := make([]float64, n)
		for i := range x {
			x[i] = a
		}
		var ones float64
		for range draws / n {
			sampleBits(words, x, zeros, 1, src, rbuf, open)
			for i := range n {
				ones += float64(words[i>>6] >> (uint(i) & 63) & 1)
			}
		}
		p := refLogistic(a)
		if f := ones / draws; math.Abs(f-p) > 5*math.Sqrt(p*(1-p)/draws)+1e-12 {
			t.Errorf("a = %v: frequency of 1 = %v, want σ(a) = %v", a, f, p)
		}
	}
	for _, c := range []struct {
		a    float64
		want uint64
	}{{-45, 0}, {-1e3, 0}, {-1e300, 0}, {math.Inf(-1), 0}, {45, 1}, {1e3, 1}, {1e300, 1}, {math.Inf(1), 1}} {
		x := make([]float64, n)
		for i := range x {
			x[i] = c.a
		}
		for range 100 {
			bad := sampleBits(words, x, zeros, 1, src, rbuf, open)
			if bad != math.IsInf(c.a, 0) {
				t.Errorf("a = %v: non-finite report %v", c.a, bad)
			}
			for i := range n {
				if b := words[i>>6] >> (uint(i) & 63) & 1; b != c.want {
					t.Fatalf("a = %v: draw %d, want %d", c.a, b, c.want)
				}
			}
		}
	}
}

// TestPottsFrequency: colour frequencies of samplePotts match softmax(x+g)
// within 5 standard errors, including a colour with a huge input (no
// overflow) and one with −Inf.
func TestPottsFrequency(t *testing.T) {
	t.Parallel()
	src := rand.NewPCG(7, 8)
	const q, draws = 4, 200000
	for _, xs := range [][]float64{{0.3, -1, 2, 0}, {700, 699, -5, 0}, {math.Inf(-1), 0, 1, -1}} {
		g := []float64{0.1, -0.1, 0, 0.2}
		prob := make([]float64, q)
		counts := make([]float64, q)
		col := []uint8{0}
		for range draws {
			samplePotts(col, xs, g, q, prob, src)
			counts[col[0]]++
		}
		l := make([]float64, q)
		for c := range q {
			l[c] = xs[c] + g[c]
		}
		lz := logSumExp(l)
		for c := range q {
			p := math.Exp(l[c] - lz)
			if f := counts[c] / draws; math.Abs(f-p) > 5*math.Sqrt(p*(1-p)/draws)+1e-12 {
				t.Errorf("inputs %v: colour %d frequency %v, want %v", xs, c, f, p)
			}
		}
	}
}

// TestHiddenSampleMoments checks the plumbing of the continuous hidden
// samplers (bug class "sampled h or a wrong conditional variance in
// gradient or sampler"): for each unit type, the sample mean and variance
// of 2·10⁵ draws of md.hiddenSample at fixed inputs match the Γ′ and Γ″
// the gradient uses (md.hiddenMeans, dynamics Var), within 5 standard
// errors (the variance's standard error from the sample fourth moment).
func TestHiddenSampleMoments(t *testing.T) {
	t.Parallel()
	for _, u := range []HiddenUnit{
		{Type: HiddenGaussian, Gamma: 2, Theta: 0.5},
		{Type: HiddenDoubleWell, Theta: -1.5},
		{Type: HiddenDoubleWell, Theta: 2},
		{Type: HiddenReLU, Gamma: 0.7, Theta: 1},
		{Type: HiddenDReLU, GammaPlus: 1, GammaMinus: 3, ThetaPlus: -0.5, ThetaMinus: 1},
	} {
		tr, err := NewTrainer(iidData(4, 4, 1), Config{Nu: 1, Hidden: 3, Unit: u, Chains: 1})
		if err != nil {
			t.Fatal(err)
		}
		md := tr.md
		in := []float64{-2, 0.3, 30}
		mean := make([]float64, 3)
		md.hiddenMeans(mean, in)
		rnd := rand.New(rand.NewPCG(9, 10))
		const draws = 200000
		h := make([]float64, 3)
		var s1, s2, s3, s4 [3]float64
		for range draws {
			md.hiddenSample(h, in, rnd)
			for mu, v := range h {
				s1[mu] += v
				s2[mu] += v * v
				s3[mu] += v * v * v
				s4[mu] += v * v * v * v
			}
		}
		for mu := range in {
			m1 := s1[mu] / draws
			vr := s2[mu]/draws - m1*m1
			wantVar := md.hiddenUnit(mu).Var(in[mu])
			if se := math.Sqrt(vr / draws); math.Abs(m1-mean[mu]) > 5*se {
				t.Errorf("%+v, I = %v: sample mean %v, want Γ' = %v (se %v)", u, in[mu], m1, mean[mu], se)
			}
			m4 := s4[mu]/draws - 4*m1*s3[mu]/draws + 6*m1*m1*s2[mu]/draws - 3*m1*m1*m1*m1
			if se := math.Sqrt((m4 - vr*vr) / draws); math.Abs(vr-wantVar) > 5*se {
				t.Errorf("%+v, I = %v: sample variance %v, want Γ'' = %v (se %v)", u, in[mu], vr, wantVar, se)
			}
		}
	}
}

// TestSweepMatchesReference checks whole sweeps of binary layers (inputs
// from the lookup tables, updated incrementally when few units flip)
// against sweeps written here with plain dot products and the reference
// draw procedure on a copy of the chain's stream. Inputs differ only by
// rounding, so a draw could differ only if a uniform fell within ~1e-15 of
// σ(a).
func TestSweepMatchesReference(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, m      int
		scale     float64
		vis       VisibleType
		hid       HiddenType
		withField bool
	}{
		{50, 20, 0.15, VisibleSpin, HiddenSpin, false},
		{30, 1, 0.5, VisibleSpin, HiddenSpin, true},
		{8, 40, 0.2, VisibleSpin, HiddenSpin, false},
		{100, 5, 0.05, VisibleSpin, HiddenSpin, true},
		{70, 66, 0.3, VisibleBernoulli, HiddenBernoulli, true},
		{13, 9, 1.5, VisibleSpin, HiddenSpin, true}, // strong weights: few flips, incremental inputs
	} {
		const sweeps = 40
		cfg := Config{Nu: 1, Hidden: c.m, Chains: 3, Seed: 25, Visible: c.vis, Unit: HiddenUnit{Type: c.hid}}
		tr, err := NewTrainer(iidData(c.n, 10, 24), cfg)
		if err != nil {
			t.Fatal(err)
		}
		randomWeights(tr, c.scale, 26)
		md := tr.md
		r := rand.New(rand.NewPCG(27, 28))
		if c.withField {
			for i := range md.g {
				md.g[i] = 0.3 * r.NormFloat64()
			}
			for mu := range md.hp.c {
				md.hp.c[mu] = 0.3 * r.NormFloat64()
			}
		}
		n, m := c.n, c.m
		cs := tr.chains
		for k := range cs.c {
			ch := &cs.ch[k]
			src := clonePCG(t, ch.src)
			v := chainRows(cs, c.vis == VisibleSpin)[k]
			ch.run(md, sweeps)
			vlo, vhi := binaryValues(c.vis == VisibleSpin)
			hlo, hhi := binaryValues(c.hid == HiddenSpin)
			vs, hs := 1.0, 1.0
			if c.vis == VisibleSpin {
				vs = 2
			}
			if c.hid == HiddenSpin {
				hs = 2
			}
			h := make([]float64, m)
			for range sweeps {
				a := make([]float64, m)
				for mu := range m {
					a[mu] = hs * (dot(md.w[mu*n:(mu+1)*n], v) + md.hp.c[mu])
				}
				for mu, b := range refBits(a, src) {
					h[mu] = []float64{hlo, hhi}[b]
				}
				a = make([]float64, n)
				for i := range n {
					var x float64
					for mu := range m {
						x += md.w[mu*n+i] * h[mu]
					}
					a[i] = vs * (x + md.g[i])
				}
				for i, b := range refBits(a, src) {
					v[i] = []float64{vlo, vhi}[b]
				}
			}
			got := chainRows(cs, c.vis == VisibleSpin)[k]
			gotH := make([]float64, m)
			ch.hiddenValues(gotH, md)
			if !slices.Equal(got, v) || !slices.Equal(gotH, h) {
				t.Errorf("%+v chain %d: sweeps differ from the reference", c, k)
			}
			// The maintained hidden inputs match their definition.
			for mu := range m {
				if want := dot(md.w[mu*n:(mu+1)*n], v); math.Abs(ch.in[mu]-want) > 1e-12 {
					t.Errorf("%+v chain %d: I[%d] = %v, want %v", c, k, mu, ch.in[mu], want)
				}
			}
		}
	}
}

// TestIncrementalInputs: the incremental visible-input updates after few
// hidden flips keep x equal to Σ_μ w_μ h_μ (to rounding).
func TestIncrementalInputs(t *testing.T) {
	t.Parallel()
	tr, err := NewTrainer(iidData(40, 10, 1), Config{Nu: 1, Hidden: 120, Chains: 2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	randomWeights(tr, 1.2, 4) // strong weights: few hidden flips per sweep
	md := tr.md
	for k := range 2 {
		ch := &tr.chains.ch[k]
		ch.run(md, 30)
		h := make([]float64, md.m)
		ch.hiddenValues(h, md)
		for i := range md.n {
			var x float64
			for mu := range md.m {
				x += md.w[mu*md.n+i] * h[mu]
			}
			if math.Abs(ch.x[i]-x) > 1e-11 {
				t.Errorf("chain %d: x[%d] = %v, want %v", k, i, ch.x[i], x)
			}
		}
	}
}

var _ = dynamics.Spin{}

// TestTailSampling (bug class "silent constant fallback in tail
// sampling"): a ReLU unit with θ = 30 at input 0 draws h = Y − 30, Y a
// standard normal conditioned on Y > 30, whose tail mass is 5e-198. The
// sample mean must be near 1/a − 2/a³ + 10/a⁵ and the variance near
// 1/a² − 6/a⁴ (asymptotic series of the Mills ratio, a = 30; the next
// terms are below 1e-9), within 5 standard errors, and no draw may be 0.
func TestTailSampling(t *testing.T) {
	t.Parallel()
	tr, err := NewTrainer(iidData(4, 4, 1), Config{Nu: 1, Chains: 1, Unit: HiddenUnit{Type: HiddenReLU, Theta: 30}})
	if err != nil {
		t.Fatal(err)
	}
	const a, draws = 30.0, 200000
	rnd := rand.New(rand.NewPCG(11, 12))
	h := []float64{0}
	var s1, s2 float64
	for range draws {
		tr.md.hiddenSample(h, []float64{0}, rnd)
		if !(h[0] > 0) {
			t.Fatalf("draw %v: a tail sample must be positive", h[0])
		}
		s1 += h[0]
		s2 += h[0] * h[0]
	}
	mean := s1 / draws
	vr := s2/draws - mean*mean
	wantMean := 1/a - 2/(a*a*a) + 10/math.Pow(a, 5)
	wantVar := 1/(a*a) - 6/math.Pow(a, 4)
	if se := math.Sqrt(wantVar / draws); math.Abs(mean-wantMean) > 5*se {
		t.Errorf("tail mean %v, want %v ± %v", mean, wantMean, se)
	}
	// Var of the sample variance ≈ 2σ⁴/n for the near-exponential law
	// (kurtosis 9: (μ4 − σ⁴)/n ≈ 8σ⁴/n); use the larger.
	if se := math.Sqrt(8/float64(draws)) * wantVar; math.Abs(vr-wantVar) > 5*se {
		t.Errorf("tail variance %v, want %v ± %v", vr, wantVar, se)
	}
}

// TestFastExp: fastExp is within potExpErr of math.Exp (relative) on a
// dense grid of [−700, 0]; below −700 it is at most e^−700 ≈ 1e-304; NaN
// stays NaN.
func TestFastExp(t *testing.T) {
	t.Parallel()
	var worst float64
	for k := 0; k <= 7_000_000; k++ {
		y := -float64(k) * 1e-4
		got, want := fastExp(y), math.Exp(y)
		worst = math.Max(worst, math.Abs(got-want)/want)
	}
	if worst > potExpErr {
		t.Errorf("fastExp relative error %v exceeds %v", worst, potExpErr)
	}
	t.Logf("worst relative error %.3g", worst)
	if fastExp(math.Inf(-1)) > 1e-300 || fastExp(-800) > 1e-300 || !math.IsNaN(fastExp(math.NaN())) || fastExp(0) != 1 {
		t.Errorf("fastExp special values: %v %v %v %v", fastExp(math.Inf(-1)), fastExp(-800), fastExp(math.NaN()), fastExp(0))
	}
}

// TestPottsMatchesExact: samplePotts draws the same colours as the exact
// inverse-CDF procedure (pottsExact) fed the same uniforms, over inputs of
// every scale, including near-ties and huge differences.
func TestPottsMatchesExact(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(13, 14))
	for _, q := range []int{2, 3, 10, 40} {
		for rep := range 2000 {
			n := 50
			x, g := make([]float64, n*q), make([]float64, n*q)
			scale := []float64{1e-9, 0.1, 1, 10, 300}[rep%5]
			for j := range x {
				x[j] = scale * r.NormFloat64()
				if rep%7 == 0 && j%q == 1 {
					x[j] = x[j-1] // ties
				}
			}
			src := rand.NewPCG(uint64(rep), uint64(q))
			ref := clonePCG(t, src)
			col := make([]uint8, n)
			prob := make([]float64, q)
			samplePotts(col, x, g, q, prob, src)
			for i := range n {
				xi, gi := x[i*q:(i+1)*q], g[i*q:(i+1)*q]
				mx := math.Inf(-1)
				for c := range q {
					mx = math.Max(mx, xi[c]+gi[c])
				}
				u := float64(ref.Uint64()>>11) * 0x1p-53
				if want := pottsExact(xi, gi, mx, u, prob); int(col[i]) != want {
					t.Fatalf("q=%d rep=%d site %d: colour %d, exact procedure %d", q, rep, i, col[i], want)
				}
			}
		}
	}
}
