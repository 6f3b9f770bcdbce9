package ring

import (
	"math"
	"testing"
)

// bruteCW enumerates the 2^N configurations of the Curie–Weiss model and
// returns their probabilities (configuration c has s_i = +1 iff bit i is
// set) and ⟨M²⟩.
func bruteCW(n int, bj float64) (prob []float64, m2 float64) {
	prob = make([]float64, 1<<n)
	var z float64
	for c := range prob {
		m := 0
		for i := range n {
			m += 2*(c>>i&1) - 1
		}
		prob[c] = math.Exp(bj * float64(m*m) / (2 * float64(n)))
		z += prob[c]
		m2 += prob[c] * float64(m*m)
	}
	for c := range prob {
		prob[c] /= z
	}
	return prob, m2 / z
}

// TestCurieWeissExact checks ⟨M²⟩, the pair correlation and the kernel
// against enumeration at N = 10, and the N → ∞ limit λ_0 = ⟨M²⟩/N →
// 1/(1−βJ) of THEORY.md §2.11 (CW-1: 2 at βJ = 0.5) at N = 10⁴, where the
// finite-N correction is O(1/N).
func TestCurieWeissExact(t *testing.T) {
	t.Parallel()
	for _, bj := range []float64{-0.7, 0, 0.5, 1.5} {
		m := CurieWeiss{N: 10, BetaJ: bj}
		_, m2 := bruteCW(10, bj)
		if got := m.SecondMoment(); math.Abs(got-m2) > 1e-12*m2 {
			t.Errorf("βJ=%g: ⟨M²⟩ = %.15g, want %.15g (enumeration)", bj, got, m2)
		}
		k := m.Kernel(nil)
		if want := (m2 - 10) / 90; math.Abs(k[3]-want) > 1e-13 || k[0] != 1 {
			t.Errorf("βJ=%g: kernel %v, want c = %v off the diagonal", bj, k, want)
		}
	}
	m := CurieWeiss{N: 10000, BetaJ: 0.5}
	if l0 := m.SecondMoment() / 10000; math.Abs(l0-2) > 2e-3 {
		t.Errorf("λ_0(N=10⁴) = %v, want → 1/(1−βJ) = 2 (CW-1)", l0)
	}
}

// TestCurieWeissSampler compares draws at N = 6 with the enumerated law
// of the 64 configurations: X² over 63 degrees of freedom below
// mean + 5 sd.
func TestCurieWeissSampler(t *testing.T) {
	t.Parallel()
	const count = 100000
	for _, bj := range []float64{0.5, 2} {
		want, _ := bruteCW(6, bj)
		d := Sample(CurieWeiss{N: 6, BetaJ: bj}, count, 3).(*Spins)
		obs := make([]float64, 64)
		for s := range count {
			obs[d.Packed(s)[0]]++
		}
		var x2 float64
		for c, p := range want {
			x2 += (obs[c] - count*p) * (obs[c] - count*p) / (count * p)
		}
		if limit := 63 + 5*math.Sqrt(126); x2 > limit {
			t.Errorf("βJ=%g: X² = %.1f, want < %.1f", bj, x2, limit)
		}
	}
}

// TestMeanFieldMagnetisation checks CW-3 (m = tanh(1.5 m), positive root
// 0.8585596366) and the fixed-point property at other βJ and fields.
func TestMeanFieldMagnetisation(t *testing.T) {
	t.Parallel()
	if got := MeanFieldMagnetisation(1.5, 0); math.Abs(got-0.8585596366) > 1e-10 {
		t.Errorf("m(βJ=1.5) = %.10f, want 0.8585596366 (CW-3)", got)
	}
	for _, c := range []struct{ bj, h float64 }{{0.5, 0}, {1, 0}, {0.5, 0.2}, {2, 0.1}, {2, -0.1}, {-1, 0.3}} {
		m := MeanFieldMagnetisation(c.bj, c.h)
		if math.Abs(m-math.Tanh(c.bj*m+c.h)) > 1e-14 {
			t.Errorf("βJ=%g h=%g: m = %v is not a fixed point", c.bj, c.h, m)
		}
		if c.h == 0 && c.bj <= 1 && m != 0 {
			t.Errorf("βJ=%g: m = %v, want 0 above the critical temperature", c.bj, m)
		}
		if c.h != 0 && m*c.h <= 0 {
			t.Errorf("βJ=%g h=%g: m = %v has the wrong sign", c.bj, c.h, m)
		}
	}
}
