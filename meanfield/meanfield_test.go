package meanfield

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"placecell/dynamics"
)

// TestContinuumProfiles checks case PAPER-RF-PROFILE and the closed forms
// of THEORY.md §5.1: b± = 8 ± 4√2 = 13.65685425, 2.343145751; peaks
// 4.828427125, 0.8284271247; FWHM 0.7715, 4.4964; ∫w = √2π = 4.442883;
// PR 0.8787, 5.1213; only b₋ stable. The integrals are also checked by
// quadrature and the stationarity equation w″ + (2 − b)w + w³ = 0 (eq 40)
// by finite differences.
func TestContinuumProfiles(t *testing.T) {
	t.Parallel()
	minus, plus := ContinuumProfiles()
	for _, c := range []struct {
		name                        string
		p                           Profile
		b, peak, fwhm, integral, pr float64
		stable                      bool
	}{
		{"b-", minus, 2.343145751, 0.8284271247, 4.4964, 4.442883, 5.1213, true},
		{"b+", plus, 13.65685425, 4.828427125, 0.7715, 4.442883, 0.8787, false},
	} {
		for _, v := range []struct {
			what      string
			got, want float64
			tol       float64
		}{
			{"b", c.p.B, c.b, 1e-9}, {"peak", c.p.Peak, c.peak, 1e-9}, {"FWHM", c.p.FWHM, c.fwhm, 1e-4},
			{"∫w", c.p.Integral, c.integral, 1e-6}, {"PR", c.p.PR, c.pr, 1e-4},
		} {
			if math.Abs(v.got-v.want) > v.tol*math.Max(1, math.Abs(v.want)) {
				t.Errorf("%s: %s = %.10g, want %.10g", c.name, v.what, v.got, v.want)
			}
		}
		if c.p.Stable() != c.stable {
			t.Errorf("%s: Stable() = %v, want %v", c.name, c.p.Stable(), c.stable)
		}
		// Quadrature on [−40/κ, 40/κ] (tails below e^(−40)).
		var i1, i2, i4 float64
		h := 1e-3 / c.p.Kappa
		for x := -40 / c.p.Kappa; x <= 40/c.p.Kappa; x += h {
			w := c.p.At(x)
			i1 += w * h
			i2 += w * w * h
			i4 += w * w * w * w * h
		}
		if math.Abs(i1-c.p.Integral) > 1e-6 || math.Abs(i2-c.p.B) > 1e-6 || math.Abs(i4-c.p.Int4) > 1e-6*c.p.Int4 {
			t.Errorf("%s: quadrature ∫w = %v, ∫w² = %v (b = %v), ∫w⁴ = %v (%v)", c.name, i1, i2, c.p.B, i4, c.p.Int4)
		}
		if got := c.p.At(c.p.FWHM / 2); math.Abs(got-c.p.Peak/2) > 1e-12 {
			t.Errorf("%s: w(FWHM/2) = %v, want peak/2 = %v", c.name, got, c.p.Peak/2)
		}
		const d = 1e-4
		for _, x := range []float64{0, 0.3, 1.7, 4} {
			w := c.p.At(x)
			w2 := (c.p.At(x+d) - 2*w + c.p.At(x-d)) / (d * d)
			if r := w2 + (2-c.p.B)*w + w*w*w; math.Abs(r) > 1e-5*math.Max(1, c.p.B*c.p.Peak) {
				t.Errorf("%s: eq 40 residual at x = %v: %v", c.name, x, r)
			}
		}
	}
}

