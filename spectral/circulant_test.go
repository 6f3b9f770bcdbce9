package spectral

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"placecell/internal/rng"
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// isingRow returns the first row of the exact finite-ring Ising correlation
// matrix, C(d) = (ρ^d + ρ^(N−d))/(1 + ρ^N) with ρ = tanh β (THEORY.md §2.1),
// computed directly with math.Pow as an independent reference.
func isingRow(n int, beta float64) []float64 {
	rho := math.Tanh(beta)
	rn := math.Pow(rho, float64(n))
	row := make([]float64, n)
	for d := range row {
		row[d] = (math.Pow(rho, float64(d)) + math.Pow(rho, float64(n-d))) / (1 + rn)
	}
	return row
}

// directSpectrum returns λ_k = Σ_r row[r] cos(2π k r/N) by the O(N²) sum,
// with the phase k·r reduced modulo N in integers and Neumaier-compensated
// summation: the reference for the FFT (THEORY.md §3.1).
func directSpectrum(row []float64) []float64 {
	n := len(row)
	out := make([]float64, n)
	for k := range out {
		var sum, comp float64
		for r, c := range row {
			x := c * math.Cos(2*math.Pi*float64(k*r%n)/float64(n))
			t := sum + x
			if math.Abs(sum) >= math.Abs(x) {
				comp += (sum - t) + x
			} else {
				comp += (x - t) + sum
			}
			sum = t
		}
		out[k] = sum + comp
	}
	return out
}

// randomSymmetricRow returns a symmetric row, row[r] = row[N−r], with
// entries uniform in [−1, 1]/√N so that eigenvalues are O(1).
func randomSymmetricRow(n int, rnd *rand.Rand) []float64 {
	row := make([]float64, n)
	for r := 0; r <= n/2; r++ {
		v := (2*rnd.Float64() - 1) / math.Sqrt(float64(n))
		row[r] = v
		row[(n-r)%n] = v
	}
	return row
}

// circulantMatrix returns the dense matrix C_ij = row[(j−i) mod N].
func circulantMatrix(row []float64) *mat.SymDense {
	n := len(row)
	c := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			c.SetSym(i, j, row[(j-i)%n])
		}
	}
	return c
}

func TestIsingSpectrumCases(t *testing.T) {
	t.Parallel()
	// Reference values: theory-cases.md IS-2 (N=10) and IS-4 (N=100), the
	// closed form of THEORY.md §2.2 printed to 9 decimals.
	for i, test := range []struct {
		id   string
		n    int
		beta float64
		k    int
		want float64
	}{
		{"IS-2", 10, 0.5, 0, 2.715868299},
		{"IS-2", 10, 0.5, 1, 1.686769356},
		{"IS-2", 10, 0.5, 9, 1.686769356},
		{"IS-4", 100, 0.5, 0, 2.718281828},
		{"IS-4", 100, 0.5, 1, 2.701254011},
		{"IS-4", 100, 0.5, 99, 2.701254011},
	} {
		got := IsingSpectrum(nil, ring.Ising{N: test.n, Beta: test.beta})[test.k]
		if math.Abs(got-test.want) > 1e-9 {
			t.Errorf("case %d (%s): IsingSpectrum(N=%d, β=%g)[%d] = %.10f, want %.9f",
				i, test.id, test.n, test.beta, test.k, got, test.want)
		}
	}
}

func TestIsingBandInfiniteRing(t *testing.T) {
	t.Parallel()
	// IS-5: N → ∞, ρ = 0.5. λ(q) = (1−ρ²)/(1−2ρ cos q+ρ²) gives exactly
	// λ(0) = (1+ρ)/(1−ρ) = 3, λ(π/2) = (1−ρ²)/(1+ρ²) = 0.6 and
	// λ(π) = (1−ρ)/(1+ρ) = 1/3.
	beta := math.Atanh(0.5)
	const tol = 1e-14
	for i, test := range []struct {
		q, want float64
	}{
		{0, 3},
		{math.Pi / 2, 0.6},
		{math.Pi, 1.0 / 3},
	} {
		if got := isingLambda(beta, test.q); math.Abs(got-test.want) > tol {
			t.Errorf("case %d: isingLambda(atanh 0.5, %g) = %.16g, want %.16g", i, test.q, got, test.want)
		}
		// Finite ring N = 10⁴ at q_k = q: the finite-N factor
		// (1−ρ^N)/(1+ρ^N) differs from 1 by 2·0.5^10000, far below rounding.
		const n = 10000
		k := int(math.Round(test.q / (2 * math.Pi) * n))
		if got := IsingSpectrum(nil, ring.Ising{N: n, Beta: beta})[k]; math.Abs(got-test.want) > tol {
			t.Errorf("case %d: IsingSpectrum(N=%d, atanh 0.5)[%d] = %.16g, want %.16g", i, n, k, got, test.want)
		}
	}
}

