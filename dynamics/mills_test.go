package dynamics

import (
	"math"
	"math/big"
	"testing"
)

// High-precision reference values of A_n(z) = ∫₀^∞ uⁿ e^(−u²/2 − zu) du,
// computed in the test itself with math/big by two methods independent of
// the package's (which uses erfc and a continued fraction):
//
//   - z ≤ 14: the Taylor series A_0(z) = Σ_n c_n (−z)ⁿ with c_n = M_n/n!,
//     M_n = ∫₀^∞ uⁿ e^(−u²/2) du, i.e. c_0 = √(π/2), c_1 = 1,
//     c_(n+2) = c_n/(n+2), summed at 128 bits plus the z²/(2 ln 2) bits
//     lost to the alternating terms (which reach e^(z²/2) ≈ 10⁴³ at z = 14),
//     with π from Machin's formula; then
//     A_1 = 1 − zA_0 and A_2 = A_0 − zA_1 exactly at that precision;
//   - z ≥ 12: the asymptotic series
//     A_n(z) ~ Σ_k (−1)^k (n+2k)!/(2^k k!) z^(−(n+2k+1)) (THEORY.md §4.3),
//     summed up to its smallest term, whose size e^(−z²/2) < 10⁻³¹ bounds
//     the error.
//
// In the overlap 12 ≤ z ≤ 14 the two agree to better than 1e-25 (checked
// below), which validates both.

const refPrec = 1600

func bigF(x float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(x) }

var refPi = bigPi()

// bigArctanInv returns arctan(1/x) = Σ_k (−1)^k / ((2k+1) x^(2k+1)).
func bigArctanInv(x int64) *big.Float {
	sum := bigF(0)
	xf := bigF(float64(x))
	x2 := new(big.Float).SetPrec(refPrec).Mul(xf, xf)
	pow := new(big.Float).SetPrec(refPrec).Quo(bigF(1), xf) // 1/x^(2k+1)
	eps := new(big.Float).SetPrec(refPrec).SetMantExp(bigF(1), -refPrec-10)
	for k := int64(0); ; k++ {
		term := new(big.Float).SetPrec(refPrec).Quo(pow, bigF(float64(2*k+1)))
		if k%2 == 1 {
			term.Neg(term)
		}
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			return sum
		}
		pow.Quo(pow, x2)
	}
}

// bigPi returns π = 16 arctan(1/5) − 4 arctan(1/239) (Machin 1706).
func bigPi() *big.Float {
	a := new(big.Float).SetPrec(refPrec).Mul(bigF(16), bigArctanInv(5))
	b := new(big.Float).SetPrec(refPrec).Mul(bigF(4), bigArctanInv(239))
	return a.Sub(a, b)
}

// refTaylor returns A_0, A_1, A_2 at z by the Taylor series, at a working
// precision of 128 bits plus the z²/(2 ln 2) bits that the alternating
// series loses for z > 0.
func refTaylor(z float64) (a0, a1, a2 *big.Float) {
	prec := uint(128)
	if z > 0 {
		prec += uint(z*z/(2*math.Ln2)) + 1
	}
	f := func(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }
	c0 := new(big.Float).SetPrec(prec).Quo(refPi, f(2))
	c0.Sqrt(c0)
	cPrev, cCur := c0, f(1) // c_n, c_(n+1)
	mz := f(-z)
	pow := f(1) // (−z)^n
	sum := f(0)
	term := f(0)
	small := 0
	for n := 0; ; n++ {
		term.Mul(cPrev, pow)
		sum.Add(sum, term)
		// Stop after several consecutive terms below 2^(−prec) of the sum,
		// beyond the peak of |term| at n ≈ z².
		if term.Sign() == 0 || sum.Sign() != 0 && term.MantExp(nil) < sum.MantExp(nil)-int(prec) && n > int(z*z)+10 {
			small++
			if small > 4 {
				break
			}
		}
		next := new(big.Float).SetPrec(prec).Quo(cPrev, f(float64(n+2)))
		cPrev, cCur = cCur, next
		pow.Mul(pow, mz)
	}
	a0 = sum
	zb := f(z)
	a1 = new(big.Float).SetPrec(prec).Sub(f(1), new(big.Float).SetPrec(prec).Mul(zb, a0))
	a2 = new(big.Float).SetPrec(prec).Sub(a0, new(big.Float).SetPrec(prec).Mul(zb, a1))
	return a0, a1, a2
}

// refAsymptotic returns A_n(z) by the asymptotic series, truncated before
// its smallest term or once terms fall below 2⁻²⁰⁰ of the sum.
func refAsymptotic(n int, z float64) *big.Float {
	const refPrec = 256
	bigF := func(x float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(x) }
	zb := bigF(z)
	sum := bigF(0)
	// term_k = (−1)^k (n+2k)!/(2^k k!) z^(−(n+2k+1)); term_0 = n!/z^(n+1).
	term := bigF(1)
	for j := 1; j <= n; j++ {
		term.Mul(term, bigF(float64(j)))
	}
	for j := 0; j <= n; j++ {
		term.Quo(term, zb)
	}
	prev := new(big.Float).SetPrec(refPrec).Abs(term)
	for k := 0; k < 100000; k++ {
		sum.Add(sum, term)
		// term_(k+1)/term_k = −(n+2k+1)(n+2k+2)/(2(k+1) z²).
		next := new(big.Float).SetPrec(refPrec).Mul(term, bigF(-float64((n+2*k+1)*(n+2*k+2))))
		next.Quo(next, bigF(float64(2*(k+1))))
		next.Quo(next, zb)
		next.Quo(next, zb)
		a := new(big.Float).Abs(next)
		if a.Cmp(prev) >= 0 || next.MantExp(nil) < sum.MantExp(nil)-200 {
			break
		}
		prev, term = a, next
	}
	return sum
}

