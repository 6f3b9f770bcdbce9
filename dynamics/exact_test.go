package dynamics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// ln2cosh is ln 2cosh x = |x| + log1p(e^(−2|x|)) (THEORY.md §4.3), written
// independently of the package code.
func ln2cosh(x float64) float64 {
	a := math.Abs(x)
	return a + math.Log1p(math.Exp(-2*a))
}

// logSumExp returns ln Σ e^(l_k) and the normalised weights e^(l_k)/Σ,
// formed as ratios e^(l_k − max)/Σ_k' e^(l_k' − max), which keeps them
// exact to rounding even when |l| is huge.
func logSumExp(l []float64) (float64, []float64) {
	m := math.Inf(-1)
	for _, v := range l {
		m = math.Max(m, v)
	}
	var s float64
	p := make([]float64, len(l))
	for k, v := range l {
		p[k] = math.Exp(v - m)
		s += p[k]
	}
	for k := range p {
		p[k] /= s
	}
	return m + math.Log(s), p
}

// bruteVisible returns ⟨v_i tanh I_μ⟩ and ln Z by enumerating all 2^N
// visible configurations with p(v) ∝ Π_μ 2cosh I_μ(v) (THEORY.md §4.6).
func bruteVisible(w []float64, m, n int) (term []float64, logZ float64) {
	l := make([]float64, 1<<n)
	th := make([]float64, (1<<n)*m)
	v := make([]float64, n)
	for s := range l {
		for i := range v {
			v[i] = float64(2*((s>>i)&1) - 1)
		}
		for mu := 0; mu < m; mu++ {
			var in float64
			for i := range v {
				in += w[mu*n+i] * v[i]
			}
			l[s] += ln2cosh(in)
			th[s*m+mu] = math.Tanh(in)
		}
	}
	logZ, prob := logSumExp(l)
	term = make([]float64, m*n)
	for s := range l {
		p := prob[s]
		for mu := 0; mu < m; mu++ {
			for i := 0; i < n; i++ {
				term[mu*n+i] += p * float64(2*((s>>i)&1)-1) * th[s*m+mu]
			}
		}
	}
	return term, logZ
}

// bruteHidden returns the same quantities by enumerating all 2^M hidden
// configurations, both signs of h_1 included: Z = Σ_h Π_i 2cosh x_i(h).
func bruteHidden(w []float64, m, n int) (term []float64, logZ float64) {
	l := make([]float64, 1<<m)
	x := make([]float64, (1<<m)*n)
	for c := range l {
		for i := 0; i < n; i++ {
			for mu := 0; mu < m; mu++ {
				x[c*n+i] += float64(2*((c>>mu)&1)-1) * w[mu*n+i]
			}
			l[c] += ln2cosh(x[c*n+i])
		}
	}
	logZ, prob := logSumExp(l)
	term = make([]float64, m*n)
	for c := range l {
		p := prob[c]
		for mu := 0; mu < m; mu++ {
			h := float64(2*((c>>mu)&1) - 1)
			for i := 0; i < n; i++ {
				term[mu*n+i] += p * h * math.Tanh(x[c*n+i])
			}
		}
	}
	return term, logZ
}

func randWeights(rnd *rand.Rand, m, n int, scale float64) []float64 {
	w := make([]float64, m*n)
	for k := range w {
		w[k] = scale * rnd.NormFloat64()
	}
	return w
}

// TestSpinModelTermM1 checks eq 32: for M = 1 the model term is tanh(w_i),
// and ln Z = ln 2 + Σ_i ln 2cosh w_i (THEORY.md §4.6), up to |w| = 10³.
func TestSpinModelTermM1(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, scale := range []float64{1e-8, 0.3, 3, 1e3} {
		w := randWeights(rnd, 1, 50, scale)
		got := SpinModelTerm(nil, w, 1, 50)
		var lz float64 = math.Ln2
		for i, x := range w {
			if want := math.Tanh(x); !scalar.EqualWithinAbsOrRel(got[i], want, 1e-15, 1e-14) {
				t.Errorf("scale %v: SpinModelTerm[%d] = %v, want tanh(%v) = %v", scale, i, got[i], x, want)
			}
			lz += ln2cosh(x)
		}
		if g := SpinLogZ(w, 1, 50); !scalar.EqualWithinAbsOrRel(g, lz, 1e-13, 1e-13) {
			t.Errorf("scale %v: SpinLogZ = %v, want %v", scale, g, lz)
		}
	}
}

