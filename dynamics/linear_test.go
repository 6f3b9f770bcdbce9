package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

func TestLinearRates(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		lambda          []float64
		var0, sigmaV2   float64
		want            []float64
		tol             float64
		provenanceLabel string
	}{
		// GR-1: Gaussian unit γ_h = 2 (Var₀ = 1/2), λ = 3, σ_v² = 1.
		{[]float64{3}, 0.5, 1, []float64{1}, 1e-12, "GR-1"},
		// GR-2: one-sided ReLU, Var₀ = 1 − 2/π, λ = 3; rate 0.7267604553.
		{[]float64{3}, 1 - 2/math.Pi, 1, []float64{0.7267604553}, 1e-9, "GR-2"},
		// GR-9: Gaussian unit on {0,1} bump data, σ_v² = 0.21,
		// λ_1 = 0.6854101966 and λ_0 = 0: rates 0.47541020 and −0.21.
		{[]float64{0.6854101966, 0}, 1, 0.21, []float64{0.47541020, -0.21}, 1e-8, "GR-9"},
		// Paper eq 23, ±1 units: σ_0 = e^(2β) − 1 = 6.389 at β = 1 (§4.5).
		{[]float64{math.Exp(2)}, 1, 1, []float64{6.389056099}, 1e-9, "THEORY §4.5"},
	} {
		got := LinearRates(nil, c.lambda, c.var0, c.sigmaV2)
		for k := range got {
			if !scalar.EqualWithinAbsOrRel(got[k], c.want[k], c.tol, c.tol) {
				t.Errorf("case %d (%s): LinearRates[%d] = %v, want %v", i, c.provenanceLabel, k, got[k], c.want[k])
			}
		}
	}

	// dst aliasing lambda is allowed.
	l := []float64{2, 0.5}
	LinearRates(l, l, 2, 1)
	if l[0] != 2 || l[1] != -1 {
		t.Errorf("LinearRates in place = %v, want [2 -1]", l)
	}
}

// isingCorr returns the exact Ising-ring correlation matrix C_ij =
// (ρ^d + ρ^(N−d))/(1 + ρ^N), d = |i−j| (THEORY.md §2.1).
func isingCorr(n int, beta float64) *mat.SymDense {
	rho := math.Tanh(beta)
	c := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			d := float64(j - i)
			c.SetSym(i, j, (math.Pow(rho, d)+math.Pow(rho, float64(n)-d))/(1+math.Pow(rho, float64(n))))
		}
	}
	return c
}

// TestLinearFlowMatchesExpm compares Evolve with an independent dense matrix
// exponential, w(t) = exp(var0 (C − σ_v² I) t) w0 (gonum mat.Dense.Exp).
func TestLinearFlowMatchesExpm(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2))
	for i, c := range []struct {
		n             int
		var0, sigmaV2 float64
		t             float64
	}{
		{1, 1, 1, 0.7},
		{5, 1, 1, 1.3},
		{12, 0.5, 0.8, 2.0},
		{12, 1, 1, -0.4},
	} {
		// A random symmetric C with entries of order one.
		a := mat.NewDense(c.n, c.n, nil)
		for k := 0; k < c.n*c.n; k++ {
			a.Set(k/c.n, k%c.n, rnd.NormFloat64()/math.Sqrt(float64(c.n)))
		}
		cm := mat.NewSymDense(c.n, nil)
		cm.SymOuterK(1, a)
		w0 := make([]float64, c.n)
		for k := range w0 {
			w0[k] = rnd.NormFloat64()
		}

		f, err := NewLinearFlow(cm, c.var0, c.sigmaV2)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		got := f.Evolve(nil, w0, c.t)

		gen := mat.NewDense(c.n, c.n, nil)
		for r := 0; r < c.n; r++ {
			for s := 0; s < c.n; s++ {
				g := cm.At(r, s)
				if r == s {
					g -= c.sigmaV2
				}
				gen.Set(r, s, c.var0*c.t*g)
			}
		}
		var e mat.Dense
		e.Exp(gen)
		want := mat.NewVecDense(c.n, nil)
		want.MulVec(&e, mat.NewVecDense(c.n, w0))

		const tol = 1e-10
		scale := mat.Norm(want, 2)
		for k := range got {
			if math.Abs(got[k]-want.AtVec(k)) > tol*scale {
				t.Errorf("case %d: Evolve[%d] = %v, want %v (expm)", i, k, got[k], want.AtVec(k))
			}
		}

		// Property: t = 0 is the identity, and dst may alias w0.
		w := append([]float64(nil), w0...)
		f.Evolve(w, w, 0)
		for k := range w {
			if !scalar.EqualWithinAbsOrRel(w[k], w0[k], 1e-13, 1e-13) {
				t.Errorf("case %d: Evolve(t=0)[%d] = %v, want %v", i, k, w[k], w0[k])
			}
		}
	}
}

// TestLinearFlowIsing checks the rates and Fourier modes on the exact
// Ising-ring correlation matrix against the closed form of THEORY.md §2.2
// (case IS-2: N = 10, β = 0.5, λ_0 = 2.715868299, λ_1 = λ_9 = 1.686769356).
func TestLinearFlowIsing(t *testing.T) {
	t.Parallel()
	const n, beta = 10, 0.5
	f, err := NewLinearFlow(isingCorr(n, beta), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	rates := f.Rates(nil)
	// Rates are in ascending order of λ: the top two are λ_1 − 1 (a
	// degenerate pair) just below, and the last is λ_0 − 1.
	for i, c := range []struct {
		k    int
		want float64
	}{
		{n - 1, 2.715868299 - 1},
		{n - 2, 1.686769356 - 1},
		{n - 3, 1.686769356 - 1},
	} {
		if !scalar.EqualWithinAbsOrRel(rates[c.k], c.want, 1e-9, 1e-9) {
			t.Errorf("case %d: rate[%d] = %v, want %v (IS-2)", i, c.k, rates[c.k], c.want)
		}
	}

	// Each real Fourier mode (THEORY.md §1.4) grows as e^(σ_k t) with the
	// closed-form rate σ_k = λ_k − 1.
	rho := math.Tanh(beta)
	rn := math.Pow(rho, n)
	const tt = 0.8
	for k := 0; k <= n/2; k++ {
		q := 2 * math.Pi * float64(k) / n
		lambda := (1 - rn) / (1 + rn) * (1 - rho*rho) / (1 - 2*rho*math.Cos(q) + rho*rho)
		growth := math.Exp((lambda - 1) * tt)
		mode := make([]float64, n)
		for i := range mode {
			mode[i] = math.Cos(q*float64(i)) + 0.3*math.Sin(q*float64(i))
		}
		got := f.Evolve(nil, mode, tt)
		for i := range got {
			if !scalar.EqualWithinAbsOrRel(got[i], growth*mode[i], 1e-11, 1e-11) {
				t.Errorf("mode %d: Evolve[%d] = %v, want %v", k, i, got[i], growth*mode[i])
			}
		}
	}
}

func TestLinearFlowPanics(t *testing.T) {
	t.Parallel()
	f, err := NewLinearFlow(isingCorr(4, 0.3), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, fn := range []func(){
		func() { f.Evolve(nil, make([]float64, 3), 1) },
		func() { f.Evolve(make([]float64, 5), make([]float64, 4), 1) },
		func() { LinearRates(make([]float64, 1), make([]float64, 2), 1, 1) },
	} {
		if !panics(fn) {
			t.Errorf("case %d: no panic on a length mismatch", i)
		}
	}
}

func panics(fn func()) (p bool) {
	defer func() { p = recover() != nil }()
	fn()
	return false
}
