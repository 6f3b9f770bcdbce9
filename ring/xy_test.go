package ring

import (
	"fmt"
	"math"
	"testing"
)

// bruteXY enumerates the P^N configurations of the XY ring and returns
// ln Z and the joint law pair[d][a·P+b] = P(v_0 = a, v_d = b), d = 0..N-1.
// Configuration c has v_i = digit i of c in base P.
func bruteXY(m XY) (logZ float64, prob []float64, pair [][]float64) {
	total := 1
	for range m.N {
		total *= m.P
	}
	prob = make([]float64, total)
	v := make([]int, m.N)
	var z float64
	for c := range prob {
		x := c
		for i := range v {
			v[i] = x % m.P
			x /= m.P
		}
		var e float64
		for i := range v {
			e += math.Cos(2 * math.Pi * float64(v[i]-v[(i+1)%m.N]) / float64(m.P))
		}
		prob[c] = math.Exp(m.Beta * (e - float64(m.N)))
		z += prob[c]
	}
	pair = make([][]float64, m.N)
	for d := range pair {
		pair[d] = make([]float64, m.P*m.P)
	}
	for c := range prob {
		prob[c] /= z
		x := c
		for i := range v {
			v[i] = x % m.P
			x /= m.P
		}
		for d := range m.N {
			pair[d][v[0]*m.P+v[d]] += prob[c]
		}
	}
	return math.Log(z) + m.Beta*float64(m.N), prob, pair
}

// besselI returns the modified Bessel function I_n(x) from its power
// series Σ_k (x/2)^(2k+n)/(k!(k+n)!), an independent route to eq 29.
func besselI(n int, x float64) float64 {
	term := 1.0
	for k := 1; k <= n; k++ {
		term *= x / 2 / float64(k)
	}
	sum := term
	for k := 1; k < 200; k++ {
		term *= (x / 2) * (x / 2) / float64(k) / float64(k+n)
		sum += term
		if term < 1e-18*sum {
			break
		}
	}
	return sum
}