func TestIsingSpectrumMatchesFFTOfExactRow(t *testing.T) {
	t.Parallel()
	// The closed form of §2.2 must equal the circulant spectrum of the exact
	// correlation row C(d) (§2.1), computed here independently.
	for _, n := range []int{2, 3, 10, 64, 101, 1000} {
		for _, beta := range []float64{0, 0.1, 0.5, 1, 1.5, 3} {
			want := CirculantEigenvalues(nil, isingRow(n, beta))
			got := IsingSpectrum(nil, ring.Ising{N: n, Beta: beta})
			tol := 1e-12 * slices.Max(want)
			for k := range got {
				if math.Abs(got[k]-want[k]) > tol {
					t.Errorf("IsingSpectrum(N=%d, β=%g)[%d] = %.15g, want %.15g", n, beta, k, got[k], want[k])
					break
				}
			}
		}
	}
}

func TestIsingSpectrumSumRule(t *testing.T) {
	t.Parallel()
	// Σ_k λ_k = tr C = N (§2.2), including β large enough that ρ = tanh β
	// rounds to 1 (β = 20, 40), where the naive formula gives 0/0.
	for _, n := range []int{1, 2, 10, 1000, 100000} {
		for _, beta := range []float64{0, 0.01, 0.5, 1.5, 5, 20, 40} {
			lam := IsingSpectrum(nil, ring.Ising{N: n, Beta: beta})
			var sum float64
			for k, l := range lam {
				if !(l > 0) || math.IsInf(l, 0) {
					t.Fatalf("IsingSpectrum(N=%d, β=%g)[%d] = %g, want finite positive", n, beta, k, l)
				}
				sum += l
			}
			if math.Abs(sum-float64(n)) > 1e-12*float64(n) {
				t.Errorf("Σ IsingSpectrum(N=%d, β=%g) = %.15g, want %d", n, beta, sum, n)
			}
		}
	}
	// For ξ ≫ N all spins align: C → all-ones, λ_0 → N (ρ^N → 1).
	for _, beta := range []float64{20, 40} {
		const n = 100
		if got := IsingSpectrum(nil, ring.Ising{N: n, Beta: beta})[0]; math.Abs(got-n) > 1e-12*n {
			t.Errorf("IsingSpectrum(N=%d, β=%g)[0] = %.15g, want %d", n, beta, got, n)
		}
	}
}

func TestIsingSpectrumPaperLambda(t *testing.T) {
	t.Parallel()
	// PAPER-LAMBDA-ISING: Λ = e^(2β) = 1.822 (β=0.3) and 2.718 (β=0.5), the
	// paper's rounding, matched to 5e-4; the finite ring N = 1000 is
	// within O(ρ^N) of it.
	for i, test := range []struct {
		beta, want float64
	}{
		{0.3, 1.822},
		{0.5, 2.718},
	} {
		got := IsingSpectrum(nil, ring.Ising{N: 1000, Beta: test.beta})[0]
		if math.Abs(got-test.want) > 5e-4 {
			t.Errorf("case %d: IsingSpectrum(N=1000, β=%g)[0] = %.6f, want %.3f", i, test.beta, got, test.want)
		}
	}
}

func TestCirculantCosineKernel(t *testing.T) {
	t.Parallel()
	// CK-1: N = 16, c(r) = cos(2π·2r/16): λ_2 = λ_14 = N/2 = 8, all other
	// |λ_k| < 1e-12 (orthogonality of cosines).
	const n = 16
	row := make([]float64, n)
	for r := range row {
		row[r] = math.Cos(2 * math.Pi * 2 * float64(r) / n)
	}
	lam := CirculantEigenvalues(nil, row)
	for k, got := range lam {
		want := 0.0
		if k == 2 || k == 14 {
			want = 8
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("CirculantEigenvalues(cos kernel)[%d] = %g, want %g", k, got, want)
		}
	}
}

