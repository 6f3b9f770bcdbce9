package ring

import (
	"math"
	"math/big"
	"testing"
)

// bruteIsing enumerates all 2^N configurations of the ring and returns
// ln Z and the matrix of exact correlations ⟨v_i v_j⟩. Weights are taken
// relative to the ground-state energy, exp(β(Σ v_i v_{i+1} − N)), so that
// large β does not overflow.
func bruteIsing(n int, beta float64) (logZ float64, corr [][]float64) {
	corr = make([][]float64, n)
	for i := range corr {
		corr[i] = make([]float64, n)
	}
	var z float64
	v := make([]int, n)
	for c := range 1 << n {
		for i := range v {
			v[i] = 2*(c>>i&1) - 1
		}
		e := 0
		for i := range v {
			e += v[i] * v[(i+1)%n]
		}
		w := math.Exp(beta * float64(e-n))
		z += w
		for i := range v {
			for j := range v {
				corr[i][j] += w * float64(v[i]*v[j])
			}
		}
	}
	for i := range corr {
		for j := range corr[i] {
			corr[i][j] /= z
		}
	}
	return math.Log(z) + beta*float64(n), corr
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		m  Ising
		ok bool
	}{
		{Ising{N: 2, Beta: 0}, true},
		{Ising{N: 100, Beta: 1.5}, true},
		{Ising{N: 1, Beta: 1}, false},
		{Ising{N: 0, Beta: 1}, false},
		{Ising{N: 10, Beta: -0.1}, false},
		{Ising{N: 10, Beta: math.NaN()}, false},
		{Ising{N: 10, Beta: math.Inf(1)}, false},
	} {
		if err := test.m.Validate(); (err == nil) != test.ok {
			t.Errorf("%+v.Validate() = %v, want ok = %t", test.m, err, test.ok)
		}
	}
}

// TestCorrelationIS1 checks case IS-1 of theory-cases.md: N = 10,
// ρ = 0.5, d = 3 gives exactly 136/1025.
func TestCorrelationIS1(t *testing.T) {
	t.Parallel()
	m := Ising{N: 10, Beta: math.Atanh(0.5)}
	got, want := m.Correlation(3), 136.0/1025
	if math.Abs(got-want) > 1e-12*want {
		t.Errorf("Correlation(3) = %.15g, want %.15g (IS-1)", got, want)
	}
	if rho := m.Rho(); math.Abs(rho-0.5) > 1e-15 {
		t.Errorf("Rho() = %v, want 0.5", rho)
	}
}

// TestCorrelationLengthPaper checks case PAPER-XI: ξ(β=1) = 1/ln coth 1 =
// 3.671860933, which the paper quotes as ξ ≃ 3.7 (eq 9, Fig. 2 caption).
func TestCorrelationLengthPaper(t *testing.T) {
	t.Parallel()
	got := Ising{N: 100, Beta: 1}.CorrelationLength()
	if want := 3.671860933; math.Abs(got-want) > 5e-10 {
		t.Errorf("CorrelationLength(β=1) = %.10f, want %.10f (PAPER-XI)", got, want)
	}
	if math.Abs(got-3.7) > 0.05 {
		t.Errorf("CorrelationLength(β=1) = %.4f, paper says ≃ 3.7", got)
	}
	// Closed form of eq 9 evaluated directly: 1/ln coth 1.
	if want := 1 / math.Log(1/math.Tanh(1)); math.Abs(got-want) > 1e-14*want {
		t.Errorf("CorrelationLength(β=1) = %.16g, want 1/ln coth 1 = %.16g", got, want)
	}
}

