package spectral

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"placecell/internal/rng"
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestSpikeClosedForm checks MarchenkoPastur.Spike against the cases of
// theory-cases.md and against the statistical-mechanics form of Hoyle &
// Rattray (THEORY.md §3.4), an independent algebraic route:
// R² = (αA² − 1)/(A(αA + 1)), λ = σ²(1 + A)(1 + 1/(αA)), α = 1/γ.
func TestSpikeClosedForm(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		gamma, sigma2, l float64
		x, ov            float64
		outlier          bool
	}{
		{0.25, 1, 1, 2.5, 0.6, true},            // BBP-1
		{0.25, 1, 0.4, 2.25, 0, false},          // BBP-2: sticks to λ₊ = (1+√γ)²
		{0.5, 1, 1.5, 10.0 / 3, 7.0 / 12, true}, // BBP-7: 3.333333, 0.583333
		{0.25, 1, -0.4, 0.25, 0, false},         // negative, inside the window: λ₋
		{1, 2, 0.9, 8, 0, false},                // γ = 1, below √γ: λ₊ = 4σ²
	} {
		mp := MarchenkoPastur{Gamma: c.gamma, Sigma2: c.sigma2}
		x, ov, out := mp.Spike(c.l)
		if math.Abs(x-c.x) > 1e-12 || math.Abs(ov-c.ov) > 1e-12 || out != c.outlier {
			t.Errorf("case %d: Spike(%g) at γ=%g = %.10f, %.10f, %t, want %.6f, %.6f, %t", i, c.l, c.gamma, x, ov, out, c.x, c.ov, c.outlier)
		}
	}
	// Positive and negative outliers against Hoyle & Rattray.
	for _, c := range []struct{ gamma, l float64 }{{0.25, 1}, {0.1, 3}, {0.25, -0.8}, {0.04, -0.5}} {
		x, ov, out := MarchenkoPastur{Gamma: c.gamma, Sigma2: 1.5}.Spike(c.l)
		alpha, a := 1/c.gamma, c.l
		r2 := (alpha*a*a - 1) / (a * (alpha*a + 1))
		lam := 1.5 * (1 + a) * (1 + 1/(alpha*a))
		if !out || math.Abs(x-lam) > 1e-12 || math.Abs(ov-r2) > 1e-12 {
			t.Errorf("γ=%g l=%g: Spike = %.12f, %.12f, %t, want %.12f, %.12f (Hoyle–Rattray)", c.gamma, c.l, x, ov, out, lam, r2)
		}
		lo, hi := MarchenkoPastur{Gamma: c.gamma, Sigma2: 1.5}.Edges()
		if c.l > 0 && !(x > hi) || c.l < 0 && !(x < lo) {
			t.Errorf("γ=%g l=%g: outlier %v not outside the bulk [%v, %v]", c.gamma, c.l, x, lo, hi)
		}
	}
	// BBP-5: S_c = N/l².
	if got := BBPCriticalSamples(200, 0.5); got != 800 {
		t.Errorf("BBPCriticalSamples(200, 0.5) = %v, want 800 (BBP-5a)", got)
	}
	if got := BBPCriticalSamples(100, 1); got != 100 {
		t.Errorf("BBPCriticalSamples(100, 1) = %v, want 100 (BBP-5b)", got)
	}
	for _, l := range []float64{-1, -2, math.NaN()} {
		if x, _, _ := (MarchenkoPastur{Gamma: 0.25, Sigma2: 1}).Spike(l); !math.IsNaN(x) {
			t.Errorf("Spike(%v) = %v, want NaN", l, x)
		}
	}
}

// spikedData returns S samples of D Gaussian features with covariance
// I + l u uᵀ: x = z + (√(1+l) − 1)(u·z)u.
func spikedData(d, s int, l float64, u []float64, rnd *rand.Rand) *mat.Dense {
	x := mat.NewDense(s, d, nil)
	c := math.Sqrt(1+l) - 1
	z := make([]float64, d)
	for r := range s {
		var p float64
		for i := range z {
			z[i] = rnd.NormFloat64()
			p += z[i] * u[i]
		}
		for i := range z {
			x.Set(r, i, z[i]+c*p*u[i])
		}
	}
	return x
}

