package spectral

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"placecell/internal/rng"
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// randomSymmetric returns an N×N matrix with independent standard normal
// entries on and above the diagonal.
func randomSymmetric(n int, rnd *rand.Rand) *mat.SymDense {
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, rnd.NormFloat64())
		}
	}
	return a
}

// randomOrthogonal returns a Haar-like orthogonal matrix from the QR
// factorisation of a Gaussian matrix.
func randomOrthogonal(n int, rnd *rand.Rand) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// withSpectrum returns V diag(lam) Vᵀ.
func withSpectrum(v *mat.Dense, lam []float64) *mat.SymDense {
	n := len(lam)
	var vl mat.Dense
	vl.Mul(v, mat.NewDiagDense(n, lam))
	var a mat.Dense
	a.Mul(&vl, v.T())
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return s
}

// denseTopValues returns the k largest eigenvalues, decreasing, and the
// matching eigenvectors from mat.EigenSym: the independent reference.
func denseTopValues(t *testing.T, a mat.Symmetric, k int) ([]float64, *mat.Dense) {
	t.Helper()
	n := a.SymmetricDim()
	var es mat.EigenSym
	if !es.Factorize(a, true) {
		t.Fatal("dense factorisation failed")
	}
	vals := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	top := make([]float64, k)
	vec := mat.NewDense(n, k, nil)
	for j := range k {
		top[j] = vals[n-1-j]
		for i := range n {
			vec.Set(i, j, v.At(i, n-1-j))
		}
	}
	return top, vec
}

// checkEigen verifies the properties every TopEigen result must have:
// decreasing values, orthonormal vectors, the reported residual equal to a
// recomputed max‖Au − λu‖ and below the stopping bound 1e-10·‖A‖ (with a
// factor 10 for the rounding of the recomputation), and the sign rule.
func checkEigen(t *testing.T, name string, a mat.Symmetric, e *Eigen, k int, normA float64) {
	t.Helper()
	n := a.SymmetricDim()
	if len(e.Values) != k {
		t.Fatalf("%s: %d values, want %d", name, len(e.Values), k)
	}
	if r, c := e.Vectors.Dims(); r != n || c != k {
		t.Fatalf("%s: vectors %d×%d, want %d×%d", name, r, c, n, k)
	}
	for j := 1; j < k; j++ {
		if e.Values[j] > e.Values[j-1] {
			t.Errorf("%s: values not decreasing: %v", name, e.Values)
		}
	}
	var utu mat.Dense
	utu.Mul(e.Vectors.T(), e.Vectors)
	if !mat.EqualApprox(&utu, eye(k), 1e-12) {
		t.Errorf("%s: UᵀU ≠ I", name)
	}
	var res float64
	for j := range k {
		u := mat.Col(nil, j, e.Vectors)
		var au mat.VecDense
		au.MulVec(a, mat.NewVecDense(n, u))
		var r float64
		big := 0
		for i := range n {
			d := au.AtVec(i) - e.Values[j]*u[i]
			r += d * d
			if math.Abs(u[i]) > math.Abs(u[big]) {
				big = i
			}
		}
		res = math.Max(res, math.Sqrt(r))
		if u[big] < 0 {
			t.Errorf("%s: vector %d has its largest entry negative", name, j)
		}
	}
	if math.Abs(res-e.Residual) > 1e-12*normA {
		t.Errorf("%s: reported residual %g, recomputed %g", name, e.Residual, res)
	}
	if res > 10*1e-10*normA {
		t.Errorf("%s: residual %g above 1e-10·‖A‖ = %g", name, res, 1e-10*normA)
	}
}

func TestTopEigenRandom(t *testing.T) {
	t.Parallel()
	rnd := rng.New(1, "spectral/topeigen", 0)
	for _, n := range []int{50, 300} {
		a := randomSymmetric(n, rnd)
		all, vecs := denseTopValues(t, a, n)
		normA := math.Max(math.Abs(all[0]), math.Abs(all[n-1]))
		for _, k := range []int{1, 2, 5} {
			e, err := TopEigen(a, k)
			if err != nil {
				t.Fatalf("N=%d k=%d: %v", n, k, err)
			}
			name := fmt.Sprintf("random N=%d k=%d", n, k)
			checkEigen(t, name, a, e, k, normA)
			for j := range k {
				// Eigenvalue error is at most residual²/gap ≪ 1e-9·‖A‖.
				if math.Abs(e.Values[j]-all[j]) > 1e-9*normA {
					t.Errorf("%s: λ_%d = %.15g, want %.15g", name, j, e.Values[j], all[j])
				}
				// Eigenvalues of a Gaussian matrix are simple: |⟨u, v⟩| = 1.
				var dot float64
				for i := range n {
					dot += e.Vectors.At(i, j) * vecs.At(i, j)
				}
				if math.Abs(math.Abs(dot)-1) > 1e-8 {
					t.Errorf("%s: |⟨u_%d, v_%d⟩| = %.12f, want 1", name, j, j, math.Abs(dot))
				}
			}
			// Lanczos, not the dense fallback, for few pairs of a large
			// matrix (block size k = 5 needs a Krylov space near N here).
			if n == 300 && k <= 2 && e.Iterations >= n {
				t.Errorf("%s: Iterations = %d, want a Krylov dimension below N", name, e.Iterations)
			}
		}
	}
}