// TestBetaFromXi checks the inverse of eq 9 by round trips and against
// THEORY.md §2.1: ξ ∈ [2.5, 10] (Fig 3b) corresponds to β ∈ [0.811, 1.498].
func TestBetaFromXi(t *testing.T) {
	t.Parallel()
	for _, xi := range []float64{0.05, 0.3, 1, 2.5, 3.671860933, 10, 100, 1e4, 1e7} {
		beta := BetaFromXi(xi)
		got := Ising{N: 2, Beta: beta}.CorrelationLength()
		if math.Abs(got-xi) > 1e-12*xi {
			t.Errorf("CorrelationLength(BetaFromXi(%g)) = %.16g, want %g", xi, got, xi)
		}
	}
	for _, beta := range []float64{0.01, 0.5, 1, 3, 8} {
		xi := Ising{N: 2, Beta: beta}.CorrelationLength()
		if got := BetaFromXi(xi); math.Abs(got-beta) > 1e-12*beta {
			t.Errorf("BetaFromXi(ξ(%g)) = %.16g, want %g", beta, got, beta)
		}
	}
	for _, test := range []struct{ xi, beta float64 }{
		{2.5, 0.811}, // THEORY.md §2.1, printed to 3 decimals
		{10, 1.498},
	} {
		if got := BetaFromXi(test.xi); math.Abs(got-test.beta) > 5e-4 {
			t.Errorf("BetaFromXi(%g) = %.5f, want %.3f (THEORY §2.1)", test.xi, got, test.beta)
		}
	}
	// Special cases.
	if got := BetaFromXi(0); got != 0 {
		t.Errorf("BetaFromXi(0) = %v, want 0", got)
	}
	if got := BetaFromXi(math.Inf(1)); !math.IsInf(got, 1) {
		t.Errorf("BetaFromXi(+Inf) = %v, want +Inf", got)
	}
	if got := BetaFromXi(-1); !math.IsNaN(got) {
		t.Errorf("BetaFromXi(-1) = %v, want NaN", got)
	}
	if got := (Ising{N: 2, Beta: 0}).CorrelationLength(); got != 0 {
		t.Errorf("CorrelationLength(β=0) = %v, want 0", got)
	}
}

// TestCorrelationBrute compares C(d) with ⟨v_i v_{i+d}⟩ from enumeration of
// all 2^N states, for every i and d, including d = N (≡ 0).
func TestCorrelationBrute(t *testing.T) {
	t.Parallel()
	const tol = 1e-12
	for _, n := range []int{2, 3, 6, 9} {
		for _, beta := range []float64{0, 0.2, 0.7, 1.5, 4, 12} {
			m := Ising{N: n, Beta: beta}
			_, corr := bruteIsing(n, beta)
			for i := range n {
				for d := 0; d <= n; d++ {
					want := corr[i][(i+d)%n]
					if got := m.Correlation(d); math.Abs(got-want) > tol {
						t.Errorf("N=%d β=%g: Correlation(%d) = %.15g, want %.15g (enumeration, i=%d)", n, beta, d, got, want, i)
					}
				}
			}
		}
	}
}

// TestCorrelationProperties checks C(0) = C(N) = 1, C(d) = C(N−d), the
// decrease of C up to N/2, CorrelationRow against Correlation, the β = 0
// values and the N ≫ ξ limit e^(−d/ξ) of eq 9.
func TestCorrelationProperties(t *testing.T) {
	t.Parallel()
	for _, m := range []Ising{
		{N: 2, Beta: 0}, {N: 7, Beta: 0}, {N: 10, Beta: 0.5}, {N: 100, Beta: 1.5},
		{N: 101, Beta: 3}, {N: 10000, Beta: 5}, {N: 10000, Beta: 30},
	} {
		row := m.CorrelationRow(nil)
		for d := 0; d <= m.N; d++ {
			c := m.Correlation(d)
			if math.IsNaN(c) || c < 0 || c > 1 {
				t.Fatalf("%+v: Correlation(%d) = %v, want in [0, 1]", m, d, c)
			}
			if d < m.N && row[d] != c {
				t.Errorf("%+v: CorrelationRow[%d] = %v, want Correlation(%d) = %v", m, d, row[d], d, c)
			}
			if s := m.Correlation(m.N - d); math.Abs(s-c) > 1e-15 {
				t.Errorf("%+v: Correlation(%d) = %v, want Correlation(%d) = %v", m, m.N-d, s, d, c)
			}
			if d > 0 && 2*d <= m.N && c > m.Correlation(d-1) {
				t.Errorf("%+v: Correlation(%d) = %v > Correlation(%d)", m, d, c, d-1)
			}
			if m.Beta == 0 && d > 0 && d < m.N && c != 0 {
				t.Errorf("%+v: Correlation(%d) = %v, want 0 at β = 0", m, d, c)
			}
		}
		if c0, cn := m.Correlation(0), m.Correlation(m.N); c0 != 1 || cn != 1 {
			t.Errorf("%+v: C(0), C(N) = %v, %v, want 1, 1", m, c0, cn)
		}
	}

	// N ≫ ξ: C(d) → ρ^d = e^(−d/ξ) (eq 9); at N = 10⁴, β = 1 the closure
	// term ρ^(N−d) is below 1e−1000.
	m := Ising{N: 10000, Beta: 1}
	xi := m.CorrelationLength()
	for _, d := range []int{1, 5, 20} {
		want := math.Exp(-float64(d) / xi)
		if got := m.Correlation(d); math.Abs(got-want) > 1e-13 {
			t.Errorf("N=10⁴ β=1: Correlation(%d) = %.15g, want e^(−d/ξ) = %.15g", d, got, want)
		}
	}
}

