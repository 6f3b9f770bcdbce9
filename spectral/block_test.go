package spectral

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// randomKernel returns N random symmetric blocks of F×F, circulant in the
// feature index when circ is set: C_d(a, b) = C_{N−d}(b, a).
func randomKernel(n, f int, circ bool, rnd *rand.Rand) []float64 {
	k := make([]float64, n*f*f)
	for d := range n {
		for a := range f {
			for b := range f {
				if circ && a > 0 {
					k[d*f*f+a*f+b] = k[d*f*f+(b-a+f)%f]
					continue
				}
				e := (n - d) % n
				if e < d || e == d && b < a {
					continue // set from the mirror entry below
				}
				v := rnd.NormFloat64()
				k[d*f*f+a*f+b] = v
				k[e*f*f+b*f+a] = v
			}
		}
	}
	if circ {
		// Symmetrise the first rows: c_d(δ) = c_{N−d}(−δ).
		for d := range n {
			for delta := range f {
				e, g := (n-d)%n, (f-delta)%f
				v := (k[d*f*f+delta] + k[e*f*f+g]) / 2
				k[d*f*f+delta], k[e*f*f+g] = v, v
			}
		}
		for d := range n {
			for a := 1; a < f; a++ {
				for b := range f {
					k[d*f*f+a*f+b] = k[d*f*f+(b-a+f)%f]
				}
			}
		}
	}
	return k
}

// denseBlock returns the N·F × N·F matrix of a block-circulant kernel.
func denseBlock(kernel []float64, n, f int) *mat.SymDense {
	c := mat.NewSymDense(n*f, nil)
	for i := range n {
		for j := range n {
			d := (j - i + n) % n
			for a := range f {
				for b := range f {
					if i*f+a <= j*f+b {
						c.SetSym(i*f+a, j*f+b, kernel[d*f*f+a*f+b])
					}
				}
			}
		}
	}
	return c
}

// TestBlockCirculantDense compares BlockCirculant with a dense symmetric
// eigendecomposition (THEORY.md §3.1 recommends this cross-check) for
// random kernels with circulant and general blocks: sorted eigenvalues
// agree, every mode vector is an eigenvector with its eigenvalue, and the
// mode vectors form an orthonormal basis.
func TestBlockCirculantDense(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 5, 6, 9} {
		for _, f := range []int{1, 2, 3, 4} {
			for _, circ := range []bool{true, false} {
				label := fmt.Sprintf("N=%d F=%d circulant=%t", n, f, circ)
				kern := randomKernel(n, f, circ, rnd)
				s := BlockCirculant(kern, f)
				if f > 1 && s.Circulant != circ {
					t.Errorf("%s: Circulant = %t", label, s.Circulant)
				}
				c := denseBlock(kern, n, f)
				var es mat.EigenSym
				if !es.Factorize(c, false) {
					t.Fatalf("%s: dense factorisation failed", label)
				}
				want := es.Values(nil)
				got := slices.Clone(s.Values)
				slices.Sort(got)
				const tol = 1e-11
				for i := range want {
					if math.Abs(got[i]-want[i]) > tol*float64(n*f) {
						t.Errorf("%s: sorted eigenvalue %d = %.15g, want %.15g (dense)", label, i, got[i], want[i])
					}
				}
				basis := s.Basis(s.Sorted())
				var gram mat.Dense
				gram.Mul(basis.T(), basis)
				if !mat.EqualApprox(&gram, eye(n*f), 1e-12) {
					t.Errorf("%s: mode vectors are not orthonormal", label)
				}
				v := make([]float64, n*f)
				var cv mat.VecDense
				for _, md := range s.Sorted() {
					s.Vector(v, md)
					cv.MulVec(c, mat.NewVecDense(n*f, v))
					cv.AddScaledVec(&cv, -s.Value(md), mat.NewVecDense(n*f, v))
					if r := mat.Norm(&cv, 2); r > 1e-11*float64(n*f) {
						t.Errorf("%s: mode %+v: ‖Cv − λv‖ = %g", label, md, r)
					}
				}
			}
		}
	}
}