// refMoments returns ln A_0, r = A_1/A_0 and v = A_2/A_0 − r² as float64.
func refMoments(z float64) (logA0, r, v float64) {
	var a0, a1, a2 *big.Float
	if z <= 13 {
		a0, a1, a2 = refTaylor(z)
	} else {
		a0, a1, a2 = refAsymptotic(0, z), refAsymptotic(1, z), refAsymptotic(2, z)
	}
	mant := new(big.Float)
	exp := a0.MantExp(mant)
	mf, _ := mant.Float64()
	logA0 = math.Log(mf) + float64(exp)*math.Ln2
	prec := a0.Prec()
	rb := new(big.Float).SetPrec(prec).Quo(a1, a0)
	vb := new(big.Float).SetPrec(prec).Quo(a2, a0)
	vb.Sub(vb, new(big.Float).SetPrec(prec).Mul(rb, rb))
	r, _ = rb.Float64()
	v, _ = vb.Float64()
	return logA0, r, v
}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Abs(want)
}

// TestMillsHighPrecision checks Φ̃ = A_0, ln Φ̃, the truncated-normal mean
// excess and variance over z ∈ [−40, 10⁴] to 1e-12 relative
// (SIMULATOR.md §3) against the math/big references above.
func TestMillsHighPrecision(t *testing.T) {
	t.Parallel()
	const tol = 1e-12
	zs := []float64{-40, -37.5, -25, -12, -6, -3, -1.5, -1, -0.5, -1e-3, 0, 1e-9, 0.25, 0.7, 1, 1.9,
		2.5, 3, 3.5, 3.999999, 4, 4.000001, 4.7, 5.5, 6.5, 8, 10, 12, 14, 17, 20, 30, 40, 75, 100, 300, 1e3, 4e3, 1e4}
	for _, z := range zs {
		wantLog, wantR, wantV := refMoments(z)
		if got := logMills(z); math.Abs(got-wantLog) > tol*math.Max(1, math.Abs(wantLog)) && math.Abs(got-wantLog) > tol {
			t.Errorf("logMills(%v) = %.17g, want %.17g", z, got, wantLog)
		}
		if z > -37 {
			if got, want := mills(z), math.Exp(wantLog); relErr(got, want) > tol {
				t.Errorf("mills(%v) = %.17g, want %.17g (rel err %.2g)", z, got, want, relErr(got, want))
			}
		}
		r, v, lg := truncMoments(z)
		if relErr(r, wantR) > tol {
			t.Errorf("mean excess at z = %v: %.17g, want %.17g (rel err %.2g)", z, r, wantR, relErr(r, wantR))
		}
		if relErr(v, wantV) > tol {
			t.Errorf("variance at z = %v: %.17g, want %.17g (rel err %.2g)", z, v, wantV, relErr(v, wantV))
		}
		if lg != logMills(z) {
			t.Errorf("truncMoments(%v) log = %v, logMills = %v", z, lg, logMills(z))
		}
	}
}

// TestMillsReferencesAgree validates the two reference methods against each
// other where both apply.
func TestMillsReferencesAgree(t *testing.T) {
	t.Parallel()
	for _, z := range []float64{12, 13.5} {
		a0, a1, a2 := refTaylor(z)
		for n, tay := range []*big.Float{a0, a1, a2} {
			as := refAsymptotic(n, z)
			d := new(big.Float).Sub(tay, as)
			d.Quo(d, as)
			if f, _ := d.Float64(); math.Abs(f) > 1e-25 {
				t.Errorf("A_%d(%v): Taylor and asymptotic references differ by %.3g relative", n, z, f)
			}
		}
	}
}

// TestMillsClosedForms checks exact values: A_0(0) = √(π/2), mean excess
// √(2/π) and variance 1 − 2/π at z = 0 (THEORY.md §4.2, GR-2), and the
// regime boundary z = 4 (continued fraction and erfc forms agree).
func TestMillsClosedForms(t *testing.T) {
	t.Parallel()
	if got, want := mills(0), math.Sqrt(math.Pi/2); relErr(got, want) > 1e-15 {
		t.Errorf("mills(0) = %v, want √(π/2) = %v", got, want)
	}
	r, v, _ := truncMoments(0)
	if want := math.Sqrt(2 / math.Pi); relErr(r, want) > 1e-15 {
		t.Errorf("mean excess at 0 = %v, want √(2/π) = %v", r, want)
	}
	if want := 1 - 2/math.Pi; relErr(v, want) > 1e-15 {
		t.Errorf("variance at 0 = %v, want 1 − 2/π = %v", v, want)
	}
	// Both regimes at z = cfMin: the erfc form evaluated directly.
	hi, lo := halfSquare(cfMin)
	direct := sqrtHalfPi * math.Exp(hi) * (1 + lo) * math.Erfc(cfMin*invSqrt2)
	if relErr(mills(cfMin), direct) > 1e-14 {
		t.Errorf("mills(%v) = %v by continued fraction, %v by erfc", float64(cfMin), mills(cfMin), direct)
	}
	// Infinite arguments.
	if r, v, l := truncMoments(math.Inf(1)); r != 0 || v != 0 || !math.IsInf(l, -1) {
		t.Errorf("truncMoments(+Inf) = %v, %v, %v, want 0, 0, −Inf", r, v, l)
	}
	if l := logMills(math.Inf(-1)); !math.IsInf(l, 1) {
		t.Errorf("logMills(−Inf) = %v, want +Inf", l)
	}
}