// meanSE returns the mean and its standard error.
func meanSE(x []float64) (float64, float64) {
	m, sd := stat.MeanStdDev(x, nil)
	return m, sd / math.Sqrt(float64(len(x)))
}

// TestSpikeMonteCarlo checks BBP-1 and BBP-2 by simulation at D = 400,
// S = 1600 (γ = 1/4), 8 repetitions. Outliers and overlaps are compared
// with the D → ∞ limits within 5 standard errors of the mean plus the
// finite-size allowance σ²x/√S (eigenvalues) and 1/√S (overlaps) of
// THEORY.md §6.7; below threshold the top eigenvalue must lie within
// 5 SE + 3 D^(−2/3) of the edge 2.25 (Tracy–Widom shift), its overlap
// below 0.1. theory-cases.md quotes 2.520 ± 0.015, 0.609 ± 0.012 (BBP-1)
// and 2.240 ± 0.006, 0.025 ± 0.008 (BBP-2).
func TestSpikeMonteCarlo(t *testing.T) {
	t.Parallel()
	const d, s, reps = 400, 1600, 8
	u := make([]float64, d)
	rnd := rng.New(1, "spectral/test/bbp", 0)
	for i := range u {
		u[i] = rnd.NormFloat64()
	}
	norm := math.Sqrt(dot(u, u))
	for i := range u {
		u[i] /= norm
	}
	for _, c := range []struct {
		name string
		l    float64
	}{{"BBP-1", 1}, {"BBP-2", 0.4}} {
		tops := make([]float64, reps)
		ovs := make([]float64, reps)
		for r := range reps {
			x := spikedData(d, s, c.l, u, rng.New(2, "spectral/test/"+c.name, uint64(r)))
			e, err := TopEigen(FloatCorrelation(x, ring.SecondMoment), 1)
			if err != nil {
				t.Fatal(err)
			}
			tops[r] = e.Values[0]
			v := mat.Col(nil, 0, e.Vectors)
			ovs[r] = dot(v, u) * dot(v, u)
		}
		mt, st := meanSE(tops)
		mo, so := meanSE(ovs)
		x, ov, out := MarchenkoPastur{Gamma: 0.25, Sigma2: 1}.Spike(c.l)
		if out {
			if math.Abs(mt-x) > 5*st+x/math.Sqrt(s) || math.Abs(mo-ov) > 5*so+1/math.Sqrt(s) {
				t.Errorf("%s: outlier %.4f ± %.4f, overlap² %.4f ± %.4f, want %.4f and %.4f", c.name, mt, st, mo, so, x, ov)
			}
			continue
		}
		if math.Abs(mt-x) > 5*st+3*math.Pow(d, -2.0/3) || mo > 0.1 {
			t.Errorf("%s: top %.4f ± %.4f, overlap² %.4f, want the edge %.4f and overlap² → 0", c.name, mt, st, mo, x)
		}
	}
}

