package dynamics

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"placecell/ring"
)

// eq37 is the paper's eq 37 written out for M = 1.
func eq37(w []float64) []float64 {
	n := len(w)
	var b float64
	for _, x := range w {
		b += x * x
	}
	out := make([]float64, n)
	for i := range w {
		out[i] = w[(i+1)%n] + w[(i+n-1)%n] - w[i]*b + w[i]*w[i]*w[i]
	}
	return out
}

// eq50 is the corrected eq 50 (THEORY.md §4.8) for unit a of two, the
// other being b (rows of the 2×N state).
func eq50(w []float64, n, a, b int) []float64 {
	wa, wb := w[a*n:(a+1)*n], w[b*n:(b+1)*n]
	var gaa, gab float64
	for k := 0; k < n; k++ {
		gaa += wa[k] * wa[k]
		gab += wa[k] * wb[k]
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		out[i] = wa[(i+1)%n] + wa[(i+n-1)%n] - wa[i]*gaa + wa[i]*wa[i]*wa[i] + wa[i]*wb[i]*wb[i] - wb[i]*gab
	}
	return out
}

// TestLatticeEquations checks Lattice.Deriv against eq 37 (M = 1) and
// eqs 50–51 (M = 2) written out independently.
func TestLatticeEquations(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(31, 32))
	const n = 17
	w1 := randWeights(rnd, 1, n, 0.6)
	got := make([]float64, n)
	NewLattice(n, 1).Deriv(got, w1)
	for i, want := range eq37(w1) {
		if !scalar.EqualWithinAbsOrRel(got[i], want, 1e-14, 1e-13) {
			t.Errorf("M=1: f[%d] = %v, want eq 37 %v", i, got[i], want)
		}
	}
	w2 := randWeights(rnd, 2, n, 0.6)
	got = make([]float64, 2*n)
	NewLattice(n, 2).Deriv(got, w2)
	for a := 0; a < 2; a++ {
		for i, want := range eq50(w2, n, a, 1-a) {
			if !scalar.EqualWithinAbsOrRel(got[a*n+i], want, 1e-14, 1e-13) {
				t.Errorf("M=2: f[%d][%d] = %v, want eqs 50–51 %v", a, i, got[a*n+i], want)
			}
		}
	}
}

// TestLatticeGradientFlow checks dŵ/dτ = −∂F/∂ŵ (THEORY.md §4.9) and the
// Jacobian by central differences (step 1e-6, errors ~1e-9), and the
// symmetry of J.
func TestLatticeGradientFlow(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(33, 34))
	const n, d = 9, 1e-6
	for _, m := range []int{1, 2, 3} {
		l := NewLattice(n, m)
		w := randWeights(rnd, m, n, 0.7)
		f := make([]float64, m*n)
		l.Deriv(f, w)
		jac := l.Jacobian(w)
		fp, fm := make([]float64, m*n), make([]float64, m*n)
		for k := range w {
			wp := append([]float64(nil), w...)
			wm := append([]float64(nil), w...)
			wp[k] += d
			wm[k] -= d
			grad := (l.Lyapunov(wp) - l.Lyapunov(wm)) / (2 * d)
			if !scalar.EqualWithinAbsOrRel(-grad, f[k], 1e-7, 1e-7) {
				t.Errorf("M=%d: −∂F/∂w[%d] = %v, f = %v", m, k, -grad, f[k])
			}
			l.Deriv(fp, wp)
			l.Deriv(fm, wm)
			for r := range fp {
				fd := (fp[r] - fm[r]) / (2 * d)
				if got := jac.At(r, k); !scalar.EqualWithinAbsOrRel(got, fd, 1e-7, 1e-7) {
					t.Errorf("M=%d: J[%d][%d] = %v, finite difference %v", m, r, k, got, fd)
				}
			}
		}
	}
}

// TestLatticeRotationSymmetry checks that the lattice flow commutes with
// ŵ → Rŵ for an orthogonal M×M matrix R acting on the units: F depends on
// ŵ only through the Gram matrix, the row norms ‖ŵ_i·‖ and tr(ŵAŵᵀ), all
// O(M)-invariant. (The exact ±1 flow does not have this symmetry; it is
// a property of the small-β equation.)
func TestLatticeRotationSymmetry(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(35, 36))
	const n, m = 11, 2
	l := NewLattice(n, m)
	w := randWeights(rnd, m, n, 0.8)
	c, s := math.Cos(0.7), math.Sin(0.7)
	rot := func(x []float64) []float64 {
		out := make([]float64, m*n)
		for i := 0; i < n; i++ {
			out[i] = c*x[i] - s*x[n+i]
			out[n+i] = s*x[i] + c*x[n+i]
		}
		return out
	}
	f, fr := make([]float64, m*n), make([]float64, m*n)
	l.Deriv(f, w)
	l.Deriv(fr, rot(w))
	for k, want := range rot(f) {
		if !scalar.EqualWithinAbsOrRel(fr[k], want, 1e-13, 1e-12) {
			t.Errorf("f(Rw)[%d] = %v, R f(w) = %v", k, fr[k], want)
		}
	}
}