// TestContinuumStability checks the verdict of THEORY.md §5.3 on the
// discretised linearised operator: b₋ has only negative eigenvalues
// besides the translation mode (≈ 0); b₊ has one positive eigenvalue,
// ≈ 11.48 (Richardson-extrapolated over two grids, to 0.01). The top
// eigenvalue of b₊ also solves the secular equation of the rank-one
// perturbation, 2dx·wᵀ(L₀ − λ)⁻¹w = 1, an independent characterisation.
func TestContinuumStability(t *testing.T) {
	t.Parallel()
	minus, plus := ContinuumProfiles()
	sm, err := ContinuumStability(minus, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if !sm.Stable || math.Abs(sm.Values[sm.Translation]) > 1e-3 || sm.TranslationOverlap < 0.99 {
		t.Errorf("b−: stable %v, leading %v, translation value %v (overlap %v); want stable with a zero translation mode",
			sm.Stable, sm.Leading, sm.Values[sm.Translation], sm.TranslationOverlap)
	}
	var top []float64
	for _, dy := range []float64{0.1, 0.05} {
		sp, err := ContinuumStability(plus, dy)
		if err != nil {
			t.Fatal(err)
		}
		if sp.Stable || sp.Values[0] != sp.Leading {
			t.Errorf("b+ (dy = %v): stable %v, leading %v, values %v", dy, sp.Stable, sp.Leading, sp.Values[:3])
		}
		if sp.Values[1] > 1e-2 && sp.Translation != 1 {
			t.Errorf("b+ (dy = %v): second eigenvalue %v is not the translation mode", dy, sp.Values[1])
		}
		top = append(top, sp.Values[0])
		if dy == 0.05 {
			checkSecular(t, plus, sp)
		}
	}
	extrap := (4*top[1] - top[0]) / 3
	if math.Abs(extrap-11.48) > 0.01 {
		t.Errorf("b+: top eigenvalue %v, %v on two grids, extrapolated %v; want ≈ 11.48", top[0], top[1], extrap)
	}
}

// checkSecular rebuilds the polished grid profile and checks the top
// eigenvalue against the secular equation.
func checkSecular(t *testing.T, p Profile, sp *ContinuumSpectrum) {
	t.Helper()
	dx := sp.Length / float64(sp.Points)
	w := make([]float64, sp.Points)
	for k := range w {
		w[k] = p.At(float64(k)*dx - sp.Length/2)
	}
	if _, err := polishContinuum(w, dx); err != nil {
		t.Fatal(err)
	}
	lambda := sp.Values[0]
	jac := continuumJacobian(w, dx)
	n := len(w)
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			// L₀ − λ = J + 2dx·wwᵀ − λ.
			v := jac.At(i, j) + 2*dx*w[i]*w[j]
			if i == j {
				v -= lambda
			}
			a.Set(i, j, v)
		}
	}
	var x mat.VecDense
	if err := x.SolveVec(a, mat.NewVecDense(n, w)); err != nil {
		t.Fatal(err)
	}
	g := 2 * dx * mat.Dot(mat.NewVecDense(n, w), &x)
	if math.Abs(g-1) > 1e-8 {
		t.Errorf("secular equation at λ = %v: 2dx·wᵀ(L₀−λ)⁻¹w = %v, want 1", lambda, g)
	}
}

// TestSolveLatticeM1 checks the N = 100, M = 1 stationary bump of
// THEORY.md §5.4 (reached from a random start of standard deviation
// 0.01): peak 0.919593, neighbours 0.714740 … 0.020109, Σŵ² = 2.400121,
// Σŵ = 4.249390, PR 4.387, FWHM 3.795, tail decay e^(−κ_lat) with
// cosh κ_lat = b/2; the stationarity equation ŵ_(i+1) + ŵ_(i−1) − bŵ_i +
// ŵ_i³ = 0 holds, and the Jacobian spectrum (§5.3) has its largest
// eigenvalue −0.0323 on the translation mode, then −0.2166.
func TestSolveLatticeM1(t *testing.T) {
	t.Parallel()
	const n = 100
	rnd := rand.New(rand.NewPCG(61, 62))
	sol, err := SolveLattice(context.Background(), n, 1, RandomStart(rnd, n, 1, 0.01), nil)
	if err != nil {
		t.Fatal(err)
	}
	u := sol.Units[0]
	for _, c := range []struct {
		what      string
		got, want float64
		tol       float64
	}{
		{"peak", u.Peak, 0.919593, 1e-6}, {"Σŵ²", u.SumSq, 2.400121, 1e-6}, {"Σŵ", u.Sum, 4.249390, 1e-6},
		{"PR", u.PR, 4.387, 1e-3}, {"FWHM", u.FWHM, 3.795, 1e-3},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.7f, want %.7f", c.what, c.got, c.want)
		}
	}
	w := sol.W
	p := 0
	for i := range w {
		if w[i] > w[p] {
			p = i
		}
	}
	for d, want := range []float64{0.714740, 0.430742, 0.239174, 0.129622, 0.069757, 0.037464, 0.020109} {
		for _, s := range []int{1, -1} {
			if got := w[(p+s*(d+1)+n)%n]; math.Abs(got-want) > 1e-6 {
				t.Errorf("ŵ at distance %d = %.7f, want %.7f", s*(d+1), got, want)
			}
		}
	}
	b := u.SumSq
	for i := range w {
		if r := w[(i+1)%n] + w[(i+n-1)%n] - b*w[i] + w[i]*w[i]*w[i]; math.Abs(r) > 1e-12 {
			t.Errorf("stationarity residual at %d: %v", i, r)
		}
	}
	kappa := math.Acosh(b / 2)
	if math.Abs(kappa-0.6224) > 1e-4 {
		t.Errorf("κ_lat = %v, want 0.6224", kappa)
	}
	if r := w[(p+15)%n] / w[(p+14)%n]; math.Abs(r-math.Exp(-kappa)) > 1e-4 {
		t.Errorf("tail ratio %v, want e^(−κ_lat) = %v", r, math.Exp(-kappa))
	}
	st, err := LatticeStability(n, 1, w)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Stable || st.Modes[0].Kind != "translation" || math.Abs(st.Modes[0].Value+0.0323) > 1e-4 ||
		math.Abs(st.Modes[1].Value+0.2166) > 1e-4 {
		t.Errorf("stability: stable %v, top modes %+v, %+v; want translation −0.0323 then −0.2166", st.Stable, st.Modes[0], st.Modes[1])
	}
	// The band edge near 2 − b = −0.40 (THEORY.md §5.3): the continuum of
	// extended modes starts there.
	if v := st.Modes[2].Value; v > -0.39 || v < -0.41 {
		t.Errorf("third eigenvalue %v, want near the band edge 2 − b = %v", v, 2-b)
	}
}

