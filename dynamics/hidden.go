package dynamics

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/integrate/quad"
)

// Hidden is the potential U(h) of a hidden unit, through its cumulant
// generating function (THEORY.md §4.1–4.3, SIMULATOR.md §2–3)
//
//	Γ(I) = ln ∫ dh e^(−U(h) + hI)   (a sum for discrete units),
//
// whose derivatives are the conditional mean Γ'(I) = E[h | I] and variance
// Γ″(I) = Var[h | I] of the unit given its input I = Σ_i w_i v_i.
//
// Every implementation evaluates Γ, Γ' and Γ″ without overflow or
// cancellation for |I| up to 10³ at least (THEORY.md §4.3), and draws exact
// samples of p(h | I) ∝ e^(−U(h) + hI). A NaN input gives NaN; Sample
// never replaces a draw whose probability underflows by a constant.
type Hidden interface {
	// Gamma returns Γ(I).
	Gamma(I float64) float64
	// Mean returns Γ'(I) = E[h | I].
	Mean(I float64) float64
	// Var returns Γ″(I) = Var[h | I] > 0.
	Var(I float64) float64
	// Sample draws h from p(h | I) using rnd.
	Sample(I float64, rnd *rand.Rand) float64
	// Validate returns an error if a parameter is out of its domain.
	Validate() error
	// String names the unit and its parameters.
	String() string
}

// HiddenRates writes the linear growth rates σ_k = Var₀·(λ_k − sigmaV2)
// of a hidden unit h into dst and returns it (THEORY.md §4.5), with
// Var₀ = h.Var(0) the variance of the unit at zero input. sigmaV2 is the
// variance of a visible unit: 1 for ±1 data with zero mean, φ(1−φ) for
// {0,1} data of density φ. A nil dst is allocated; a dst of another length
// than lambda panics.
func HiddenRates(dst, lambda []float64, h Hidden, sigmaV2 float64) []float64 {
	return LinearRates(dst, lambda, h.Var(0), sigmaV2)
}

// Numerically stable elementary functions (THEORY.md §4.3).