// TestLatticeSmallBeta checks the small-β expansion of THEORY.md §4.8
// against the exact population flow of the Ising ring (N = 12): with
// w = √β ŵ, the exact dw/dt divided by β^(3/2) tends to the lattice
// f(ŵ) with a relative deviation O(β), for M = 1, 2, 3.
func TestLatticeSmallBeta(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(37, 38))
	const n = 12
	for _, m := range []int{1, 2, 3} {
		what := randWeights(rnd, m, n, 0.5)
		want := make([]float64, m*n)
		NewLattice(n, m).Deriv(want, what)
		var dev []float64
		for _, beta := range []float64{0.01, 0.005} {
			flow := NewSpinFlowPopulation(m, ring.Ising{N: n, Beta: beta})
			w := make([]float64, m*n)
			for k := range w {
				w[k] = math.Sqrt(beta) * what[k]
			}
			got := make([]float64, m*n)
			flow.Deriv(got, w)
			var num, den float64
			for k := range got {
				d := got[k]/math.Pow(beta, 1.5) - want[k]
				num += d * d
				den += want[k] * want[k]
			}
			dev = append(dev, math.Sqrt(num/den))
		}
		// O(β): the deviation halves with β (within 25%) and is small.
		if r := dev[0] / dev[1]; r < 1.5 || r > 2.5 || dev[0] > 0.1 {
			t.Errorf("M=%d: relative deviation from the lattice equation %.3g at β = 0.01, %.3g at 0.005; want O(β)", m, dev[0], dev[1])
		}
	}
}

// TestLatticeIntegration integrates eq 37 at N = 100 from a small random
// start (σ = 0.01) to the stationary bump of THEORY.md §5.4: peak
// 0.919593, Σŵ² = 2.400121, Σŵ = 4.249390 (3 decimals), FWHM 3.795, and
// a Lyapunov function that decreased.
func TestLatticeIntegration(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(39, 40))
	const n = 100
	l := NewLattice(n, 1)
	w0 := randWeights(rnd, 1, n, 0.01)
	res, err := Integrate(context.Background(), l, w0, []float64{0, 50, 3000},
		&ODESettings{RelTol: 1e-10, AbsTol: 1e-12, StopResidual: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	w := SignNormalize(nil, res.Y[len(res.Y)-1])
	peak, sum2, sum := 0.0, 0.0, 0.0
	for _, x := range w {
		peak = math.Max(peak, x)
		sum2 += x * x
		sum += x
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"peak", peak, 0.919593}, {"Σŵ²", sum2, 2.400121}, {"Σŵ", math.Abs(sum), 4.249390}, {"FWHM", FWHM(w), 3.795},
	} {
		if math.Abs(c.got-c.want) > 5e-4 {
			t.Errorf("%s = %.6f, want %.6f (THEORY.md §5.4)", c.name, c.got, c.want)
		}
	}
	if !res.Stopped || res.Residual > 1e-9 {
		t.Errorf("not converged: stopped %v, residual %v at τ = %v", res.Stopped, res.Residual, res.T[len(res.T)-1])
	}
	if f0, f1 := l.Lyapunov(w0), l.Lyapunov(w); !(f1 < f0) {
		t.Errorf("Lyapunov function rose from %v to %v", f0, f1)
	}
}

