package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// latticeBump returns the N = 100 stationary lattice bump of THEORY.md §5.4
// centred on site p: the tabulated peak and neighbours at distances 1–7,
// and beyond distance 7 the linear tail w_7 e^(−κ(d−7)), κ_lat = 0.6224
// (same table). The reconstruction reproduces the table's Σw² = 2.400121
// and Σw = 4.249390 (checked in TestLatticeBumpReconstruction).
func latticeBump(n, p int) []float64 {
	table := []float64{0.919593, 0.714740, 0.430742, 0.239174, 0.129622, 0.069757, 0.037464, 0.020109}
	const kappa = 0.6224
	w := make([]float64, n)
	for d := -(n - 1) / 2; d <= n/2; d++ {
		a := d
		if a < 0 {
			a = -a
		}
		v := table[len(table)-1] * math.Exp(-kappa*float64(a-7))
		if a < len(table) {
			v = table[a]
		}
		w[((p+d)%n+n)%n] = v
	}
	return w
}

func TestLatticeBumpReconstruction(t *testing.T) {
	t.Parallel()
	w := latticeBump(100, 50)
	var s1, s2 float64
	for _, x := range w {
		s1 += x
		s2 += x * x
	}
	// THEORY.md §5.4: Σw² = b = 2.400121, Σw = 4.249390; the six-decimal
	// table entries carry rounding errors of 5e-7 each.
	if math.Abs(s2-2.400121) > 5e-6 {
		t.Errorf("Σw² = %v, want 2.400121", s2)
	}
	if math.Abs(s1-4.249390) > 5e-6 {
		t.Errorf("Σw = %v, want 4.249390", s1)
	}
}

func TestOrderWAndSignNormalize(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		w     []float64
		wantW float64
		wantS []float64
	}{
		// Uniform weights: W = N|w| (THEORY.md §4.12).
		{[]float64{0.5, 0.5, 0.5, 0.5}, 2, []float64{0.5, 0.5, 0.5, 0.5}},
		{[]float64{-0.5, -0.5, -0.5}, 1.5, []float64{0.5, 0.5, 0.5}},
		// Largest |w| negative: flip.
		{[]float64{0.2, -0.9, 0.1}, 0.6, []float64{-0.2, 0.9, -0.1}},
		// Tie in |w|: the first entry decides.
		{[]float64{-1, 1, 0}, 0, []float64{1, -1, 0}},
		{[]float64{}, 0, []float64{}},
	} {
		if got := OrderW(c.w); math.Abs(got-c.wantW) > 1e-15 {
			t.Errorf("case %d: OrderW = %v, want %v", i, got, c.wantW)
		}
		orig := append([]float64(nil), c.w...)
		got := SignNormalize(nil, c.w)
		for k := range got {
			if got[k] != c.wantS[k] {
				t.Errorf("case %d: SignNormalize = %v, want %v", i, got, c.wantS)
				break
			}
		}
		for k := range orig {
			if orig[k] != c.w[k] {
				t.Errorf("case %d: SignNormalize modified its input", i)
			}
		}
	}
}

func TestFWHM(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	tri := func(n, p int, left, right float64) []float64 {
		// Piecewise-linear bump of unit height reaching zero at distance
		// left (below p) and right (above p): half maximum at left/2 and
		// right/2, so FWHM = (left+right)/2 exactly under linear
		// interpolation.
		w := make([]float64, n)
		for d := -n / 2; d < n/2; d++ {
			l := right
			if d < 0 {
				l = left
			}
			w[((p+d)%n+n)%n] = math.Max(0, 1-math.Abs(float64(d))/l)
		}
		return w
	}
	neg := func(w []float64) []float64 {
		for i := range w {
			w[i] = -w[i]
		}
		return w
	}
	for i, c := range []struct {
		w    []float64
		want float64
		tol  float64
		what string
	}{
		// THEORY.md §4.12 and §5.4: 3.795 by linear interpolation,
		// printed to 4 digits.
		{latticeBump(100, 50), 3.795, 5e-4, "lattice bump"},
		{latticeBump(100, 0), 3.795, 5e-4, "lattice bump at site 0"},
		{latticeBump(100, 99), 3.795, 5e-4, "lattice bump at site 99"},
		{neg(latticeBump(100, 3)), 3.795, 5e-4, "negated lattice bump"},
		{tri(40, 20, 5, 5), 5, 1e-13, "triangle"},
		{tri(40, 1, 3, 7), 5, 1e-13, "asymmetric triangle across the seam"},
		{tri(41, 40, 6.5, 2.5), 4.5, 1e-13, "odd N"},
		{make([]float64, 10), nan, 0, "zero profile"},
		{[]float64{1, 1, 1, 1, 1, 1}, nan, 0, "uniform profile: no crossing"},
		{[]float64{}, nan, 0, "empty"},
	} {
		got := FWHM(c.w)
		if math.IsNaN(c.want) {
			if !math.IsNaN(got) {
				t.Errorf("case %d (%s): FWHM = %v, want NaN", i, c.what, got)
			}
			continue
		}
		if math.Abs(got-c.want) > c.tol {
			t.Errorf("case %d (%s): FWHM = %v, want %v", i, c.what, got, c.want)
		}
	}
}