// TestBlockCirculantFourierModes checks that with F = 1 the mode vectors
// are exactly FourierMode and the values CirculantEigenvalues.
func TestBlockCirculantFourierModes(t *testing.T) {
	t.Parallel()
	row := isingRow(12, 0.7)
	s := BlockCirculant(row, 1)
	want := CirculantEigenvalues(nil, row)
	for k := range 12 {
		if s.Values[k] != want[k] {
			t.Errorf("λ_%d = %v, want %v", k, s.Values[k], want[k])
		}
		if got, w := s.Vector(nil, Mode{k, 0}), FourierMode(make([]float64, 12), k); !slices.Equal(got, w) {
			t.Errorf("mode %d vector differs from FourierMode", k)
		}
	}
}

// TestXYSpectrum checks the exact finite-N Pearson spectrum of the XY ring
// (THEORY.md §2.8) at the paper's N = 100, P = 10, β = 1.5:
//
//   - XY-1: the top eigenvalue is Λ_XY = 4.391255278 of eq 30, and the
//     exact finite-N value agrees with it to 1e−13;
//   - the top eigenspace is {(K, p) = (0, 1), (0, 9)}, spanned by
//     √(2/(NP)) cos(2πa/P) and sin(2πa/P), uniform in space;
//   - Λ(K, p) = (P/(P−1)) Σ_d g_p(d) cos(q_K d) by direct summation;
//   - Λ(K, 0) = 0: N exact zeros; the trace is N·P;
//   - degeneracies Λ(K, p) = Λ(N−K, p) = Λ(K, P−p).
func TestXYSpectrum(t *testing.T) {
	t.Parallel()
	m := ring.XY{N: 100, P: 10, Beta: 1.5}
	s := ModelSpectrum(m)
	if !s.Circulant || s.N != 100 || s.F != 10 {
		t.Fatalf("spectrum %d×%d circulant %t, want 100×10 circulant", s.N, s.F, s.Circulant)
	}
	top := s.Top()
	if math.Abs(top.Value-4.391255278) > 1e-9 {
		t.Errorf("top eigenvalue = %.10f, want 4.391255278 (XY-1)", top.Value)
	}
	if lx := LambdaXY(10, 1.5); math.Abs(top.Value-lx) > 1e-13*lx {
		t.Errorf("finite-N top %.16g differs from Λ_XY = %.16g by more than 1e-13", top.Value, lx)
	}
	if !slices.Equal(top.Modes, []Mode{{0, 1}, {0, 9}}) {
		t.Errorf("top eigenspace = %v, want (0,1), (0,9)", top.Modes)
	}
	// The cos and sin in angle, uniform in space, lie in the top space.
	e1 := make([]float64, 1000)
	e2 := make([]float64, 1000)
	for i := range 100 {
		for a := range 10 {
			e1[i*10+a] = math.Sqrt(2.0/1000) * math.Cos(2*math.Pi*float64(a)/10)
			e2[i*10+a] = math.Sqrt(2.0/1000) * math.Sin(2*math.Pi*float64(a)/10)
		}
	}
	for i, e := range [][]float64{e1, e2} {
		if p := s.Projection(e, top.Modes); math.Abs(p-1) > 1e-13 {
			t.Errorf("e%d: projection on the top space = %.15f, want 1", i+1, p)
		}
	}

	// Direct summation of §2.8 and the degeneracies.
	var trace float64
	zeros := 0
	for k := range 100 {
		for p := range 10 {
			v := s.Value(Mode{k, p})
			trace += v
			if p == 0 {
				if math.Abs(v) > 1e-13 {
					t.Errorf("Λ(%d, 0) = %g, want 0", k, v)
				}
				zeros++
				continue
			}
			if k%17 == 0 || k < 3 {
				var want float64
				for d := range 100 {
					want += m.G(p, d) * math.Cos(2*math.Pi*float64(k*d)/100)
				}
				want *= 10.0 / 9
				if math.Abs(v-want) > 1e-12 {
					t.Errorf("Λ(%d, %d) = %.15g, want %.15g (direct sum)", k, p, v, want)
				}
			}
			for _, o := range []Mode{{(100 - k) % 100, p}, {k, 10 - p}} {
				if w := s.Value(o); math.Abs(w-v) > 1e-12 {
					t.Errorf("Λ(%d, %d) = %v ≠ Λ%v = %v", k, p, v, o, w)
				}
			}
		}
	}
	if zeros != 100 || math.Abs(trace-1000) > 1e-9 {
		t.Errorf("%d zeros and trace %.12g, want 100 and N·P = 1000", zeros, trace)
	}

	// N → ∞ band: at N = 2000 the finite ring agrees with XYBand.
	big := ModelSpectrum(ring.XY{N: 2000, P: 10, Beta: 1.5})
	for _, md := range []Mode{{0, 1}, {7, 1}, {300, 2}, {1000, 3}} {
		q := 2 * math.Pi * float64(md.K) / 2000
		if got, want := big.Value(md), XYBand(10, 1.5, q, md.J); math.Abs(got-want) > 1e-10 {
			t.Errorf("N=2000 Λ%v = %.12g, want band %.12g", md, got, want)
		}
	}
}