// TestXYTransferXY1 checks case XY-1 (P = 10, β = 1.5; paper eq 29):
// λ_0 = 16.46723222, λ_1 = 9.816666485, λ_2 = 3.378372610 and
// ρ_1 = 0.5961333606, and every λ_p against the Bessel form
// P Σ_m I_|p+mP|(β) of THEORY.md §2.6, summed independently.
func TestXYTransferXY1(t *testing.T) {
	t.Parallel()
	m := XY{N: 100, P: 10, Beta: 1.5}
	lam := m.TransferEigenvalues(nil)
	rho := m.Rho(nil)
	for i, c := range []struct {
		got, want float64
		name      string
	}{
		{lam[0], 16.46723222, "λ_0"},
		{lam[1], 9.816666485, "λ_1"},
		{lam[2], 3.378372610, "λ_2"},
		{rho[1], 0.5961333606, "ρ_1"},
	} {
		if math.Abs(c.got-c.want) > 1e-9*c.want {
			t.Errorf("case %d: %s = %.10f, want %.10f (XY-1)", i, c.name, c.got, c.want)
		}
	}
	for _, mm := range []XY{{N: 5, P: 10, Beta: 1.5}, {N: 5, P: 3, Beta: 0.2}, {N: 5, P: 7, Beta: 4}} {
		lam := mm.TransferEigenvalues(nil)
		for p := range mm.P {
			var want float64
			for k := -20; k <= 20; k++ {
				want += besselI(abs(p+k*mm.P), mm.Beta)
			}
			want *= float64(mm.P)
			if math.Abs(lam[p]-want) > 1e-13*lam[0] {
				t.Errorf("%+v: λ_%d = %.15g, want %.15g (Bessel form)", mm, p, lam[p], want)
			}
			if p > 0 && lam[p] != lam[mm.P-p] {
				t.Errorf("%+v: λ_%d = %v ≠ λ_%d = %v", mm, p, lam[p], mm.P-p, lam[mm.P-p])
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestXYBrute checks ln Z, g_p(d), the Pearson correlation and the Kernel
// against exhaustive enumeration at (N, P) = (4, 3) and (5, 4), where
// THEORY.md §2.7 reports agreement to 1e−15, and at a few other sizes.
// The Pearson matrix is computed from the enumerated joint law as
// (P(a, b) − 1/P²)/((P−1)/P²), the definition of §2.7.
func TestXYBrute(t *testing.T) {
	t.Parallel()
	const tol = 1e-13
	for _, m := range []XY{
		{N: 4, P: 3, Beta: 0.8}, {N: 5, P: 4, Beta: 1.5}, {N: 3, P: 5, Beta: 2.5},
		{N: 6, P: 2, Beta: 0.7}, {N: 2, P: 6, Beta: 1}, {N: 5, P: 4, Beta: 0},
	} {
		logZ, _, pair := bruteXY(m)
		if got := m.LogZ(); math.Abs(got-logZ) > tol*math.Abs(logZ) {
			t.Errorf("%+v: LogZ = %.15g, want %.15g (enumeration)", m, got, logZ)
		}
		kern := m.Kernel(nil)
		p := m.P
		for d := range m.N {
			for a := range p {
				for b := range p {
					// P(a, b) from g_p(d), §2.7.
					var joint float64
					for q := range p {
						joint += m.G(q, d) * math.Cos(2*math.Pi*float64(q*(a-b))/float64(p))
					}
					joint /= float64(p * p)
					if want := pair[d][a*p+b]; math.Abs(joint-want) > tol {
						t.Errorf("%+v: P(v_0=%d, v_%d=%d) from g = %.15g, want %.15g", m, a, d, b, joint, want)
					}
					want := (pair[d][a*p+b] - 1/float64(p*p)) / (float64(p-1) / float64(p*p))
					if got := m.Pearson(d, a, b); math.Abs(got-want) > tol {
						t.Errorf("%+v: Pearson(%d, %d, %d) = %.15g, want %.15g", m, d, a, b, got, want)
					}
					if got := kern[d*p*p+a*p+b]; math.Abs(got-want) > tol {
						t.Errorf("%+v: Kernel[%d](%d,%d) = %.15g, want %.15g", m, d, a, b, got, want)
					}
				}
			}
		}
	}
}

// TestXYGProperties checks the identities of THEORY.md §2.7: g_0 ≡ 1,
// g_p(0) = g_p(N) = 1, g_p = g_{P−p}, g_p(N−d) = g_p(d), and the on-site
// Pearson values C_0(a, a) = 1, C_0(a, b) = −1/(P−1), at the paper's
// parameters and at large β and N.
func TestXYGProperties(t *testing.T) {
	t.Parallel()
	for _, m := range []XY{{N: 100, P: 10, Beta: 1.5}, {N: 37, P: 7, Beta: 5}, {N: 1000, P: 3, Beta: 0.1}} {
		for _, d := range []int{0, 1, 2, m.N / 3, m.N / 2, m.N - 1, m.N} {
			for p := range m.P {
				g := m.G(p, d)
				switch {
				case p == 0 && math.Abs(g-1) > 1e-14:
					t.Errorf("%+v: g_0(%d) = %v, want 1", m, d, g)
				case (d == 0 || d == m.N) && math.Abs(g-1) > 1e-14:
					t.Errorf("%+v: g_%d(%d) = %v, want 1", m, p, d, g)
				}
				if h := m.G(m.P-p, d); math.Abs(g-h) > 1e-15 {
					t.Errorf("%+v: g_%d(%d) = %v ≠ g_%d = %v", m, p, d, g, m.P-p, h)
				}
				if h := m.G(p, m.N-d); math.Abs(g-h) > 1e-15 {
					t.Errorf("%+v: g_%d(%d) = %v ≠ g_%d(N−d) = %v", m, p, d, g, p, h)
				}
				if g < 0 || g > 1+1e-15 {
					t.Errorf("%+v: g_%d(%d) = %v outside [0, 1]", m, p, d, g)
				}
			}
		}
		for a := range m.P {
			for b := range m.P {
				want := -1 / float64(m.P-1)
				if a == b {
					want = 1
				}
				if got := m.Pearson(0, a, b); math.Abs(got-want) > 1e-14 {
					t.Errorf("%+v: C_0(%d, %d) = %v, want %v", m, a, b, got, want)
				}
			}
		}
	}
}

// TestXYIsingLimit checks that at P = 2 the XY ring is the Ising ring at
// the same β (THEORY.md §2.5): g_1(d) = C(d) of §2.1 and the Pearson
// correlation of the indicators is ±C(d).
func TestXYIsingLimit(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 7, 100} {
		for _, beta := range []float64{0, 0.3, 1.5, 4} {
			x, is := XY{N: n, P: 2, Beta: beta}, Ising{N: n, Beta: beta}
			for d := 0; d <= n; d++ {
				c := is.Correlation(d)
				if g := x.G(1, d); math.Abs(g-c) > 1e-13 {
					t.Errorf("N=%d β=%g: g_1(%d) = %.15g, want Ising C = %.15g", n, beta, d, g, c)
				}
				if p := x.Pearson(d, 0, 1); math.Abs(p+c) > 1e-13 {
					t.Errorf("N=%d β=%g: C_%d(0,1) = %.15g, want −C = %.15g", n, beta, d, p, -c)
				}
			}
			if got, want := x.LogZ(), is.LogZ(); math.Abs(got-want) > 1e-12*math.Abs(want) {
				t.Errorf("N=%d β=%g: LogZ = %.15g, want Ising %.15g", n, beta, got, want)
			}
		}
	}
}

// TestXYLargeBeta checks that nothing overflows at β = 800, where λ_p
// itself overflows: ρ_p stays in [0, 1] with ρ_1 close to 1, and g and the
// Pearson correlation stay finite.
func TestXYLargeBeta(t *testing.T) {
	t.Parallel()
	m := XY{N: 50, P: 10, Beta: 800}
	rho := m.Rho(nil)
	for p, r := range rho {
		if !(r >= 0 && r <= 1) {
			t.Errorf("ρ_%d = %v, want in [0, 1]", p, r)
		}
	}
	if !(rho[1] > 0.99) {
		t.Errorf("ρ_1 = %v at β = 800, want near 1", rho[1])
	}
	for _, v := range m.Kernel(nil) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("Kernel has non-finite entry %v", v)
		}
	}
	if lz := m.LogZ(); math.IsInf(lz, 0) || math.IsNaN(lz) {
		t.Errorf("LogZ = %v, want finite", lz)
	}
}

func TestXYValidate(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		m  XY
		ok bool
	}{
		{XY{N: 100, P: 10, Beta: 1.5}, true},
		{XY{N: 2, P: 2, Beta: 0}, true},
		{XY{N: 2, P: 256, Beta: 0}, true},
		{XY{N: 1, P: 10, Beta: 1}, false},
		{XY{N: 10, P: 1, Beta: 1}, false},
		{XY{N: 10, P: 257, Beta: 1}, false},
		{XY{N: 10, P: 10, Beta: -1}, false},
		{XY{N: 10, P: 10, Beta: math.NaN()}, false},
		{XY{N: 10, P: 10, Beta: math.Inf(1)}, false},
	} {
		if err := c.m.Validate(); (err == nil) != c.ok {
			t.Errorf("case %d: Validate(%+v) = %v, want ok %t", i, c.m, err, c.ok)
		}
	}
}