// TestFWHMContinuum samples the stable continuum profile of THEORY.md §5.1,
// w(x) = √(2(b−2))/cosh(x√(b−2)), b = b₋ = 8 − 4√2, on a grid of spacing h
// and compares h·FWHM with the closed form 2 arcosh(2)/(2−√2) = 4.496
// (§4.12). Linear interpolation errs by O(h²) at the crossings: below
// 1e-4 for h = 0.01.
func TestFWHMContinuum(t *testing.T) {
	t.Parallel()
	const h, n = 0.01, 6000
	b := 8 - 4*math.Sqrt2
	k := math.Sqrt(b - 2)
	for _, off := range []float64{0, 0.3, 0.5} {
		w := make([]float64, n)
		for i := range w {
			x := h * (float64(i) - n/2 - off)
			w[i] = math.Sqrt(2*(b-2)) / math.Cosh(x*k)
		}
		want := 2 * math.Acosh(2) / (2 - math.Sqrt2)
		if got := h * FWHM(w); math.Abs(got-want) > 1e-4 {
			t.Errorf("offset %v: FWHM·h = %v, want %v", off, got, want)
		}
	}
}

func TestCentre(t *testing.T) {
	t.Parallel()
	const n = 100
	circ := func(a, b float64) float64 {
		d := math.Mod(math.Abs(a-b), n)
		return math.Min(d, n-d)
	}
	two := make([]float64, n)
	two[17], two[18] = 1, 1
	single := make([]float64, n)
	single[63] = -2
	for i, c := range []struct {
		w          []float64
		wantC      float64
		wantConc   float64
		tolC, tolK float64
		what       string
	}{
		// A symmetric profile is centred on its axis; sites beyond the
		// peak contribute symmetrically to z.
		{latticeBump(n, 37), 37, math.NaN(), 1e-10, 0, "bump at 37"},
		{latticeBump(n, 0), 0, math.NaN(), 1e-10, 0, "bump at 0"},
		{latticeBump(n, 99), 99, math.NaN(), 1e-10, 0, "bump at 99"},
		// Two equal sites j, j+1: z = e^(iθj)(1 + e^(iθ)), θ = 2π/N, so
		// c = j + 1/2 and |z|/Σw² = cos(π/N).
		{two, 17.5, math.Cos(math.Pi / n), 1e-10, 1e-14, "two sites"},
		// A single site: c = j, concentration 1.
		{single, 63, 1, 1e-10, 1e-14, "single site"},
	} {
		c0, k := Centre(c.w)
		if d := circ(c0, c.wantC); d > c.tolC || c0 < 0 || c0 >= n {
			t.Errorf("case %d (%s): Centre = %v, want %v in [0, N)", i, c.what, c0, c.wantC)
		}
		if !math.IsNaN(c.wantConc) && math.Abs(k-c.wantConc) > c.tolK {
			t.Errorf("case %d (%s): concentration = %v, want %v", i, c.what, k, c.wantConc)
		}
		if k < 0 || k > 1+1e-15 {
			t.Errorf("case %d (%s): concentration = %v, want it in [0, 1]", i, c.what, k)
		}
	}

	// A uniform profile has |z| at rounding level: concentration ≈ 0.
	u := make([]float64, n)
	for i := range u {
		u[i] = 0.3
	}
	if _, k := Centre(u); k > 1e-14 {
		t.Errorf("uniform: concentration = %v, want ≈ 0", k)
	}
	if c, k := Centre(make([]float64, n)); !math.IsNaN(c) || !math.IsNaN(k) {
		t.Errorf("zero: Centre = %v, %v, want NaN, NaN", c, k)
	}
}

func TestUnwrap(t *testing.T) {
	t.Parallel()
	const n = 100
	// A true trajectory crossing the seam several times, steps < N/2.
	rnd := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 400)
	x[0] = 7.25
	for k := 1; k < len(x); k++ {
		x[k] = x[k-1] + 40*(2*rnd.Float64()-1)
	}
	c := make([]float64, len(x))
	for k, v := range x {
		c[k] = math.Mod(math.Mod(v, n)+n, n)
	}
	got := Unwrap(nil, c, n)
	for k := range got {
		if math.Abs(got[k]-x[k]) > 1e-9 {
			t.Fatalf("Unwrap[%d] = %v, want %v", k, got[k], x[k])
		}
	}

	for i, cs := range []struct {
		c, want []float64
	}{
		// A step of exactly N/2 counts as +N/2: wrap(d) ∈ (−N/2, N/2].
		{[]float64{10, 60}, []float64{10, 60}},
		{[]float64{60, 10}, []float64{60, 110}},
		// NaN centres are skipped; the walk resumes from the last defined.
		{[]float64{math.NaN(), 98, math.NaN(), 2}, []float64{math.NaN(), 98, math.NaN(), 102}},
	} {
		got := Unwrap(nil, cs.c, n)
		for k := range got {
			if !(got[k] == cs.want[k] || math.IsNaN(got[k]) && math.IsNaN(cs.want[k])) {
				t.Errorf("case %d: Unwrap = %v, want %v", i, got, cs.want)
				break
			}
		}
	}
}