// eq48 is the corrected M = 2 model term of THEORY.md §4.6 (eq 48) for the
// unit a, the other being b; the products of cosh ratios are evaluated as
// exponentials of sums of ln cosh differences.
func eq48(w []float64, n, a, b int) []float64 {
	var lr float64 // ln Π_k cosh(w_ka − w_kb)/cosh(w_ka + w_kb)
	for k := 0; k < n; k++ {
		lr += ln2cosh(w[a*n+k]-w[b*n+k]) - ln2cosh(w[a*n+k]+w[b*n+k])
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		out[i] = math.Tanh(w[a*n+i]+w[b*n+i])/(1+math.Exp(lr)) +
			math.Tanh(w[a*n+i]-w[b*n+i])/(1+math.Exp(-lr))
	}
	return out
}

func TestSpinModelTermM2(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(9, 10))
	const n = 40
	for _, scale := range []float64{1e-3, 0.2, 1, 1e3} {
		w := randWeights(rnd, 2, n, scale)
		got := SpinModelTerm(nil, w, 2, n)
		for a := 0; a < 2; a++ {
			want := eq48(w, n, a, 1-a)
			for i := range want {
				if !scalar.EqualWithinAbsOrRel(got[a*n+i], want[i], 1e-13, 1e-12) {
					t.Errorf("scale %v: SpinModelTerm[%d][%d] = %v, want %v (eq 48)", scale, a, i, got[a*n+i], want[i])
				}
			}
		}
	}
}

// TestSpinModelTermBrute compares with brute-force enumeration over all 2^N
// visible configurations (N ≤ 10) and over all 2^M hidden ones (N = 100).
func TestSpinModelTermBrute(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct {
		m, n    int
		scale   float64
		visible bool
	}{
		{1, 6, 0.8, true},
		{2, 7, 0.5, true},
		{3, 8, 0.6, true},
		{4, 10, 0.4, true},
		{3, 10, 2, true},
		{4, 100, 0.1, false},
		{5, 100, 1, false},
		{4, 100, 1e3, false},
		// 2^9·10·100 ≥ blockWork: the blocked, concurrent path.
		{10, 100, 0.3, false},
		{10, 30, 30, false},
	} {
		w := randWeights(rnd, c.m, c.n, c.scale)
		want, wantZ := bruteHidden(w, c.m, c.n)
		if c.visible {
			want, wantZ = bruteVisible(w, c.m, c.n)
		}
		got := SpinModelTerm(nil, w, c.m, c.n)
		for k := range got {
			if !scalar.EqualWithinAbsOrRel(got[k], want[k], 1e-13, 1e-11) {
				t.Errorf("M=%d N=%d scale %v: SpinModelTerm[%d] = %v, want %v", c.m, c.n, c.scale, k, got[k], want[k])
			}
			if math.Abs(got[k]) > 1 {
				t.Errorf("M=%d N=%d: |SpinModelTerm[%d]| = %v > 1", c.m, c.n, k, got[k])
			}
		}
		if g := SpinLogZ(w, c.m, c.n); !scalar.EqualWithinAbsOrRel(g, wantZ, 1e-12, 1e-13) {
			t.Errorf("M=%d N=%d scale %v: SpinLogZ = %v, want %v", c.m, c.n, c.scale, g, wantZ)
		}
	}
}

// TestSpinLogZZero checks ln Z = (N+M) ln 2 at w = 0 (THEORY.md §4.6).
func TestSpinLogZZero(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ m, n int }{{0, 5}, {1, 1}, {1, 100}, {3, 7}, {12, 100}} {
		want := float64(c.n+c.m) * math.Ln2
		if got := SpinLogZ(make([]float64, c.m*c.n), c.m, c.n); !scalar.EqualWithinAbsOrRel(got, want, 1e-13, 1e-14) {
			t.Errorf("SpinLogZ(0, M=%d, N=%d) = %v, want %v", c.m, c.n, got, want)
		}
		for k, v := range SpinModelTerm(nil, make([]float64, c.m*c.n), c.m, c.n) {
			if v != 0 {
				t.Errorf("SpinModelTerm(0, M=%d, N=%d)[%d] = %v, want 0", c.m, c.n, k, v)
			}
		}
	}
}

// TestSpinModelTermSymmetry: flipping the sign of unit μ (the h_1 = +1
// restriction singles out μ = 0) negates row μ and leaves the others.
func TestSpinModelTermSymmetry(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(13, 14))
	const m, n = 4, 30
	w := randWeights(rnd, m, n, 0.5)
	base := SpinModelTerm(nil, w, m, n)
	for flip := 0; flip < m; flip++ {
		wf := append([]float64(nil), w...)
		for i := 0; i < n; i++ {
			wf[flip*n+i] = -wf[flip*n+i]
		}
		got := SpinModelTerm(nil, wf, m, n)
		for mu := 0; mu < m; mu++ {
			sign := 1.0
			if mu == flip {
				sign = -1
			}
			for i := 0; i < n; i++ {
				if !scalar.EqualWithinAbsOrRel(got[mu*n+i], sign*base[mu*n+i], 1e-14, 1e-12) {
					t.Errorf("flip %d: term[%d][%d] = %v, want %v", flip, mu, i, got[mu*n+i], sign*base[mu*n+i])
				}
			}
		}
	}
}