// TestDegenerateSpikeMonteCarlo checks BBP-7: the cosine-spike ring
// C_ij = δ_ij + (2l/N) cos(2πm(i−j)/N), l = 1.5, γ = 0.5. The population
// spectrum at N = 50, m = 3 has λ_3 = λ_47 = 2.5 and all others 1. By
// simulation at N = 400, m = 3, S = 800 (6 repetitions): the two outliers
// both tend to (1+l)(1+γ/l) = 3.333333, and each outlier eigenvector's
// squared projection on span{cos_m, sin_m} to 0.583333; only the
// subspace projection is compared (never single eigenvectors, §3.5). The
// means over both outliers are compared with 5 SE plus the finite-size
// allowances of TestSpikeMonteCarlo (theory-cases.md: outliers 3.369 and
// 3.221, projections 0.574 and 0.539 at this size).
func TestDegenerateSpikeMonteCarlo(t *testing.T) {
	t.Parallel()
	const l, gamma = 1.5, 0.5
	row := make([]float64, 50)
	for r := range row {
		row[r] = 2 * l / 50 * math.Cos(2*math.Pi*3*float64(r)/50)
	}
	row[0]++
	pop := CirculantEigenvalues(nil, row)
	for k, v := range pop {
		want := 1.0
		if k == 3 || k == 47 {
			want = 2.5
		}
		if math.Abs(v-want) > 1e-12 {
			t.Errorf("N=50: λ_%d = %.15g, want %g (BBP-7)", k, v, want)
		}
	}

	const n, s, reps = 400, 800, 6
	sp := &Spectrum{N: n, F: 1, Circulant: true, Values: make([]float64, n)}
	pair := []Mode{{3, 0}, {n - 3, 0}}
	c, sn := sp.Vector(nil, pair[0]), sp.Vector(nil, pair[1])
	var tops, projs []float64
	for r := range reps {
		rnd := rng.New(3, "spectral/test/bbp7", uint64(r))
		x := mat.NewDense(s, n, nil)
		for k := range s {
			z1, z2 := rnd.NormFloat64()*math.Sqrt(l), rnd.NormFloat64()*math.Sqrt(l)
			for i := range n {
				x.Set(k, i, rnd.NormFloat64()+z1*c[i]+z2*sn[i])
			}
		}
		e, err := TopEigen(FloatCorrelation(x, ring.SecondMoment), 2)
		if err != nil {
			t.Fatal(err)
		}
		tops = append(tops, e.Values...)
		projs = append(projs, Overlaps(e, sp, pair)...)
	}
	x, ov, _ := MarchenkoPastur{Gamma: gamma, Sigma2: 1}.Spike(l)
	if math.Abs(x-10.0/3) > 1e-12 || math.Abs(ov-7.0/12) > 1e-12 {
		t.Errorf("BBP-7 limits = %v, %v, want 3.333333, 0.583333", x, ov)
	}
	mt, st := meanSE(tops)
	mp, sp2 := meanSE(projs)
	if math.Abs(mt-x) > 5*st+x/math.Sqrt(s) || math.Abs(mp-ov) > 5*sp2+1/math.Sqrt(s) {
		t.Errorf("BBP-7: outliers %.4f ± %.4f, projections %.4f ± %.4f, want %.4f and %.4f", mt, st, mp, sp2, x, ov)
	}
}