func TestCirculantMatchesDirectSum(t *testing.T) {
	t.Parallel()
	// FFT against the direct O(N²) cosine sum (§3.1: agree to about
	// 1e-12), for odd, prime, even, N ≡ 2 mod 4, multiples of 4 (split
	// path) and powers of 2; the split's DCT-III through a complex FFT of
	// length N/8 meets every radix: 4 and 2 (64, 128), 5 (1000), 3 (96,
	// 480) and the generic one (1400: 175 = 5²·7), and FFTPACK's for odd
	// N/4 (100).
	rnd := rng.New(1, "spectral/circulant", 0)
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 12, 16, 31, 60, 64, 96, 97, 100, 127, 128,
		130, 200, 256, 257, 480, 1000, 1001, 1024, 1400, 2048} {
		for _, row := range [][]float64{randomSymmetricRow(n, rnd), isingRow(n, 1)} {
			want := directSpectrum(row)
			got := CirculantEigenvalues(make([]float64, n), row)
			for k := range got {
				if math.Abs(got[k]-want[k]) > 1e-12 {
					t.Errorf("N=%d: CirculantEigenvalues[%d] = %.16g, want %.16g", n, k, got[k], want[k])
					break
				}
			}
			for k := 1; k < n; k++ {
				if got[k] != got[n-k] {
					t.Errorf("N=%d: λ_%d = %g ≠ λ_%d = %g", n, k, got[k], n-k, got[n-k])
				}
			}
		}
	}
}

func TestCirculantMatchesDenseEigen(t *testing.T) {
	t.Parallel()
	// Sorted FFT eigenvalues against a dense symmetric eigensolver of the
	// full circulant matrix (§3.1: cross-check for N ≲ 200). Random rows
	// have negative eigenvalues too, which must not be clamped.
	rnd := rng.New(1, "spectral/circulant", 1)
	for _, n := range []int{1, 2, 3, 9, 16, 50, 101, 128, 200} {
		row := randomSymmetricRow(n, rnd)
		var es mat.EigenSym
		if !es.Factorize(circulantMatrix(row), false) {
			t.Fatalf("N=%d: dense factorisation failed", n)
		}
		want := es.Values(nil)
		got := CirculantEigenvalues(nil, row)
		slices.Sort(got)
		for k := range got {
			if math.Abs(got[k]-want[k]) > 1e-12 {
				t.Errorf("N=%d: sorted λ[%d] = %.16g, want %.16g", n, k, got[k], want[k])
				break
			}
		}
	}
}