func TestTopEigenDegenerate(t *testing.T) {
	t.Parallel()
	// A top eigenvalue of multiplicity 2 (and 3): a single Lanczos vector
	// would see one direction only. Compare sorted values and the subspace
	// projection Σ_j ‖P u_j‖² = k, never individual vectors (THEORY §3.1,
	// §3.5).
	rnd := rng.New(1, "spectral/topeigen", 1)
	const n = 200
	v := randomOrthogonal(n, rnd)
	for _, mult := range []int{2, 3} {
		lam := make([]float64, n)
		for i := range lam {
			lam[i] = -5 + 10*float64(i)/float64(n) // simple, in [−5, 5)
		}
		// Below the multiplet an isolated eigenvalue 9, which a single
		// Krylov sequence would converge to and report in place of the
		// missing copies of 10.
		lam[n-1-mult] = 9
		for i := range mult {
			lam[n-1-i] = 10
		}
		a := withSpectrum(v, lam)
		e, err := TopEigen(a, mult)
		if err != nil {
			t.Fatalf("multiplicity %d: %v", mult, err)
		}
		name := fmt.Sprintf("degenerate ×%d", mult)
		t.Logf("it %d vals %v", e.Iterations, e.Values)
		checkEigen(t, name, a, e, mult, 10)
		for j, got := range e.Values {
			if math.Abs(got-10) > 1e-9*10 {
				t.Errorf("%s: λ_%d = %.15g, want 10", name, j, got)
			}
		}
		// Projection onto span of the columns n-mult..n-1 of V.
		var proj float64
		for j := range mult {
			for c := n - mult; c < n; c++ {
				var dot float64
				for i := range n {
					dot += v.At(i, c) * e.Vectors.At(i, j)
				}
				proj += dot * dot
			}
		}
		if math.Abs(proj-float64(mult)) > 1e-9 {
			t.Errorf("%s: Σ‖P u‖² = %.12f, want %d", name, proj, mult)
		}
		if e.Iterations >= n {
			t.Errorf("%s: dense fallback used (Iterations = %d)", name, e.Iterations)
		}
	}
}