// TestCurieWeissSpike checks CW-1 with the Curie–Weiss model of package
// ring. N → ∞ at βJ = 0.5, theory-cases.md gives λ_0 = 1/(1 − βJ) =
// 2.000000, bulk 1, l = 1, S_c/N = 1.000000; the exact spectrum of the
// model at N = 10⁵ (generic kernel route) must be within the O(1/N)
// finite-size correction (allowed 10⁻³) of these. At N = 400, S = 1600
// the exact λ_0 = ⟨M²⟩/N and the actual bulk λ_b = 1 − c (both checked
// against a binomial sum over the magnetisation done in the test; THEORY.md
// §3.12: normalise the spike by it) give the finite-N BBP prediction
// (theory-cases.md: 2.490 and squared uniform overlap 0.597); the exact
// spectrum has the uniform mode on top and every other symmetry class at
// the bulk level. Exact draws (8 repetitions) must match the prediction
// within 5 SE plus the allowances of TestSpikeMonteCarlo
// (theory-cases.md measured 2.489 ± 0.014 and 0.578 ± 0.011).
func TestCurieWeissSpike(t *testing.T) {
	t.Parallel()
	{
		const big = 100000
		es := ModelSpectrum(ring.CurieWeiss{N: big, BetaJ: 0.5})
		top := es.Top()
		bulk := es.Values[1]
		l := top.Value/bulk - 1
		sc := BBPCriticalSamples(big, l) / big
		if !slices.Equal(top.Modes, []Mode{{0, 0}}) || math.Abs(top.Value-2) > 1e-3 || math.Abs(bulk-1) > 1e-3 ||
			math.Abs(l-1) > 1e-3 || math.Abs(sc-1) > 2e-3 {
			t.Errorf("CW-1 at N = 10⁵: λ_0 = %v on %v, bulk %v, l = %v, S_c/N = %v, want 2, {(0,0)}, 1, 1, 1",
				top.Value, top.Modes, bulk, l, sc)
		}
	}
	const n, s, reps = 400, 1600, 8
	m := ring.CurieWeiss{N: n, BetaJ: 0.5}
	sp := ModelSpectrum(m)
	lambda0 := m.SecondMoment() / n
	bulk := 1 - m.PairCorrelation()
	// Independent value of λ_0 = ⟨M²⟩/N: the sum over the magnetisation
	// M = 2u − N with weights C(N, u) e^(βJ M²/(2N)) (THEORY.md §2.11),
	// by log-gamma binomials in this test; and bulk = 1 − c with
	// c = (⟨M²⟩ − N)/(N(N−1)), the pair correlation of exchangeable spins.
	{
		var z, m2 float64
		logw := func(u int) float64 {
			mm := float64(2*u - n)
			lc, _ := math.Lgamma(n + 1)
			la, _ := math.Lgamma(float64(u) + 1)
			lb, _ := math.Lgamma(float64(n-u) + 1)
			return lc - la - lb + m.BetaJ*mm*mm/(2*n)
		}
		ref := logw(n / 2)
		for u := 0; u <= n; u++ {
			w := math.Exp(logw(u) - ref)
			mm := float64(2*u - n)
			z += w
			m2 += w * mm * mm
		}
		want := m2 / z / n
		wantBulk := 1 - (m2/z-n)/(n*(n-1))
		if math.Abs(lambda0-want) > 1e-12*want || math.Abs(bulk-wantBulk) > 1e-12 {
			t.Errorf("N = 400: λ_0 = %v, bulk %v, want %v and %v by direct summation", lambda0, bulk, want, wantBulk)
		}
	}
	es := sp.Eigenspaces()
	if math.Abs(es[0].Value-lambda0) > 1e-12 || !slices.Equal(es[0].Modes, []Mode{{0, 0}}) {
		t.Errorf("exact spectrum: top %v on %v, want %v on {(0,0)}", es[0].Value, es[0].Modes, lambda0)
	}
	rest := 0
	for _, e := range es[1:] {
		rest += len(e.Modes)
		if math.Abs(e.Value-bulk) > 1e-12 {
			t.Errorf("exact spectrum: class %v at %v, want the bulk %v", e.Modes, e.Value, bulk)
		}
	}
	if rest != n-1 {
		t.Errorf("exact spectrum: %d bulk modes, want %d", rest, n-1)
	}
	x, ov, out := MarchenkoPastur{Gamma: float64(n) / s, Sigma2: bulk}.Spike(lambda0/bulk - 1)
	if !out || math.Abs(x-2.490) > 5e-4 || math.Abs(ov-0.597) > 5e-4 {
		t.Errorf("CW-1 finite-N prediction %.4f, %.4f, want 2.490 and 0.597", x, ov)
	}
	var tops, ovs []float64
	for r := range reps {
		d := ring.Sample(m, s, uint64(40+r))
		e, err := TopEigen(ModelCorrelation(m, d), 1)
		if err != nil {
			t.Fatal(err)
		}
		tops = append(tops, e.Values[0])
		ovs = append(ovs, Overlaps(e, sp, []Mode{{0, 0}})[0])
	}
	mt, st := meanSE(tops)
	mo, so := meanSE(ovs)
	if math.Abs(mt-x) > 5*st+x/math.Sqrt(s) || math.Abs(mo-ov) > 5*so+1/math.Sqrt(s) {
		t.Errorf("CW-1: top %.4f ± %.4f, uniform overlap² %.4f ± %.4f, want %.4f and %.4f", mt, st, mo, so, x, ov)
	}
}