func TestCorrelationPanics(t *testing.T) {
	t.Parallel()
	m := Ising{N: 5, Beta: 1}
	for name, f := range map[string]func(){
		"d < 0":   func() { m.Correlation(-1) },
		"d > N":   func() { m.Correlation(6) },
		"bad dst": func() { m.CorrelationRow(make([]float64, 4)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestLogZBrute compares ln Z with enumeration of all 2^N states.
func TestLogZBrute(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 3, 6, 9} {
		for _, beta := range []float64{0, 0.3, 1, 3, 20} {
			want, _ := bruteIsing(n, beta)
			if got := (Ising{N: n, Beta: beta}).LogZ(); math.Abs(got-want) > 1e-13*math.Max(1, math.Abs(want)) {
				t.Errorf("N=%d β=%g: LogZ() = %.15g, want %.15g (enumeration)", n, beta, got, want)
			}
		}
	}
	if got, want := (Ising{N: 50, Beta: 0}).LogZ(), 50*math.Ln2; math.Abs(got-want) > 1e-13 {
		t.Errorf("LogZ(N=50, β=0) = %v, want 50 ln 2 = %v", got, want)
	}
}

// TestLogZLarge checks ln Z where (2 cosh β)^N overflows float64, against
// (2 cosh β)^N + (2 sinh β)^N evaluated in 256-bit big.Float arithmetic.
func TestLogZLarge(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		n    int
		beta float64
	}{
		{10000, 5}, {10000, 1}, {999, 30}, {100000, 0.25},
	} {
		got := Ising{N: test.n, Beta: test.beta}.LogZ()
		want := bigLogZ(test.n, test.beta)
		if math.IsInf(got, 0) || math.IsNaN(got) || math.Abs(got-want) > 1e-13*want {
			t.Errorf("N=%d β=%g: LogZ() = %.16g, want %.16g (big.Float)", test.n, test.beta, got, want)
		}
	}
}

// bigLogZ returns ln[(2 cosh β)^N + (2 sinh β)^N] computed with big.Float
// powers of float64 values of 2 cosh β and 2 sinh β.
func bigLogZ(n int, beta float64) float64 {
	const prec = 256
	pow := func(x float64) *big.Float {
		b := new(big.Float).SetPrec(prec).SetFloat64(x)
		r := new(big.Float).SetPrec(prec).SetFloat64(1)
		for k := n; k > 0; k >>= 1 {
			if k&1 == 1 {
				r.Mul(r, b)
			}
			b.Mul(b, b)
		}
		return r
	}
	z := new(big.Float).SetPrec(prec).Add(pow(2*math.Cosh(beta)), pow(2*math.Sinh(beta)))
	mant := new(big.Float)
	exp := z.MantExp(mant)
	m, _ := mant.Float64()
	return math.Log(m) + float64(exp)*math.Ln2
}

// TestEntropyPerSite checks THEORY.md §2.10: the mean log-likelihood per
// site β ∂_β ln Z/N − ln Z/N tends to β tanh β − ln(2 cosh β), −0.3653 at
// β = 1, for a long ring. The derivative is a central difference of LogZ.
func TestEntropyPerSite(t *testing.T) {
	t.Parallel()
	const n, beta, h = 10000, 1.0, 1e-5
	lz := func(b float64) float64 { return Ising{N: n, Beta: b}.LogZ() / n }
	got := beta*(lz(beta+h)-lz(beta-h))/(2*h) - lz(beta)
	if want := beta*math.Tanh(beta) - math.Log(2*math.Cosh(beta)); math.Abs(got-want) > 1e-8 {
		t.Errorf("mean log-likelihood per site = %.10f, want %.10f", got, want)
	}
	if math.Abs(got-(-0.3653)) > 5e-5 {
		t.Errorf("mean log-likelihood per site = %.5f, want −0.3653 (THEORY §2.10)", got)
	}
}
