package dynamics

import "math"

// Truncated-Gaussian moments behind the ReLU, double-well and dReLU hidden
// units (THEORY.md §4.2–4.3, SIMULATOR.md §3). With
//
//	A_n(z) = ∫₀^∞ uⁿ e^(−u²/2 − zu) du,
//
// A_0 is the Mills ratio Φ̃(z) = (1 − Φ(z))/φ(z) = √(π/2) erfcx(z/√2), and
// if Y is a standard normal variable conditioned on Y > z, then
//
//	E[Y − z] = A_1/A_0,   Var[Y] = A_2/A_0 − (A_1/A_0)²,
//
// with A_1 = 1 − zA_0 and A_2 = A_0 − zA_1.
//
// Go's math package has Erfc but no Erfcx, so two regimes are used.
//
//   - z < cfMin: A_0 = √(π/2) e^(z²/2) erfc(z/√2), where z² is split exactly
//     (an FMA gives its rounding error) so that e^(z²/2) carries no
//     amplified rounding; for z < 0 the erfc factor lies in (1, 2] and the
//     logarithm is taken term by term, so ln A_0 is finite down to z ≈ −10¹⁵⁴.
//     The mean and variance follow from m = 1/A_0 as r = m − z and
//     v = 1 − m·r; for 0 ≤ z < cfMin their cancellation costs at most a
//     factor of about 100 of the rounding error.
//   - z ≥ cfMin: Laplace's continued fraction
//     A_0 = 1/(z + 1/(z + 2/(z + 3/(z + …)))), evaluated backwards. With its
//     tails T_k = z + (k+1)/T_(k+1) one has A_0 = 1/T_0, A_1/A_0 = 1/T_1 and
//     Var = (z + 4/T_2 − 3/T_3)/(T_1² T_2), free of cancellation.

// cfMin is the z from which the continued fraction is used.
const cfMin = 2.5

const (
	sqrtHalfPi    = 1.25331413731550025120788264240552262881 // √(π/2)
	logSqrtHalfPi = 0.22579135264472743236319686150992087989 // ln √(π/2)
	invSqrt2      = 0.70710678118654752440084436210484903928 // 1/√2
)

// cfDepth returns the number of continued-fraction levels that make the
// truncation error negligible at z ≥ cfMin: the error of the n-level
// truncation decays like e^(−2z√n); 16 + 500/z² levels reach 1e-17 relative
// (checked against high-precision values in the tests).
func cfDepth(z float64) int {
	if z > 40 {
		return 16
	}
	return 16 + int(math.Ceil(500/(z*z)))
}

// cfTails returns the tails T_0..T_3 of Laplace's continued fraction at
// z ≥ cfMin.
func cfTails(z float64) (t0, t1, t2, t3 float64) {
	t := z // T_n ≈ z for the deepest level n
	for k := cfDepth(z) - 1; k >= 3; k-- {
		t = z + float64(k+1)/t // T_k
	}
	t3 = t
	t2 = z + 3/t3
	t1 = z + 2/t2
	t0 = z + 1/t1
	return t0, t1, t2, t3
}

// halfSquare returns z²/2 as an unevaluated sum hi + lo.
func halfSquare(z float64) (hi, lo float64) {
	sq := z * z
	return sq / 2, math.FMA(z, z, -sq) / 2
}

// logMills returns ln A_0(z) = ln Φ̃(z). Special cases: ln A_0(+Inf) = −Inf,
// ln A_0(−Inf) = +Inf, NaN for NaN.
func logMills(z float64) float64 {
	switch {
	case math.IsNaN(z):
		return z
	case math.IsInf(z, 1):
		return math.Inf(-1)
	case math.IsInf(z, -1):
		return math.Inf(1)
	case z >= cfMin:
		t0, _, _, _ := cfTails(z)
		return -math.Log(t0)
	}
	hi, lo := halfSquare(z)
	return hi + (lo + logSqrtHalfPi + math.Log(math.Erfc(z*invSqrt2)))
}

// mills returns A_0(z) = Φ̃(z). It overflows to +Inf below z ≈ −37.7.
func mills(z float64) float64 {
	if z >= cfMin {
		t0, _, _, _ := cfTails(z)
		return 1 / t0
	}
	hi, lo := halfSquare(z)
	return sqrtHalfPi * math.Exp(hi) * (1 + lo) * math.Erfc(z*invSqrt2)
}

// truncMoments returns the mean excess r = E[Y − z] and the variance v of a
// standard normal Y conditioned on Y > z, and ln A_0(z). For z → −∞, r ≈ −z
// and v → 1; for z → +∞, r ≈ 1/z and v ≈ 1/z².
func truncMoments(z float64) (r, v, logA0 float64) {
	if z >= cfMin && !math.IsInf(z, 1) {
		t0, t1, t2, t3 := cfTails(z)
		v = (z + 4/t2 - 3/t3) / t2 / t1 / t1
		return 1 / t1, v, -math.Log(t0)
	}
	if math.IsInf(z, 1) {
		return 0, 0, math.Inf(-1)
	}
	logA0 = logMills(z)
	m := math.Exp(-logA0) // inverse Mills ratio φ(z)/(1 − Φ(z))
	r = m - z
	return r, 1 - m*r, logA0
}