// TestContinuumModes checks the real Fourier basis of Continuum: the round
// trip, Parseval (orthonormality), and that each basis vector is an
// eigenvector of the linear part with eigenvalue LinearRates.
func TestContinuumModes(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(41, 42))
	for _, p := range []int{16, 15} {
		c := NewContinuum(2, p, 7.5)
		w := randWeights(rnd, 2, p, 1)
		z := make([]float64, 2*p)
		c.ToModes(z, w)
		back := make([]float64, 2*p)
		c.FromModes(back, z)
		for k := range w {
			if !scalar.EqualWithinAbsOrRel(back[k], w[k], 1e-13, 1e-13) {
				t.Errorf("P=%d: round trip [%d] = %v, want %v", p, k, back[k], w[k])
			}
		}
		if a, b := dot64(w, w), dot64(z, z); !scalar.EqualWithinAbsOrRel(a, b, 1e-12, 1e-12) {
			t.Errorf("P=%d: Σw² = %v, Σz² = %v", p, a, b)
		}
		sigma := make([]float64, 2*p)
		c.LinearRates(sigma)
		f, nl := make([]float64, 2*p), make([]float64, 2*p)
		for j := 0; j < 2*p; j++ {
			e := make([]float64, 2*p)
			e[j] = 1e-3 // small: the cubic terms are 1e-9 relative
			y := make([]float64, 2*p)
			c.FromModes(y, e)
			c.Deriv(f, y)
			c.Nonlinear(nl, y)
			for k := range f {
				lin := f[k] - nl[k]
				if !scalar.EqualWithinAbsOrRel(lin, sigma[j]*y[k], 1e-12, 1e-9) {
					t.Errorf("P=%d mode %d: (Ly)[%d] = %v, σy = %v", p, j, k, lin, sigma[j]*y[k])
					break
				}
			}
		}
	}
}

// TestContinuumSech checks the discretised continuum equation against the
// stationary sech profile of eq 44 with b₋ = 8 − 4√2 on a ring of length
// 60: the residual is O(dx²) (a quarter when dx halves), plus the
// exponentially small e^(−κL/2) error of the infinite-line profile.
func TestContinuumSech(t *testing.T) {
	t.Parallel()
	const length = 60.0
	kappa := 2 - math.Sqrt2
	var res []float64
	for _, p := range []int{300, 600} {
		c := NewContinuum(1, p, length)
		w := make([]float64, p)
		for k := range w {
			x := float64(k)*c.Dx() - length/2
			w[k] = math.Sqrt2 * kappa / math.Cosh(kappa*x)
		}
		f := make([]float64, p)
		c.Deriv(f, w)
		res = append(res, maxAbs(f))
	}
	if r := res[0] / res[1]; r < 3.6 || r > 4.4 {
		t.Errorf("residuals %.3g (dx = 0.2), %.3g (dx = 0.1): ratio %.2f, want 4 (second order)", res[0], res[1], r)
	}
	if res[1] > 1e-3 {
		t.Errorf("residual %.3g at dx = 0.1 too large", res[1])
	}
}

// TestContinuumStiffIntegration integrates the continuum equation on a
// fine grid (dx = 0.05, linear rates down to −1598) with Auto: the
// Dormand–Prince stage detects stiffness and ETDRK4 finishes;
// the result matches an explicit Dormand–Prince run, which needs more steps
// to reach τ = 10 than Auto to reach τ = 60, and the profile approaches
// the stable sech bump (b₋ = 2.343).
func TestContinuumStiffIntegration(t *testing.T) {
	t.Parallel()
	const length, p = 30.0, 600
	c := NewContinuum(1, p, length)
	w0 := make([]float64, p)
	for k := range w0 {
		x := float64(k)*c.Dx() - length/2
		w0[k] = 0.3 * math.Exp(-x*x/8)
	}
	times := []float64{0, 2, 60}
	set := &ODESettings{RelTol: 1e-8, AbsTol: 1e-10}
	auto, err := Integrate(context.Background(), c, w0, times, set)
	if err != nil {
		t.Fatal(err)
	}
	if !auto.Stiff || auto.Method != ETDRK4 {
		t.Errorf("Auto: stiff %v, method %v; want stiffness detected and ETDRK4", auto.Stiff, auto.Method)
	}
	ref, err := Integrate(context.Background(), c, w0, []float64{0, 2, 10}, &ODESettings{RelTol: 1e-10, AbsTol: 1e-12, Method: DormandPrince})
	if err != nil {
		t.Fatal(err)
	}
	for k := range w0 {
		if d := math.Abs(auto.Y[1][k] - ref.Y[1][k]); d > 1e-6 {
			t.Errorf("τ = 2: Auto w[%d] = %v, explicit %v", k, auto.Y[1][k], ref.Y[1][k])
			break
		}
	}
	w := auto.Y[2]
	b := c.Dx() * dot64(w, w)
	if math.Abs(b-(8-4*math.Sqrt2)) > 2e-3 {
		t.Errorf("b = ∫w² = %.5f at τ = 60, want b₋ = %.5f", b, 8-4*math.Sqrt2)
	}
	if auto.Steps > ref.Steps {
		t.Errorf("Auto used %d steps to τ = 60, explicit %d to τ = 10", auto.Steps, ref.Steps)
	}
}