// TestXYSpectrumIsingLimit checks the P = 2 identity of THEORY.md §2.8:
// Λ(k, 1) = 2λ_k^Ising and Λ(k, 0) = 0.
func TestXYSpectrumIsingLimit(t *testing.T) {
	t.Parallel()
	for _, beta := range []float64{0.3, 1} {
		s := ModelSpectrum(ring.XY{N: 24, P: 2, Beta: beta})
		is := IsingSpectrum(nil, ring.Ising{N: 24, Beta: beta})
		for k := range 24 {
			if got := s.Value(Mode{k, 1}); math.Abs(got-2*is[k]) > 1e-12 {
				t.Errorf("β=%g: Λ(%d, 1) = %.15g, want 2λ_k = %.15g", beta, k, got, 2*is[k])
			}
			if got := s.Value(Mode{k, 0}); math.Abs(got) > 1e-13 {
				t.Errorf("β=%g: Λ(%d, 0) = %g, want 0", beta, k, got)
			}
		}
	}
}

// TestLambdaXY checks PAPER-XY-CROSSING's Λ_XY = 4.391 (paper "≈ 4.4",
// eq 30) at the paper's precision 5e−4, its β = 0 limit P/(P−1) (no
// correlations), and that it grows with β.
func TestLambdaXY(t *testing.T) {
	t.Parallel()
	if got := LambdaXY(10, 1.5); math.Abs(got-4.391) > 5e-4 {
		t.Errorf("Λ_XY(P=10, β=1.5) = %.5f, want 4.391 (PAPER-XY-CROSSING)", got)
	}
	if got := LambdaXY(10, 0); math.Abs(got-10.0/9) > 1e-15 {
		t.Errorf("Λ_XY(β=0) = %v, want P/(P−1)", got)
	}
	prev := 0.0
	for _, beta := range []float64{0, 0.5, 1, 2, 4} {
		if got := LambdaXY(6, beta); !(got > prev) {
			t.Errorf("Λ_XY(6, %g) = %v not above %v", beta, got, prev)
		} else {
			prev = got
		}
	}
	if got := XYBand(10, 1.5, 1, 0); got != 0 {
		t.Errorf("Λ(q, 0) = %v, want 0", got)
	}
}