// TestSpinGradientFiniteDifference checks that data term − SpinModelTerm is
// the gradient of the exact mean log-likelihood (THEORY.md §4.6)
//
//	log L(w) = (1/S) Σ_s Σ_μ ln 2cosh I_μ(v^s) − SpinLogZ(w),
//
// by central differences with step 1e-5 (truncation error ~1e-10,
// rounding ~1e-10).
func TestSpinGradientFiniteDifference(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(15, 16))
	for _, c := range []struct {
		m, n, s int
		scale   float64
	}{
		{1, 8, 40, 0.5},
		{3, 8, 50, 0.4},
		{4, 12, 30, 0.8},
	} {
		data := make([][]float64, c.s)
		for s := range data {
			data[s] = make([]float64, c.n)
			for i := range data[s] {
				data[s][i] = float64(2*rnd.IntN(2) - 1)
			}
		}
		logL := func(w []float64) float64 {
			var d float64
			for _, v := range data {
				for mu := 0; mu < c.m; mu++ {
					var in float64
					for i, x := range v {
						in += w[mu*c.n+i] * x
					}
					d += ln2cosh(in)
				}
			}
			return d/float64(c.s) - SpinLogZ(w, c.m, c.n)
		}
		w := randWeights(rnd, c.m, c.n, c.scale)
		grad := SpinModelTerm(nil, w, c.m, c.n)
		for k := range grad {
			var pos float64
			mu, i := k/c.n, k%c.n
			for _, v := range data {
				var in float64
				for j, x := range v {
					in += w[mu*c.n+j] * x
				}
				pos += v[i] * math.Tanh(in)
			}
			grad[k] = pos/float64(c.s) - grad[k]
		}
		const h = 1e-5
		for k := range w {
			wp := append([]float64(nil), w...)
			wm := append([]float64(nil), w...)
			wp[k] += h
			wm[k] -= h
			fd := (logL(wp) - logL(wm)) / (2 * h)
			if math.Abs(fd-grad[k]) > 1e-8 {
				t.Errorf("M=%d N=%d: gradient[%d] = %v, want %v (finite difference)", c.m, c.n, k, grad[k], fd)
			}
		}
	}
}

// TestSpinModelTermGOMAXPROCS checks that the blocked sum gives the same
// bits on one and on several threads. It changes GOMAXPROCS, so it does not
// run in parallel with other tests.
func TestSpinModelTermGOMAXPROCS(t *testing.T) {
	const m, n = 11, 100
	w := randWeights(rand.New(rand.NewPCG(17, 18)), m, n, 0.4)
	prev := runtime.GOMAXPROCS(1)
	one := SpinModelTerm(nil, w, m, n)
	z1 := SpinLogZ(w, m, n)
	runtime.GOMAXPROCS(4)
	four := SpinModelTerm(nil, w, m, n)
	z4 := SpinLogZ(w, m, n)
	runtime.GOMAXPROCS(prev)
	for k := range one {
		if one[k] != four[k] {
			t.Fatalf("SpinModelTerm[%d] = %v on 1 thread, %v on 4", k, one[k], four[k])
		}
	}
	if z1 != z4 {
		t.Errorf("SpinLogZ = %v on 1 thread, %v on 4", z1, z4)
	}
}

func TestSpinPanics(t *testing.T) {
	t.Parallel()
	for i, fn := range []func(){
		func() { SpinModelTerm(nil, make([]float64, 5), 2, 3) },
		func() { SpinModelTerm(make([]float64, 5), make([]float64, 6), 2, 3) },
		func() { SpinModelTerm(nil, make([]float64, 25), 25, 1) },
		func() { SpinLogZ(make([]float64, 5), 2, 3) },
		func() { SpinLogZ(nil, -1, 0) },
	} {
		if !panics(fn) {
			t.Errorf("case %d: no panic", i)
		}
	}
}

func BenchmarkSpinModelTerm(b *testing.B) {
	const n = 100
	for _, m := range []int{1, 4, 12} {
		b.Run(fmt.Sprintf("M=%d/N=%d", m, n), func(b *testing.B) {
			w := randWeights(rand.New(rand.NewPCG(1, 1)), m, n, 0.3)
			dst := make([]float64, m*n)
			b.ResetTimer()
			for b.Loop() {
				SpinModelTerm(dst, w, m, n)
			}
		})
	}
}