// TestSolveLatticeM2 checks the M = 2 stationary state (THEORY.md §5.4,
// Fig 14b): two separated bumps, each close to the M = 1 profile (peaks ≈
// 0.92), a residual below 1e-12, an exact rotation zero mode of the
// small-β equation, and every other eigenvalue negative (stable).
func TestSolveLatticeM2(t *testing.T) {
	t.Parallel()
	const n, m = 100, 2
	rnd := rand.New(rand.NewPCG(63, 64))
	sol, err := SolveLattice(context.Background(), n, m, RandomStart(rnd, n, m, 0.01), nil)
	if err != nil {
		t.Fatal(err)
	}
	for mu, u := range sol.Units {
		if math.Abs(u.Peak-0.9196) > 5e-3 || math.Abs(u.SumSq-2.400) > 5e-3 {
			t.Errorf("unit %d: peak %v, Σŵ² %v; want ≈ 0.9196, 2.400", mu, u.Peak, u.SumSq)
		}
	}
	if sep := dynamics.CircularDistance(sol.Units[0].Centre, sol.Units[1].Centre, n); sep < 10 {
		t.Errorf("bump separation %v sites, want well separated", sep)
	}
	if sol.Residual > 1e-12 {
		t.Errorf("residual %v", sol.Residual)
	}
	st, err := LatticeStability(n, m, sol.W)
	if err != nil {
		t.Fatal(err)
	}
	var rot []Mode
	for _, x := range st.Modes {
		if x.Kind == "rotation" {
			rot = append(rot, x)
		}
	}
	if len(rot) != 1 || math.Abs(rot[0].Value) > 1e-9 || rot[0].Rotation < 0.99 {
		t.Errorf("rotation modes %+v, want one exact zero mode", rot)
	}
	if !st.Stable {
		t.Errorf("two-bump state unstable: leading %v", st.Leading)
	}
}

// TestUniform checks case PAPER-UNIFORM-FP (L = 100 and 10) and the
// lattice Turing rates of THEORY.md §5.5 at N = 100 (n = 1, 2, 3 unstable
// with 0.03646, 0.02463, 0.00498; n = 4 decays at −0.0224), which are
// also compared with the eigenvalues of the dense lattice Jacobian at the
// uniform state, an independent computation.
func TestUniform(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		l, w, b, fw, tr, det float64
	}{
		{100, 0.1421338109, 2.0202020202, 0.0404040404, -4.040404040, 0.1616161616},
		{10, 0.4714045208, 2.2222222222, 0.4444444444, -40.0 / 9, 16.0 / 9},
	} {
		u, err := UniformFixedPoint(c.l)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []struct {
			what      string
			got, want float64
		}{{"w*", u.W, c.w}, {"b*", u.B, c.b}, {"f_w", u.Fw, c.fw}, {"tr", u.Trace, c.tr}, {"det", u.Det, c.det}} {
			if !scalar.EqualWithinAbsOrRel(v.got, v.want, 1e-9, 1e-9) {
				t.Errorf("L = %v: %s = %.12g, want %.12g", c.l, v.what, v.got, v.want)
			}
		}
		if !u.HomogeneousStable() || !u.TuringUnstable(1e6) || u.TuringUnstable(0) {
			t.Errorf("L = %v: homogeneous stable %v, Turing (d → ∞) %v, (d = 0) %v", c.l, u.HomogeneousStable(), u.TuringUnstable(1e6), u.TuringUnstable(0))
		}
	}
	u, _ := UniformFixedPoint(100)
	if got := u.UnstableModes(); len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Errorf("unstable modes %v, want [1 2 3]", got)
	}
	for n, want := range map[int]float64{1: 0.03646, 2: 0.02463, 3: 0.00498, 4: -0.0224} {
		if got := u.LatticeRate(n); math.Abs(got-want) > 5e-5 {
			t.Errorf("σ_%d = %.5f, want %.5f", n, got, want)
		}
	}
	if got, want := u.ContinuumRate(2*math.Pi/100), 4.0/99-math.Pow(2*math.Pi/100, 2); math.Abs(got-want) > 1e-15 {
		t.Errorf("continuum σ(2π/L) = %v, want %v", got, want)
	}
	// Dense Jacobian of eq 37 at the uniform state.
	const n = 100
	w := make([]float64, n)
	for i := range w {
		w[i] = u.W
	}
	var eig mat.EigenSym
	if !eig.Factorize(dynamics.NewLattice(n, 1).Jacobian(w), false) {
		t.Fatal("eigendecomposition failed")
	}
	got := eig.Values(nil)
	want := make([]float64, n)
	for k := range want {
		want[k] = u.LatticeRate(k)
	}
	sort.Float64s(want)
	for k := range got {
		if math.Abs(got[k]-want[k]) > 1e-12 {
			t.Errorf("Jacobian eigenvalue %d = %.15g, Turing rate %.15g", k, got[k], want[k])
		}
	}
}