func TestTopEigenIsingRing(t *testing.T) {
	t.Parallel()
	// Population correlation matrix of the Ising ring, N = 96, β = 0.5:
	// the top three eigenvalues are λ_0 and the pair λ_1 = λ_95 of the
	// closed form (§2.2), the first vector is the uniform mode and the next
	// two span {FourierMode(1), FourierMode(95)}.
	const n = 96
	m := ring.Ising{N: n, Beta: 0.5}
	c := circulantMatrix(isingRow(n, m.Beta))
	lam := IsingSpectrum(nil, m)
	e, err := TopEigen(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkEigen(t, "Ising ring", c, e, 3, lam[0])
	for j, want := range []float64{lam[0], lam[1], lam[n-1]} {
		if math.Abs(e.Values[j]-want) > 1e-10*lam[0] {
			t.Errorf("Ising ring: λ_%d = %.15g, want %.15g", j, e.Values[j], want)
		}
	}
	u0 := FourierMode(make([]float64, n), 0)
	c1 := FourierMode(make([]float64, n), 1)
	s1 := FourierMode(make([]float64, n), n-1)
	var d0, proj float64
	for i := range n {
		d0 += u0[i] * e.Vectors.At(i, 0)
	}
	for j := 1; j < 3; j++ {
		var dc, ds float64
		for i := range n {
			dc += c1[i] * e.Vectors.At(i, j)
			ds += s1[i] * e.Vectors.At(i, j)
		}
		proj += dc*dc + ds*ds
	}
	if math.Abs(math.Abs(d0)-1) > 1e-9 {
		t.Errorf("Ising ring: |⟨u_0, uniform⟩| = %.12f, want 1", math.Abs(d0))
	}
	if math.Abs(proj-2) > 1e-9 {
		t.Errorf("Ising ring: Σ‖P_{k=±1} u‖² = %.12f, want 2", proj)
	}
}

func TestTopEigenEmpiricalCorrelation(t *testing.T) {
	t.Parallel()
	// γ = 1/4, and γ = 30 where Ĉ has rank S = 10 and the Krylov space
	// becomes invariant after a few steps.
	rnd := rng.New(1, "spectral/topeigen", 2)
	const n = 300
	for _, s := range []int{4 * n, 10} {
		c := Correlation(uniformSpins(n, s, rnd))
		want, _ := denseTopValues(t, c, 3)
		e, err := TopEigen(c, 3)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("empirical S=%d", s)
		checkEigen(t, name, c, e, 3, want[0])
		for j := range want {
			if math.Abs(e.Values[j]-want[j]) > 1e-9*want[0] {
				t.Errorf("%s: λ_%d = %.15g, want %.15g", name, j, e.Values[j], want[j])
			}
		}
	}
}

func TestTopEigenSpecialMatrices(t *testing.T) {
	t.Parallel()
	rnd := rng.New(1, "spectral/topeigen", 3)

	// k = N: every eigenpair (dense path).
	a := randomSymmetric(30, rnd)
	want, _ := denseTopValues(t, a, 30)
	e, err := TopEigen(a, 30)
	if err != nil {
		t.Fatal(err)
	}
	checkEigen(t, "k=N", a, e, 30, math.Max(math.Abs(want[0]), math.Abs(want[29])))
	if e.Iterations != 30 {
		t.Errorf("k=N: Iterations = %d, want 30", e.Iterations)
	}
	for j := range want {
		if math.Abs(e.Values[j]-want[j]) > 1e-12*math.Abs(want[0]) {
			t.Errorf("k=N: λ_%d = %g, want %g", j, e.Values[j], want[j])
		}
	}

	// Identity and zero matrix: the Krylov space is invariant after one
	// step, and the iteration must continue from fresh directions.
	const n = 100
	id := mat.NewSymDense(n, nil)
	for i := range n {
		id.SetSym(i, i, 1)
	}
	for _, test := range []struct {
		name string
		a    *mat.SymDense
		want float64
	}{
		{"identity", id, 1},
		{"zero", mat.NewSymDense(n, nil), 0},
	} {
		e, err := TopEigen(test.a, 2)
		if err != nil {
			t.Fatalf("%s: %v", test.name, err)
		}
		checkEigen(t, test.name, test.a, e, 2, 1)
		for j, got := range e.Values {
			if math.Abs(got-test.want) > 1e-12 {
				t.Errorf("%s: λ_%d = %g, want %g", test.name, j, got, test.want)
			}
		}
	}

	// Rank one, 5 w wᵀ with ‖w‖ = 1: eigenvalues 5, 0, 0, ...
	w := make([]float64, n)
	for i := range w {
		w[i] = rnd.NormFloat64()
	}
	nw := math.Sqrt(mat.Dot(mat.NewVecDense(n, w), mat.NewVecDense(n, w)))
	r1 := mat.NewSymDense(n, nil)
	r1.SymOuterK(5/(nw*nw), mat.NewDense(n, 1, w))
	e, err = TopEigen(r1, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkEigen(t, "rank one", r1, e, 3, 5)
	for j, want := range []float64{5, 0, 0} {
		if math.Abs(e.Values[j]-want) > 1e-12*5 {
			t.Errorf("rank one: λ_%d = %g, want %g", j, e.Values[j], want)
		}
	}

	// A mat.Symmetric that is not a *mat.SymDense: diagonal matrix.
	diag := make([]float64, n)
	for i := range diag {
		diag[i] = float64(i%37) + 0.01*float64(i)
	}
	dd := mat.NewDiagDense(n, diag)
	e, err = TopEigen(dd, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Largest entries: i = 73 gives 36 + 0.73 = 36.73, i = 36 gives
	// 36 + 0.36 = 36.36.
	checkEigen(t, "diagonal", dd, e, 2, 37)
	for j, want := range []float64{36.73, 36.36} {
		if math.Abs(e.Values[j]-want) > 1e-9 {
			t.Errorf("diagonal: λ_%d = %.12g, want %g", j, e.Values[j], want)
		}
	}

	// Non-finite entries give an error, and k outside [1, N] panics.
	for _, size := range []int{20, 100} { // dense and Lanczos paths
		for _, x := range []float64{math.NaN(), math.Inf(-1)} {
			m := randomSymmetric(size, rnd)
			m.SetSym(3, 7, x)
			if _, err := TopEigen(m, 1); err == nil {
				t.Errorf("TopEigen of a %d×%d matrix holding %v returned no error", size, size, x)
			}
		}
	}
	bad := randomSymmetric(100, rnd)
	for _, k := range []int{0, 101} {
		if !panics(func() { TopEigen(bad, k) }) {
			t.Errorf("TopEigen(k=%d) of a 100×100 matrix did not panic", k)
		}
	}
}

func TestTopEigenDeterministic(t *testing.T) {
	t.Parallel()
	// The starting block comes from a fixed seed: two calls agree exactly.
	a := randomSymmetric(200, rng.New(1, "spectral/topeigen", 4))
	e1, err1 := TopEigen(a, 2)
	e2, err2 := TopEigen(a, 2)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !mat.Equal(e1.Vectors, e2.Vectors) || e1.Values[0] != e2.Values[0] || e1.Values[1] != e2.Values[1] {
		t.Errorf("TopEigen is not reproducible")
	}
}