// logistic returns σ(x) = 1/(1+e^(−x)), computed on the side where the
// exponential cannot overflow.
func logistic(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus returns ln(1 + e^x) = max(x, 0) + log1p(e^(−|x|)).
func softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// logAddExp returns ln(e^a + e^b).
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// Spin is a ±1 hidden unit with field C, U(h) = −C·h:
//
//	Γ(I) = ln 2cosh(I+C),   Γ' = tanh(I+C),   Γ″ = 1 − tanh²(I+C).
//
// With C = 0 it is the paper's hidden unit; Var₀ = 1 − tanh²C (GR-6).
type Spin struct {
	C float64
}

// Gamma implements Hidden: ln 2cosh x = |x| + log1p(e^(−2|x|)).
func (u Spin) Gamma(I float64) float64 {
	x := math.Abs(I + u.C)
	return x + math.Log1p(math.Exp(-2*x))
}

// Mean implements Hidden.
func (u Spin) Mean(I float64) float64 { return math.Tanh(I + u.C) }

// Var implements Hidden: 1/cosh²x = 4e/(1+e)² with e = e^(−2|x|), which
// keeps full relative precision in the tails.
func (u Spin) Var(I float64) float64 {
	e := math.Exp(-2 * math.Abs(I+u.C))
	return 4 * e / ((1 + e) * (1 + e))
}

// Sample implements Hidden: +1 with probability σ(2(I+C)).
func (u Spin) Sample(I float64, rnd *rand.Rand) float64 {
	p := logistic(2 * (I + u.C))
	if math.IsNaN(p) {
		return p
	}
	if rnd.Float64() < p {
		return 1
	}
	return -1
}

// Validate implements Hidden: C must be finite.
func (u Spin) Validate() error { return finite("Spin", "C", u.C) }

func (u Spin) String() string { return fmt.Sprintf("spin ±1 (c = %g)", u.C) }

// Bernoulli is a {0,1} hidden unit with field G, U(h) = −G·h:
//
//	Γ(I) = softplus(I+G),   Γ' = σ(I+G),   Γ″ = σ(I+G)·σ(−I−G).
//
// Var₀ = σ(G)(1 − σ(G)) (GR-6); Γ'(0) = σ(G) ≠ 0.
type Bernoulli struct {
	G float64
}

// Gamma implements Hidden.
func (u Bernoulli) Gamma(I float64) float64 { return softplus(I + u.G) }

// Mean implements Hidden.
func (u Bernoulli) Mean(I float64) float64 { return logistic(I + u.G) }

// Var implements Hidden.
func (u Bernoulli) Var(I float64) float64 { return logistic(I+u.G) * logistic(-I-u.G) }

// Sample implements Hidden: 1 with probability σ(I+G).
func (u Bernoulli) Sample(I float64, rnd *rand.Rand) float64 {
	p := logistic(I + u.G)
	if math.IsNaN(p) {
		return p
	}
	if rnd.Float64() < p {
		return 1
	}
	return 0
}

// Validate implements Hidden: G must be finite.
func (u Bernoulli) Validate() error { return finite("Bernoulli", "G", u.G) }

func (u Bernoulli) String() string { return fmt.Sprintf("Bernoulli {0,1} (g = %g)", u.G) }

// Gaussian is a real hidden unit with U(h) = GammaH·h²/2 + Theta·h:
//
//	Γ(I) = (I−θ)²/(2γ_h) + ½ ln(2π/γ_h),   Γ' = (I−θ)/γ_h,   Γ″ = 1/γ_h.
type Gaussian struct {
	GammaH, Theta float64
}

// Gamma implements Hidden.
func (u Gaussian) Gamma(I float64) float64 {
	d := I - u.Theta
	return d*d/(2*u.GammaH) + 0.5*math.Log(2*math.Pi/u.GammaH)
}

// Mean implements Hidden.
func (u Gaussian) Mean(I float64) float64 { return (I - u.Theta) / u.GammaH }

// Var implements Hidden.
func (u Gaussian) Var(I float64) float64 {
	if math.IsNaN(I) {
		return I
	}
	return 1 / u.GammaH
}

// Sample implements Hidden: (I−θ)/γ_h + N(0,1)/√γ_h.
func (u Gaussian) Sample(I float64, rnd *rand.Rand) float64 {
	return u.Mean(I) + rnd.NormFloat64()/math.Sqrt(u.GammaH)
}

// Validate implements Hidden: γ_h > 0 and θ finite.
func (u Gaussian) Validate() error {
	return checkGammaTheta("Gaussian", "GammaH", u.GammaH, "Theta", u.Theta)
}

func (u Gaussian) String() string {
	return fmt.Sprintf("Gaussian (γ_h = %g, θ = %g)", u.GammaH, u.Theta)
}

// ReLU is the one-sided rectified Gaussian unit, h ≥ 0 with
// U(h) = GammaH·h²/2 + Theta·h. With z = (θ − I)/√γ_h and the Mills ratio
// Φ̃ (THEORY.md §4.2),
//
//	Γ(I) = ln Φ̃(z) − ½ ln γ_h,   Γ' = (m(z) − z)/√γ_h,
//	Γ″ = (1 + z·m(z) − m(z)²)/γ_h,   m = 1/Φ̃.
//
// At θ = 0: mean √(2/(πγ_h)), Var₀ = (1 − 2/π)/γ_h (GR-2).
type ReLU struct {
	GammaH, Theta float64
}

func (u ReLU) z(I float64) float64 { return (u.Theta - I) / math.Sqrt(u.GammaH) }

// Gamma implements Hidden.
func (u ReLU) Gamma(I float64) float64 { return logMills(u.z(I)) - 0.5*math.Log(u.GammaH) }

// Mean implements Hidden.
func (u ReLU) Mean(I float64) float64 {
	r, _, _ := truncMoments(u.z(I))
	return r / math.Sqrt(u.GammaH)
}

// Var implements Hidden.
func (u ReLU) Var(I float64) float64 {
	_, v, _ := truncMoments(u.z(I))
	return v / u.GammaH
}

// Sample implements Hidden: h = (Y − z)/√γ_h with Y a standard normal
// variable truncated to Y > z (Robert 1995).
func (u ReLU) Sample(I float64, rnd *rand.Rand) float64 {
	return truncNormalExcess(u.z(I), rnd) / math.Sqrt(u.GammaH)
}

// Validate implements Hidden: γ_h > 0 and θ finite.
func (u ReLU) Validate() error { return checkGammaTheta("ReLU", "GammaH", u.GammaH, "Theta", u.Theta) }

func (u ReLU) String() string { return fmt.Sprintf("ReLU (γ_h = %g, θ = %g)", u.GammaH, u.Theta) }

// DReLU is the double-sided rectified unit of the PGM convention
// (THEORY.md §4.2):
//
//	U(h) = γ₊(h⁺)²/2 + θ₊h⁺ + γ₋(h⁻)²/2 + θ₋h⁻,   h⁺ = max(h,0), h⁻ = max(−h,0).
//
// With z± = (θ± ∓ I)/√γ±, ln Z± = ln Φ̃(z±) − ½ ln γ±, branch weights
// p₊ = σ(ln Z₊ − ln Z₋) = 1 − p₋, branch means μ± = (m(z±) − z±)/√γ± and
// variances v± = (1 + z±m(z±) − m(z±)²)/γ±,
//
//	Γ = logaddexp(ln Z₊, ln Z₋),   Γ' = p₊μ₊ − p₋μ₋,
//	Γ″ = p₊v₊ + p₋v₋ + p₊p₋(μ₊ + μ₋)²   (law of total variance).
type DReLU struct {
	GammaPlus, GammaMinus, ThetaPlus, ThetaMinus float64
}

// branches returns the log-partition functions, means and variances of
// the two branches.
func (u DReLU) branches(I float64) (lzP, lzM, muP, muM, vP, vM float64) {
	sp, sm := math.Sqrt(u.GammaPlus), math.Sqrt(u.GammaMinus)
	rP, vp, lP := truncMoments((u.ThetaPlus - I) / sp)
	rM, vm, lM := truncMoments((u.ThetaMinus + I) / sm)
	return lP - math.Log(sp), lM - math.Log(sm), rP / sp, rM / sm, vp / u.GammaPlus, vm / u.GammaMinus
}

// Gamma implements Hidden.
func (u DReLU) Gamma(I float64) float64 {
	lzP, lzM, _, _, _, _ := u.branches(I)
	return logAddExp(lzP, lzM)
}

// Mean implements Hidden. For a symmetric unit (γ₊ = γ₋, θ₊ = θ₋) and
// small |I| the odd form of symmetricMean replaces p₊μ₊ − p₋μ₋, whose two
// terms cancel to Var₀·I.
func (u DReLU) Mean(I float64) float64 {
	if u.GammaPlus == u.GammaMinus && u.ThetaPlus == u.ThetaMinus {
		if m, ok := symmetricMean(I, u.GammaPlus, u.ThetaPlus); ok {
			return m
		}
	}
	lzP, lzM, muP, muM, _, _ := u.branches(I)
	pP, pM := logistic(lzP-lzM), logistic(lzM-lzP)
	return pP*muP - pM*muM
}

// MeanAbs returns E[|h| | I] = p₊μ₊ + p₋μ₋, the statistic of the θ
// gradient of the double well (THEORY.md §4.4).
func (u DReLU) MeanAbs(I float64) float64 {
	lzP, lzM, muP, muM, _, _ := u.branches(I)
	return logistic(lzP-lzM)*muP + logistic(lzM-lzP)*muM
}

// Var implements Hidden.
func (u DReLU) Var(I float64) float64 {
	lzP, lzM, muP, muM, vP, vM := u.branches(I)
	pP, pM := logistic(lzP-lzM), logistic(lzM-lzP)
	s := muP + muM
	return pP*vP + pM*vM + pP*pM*s*s
}

// Sample implements Hidden: the positive branch with probability p₊, then
// a truncated normal draw on that branch (Robert 1995).
func (u DReLU) Sample(I float64, rnd *rand.Rand) float64 {
	sp, sm := math.Sqrt(u.GammaPlus), math.Sqrt(u.GammaMinus)
	zP, zM := (u.ThetaPlus-I)/sp, (u.ThetaMinus+I)/sm
	pP := logistic(logMills(zP) - math.Log(sp) - logMills(zM) + math.Log(sm))
	if math.IsNaN(pP) {
		return pP
	}
	if rnd.Float64() < pP {
		return truncNormalExcess(zP, rnd) / sp
	}
	return -truncNormalExcess(zM, rnd) / sm
}

// Validate implements Hidden: γ± > 0 and θ± finite.
func (u DReLU) Validate() error {
	if err := checkGammaTheta("DReLU", "GammaPlus", u.GammaPlus, "ThetaPlus", u.ThetaPlus); err != nil {
		return err
	}
	return checkGammaTheta("DReLU", "GammaMinus", u.GammaMinus, "ThetaMinus", u.ThetaMinus)
}

func (u DReLU) String() string {
	return fmt.Sprintf("dReLU (γ₊ = %g, γ₋ = %g, θ₊ = %g, θ₋ = %g)", u.GammaPlus, u.GammaMinus, u.ThetaPlus, u.ThetaMinus)
}

// DoubleWell is the paper's real hidden unit, U(h) = h²/2 + Theta·|h|, a
// DReLU with γ± = 1 and θ± = θ (THEORY.md §4.2):
//
//	Γ(I) = ln[Φ̃(θ − I) + Φ̃(θ + I)],   Var₀ = 1 + θ² − θ·m(θ).
//
// θ = 0 is the unit-precision Gaussian; θ < 0 gives two wells at ±|θ| and
// tends to a binary unit ±|θ| as θ → −∞; θ > 0 concentrates h near 0.
type DoubleWell struct {
	Theta float64
}

func (u DoubleWell) dReLU() DReLU { return DReLU{1, 1, u.Theta, u.Theta} }

// Gamma implements Hidden.
func (u DoubleWell) Gamma(I float64) float64 { return u.dReLU().Gamma(I) }

// Mean implements Hidden.
func (u DoubleWell) Mean(I float64) float64 { return u.dReLU().Mean(I) }

// MeanAbs returns E[|h| | I], the statistic of the θ gradient.
func (u DoubleWell) MeanAbs(I float64) float64 { return u.dReLU().MeanAbs(I) }

// Var implements Hidden.
func (u DoubleWell) Var(I float64) float64 { return u.dReLU().Var(I) }

// Sample implements Hidden.
func (u DoubleWell) Sample(I float64, rnd *rand.Rand) float64 { return u.dReLU().Sample(I, rnd) }

// Validate implements Hidden: θ must be finite.
func (u DoubleWell) Validate() error { return finite("DoubleWell", "Theta", u.Theta) }

func (u DoubleWell) String() string {
	return fmt.Sprintf("double well h²/2 + θ|h| (θ = %g)", u.Theta)
}

// symmetricMean returns E[h | I] of the symmetric unit
// U = γh²/2 + θ|h| for small |I|, and false where the direct form
// p₊μ₊ − p₋μ₋ is used instead. With x = I/√γ, t = θ/√γ, A_n of mills.go
// and A_1' = −A_2,
//
//	E[h | I] = (A_1(t−x) − A_1(t+x)) / ((A_0(t−x) + A_0(t+x))√γ)
//	         = ∫_(t−x)^(t+x) A_2(z) dz / ((A_0(t−x) + A_0(t+x))√γ),
//
// an odd function of I whose numerator is an integral of a positive
// function: no cancellation. The integral is the 8-point Gauss–Legendre
// rule on |x| ≤ 1/c, with c = 2.5 − t for t < 0 (the Gaussian growth
// e^(z²/2) of A_n), 2.5 up to t = 20 and 50/t beyond (A_2 ≈ 2/z³); there
// its relative error is below 1e-16 (checked against 80-digit values),
// and beyond it the direct form loses at most a few tens of ulps to
// cancellation. Every A_n is scaled by A_0(t) through millsRatio.
func symmetricMean(I, gamma, theta float64) (float64, bool) {
	s := math.Sqrt(gamma)
	x, t := I/s, theta/s
	c := 2.5
	switch {
	case t < 0:
		c = 2.5 - t
	case t > 20:
		c = 50 / t
	}
	if !(math.Abs(x)*c <= 1) { // also NaN
		return 0, false
	}
	if x == 0 {
		return I, true // ±0
	}
	var num float64
	for k, xi := range glNodes {
		for _, d := range [2]float64{-x * xi, x * xi} {
			num += glWeights[k] * millsRatio(t, d) * secondMoment(t+d)
		}
	}
	num *= x
	den := millsRatio(t, -x) + millsRatio(t, x)
	return num / den / s, true
}

// millsRatio returns A_0(t+d)/A_0(t). Below cfMin it is
// e^(d(2t+d)/2)·erfc((t+d)/√2)/erfc(t/√2), which keeps full relative
// precision where ln A_0 ≈ t²/2 is large (t ≪ 0) and a difference of
// logarithms would lose |t|²·ε.
func millsRatio(t, d float64) float64 {
	z := t + d
	if t < cfMin && z < cfMin {
		return math.Exp(d*(2*t+d)/2) * (math.Erfc(z*invSqrt2) / math.Erfc(t*invSqrt2))
	}
	return math.Exp(logMills(z) - logMills(t))
}

// secondMoment returns A_2(z)/A_0(z) = E[(Y − z)²] for a standard normal
// Y conditioned on Y > z, without cancellation: 1 − z·r (a sum of
// non-negative terms for z ≤ 0, a loss of at most a few ulps up to cfMin)
// and 2/(T_1·T_2) from the continued fraction beyond (A_2/A_0 = 1 − z/T_1
// and T_1 = z + 2/T_2).
func secondMoment(z float64) float64 {
	if z >= cfMin {
		_, t1, t2, _ := cfTails(z)
		return 2 / (t1 * t2)
	}
	r, _, _ := truncMoments(z)
	return 1 - z*r
}

// glNodes and glWeights are the positive nodes and their weights of the
// 8-point Gauss–Legendre rule on [−1, 1] (each node ±ξ has the weight).
var glNodes, glWeights = gaussLegendre8()

func gaussLegendre8() ([4]float64, [4]float64) {
	x, w := make([]float64, 8), make([]float64, 8)
	quad.Legendre{}.FixedLocations(x, w, -1, 1)
	var nodes, weights [4]float64
	for k := range 4 {
		nodes[k], weights[k] = x[4+k], w[4+k]
	}
	return nodes, weights
}

// truncNormalExcess returns Y − a for a standard normal Y conditioned on
// Y ≥ a: plain rejection for a ≤ 0 (acceptance ≥ ½), and for a > 0 the
// exponential-proposal rejection of Robert (1995, Stat. Comput. 5, 121):
// rate α = (a + √(a²+4))/2, proposal Y = a + E/α with E ~ Exp(1), accepted
// with probability exp(−(Y − α)²/2). Returning the excess E/α directly keeps
// full precision for large a. NaN for NaN a; +Inf a gives 0 (the limit).
func truncNormalExcess(a float64, rnd *rand.Rand) float64 {
	switch {
	case math.IsNaN(a):
		return a
	case math.IsInf(a, 1):
		return 0
	case a <= 0:
		for {
			if x := rnd.NormFloat64(); x >= a {
				return x - a
			}
		}
	}
	s := math.Sqrt(a*a + 4)
	if math.IsInf(s, 1) {
		s = math.Abs(a) * math.Sqrt(1+4/a/a)
	}
	alpha := (a + s) / 2
	gap := 2 / (s + a) // α − a without cancellation
	for {
		e := rnd.ExpFloat64() / alpha
		d := e - gap // Y − α
		if rnd.Float64() < math.Exp(-d*d/2) {
			return e
		}
	}
}

func finite(unit, name string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("dynamics: %s hidden unit: %s = %v must be finite", unit, name, x)
	}
	return nil
}

func checkGammaTheta(unit, gName string, g float64, tName string, th float64) error {
	if !(g > 0) || math.IsInf(g, 1) {
		return fmt.Errorf("dynamics: %s hidden unit: %s = %v must be positive and finite", unit, gName, g)
	}
	return finite(unit, tName, th)
}