// TestScale checks the physical units of THEORY.md §5.2 at β = 0.04,
// Var₀ = 1: peak 0.9196√β = 0.18392, Σw² = 2.400β = 0.096, t = τ/β.
func TestScale(t *testing.T) {
	t.Parallel()
	s := Scale{Beta: 0.04, Var0: 1}
	if got := s.Weight(0.9196); math.Abs(got-0.18392) > 1e-12 {
		t.Errorf("Weight = %v", got)
	}
	if got := s.SumSq(2.4); math.Abs(got-0.096) > 1e-12 {
		t.Errorf("SumSq = %v", got)
	}
	if got := s.Time(2); math.Abs(got-50) > 1e-12 || math.Abs(s.Tau(50)-2) > 1e-12 {
		t.Errorf("Time(2) = %v, Tau(50) = %v", got, s.Tau(50))
	}
	d := Scale{Beta: 0.1, Var0: 0.5} // a double-well unit with Var₀ = 1/2
	if got := d.Weight(1); math.Abs(got-math.Sqrt(0.2)) > 1e-15 {
		t.Errorf("Weight with Var₀ = 0.5: %v", got)
	}
}

// TestLocalize checks that Localize undoes a rotation of two disjoint
// bumps (up to the sign and order of the units), and that the rotated
// state is stationary too (the O(M) symmetry of the small-β equation).
func TestLocalize(t *testing.T) {
	t.Parallel()
	const n = 60
	bump := func(c int) []float64 {
		w := make([]float64, n)
		for i := range w {
			d := float64((i-c+n+n/2)%n - n/2)
			w[i] = math.Sqrt2 * 0.6 / math.Cosh(0.6*d)
		}
		return w
	}
	a, b := bump(10), bump(40)
	c, s := math.Cos(0.6), math.Sin(0.6)
	w := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		w[i], w[n+i] = c*a[i]-s*b[i], s*a[i]+c*b[i]
	}
	lat := dynamics.NewLattice(n, 2)
	f0, f1 := make([]float64, 2*n), make([]float64, 2*n)
	plain := append(append([]float64(nil), a...), b...)
	lat.Deriv(f0, plain)
	lat.Deriv(f1, w)
	if r0, r1 := math.Sqrt(dot(f0, f0)), math.Sqrt(dot(f1, f1)); math.Abs(r0-r1) > 1e-12 {
		t.Errorf("‖f‖ = %v for the bumps, %v rotated: the flow is not O(2)-covariant", r0, r1)
	}
	Localize(w, n, 2)
	for mu := 0; mu < 2; mu++ {
		row := dynamics.SignNormalize(nil, w[mu*n:(mu+1)*n])
		da, db := maxDiff(row, a), maxDiff(row, b)
		if math.Min(da, db) > 1e-9 {
			t.Errorf("unit %d after Localize differs from both bumps by %v, %v", mu, da, db)
		}
	}
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func maxDiff(x, y []float64) float64 {
	var m float64
	for i := range x {
		m = math.Max(m, math.Abs(x[i]-y[i]))
	}
	return m
}