func TestFourierPower(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 7, 16, 100, 101} {
		w := make([]float64, n)
		var s2 float64
		for i := range w {
			w[i] = rnd.NormFloat64()
			s2 += w[i] * w[i]
		}
		got := FourierPower(nil, w)

		// Parseval: Σ_k P_k = Σ w².
		var sum float64
		for _, p := range got {
			sum += p
		}
		if !scalar.EqualWithinAbsOrRel(sum, s2, 1e-12, 1e-12) {
			t.Errorf("N=%d: Σ FourierPower = %v, want Σw² = %v", n, sum, s2)
		}

		// Independent check: squared projections on the real orthonormal
		// basis of THEORY.md §1.4.
		for k := 0; k <= n/2; k++ {
			var pc, ps float64
			for i, x := range w {
				q := 2 * math.Pi * float64(k*i) / float64(n)
				pc += x * math.Cos(q)
				ps += x * math.Sin(q)
			}
			want := (pc*pc + ps*ps) * 2 / float64(n)
			if k == 0 || 2*k == n {
				want = pc * pc / float64(n)
			}
			if !scalar.EqualWithinAbsOrRel(got[k], want, 1e-11, 1e-11) {
				t.Errorf("N=%d: FourierPower[%d] = %v, want %v", n, k, got[k], want)
			}
		}
	}

	// A pure mode k = 3 on N = 20: all power, Σw² = 20·a²/2, in P_3.
	w := make([]float64, 20)
	for i := range w {
		w[i] = 0.5 * math.Cos(2*math.Pi*3*float64(i)/20+0.4)
	}
	p := FourierPower(nil, w)
	for k, v := range p {
		want := 0.0
		if k == 3 {
			want = 20 * 0.25 / 2
		}
		if math.Abs(v-want) > 1e-13 {
			t.Errorf("pure mode: FourierPower[%d] = %v, want %v", k, v, want)
		}
	}
}

func TestParticipationRatio(t *testing.T) {
	t.Parallel()
	uniform := make([]float64, 30)
	for i := range uniform {
		uniform[i] = -0.2
	}
	single := make([]float64, 30)
	single[4] = 3
	huge := []float64{1e200, 1e200, 0, 0}
	for i, c := range []struct {
		w    []float64
		want float64
		tol  float64
		what string
	}{
		{uniform, 30, 1e-12, "uniform: N"},
		{single, 1, 1e-15, "single site: 1"},
		{huge, 2, 1e-15, "two equal huge sites: 2, no overflow"},
		// THEORY.md §4.12, §5.4: PR = 4.387 for the N = 100 lattice bump,
		// printed to 4 digits. The tabulated profile stops at distance 7;
		// without the e^(−κ_lat d) tails PR would be 4.3859, off by 1e-3.
		{latticeBump(100, 20), 4.387, 5e-4, "lattice bump"},
		// Continuum profile, PR = 3/(2−√2) = 5.121 (THEORY.md §4.12),
		// sampled at h = 0.01: PR·h → ∫w²²/∫w⁴ with O(h²) error.
		{contProfile(0.01, 6000), 3 / (2 - math.Sqrt2) / 0.01, 1e-3 / 0.01, "continuum"},
	} {
		if got := ParticipationRatio(c.w); math.Abs(got-c.want) > c.tol {
			t.Errorf("case %d (%s): ParticipationRatio = %v, want %v", i, c.what, got, c.want)
		}
	}
	if got := ParticipationRatio(make([]float64, 5)); !math.IsNaN(got) {
		t.Errorf("ParticipationRatio(0) = %v, want NaN", got)
	}
}

func contProfile(h float64, n int) []float64 {
	b := 8 - 4*math.Sqrt2
	k := math.Sqrt(b - 2)
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Sqrt(2*(b-2)) / math.Cosh(h*float64(i-n/2)*k)
	}
	return w
}

func TestOrderPanics(t *testing.T) {
	t.Parallel()
	for i, fn := range []func(){
		func() { SignNormalize(make([]float64, 2), make([]float64, 3)) },
		func() { Unwrap(make([]float64, 2), make([]float64, 3), 10) },
		func() { Unwrap(nil, make([]float64, 3), 0) },
		func() { FourierPower(make([]float64, 3), make([]float64, 6)) },
		func() { FourierPower(nil, nil) },
	} {
		if !panics(fn) {
			t.Errorf("case %d: no panic", i)
		}
	}
}