// TestModelSpectrumIsing checks that the Ising closed form and the
// kernel route agree, and the eigenspace grouping: λ_k = λ_{N−k} pairs,
// the top eigenspace is {k = 0} alone although λ_0 − λ_1 = O(N⁻²)
// (THEORY.md §2.2, case IS-4: λ_0 = 2.718281828, λ_1 = 2.701254011).
func TestModelSpectrumIsing(t *testing.T) {
	t.Parallel()
	m := ring.Ising{N: 100, Beta: 0.5}
	s := ModelSpectrum(m)
	k := BlockCirculant(m.Kernel(nil), 1)
	for i := range s.Values {
		if math.Abs(s.Values[i]-k.Values[i]) > 1e-12 {
			t.Errorf("λ_%d = %.15g (closed form), %.15g (kernel)", i, s.Values[i], k.Values[i])
		}
	}
	es := s.Eigenspaces()
	if len(es) != 51 || !slices.Equal(es[0].Modes, []Mode{{0, 0}}) || !slices.Equal(es[1].Modes, []Mode{{1, 0}, {99, 0}}) {
		t.Errorf("eigenspaces: %d, first %v, second %v", len(es), es[0].Modes, es[1].Modes)
	}
	if math.Abs(es[0].Value-2.718281828) > 1e-9 || math.Abs(es[1].Value-2.701254011) > 1e-9 {
		t.Errorf("λ_0, λ_1 = %.10f, %.10f, want 2.718281828, 2.701254011 (IS-4)", es[0].Value, es[1].Value)
	}
	if got := len(s.Band(3)); got != 7 {
		t.Errorf("Band(3) has %d modes, want 2K+1 = 7", got)
	}
	if got := len(ModelSpectrum(ring.XY{N: 10, P: 4, Beta: 1}).Band(1, 1, 3)); got != 6 {
		t.Errorf("XY Band(1, p = ±1) has %d modes, want 6", got)
	}
}

// TestOverlaps checks Projection and Overlaps on exact eigenvectors: an
// eigenvector projects fully on its own eigenspace and not at all on
// another; a mixture cos·a + sin·b of the top pair has norm a² + b².
func TestOverlaps(t *testing.T) {
	t.Parallel()
	s := ModelSpectrum(ring.XY{N: 12, P: 5, Beta: 1})
	top := s.Top().Modes
	v1, v2 := s.Vector(nil, top[0]), s.Vector(nil, top[1])
	u := make([]float64, len(v1))
	for i := range u {
		u[i] = 0.6*v1[i] + 0.8*v2[i]
	}
	if p := s.Projection(u, top); math.Abs(p-1) > 1e-14 {
		t.Errorf("projection of a top-space vector = %v, want 1", p)
	}
	if p := s.Projection(u, top[:1]); math.Abs(p-0.36) > 1e-14 {
		t.Errorf("projection on one direction = %v, want 0.36", p)
	}
	other := s.Eigenspaces()[1].Modes
	if p := s.Projection(u, other); p > 1e-28 {
		t.Errorf("projection on the second eigenspace = %v, want 0", p)
	}
	e := &Eigen{Vectors: mat.NewDense(len(u), 2, nil)}
	e.Vectors.SetCol(0, u)
	e.Vectors.SetCol(1, s.Vector(nil, other[0]))
	got := Overlaps(e, s, top)
	if math.Abs(got[0]-1) > 1e-14 || got[1] > 1e-28 {
		t.Errorf("Overlaps = %v, want [1 0]", got)
	}
}

func TestBlockCirculantPanics(t *testing.T) {
	t.Parallel()
	asym := []float64{1, 0.5, 0.2, 0.1} // C_1 ≠ C_3 for N = 4, F = 1
	for name, f := range map[string]func(){
		"asymmetric": func() { BlockCirculant(asym, 1) },
		"length":     func() { BlockCirculant(make([]float64, 5), 2) },
		"empty":      func() { BlockCirculant(nil, 1) },
		"NaN":        func() { BlockCirculant([]float64{math.NaN()}, 1) },
		"mode":       func() { ModelSpectrum(ring.Ising{N: 4, Beta: 1}).Value(Mode{4, 0}) },
		"vector dst": func() { ModelSpectrum(ring.Ising{N: 4, Beta: 1}).Vector(make([]float64, 3), Mode{0, 0}) },
		"invalid":    func() { ModelSpectrum(ring.XY{N: 4, P: 1, Beta: 1}) },
		"lambda P=1": func() { LambdaXY(1, 1) },
	} {
		if !panics(f) {
			t.Errorf("%s: no panic", name)
		}
	}
}

