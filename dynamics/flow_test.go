package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"placecell/ring"
)

// bruteDataTerm returns Σ_v p(v) v_i tanh I_μ(v) over all 2^N
// configurations of the Ising ring, with p computed independently.
func bruteDataTerm(w []float64, m, n int, beta float64) []float64 {
	l := make([]float64, 1<<n)
	for s := range l {
		for i := 0; i < n; i++ {
			vi := float64(2*((s>>i)&1) - 1)
			vj := float64(2*((s>>((i+1)%n))&1) - 1)
			l[s] += beta * vi * vj
		}
	}
	_, p := logSumExp(l)
	out := make([]float64, m*n)
	for s := range l {
		for mu := 0; mu < m; mu++ {
			var in float64
			for i := 0; i < n; i++ {
				in += w[mu*n+i] * float64(2*((s>>i)&1)-1)
			}
			th := math.Tanh(in)
			for i := 0; i < n; i++ {
				out[mu*n+i] += p[s] * float64(2*((s>>i)&1)-1) * th
			}
		}
	}
	return out
}

// TestSpinFlowPopulation checks the enumerated data term (half the
// configurations, by the v → −v symmetry) against a brute-force sum over
// all 2^N with independently computed probabilities.
func TestSpinFlowPopulation(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(51, 52))
	for _, c := range []struct {
		m, n int
		beta float64
	}{{1, 8, 0.7}, {2, 9, 0.3}, {3, 7, 1.5}} {
		w := randWeights(rnd, c.m, c.n, 0.6)
		got := NewSpinFlowPopulation(c.m, ring.Ising{N: c.n, Beta: c.beta}).DataTerm(nil, w)
		want := bruteDataTerm(w, c.m, c.n, c.beta)
		for k := range got {
			if !scalar.EqualWithinAbsOrRel(got[k], want[k], 1e-14, 1e-12) {
				t.Errorf("M=%d N=%d β=%v: data term [%d] = %v, want %v", c.m, c.n, c.beta, k, got[k], want[k])
			}
		}
	}
}

// TestSpinFlowEmpirical checks the data term over a training set against
// a direct average, across the concurrent split (S = 3000 gives 5 parts).
func TestSpinFlowEmpirical(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(53, 54))
	const m, n, s = 2, 30, 3000
	data := ring.Generate(ring.NewExact(ring.Ising{N: n, Beta: 0.8}), s, 5)
	w := randWeights(rnd, m, n, 0.3)
	got := NewSpinFlow(m, data).DataTerm(nil, w)
	want := make([]float64, m*n)
	v := make([]float64, n)
	for k := 0; k < s; k++ {
		data.Row(k, v)
		for mu := 0; mu < m; mu++ {
			var in float64
			for i := range v {
				in += w[mu*n+i] * v[i]
			}
			for i := range v {
				want[mu*n+i] += v[i] * math.Tanh(in) / s
			}
		}
	}
	for k := range got {
		if !scalar.EqualWithinAbsOrRel(got[k], want[k], 1e-14, 1e-12) {
			t.Errorf("data term [%d] = %v, want %v", k, got[k], want[k])
		}
	}
}

// TestSpinFlowGradient checks that Deriv is the gradient of the exact
// log-likelihood (central differences, step 1e-5), that log L = −N ln 2 at
// w = 0 (THEORY.md §4.6), and that log L increases along a small step of
// the flow.
func TestSpinFlowGradient(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(55, 56))
	const m, n, d = 2, 8, 1e-5
	flow := NewSpinFlowPopulation(m, ring.Ising{N: n, Beta: 0.9})
	if got, want := flow.LogLikelihood(make([]float64, m*n)), -n*math.Ln2; !scalar.EqualWithinAbsOrRel(got, want, 1e-13, 1e-13) {
		t.Errorf("log L(0) = %v, want −N ln 2 = %v", got, want)
	}
	w := randWeights(rnd, m, n, 0.4)
	f := make([]float64, m*n)
	flow.Deriv(f, w)
	for k := range w {
		wp := append([]float64(nil), w...)
		wm := append([]float64(nil), w...)
		wp[k] += d
		wm[k] -= d
		fd := (flow.LogLikelihood(wp) - flow.LogLikelihood(wm)) / (2 * d)
		if !scalar.EqualWithinAbsOrRel(f[k], fd, 1e-8, 1e-7) {
			t.Errorf("f[%d] = %v, ∂ log L/∂w = %v", k, f[k], fd)
		}
	}
	step := append([]float64(nil), w...)
	axpy(step, 1e-3, f)
	if !(flow.LogLikelihood(step) > flow.LogLikelihood(w)) {
		t.Errorf("log L did not increase along the flow")
	}
}

// TestSpinFlowLinear checks the linear regime (THEORY.md §4.5, eq 23):
// for small w the population flow is (C − I)w with the exact Ising
// correlation C(d) of §2.1, up to the cubic terms, of size |w_i|·Σw².
func TestSpinFlowLinear(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(57, 58))
	const n, beta = 10, 0.6
	model := ring.Ising{N: n, Beta: beta}
	flow := NewSpinFlowPopulation(1, model)
	w := randWeights(rnd, 1, n, 1e-4)
	got := make([]float64, n)
	flow.Deriv(got, w)
	cubic := 3 * maxAbs(w) * dot64(w, w)
	for i := 0; i < n; i++ {
		var want float64
		for j := 0; j < n; j++ {
			d := (i - j + n) % n
			c := model.Correlation(d)
			if i == j {
				c -= 1
			}
			want += c * w[j]
		}
		if math.Abs(got[i]-want) > cubic {
			t.Errorf("f[%d] = %v, want ((C − I)w)_i = %v", i, got[i], want)
		}
	}
}