// TestXYEncoding checks the one-hot encoding and its population moments:
// mean 1/P and variance (P−1)/P² of an indicator (THEORY.md §2.7).
func TestXYEncoding(t *testing.T) {
	t.Parallel()
	m := XY{N: 10, P: 4, Beta: 1}
	e := m.Encoding()
	if e.Features != 4 || e.Normalisation != Pearson {
		t.Fatalf("Encoding = %+v, want 4 one-hot features, Pearson", e)
	}
	for a := range 4 {
		for f := range 4 {
			want := 0.0
			if a == f {
				want = 1
			}
			if e.Value(a, f) != want {
				t.Errorf("Value(%d, %d) = %v, want %v", a, f, e.Value(a, f), want)
			}
		}
		if e.Mean[a] != 0.25 || math.Abs(e.SD[a]*e.SD[a]-3.0/16) > 1e-16 {
			t.Errorf("feature %d: mean %v sd %v, want 1/4 and √3/4", a, e.Mean[a], e.SD[a])
		}
	}
	if got := fmt.Sprint(Label(m)); got != "xy(n=10, p=4, beta=1)" {
		t.Errorf("Label = %q", got)
	}
}

// TestXYRhoGap checks RhoGap, 1 − ρ_p, against two independent values:
// at β = 1.5 the complement of Rho (no cancellation there, so they agree
// to rounding), and at β = 100 and 1000, where ρ_1 rounds to 1, the
// leading large-β form of THEORY.md §2.6 kept to the v = 0, ±1 terms,
//
//	1 − ρ_p = 2 w (1 − cos(2πp/P)) / (1 + 2w),   w = e^(−β(1 − cos(2π/P))),
//
// whose neglected v = ±2 terms are e^(−β(cos(2π/P) − cos(4π/P))) ≤ 10⁻²¹
// relative at β ≥ 100 for P = 10.
func TestXYRhoGap(t *testing.T) {
	t.Parallel()
	m := XY{N: 10, P: 10, Beta: 1.5}
	rho, gap := m.Rho(nil), m.RhoGap(nil)
	for p := range rho {
		if math.Abs(gap[p]-(1-rho[p])) > 1e-15 {
			t.Errorf("β = 1.5: RhoGap[%d] = %.17g, want 1 − ρ = %.17g", p, gap[p], 1-rho[p])
		}
	}
	if gap[0] != 0 {
		t.Errorf("RhoGap[0] = %v, want 0", gap[0])
	}
	for _, beta := range []float64{100, 1000} {
		gap := XY{N: 10, P: 10, Beta: beta}.RhoGap(nil)
		c1 := 1 - math.Cos(2*math.Pi/10)
		w := math.Exp(-beta * c1)
		for _, p := range []int{1, 3, 9} {
			want := 2 * w * (1 - math.Cos(2*math.Pi*float64(p)/10)) / (1 + 2*w)
			if math.Abs(gap[p]-want) > 1e-13*want {
				t.Errorf("β = %g: RhoGap[%d] = %.16g, want %.16g", beta, p, gap[p], want)
			}
		}
	}
}