// TestLambdaXYLargeBeta checks Λ_XY (eq 30) and Λ(q, p) deep in the
// ordered phase, β = 100 and 1000, where λ_0 − λ_1 is 10⁻⁹ and 10⁻⁸³ of
// λ_0, against the leading large-β form kept to the v = 0, ±1 terms of
// THEORY.md §2.6 (neglected terms below 10⁻²¹ relative, see
// ring.TestXYRhoGap):
//
//	ρ = 1 − δ,  δ = 2w c/(1 + 2w),  c = 1 − cos(2π/P),  w = e^(−βc),
//	Λ(q, 1) = (P/(P−1)) δ(2 − δ)/(δ² + 4(1 − δ) sin²(q/2)).
func TestLambdaXYLargeBeta(t *testing.T) {
	t.Parallel()
	const p = 10
	c := 1 - math.Cos(2*math.Pi/p)
	for _, beta := range []float64{100, 1000} {
		w := math.Exp(-beta * c)
		delta := 2 * w * c / (1 + 2*w)
		for _, q := range []float64{0, 1e-6, 0.3} {
			s := math.Sin(q / 2)
			want := float64(p) / (p - 1) * delta * (2 - delta) / (delta*delta + 4*(1-delta)*s*s)
			if got := XYBand(p, beta, q, 1); math.Abs(got-want) > 1e-12*want {
				t.Errorf("Λ(q = %g, p = 1) at β = %g = %.16g, want %.16g", q, beta, got, want)
			}
		}
		th := XYThreshold(ring.XY{N: 100, P: p, Beta: beta}, EdgeMatching)
		if !(th.R > 0) || math.IsInf(th.R, 0) || math.IsNaN(th.Lambda) {
			t.Errorf("β = %g: EdgeMatching r_c = %v, Λ = %v, want finite and positive", beta, th.R, th.Lambda)
		}
	}
	// Where e^(−βc) underflows (β = 5000) the limit ρ → 1 is returned:
	// Λ(0, 1) = +Inf and Λ(q ≠ 0, 1) = 0, never NaN.
	if got := LambdaXY(p, 5000); !math.IsInf(got, 1) {
		t.Errorf("Λ_XY(β = 5000) = %v, want +Inf", got)
	}
	if got := XYBand(p, 5000, 0.3, 1); got != 0 {
		t.Errorf("Λ(q = 0.3, p = 1) at β = 5000 = %v, want 0", got)
	}
}