// TestGeneralizedMPFlat checks that H = δ_σ² reproduces Marchenko–Pastur
// and BBP (THEORY.md §3.6–3.7): ψ(ℓ) and ℓψ'(ℓ)/ψ(ℓ) equal the BBP
// location and overlap, ψ' > 0 iff l > √γ, the right edge is σ²(1+√γ)²,
// and the Silverstein density equals f_MP (MP-5: f(1) = 0.6164044441 at
// γ = 1/4, to the case's 10 digits; the closed form MarchenkoPastur.Density
// to 10⁻⁹ relative over a grid of the bulk at γ = 1/4, 1 and 2).
func TestGeneralizedMPFlat(t *testing.T) {
	t.Parallel()
	g := GeneralizedMP{T: []float64{1}, Gamma: 0.25}
	if f, err := g.Density(1); err != nil || math.Abs(f-0.6164044441) > 1e-10 {
		t.Errorf("Silverstein density f(1) = %.10f, %v, want 0.6164044441 (MP-5)", f, err)
	}
	for _, c := range []struct{ gamma, sigma2 float64 }{{0.25, 1}, {1, 1}, {2, 0.5}} {
		h := GeneralizedMP{T: []float64{c.sigma2}, Gamma: c.gamma}
		mp := MarchenkoPastur{Gamma: c.gamma, Sigma2: c.sigma2}
		lo, hi := mp.Edges()
		if x, l := h.RightEdge(); math.Abs(x-hi) > 1e-12*hi || math.Abs(h.PsiPrime(l)) > 1e-9 {
			t.Errorf("γ=%g: right edge %.15g, want %.15g; ψ'(ℓ*) = %g", c.gamma, x, hi, h.PsiPrime(l))
		}
		for i := 1; i < 40; i++ {
			x := lo + (hi-lo)*float64(i)/40
			got, err := h.Density(x)
			if want := mp.Density(x); err != nil || math.Abs(got-want) > 1e-9*want {
				t.Errorf("γ=%g: density(%.4f) = %.10f, %v, want %.10f", c.gamma, x, got, err, want)
			}
		}
		for _, l := range []float64{0.3, 0.7, 1, 2.5} {
			ell := c.sigma2 * (1 + l)
			x, ov, out := mp.Spike(l)
			gx, gov, gout := h.Outlier(ell)
			if out != gout || out && (math.Abs(gx-x) > 1e-12*x || math.Abs(gov-ov) > 1e-12) {
				t.Errorf("γ=%g l=%g: Outlier = %v, %v, %t, want %v, %v, %t", c.gamma, l, gx, gov, gout, x, ov, out)
			}
		}
	}
}

// TestSilversteinSumRules checks the Silverstein density of a two-level
// population H = ½δ_1 + ½δ_4 at γ = 1/4 and 2 by two sum rules of the
// sample spectrum: mass ∫f + (1 − 1/γ)₊ = 1 and mean ∫x f = ∫t dH = 2.5.
// The trapezoid rule on 4000 points leaves errors of order 10⁻³ at the
// square-root edges.
func TestSilversteinSumRules(t *testing.T) {
	t.Parallel()
	for _, gamma := range []float64{0.25, 2} {
		g := GeneralizedMP{T: []float64{1, 4}, Gamma: gamma}
		hi, _ := g.RightEdge()
		const n = 4000
		var mass, mean float64
		h := hi * 1.02 / n
		for i := 1; i < n; i++ {
			x := float64(i) * h
			f, err := g.Density(x)
			if err != nil {
				t.Fatalf("γ=%g: density(%v): %v", gamma, x, err)
			}
			mass += f * h
			mean += x * f * h
		}
		mass += math.Max(0, 1-1/gamma)
		if math.Abs(mass-1) > 5e-3 || math.Abs(mean-2.5) > 1e-2 {
			t.Errorf("γ=%g: mass %.5f, mean %.5f, want 1 and 2.5", gamma, mass, mean)
		}
	}
}