func TestFourierBasis(t *testing.T) {
	t.Parallel()
	rnd := rng.New(1, "spectral/circulant", 2)
	for _, n := range []int{1, 2, 3, 8, 15, 64, 101} {
		q := FourierBasis(n)

		// Orthonormal: QᵀQ = I.
		var qtq mat.Dense
		qtq.Mul(q.T(), q)
		if !mat.EqualApprox(&qtq, eye(n), 1e-12) {
			t.Errorf("N=%d: FourierBasisᵀ·FourierBasis ≠ I", n)
		}

		// Column k is FourierMode(k), and an eigenvector of any symmetric
		// circulant matrix with eigenvalue CirculantEigenvalues[k] (§1.4).
		row := randomSymmetricRow(n, rnd)
		c := circulantMatrix(row)
		lam := CirculantEigenvalues(nil, row)
		u := make([]float64, n)
		for k := range n {
			FourierMode(u, k)
			for i := range n {
				if math.Abs(u[i]-q.At(i, k)) > 1e-15 {
					t.Fatalf("N=%d: FourierMode(%d)[%d] = %g, want column entry %g", n, k, i, u[i], q.At(i, k))
				}
			}
			var cu mat.VecDense
			cu.MulVec(c, mat.NewVecDense(n, u))
			for i := range n {
				if r := cu.AtVec(i) - lam[k]*u[i]; math.Abs(r) > 1e-12 {
					t.Errorf("N=%d: (C u_%d − λ_%d u_%d)[%d] = %g, want 0", n, k, k, k, i, r)
					break
				}
			}
		}
	}

	// Explicit entries (§1.4): N = 4 has u⁰ = 1/2, u¹ = √½ cos(πi/2),
	// u² = (−1)^i/2, u³ = √½ sin(πi/2).
	h, s := 0.5, math.Sqrt(0.5)
	want := mat.NewDense(4, 4, []float64{
		h, s, h, 0,
		h, 0, -h, s,
		h, -s, h, 0,
		h, 0, -h, -s,
	})
	if !mat.EqualApprox(FourierBasis(4), want, 1e-15) {
		t.Errorf("FourierBasis(4) =\n%v\nwant\n%v", mat.Formatted(FourierBasis(4)), mat.Formatted(want))
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}

func TestCirculantPanics(t *testing.T) {
	t.Parallel()
	asym := []float64{1, 0.5, 0.2, 0.4}
	for i, test := range []struct {
		name string
		f    func()
	}{
		{"asymmetric row", func() { CirculantEigenvalues(nil, asym) }},
		{"empty row", func() { CirculantEigenvalues(nil, nil) }},
		{"NaN row", func() { CirculantEigenvalues(nil, []float64{1, math.NaN()}) }},
		{"NaN row[0]", func() { CirculantEigenvalues(nil, []float64{math.NaN(), 1, 1}) }},
		{"+Inf row[0]", func() { CirculantEigenvalues(nil, []float64{math.Inf(1), 1, 1}) }},
		{"−Inf symmetric pair", func() { CirculantEigenvalues(nil, []float64{1, math.Inf(-1), 0, 0, math.Inf(-1)}) }},
		{"+Inf symmetric pair", func() { CirculantEigenvalues(nil, []float64{1, 0, math.Inf(1), 0, math.Inf(1), 0}) }},
		{"NaN middle", func() { CirculantEigenvalues(nil, []float64{1, 0, 0, math.NaN(), 0, 0}) }},
		{"overflowing asymmetry", func() { CirculantEigenvalues(nil, []float64{0, 1e308, -1e308}) }},
		{"asymmetric large row", func() {
			row := isingRow(1001, 0.5)
			row[500] += 1e-6
			CirculantEigenvalues(nil, row)
		}},
		{"short dst", func() { CirculantEigenvalues(make([]float64, 3), []float64{1, 0, 0, 0}) }},
		{"mode out of range", func() { FourierMode(make([]float64, 4), 4) }},
		{"negative mode", func() { FourierMode(make([]float64, 4), -1) }},
		{"empty mode", func() { FourierMode(nil, 0) }},
		{"basis size 0", func() { FourierBasis(0) }},
		{"Ising N=0", func() { IsingSpectrum(nil, ring.Ising{N: 0, Beta: 1}) }},
		{"Ising β<0", func() { IsingSpectrum(nil, ring.Ising{N: 4, Beta: -1}) }},
		{"Ising β NaN", func() { IsingSpectrum(nil, ring.Ising{N: 4, Beta: math.NaN()}) }},
		{"Ising dst", func() { IsingSpectrum(make([]float64, 3), ring.Ising{N: 4, Beta: 1}) }},
	} {
		if !panics(test.f) {
			t.Errorf("case %d: %s did not panic", i, test.name)
		}
	}

	// Rounding-level asymmetry (1e-13 relative) is accepted, and the
	// caller's row is not modified.
	row := []float64{2, 1, 0.5, 1 + 1e-13}
	orig := slices.Clone(row)
	if panics(func() { CirculantEigenvalues(nil, row) }) {
		t.Errorf("CirculantEigenvalues panicked on rounding asymmetry")
	}
	if !slices.Equal(row, orig) {
		t.Errorf("CirculantEigenvalues modified its input: %v, want %v", row, orig)
	}
}

func panics(f func()) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = true
		}
	}()
	f()
	return false
}

func TestCirculantConcurrent(t *testing.T) {
	t.Parallel()
	// Plans are shared through pools: concurrent calls of several lengths
	// must give the serial result bit for bit.
	sizes := []int{64, 100, 256, 1000}
	rows := make([][]float64, len(sizes))
	want := make([][]float64, len(sizes))
	for i, n := range sizes {
		rows[i] = isingRow(n, 0.7)
		want[i] = CirculantEigenvalues(nil, rows[i])
	}
	const workers = 8
	errs := make(chan string, workers)
	for w := range workers {
		go func() {
			for rep := range 50 {
				i := (w + rep) % len(sizes)
				got := CirculantEigenvalues(nil, rows[i])
				if !slices.Equal(got, want[i]) {
					errs <- "mismatch"
					return
				}
			}
			errs <- ""
		}()
	}
	for range workers {
		if msg := <-errs; msg != "" {
			t.Errorf("concurrent CirculantEigenvalues: %s", msg)
		}
	}
}