// TestEigenspacesSymmetry checks that Eigenspaces groups modes by the
// exact symmetries of a ring (K ↔ N−K with J ↔ F−J; K ↔ N−K and J ↔ F−J
// separately when the blocks are reflection symmetric), not by numerical
// closeness of eigenvalues:
//
//   - Ising, N = 10⁶, β = 0.5: λ_0 − λ_1 ≈ 6·10⁻¹¹ λ_0 (THEORY.md §2.2,
//     below any rounding tolerance), yet the top eigenspace is {k = 0}
//     and the next {1, N−1};
//   - Ising, N = 6, β = 0: every λ_k is 1, and the classes are the orbits
//     {0}, {1, 5}, {2, 4}, {3};
//   - a random circulant kernel (no reflection symmetry): classes are the
//     conjugate pairs {(K, J), (N−K, F−J)}, members with equal eigenvalues;
//   - the same kernel symmetrised in δ ↔ −δ: classes of four,
//     {(K, ±J), (N−K, ±J)}, all with one eigenvalue (dense check).
func TestEigenspacesSymmetry(t *testing.T) {
	t.Parallel()
	const big = 1000000
	s := ModelSpectrum(ring.Ising{N: big, Beta: 0.5})
	if top := s.Top(); !slices.Equal(top.Modes, []Mode{{0, 0}}) {
		t.Errorf("N = 10⁶: top eigenspace = %v, want {(0,0)}", top.Modes)
	}
	es := s.Eigenspaces()
	if len(es) != big/2+1 || !slices.Equal(es[1].Modes, []Mode{{1, 0}, {big - 1, 0}}) {
		t.Errorf("N = 10⁶: %d eigenspaces (want %d), second %v", len(es), big/2+1, es[1].Modes)
	}

	es = ModelSpectrum(ring.Ising{N: 6, Beta: 0}).Eigenspaces()
	want := [][]Mode{{{0, 0}}, {{1, 0}, {5, 0}}, {{2, 0}, {4, 0}}, {{3, 0}}}
	if len(es) != len(want) {
		t.Fatalf("β = 0: %d eigenspaces %v, want %v", len(es), es, want)
	}
	for i, e := range es {
		if !slices.Equal(e.Modes, want[i]) || math.Abs(e.Value-1) > 1e-15 {
			t.Errorf("β = 0: eigenspace %d = %v on %v, want 1 on %v", i, e.Value, e.Modes, want[i])
		}
	}

	const n, f = 6, 5
	k := randomKernel(n, f, true, rand.New(rand.NewPCG(7, 8)))
	checkClasses := func(name string, s *Spectrum, size func(Mode) int) {
		seen := map[Mode]bool{}
		for _, e := range s.Eigenspaces() {
			md := e.Modes[0]
			if len(e.Modes) != size(md) {
				t.Errorf("%s: class of %v has modes %v, want %d", name, md, e.Modes, size(md))
			}
			for _, x := range e.Modes {
				if seen[x] {
					t.Errorf("%s: mode %v in two classes", name, x)
				}
				seen[x] = true
				if math.Abs(s.Value(x)-e.Value) > 1e-12 {
					t.Errorf("%s: mode %v has %v in a class of %v", name, x, s.Value(x), e.Value)
				}
			}
		}
		if len(seen) != n*f {
			t.Errorf("%s: classes cover %d modes, want %d", name, len(seen), n*f)
		}
	}
	// Orbit sizes: a mode is its own conjugate iff 2K ≡ 0 (mod N) and
	// 2J ≡ 0 (mod F); F = 5 is odd, so only J = 0.
	selfK := func(md Mode) bool { return md.K == 0 || 2*md.K == n }
	checkClasses("circulant", BlockCirculant(k, f), func(md Mode) int {
		if selfK(md) && md.J == 0 {
			return 1
		}
		return 2
	})
	for d := range n {
		blk := k[d*f*f : (d+1)*f*f]
		for delta := 1; delta < f; delta++ {
			if delta < f-delta {
				v := (blk[delta] + blk[f-delta]) / 2
				blk[delta], blk[f-delta] = v, v
			}
		}
		for a := 1; a < f; a++ {
			for b := range f {
				blk[a*f+b] = blk[(b-a+f)%f]
			}
		}
	}
	sym := BlockCirculant(k, f)
	checkClasses("reflection symmetric", sym, func(md Mode) int {
		switch {
		case selfK(md) && md.J == 0:
			return 1
		case selfK(md) || md.J == 0:
			return 2
		}
		return 4
	})
	var dense mat.EigenSym
	dense.Factorize(denseBlock(k, n, f), false)
	vals := dense.Values(nil)
	var got []float64
	for _, e := range sym.Eigenspaces() {
		for range e.Modes {
			got = append(got, e.Value)
		}
	}
	slices.Sort(got)
	for i := range vals {
		if math.Abs(got[i]-vals[i]) > 1e-12 {
			t.Errorf("reflection symmetric: eigenvalue %d = %v, dense %v", i, got[i], vals[i])
		}
	}
}