// TestSilversteinMonteCarlo compares the Silverstein density of
// H = ½δ_1 + ½δ_4 at γ = 1/4 with the eigenvalues of simulated sample
// covariances (D = 400, S = 1600, 3 repetitions): the fraction of
// eigenvalues in each of 8 bins must match ∫f over the bin within 0.02
// (the empirical distribution fluctuates by O(1/D) in the bulk).
func TestSilversteinMonteCarlo(t *testing.T) {
	t.Parallel()
	const d, s, reps = 400, 1600, 3
	g := GeneralizedMP{T: []float64{1, 4}, Gamma: 0.25}
	hi, _ := g.RightEdge()
	edges := make([]float64, 9)
	for i := range edges {
		edges[i] = hi * 1.05 * float64(i) / 8
	}
	frac := make([]float64, 8)
	for r := range reps {
		rnd := rng.New(5, "spectral/test/silverstein", uint64(r))
		x := mat.NewDense(s, d, nil)
		for k := range s {
			for i := range d {
				sd := 1.0
				if i%2 == 1 {
					sd = 2
				}
				x.Set(k, i, sd*rnd.NormFloat64())
			}
		}
		var es mat.EigenSym
		es.Factorize(FloatCorrelation(x, ring.SecondMoment), false)
		for _, v := range es.Values(nil) {
			for b := range frac {
				if v >= edges[b] && v < edges[b+1] {
					frac[b] += 1.0 / (d * reps)
				}
			}
		}
	}
	for b := range frac {
		const m = 200
		var want float64
		h := (edges[b+1] - edges[b]) / m
		for i := range m {
			f, err := g.Density(edges[b] + (float64(i)+0.5)*h)
			if err != nil {
				t.Fatal(err)
			}
			want += f * h
		}
		if math.Abs(frac[b]-want) > 0.02 {
			t.Errorf("bin [%.3f, %.3f): fraction %.4f, want %.4f (Silverstein)", edges[b], edges[b+1], frac[b], want)
		}
	}
}

// TestGeneralizedSpikeMonteCarlo checks ψ and ψ' on a non-flat bulk
// (THEORY.md §3.6): population ½δ_1 + ½δ_2 on D−1 = 399 coordinates plus
// one spike ℓ = 6 on the last, S = 1600, 8 repetitions. The outlier sits
// at ψ(6) and its squared overlap with the spike axis is 6ψ'(6)/ψ(6)
// (H = the rest of the spectrum), compared within 5 SE plus the
// allowances of TestSpikeMonteCarlo.
func TestGeneralizedSpikeMonteCarlo(t *testing.T) {
	t.Parallel()
	const d, s, reps, ell = 400, 1600, 8, 6.0
	rest := make([]float64, d-1)
	for i := range rest {
		rest[i] = float64(1 + i%2)
	}
	g := GeneralizedMP{T: rest, Gamma: float64(d-1) / s}
	x, ov, out := g.Outlier(ell)
	if !out {
		t.Fatalf("ψ'(6) = %v, want > 0", g.PsiPrime(ell))
	}
	var tops, ovs []float64
	for r := range reps {
		rnd := rng.New(6, "spectral/test/gspike", uint64(r))
		m := mat.NewDense(s, d, nil)
		for k := range s {
			for i := range d {
				v := ell
				if i < d-1 {
					v = rest[i]
				}
				m.Set(k, i, math.Sqrt(v)*rnd.NormFloat64())
			}
		}
		e, err := TopEigen(FloatCorrelation(m, ring.SecondMoment), 1)
		if err != nil {
			t.Fatal(err)
		}
		tops = append(tops, e.Values[0])
		u := e.Vectors.At(d-1, 0)
		ovs = append(ovs, u*u)
	}
	mt, st := meanSE(tops)
	mo, so := meanSE(ovs)
	if math.Abs(mt-x) > 5*st+x/math.Sqrt(s) || math.Abs(mo-ov) > 5*so+1/math.Sqrt(s) {
		t.Errorf("outlier %.4f ± %.4f, overlap² %.4f ± %.4f, want ψ = %.4f and ℓψ'/ψ = %.4f", mt, st, mo, so, x, ov)
	}
	// Inside the bulk the spike rule refuses.
	if !panics(func() { g.Outlier(1.5) }) {
		t.Error("Outlier(1.5) inside [1, 2] did not panic")
	}
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}