// TestIsingSpectrumFrozen checks the β → ∞ limit, where every spin is
// aligned: C_ij = 1, so λ_0 = N and every other eigenvalue vanishes (a
// rank-one matrix). At β = 400, e^(−2β) underflows.
func TestIsingSpectrumFrozen(t *testing.T) {
	t.Parallel()
	for _, beta := range []float64{30, 200, 400, 1e4} {
		got := IsingSpectrum(nil, ring.Ising{N: 10, Beta: beta})
		if math.Abs(got[0]-10) > 1e-12 {
			t.Errorf("β = %v: λ_0 = %v, want N = 10", beta, got[0])
		}
		for k := 1; k < 10; k++ {
			if !(math.Abs(got[k]) < 1e-12) {
				t.Errorf("β = %v: λ_%d = %v, want 0", beta, k, got[k])
			}
		}
	}
}

// TestCirculantPlanKept checks that the FFT plans of a length are computed
// once and kept across garbage collections (a plan of N = 10⁶ costs as
// much as a transform): after a first call, further calls allocate less
// than N/2 bytes (a plan takes at least 12N bytes; the concurrent split
// path allocates its goroutine) even when collections run in between, on
// each path: DCT-I (4098), real FFT (4099) and split (16384). Not
// parallel, since the memory statistics count every goroutine's
// allocations.
func TestCirculantPlanKept(t *testing.T) {
	for _, n := range []int{4098, 4099, 16384} {
		row := isingRow(n, 0.5)
		dst := make([]float64, n)
		CirculantEigenvalues(dst, row)
		runtime.GC() // the first forced collections allocate runtime state
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		const calls = 3
		for range calls {
			runtime.GC()
			runtime.GC()
			CirculantEigenvalues(dst, row)
		}
		runtime.ReadMemStats(&m1)
		if b := (m1.TotalAlloc - m0.TotalAlloc) / calls; b > uint64(n/2) {
			t.Errorf("N = %d: %d bytes allocated per call after collections, want < N/2 (plans recomputed)", n, b)
		}
	}
}

// TestCirculantLargePaths checks the transforms above the sizes of
// TestCirculantMatchesDirectSum against the independent closed form of
// the Ising ring (THEORY.md §2.2, IsingSpectrum), to 10⁻¹³ relative
// (measured: 2·10⁻¹⁵): the split path with concurrent halves (N divisible
// by 4, N ≥ 16384: 20000, 2¹⁶, 10⁶), the split path ending in real FFTs
// (4096, 4100) and the real FFT (N ≢ 0 mod 4: 4098, 4099, 2·5⁷); and a
// random symmetric row of the split path against the direct cosine sum.
// The concurrent split must give the same bits as the serial one.
func TestCirculantLargePaths(t *testing.T) {
	t.Parallel()
	for _, n := range []int{4096, 4098, 4099, 4100, 20000, 1 << 16, 1000000, 156250} {
		for _, beta := range []float64{0.1, 1} {
			row := isingRow(n, beta)
			got := CirculantEigenvalues(nil, row)
			want := IsingSpectrum(nil, ring.Ising{N: n, Beta: beta})
			tol := 1e-13 * slices.Max(want)
			for k := range got {
				if math.Abs(got[k]-want[k]) > tol {
					t.Errorf("N = %d, β = %g: λ_%d = %.16g, want %.16g", n, beta, k, got[k], want[k])
					break
				}
			}
			serial := make([]float64, n)
			circulantFull(serial, row, false)
			if !slices.Equal(serial, got) {
				t.Errorf("N = %d, β = %g: serial and concurrent splits differ", n, beta)
			}
		}
	}
	row := randomSymmetricRow(4100, rng.New(1, "spectral/circulant", 2))
	want := directSpectrum(row)
	got := CirculantEigenvalues(nil, row)
	for k := range got {
		if math.Abs(got[k]-want[k]) > 1e-11 {
			t.Errorf("N = 4100 random row: λ_%d = %.16g, want %.16g", k, got[k], want[k])
			break
		}
	}
}
