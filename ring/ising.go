package ring

import (
	"fmt"
	"math"
)

// Ising is the periodic Ising ring of N ±1 spins at inverse temperature Beta
// with unit couplings (the paper's eq 8):
//
//	p(v) = exp(β Σ_i v_i v_{i+1}) / Z,   v_N ≡ v_0.
type Ising struct {
	N    int
	Beta float64
}

// Validate returns an error unless N ≥ 2 and Beta is finite and ≥ 0.
func (m Ising) Validate() error {
	if m.N < 2 {
		return fmt.Errorf("ring: Ising ring needs N ≥ 2 sites, have N = %d", m.N)
	}
	if math.IsNaN(m.Beta) || math.IsInf(m.Beta, 0) || m.Beta < 0 {
		return fmt.Errorf("ring: Ising inverse temperature β = %v must be finite and ≥ 0", m.Beta)
	}
	return nil
}

// Rho returns ρ = tanh β, the transfer-matrix eigenvalue ratio
// 2 sinh β / 2 cosh β (THEORY.md §2.1).
func (m Ising) Rho() float64 { return math.Tanh(m.Beta) }

// CorrelationLength returns ξ = 1/ln coth β of the infinite ring (eq 9).
// ξ → 0 as β → 0 and ξ ≈ e^(2β)/2 for large β.
//
// ln coth β = ln(1 + e^(−2β)) − ln(1 − e^(−2β)) is evaluated with log1p
// and expm1, which keeps full relative precision both for large β, where
// coth β − 1 ≈ 2e^(−2β), and for small β.
// Special cases: ξ(0) = 0.
func (m Ising) CorrelationLength() float64 { return -1 / logTanh(m.Beta) }

// Correlation returns the exact finite-ring correlation
//
//	C(d) = ⟨v_i v_{i+d}⟩ = (ρ^d + ρ^(N−d)) / (1 + ρ^N),   0 ≤ d ≤ N,
//
// (THEORY.md §2.1). Powers are computed as ρ^n = exp(n ln ρ) with ln ρ from
// log1p, so large β and large N neither lose precision nor overflow.
// Special cases: C(0) = C(N) = 1 for every β; at β = 0, C(d) = 0 for
// 0 < d < N. It panics if d is outside [0, N].
func (m Ising) Correlation(d int) float64 {
	if d < 0 || d > m.N {
		panic(fmt.Sprintf("ring: correlation distance %d outside [0, %d]", d, m.N))
	}
	lr := logTanh(m.Beta)
	return (powRho(lr, d) + powRho(lr, m.N-d)) / (1 + powRho(lr, m.N))
}

// CorrelationRow writes C(d) for d = 0..N-1 into dst (the first row of the
// circulant correlation matrix) and returns it. A nil dst is allocated; a
// dst of another length panics.
func (m Ising) CorrelationRow(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, m.N)
	}
	if len(dst) != m.N {
		panic("ring: destination length mismatch")
	}
	lr := logTanh(m.Beta)
	den := 1 + powRho(lr, m.N)
	for d := range dst {
		dst[d] = (powRho(lr, d) + powRho(lr, m.N-d)) / den
	}
	return dst
}

// LogZ returns ln Z = ln[(2 cosh β)^N + (2 sinh β)^N], without overflow.
//
// It is evaluated as (THEORY.md §2.1, §2.10)
//
//	ln Z = N [β + log1p(e^(−2β))] + log1p(ρ^N),
//
// which is finite for every finite β and N. Special case: ln Z(β=0) = N ln 2.
func (m Ising) LogZ() float64 {
	logLambda0 := m.Beta + math.Log1p(math.Exp(-2*m.Beta)) // ln(2 cosh β)
	return float64(m.N)*logLambda0 + math.Log1p(powRho(logTanh(m.Beta), m.N))
}

// BetaFromXi returns the β whose infinite-ring correlation length is xi,
// β = artanh(e^(−1/ξ)).
//
// For ξ > 1/ln 2, where e^(−1/ξ) is close to 1, it is evaluated as
// β = ½[ln(2 + e) − ln(−e)] with e = expm1(−1/ξ), which keeps full
// relative precision.
// Special cases: BetaFromXi(0) = 0, BetaFromXi(+Inf) = +Inf, and NaN for
// ξ < 0 or NaN.
func BetaFromXi(xi float64) float64 {
	if math.IsNaN(xi) || xi < 0 {
		return math.NaN()
	}
	if xi == 0 {
		return 0
	}
	if y := math.Exp(-1 / xi); y < 0.5 {
		return math.Atanh(y)
	}
	e := math.Expm1(-1 / xi)
	return 0.5 * (math.Log(2+e) - math.Log(-e))
}

// logTanh returns ln tanh β = ln(1 − e^(−2β)) − ln(1 + e^(−2β)) for β ≥ 0,
// −Inf at β = 0. The first term is log1p(−e^(−2β)) for large β and
// ln(−expm1(−2β)) for small β, so both limits keep full relative precision.
func logTanh(beta float64) float64 {
	x := math.Exp(-2 * beta)
	if x < 0.5 {
		return math.Log1p(-x) - math.Log1p(x)
	}
	return math.Log(-math.Expm1(-2*beta)) - math.Log1p(x)
}

// powRho returns ρ^n = exp(n ln ρ) given lr = ln ρ, with ρ^0 = 1 also at
// ρ = 0.
func powRho(lr float64, n int) float64 {
	if n == 0 {
		return 1
	}
	return math.Exp(float64(n) * lr)
}

func init() {
	RegisterModel(ModelSpec{
		Name:     "ising",
		Order:    10,
		Usage:    "periodic Ising ring of ±1 spins, p(v) ∝ exp(β Σ v_i v_{i+1}) (eq 8)",
		Defaults: []Param{{"n", 100}, {"beta", 0.5}},
		New: func(p map[string]float64) (Model, error) {
			n, err := intParam(p, "n")
			return Ising{N: n, Beta: p["beta"]}, err
		},
	})
}

// Name returns "ising".
func (m Ising) Name() string { return "ising" }

// Params returns n and beta.
func (m Ising) Params() []Param {
	return []Param{{"n", float64(m.N)}, {"beta", m.Beta}}
}

// Sites returns N.
func (m Ising) Sites() int { return m.N }

// States returns 2: state 0 is v = −1, state 1 is v = +1.
func (m Ising) States() int { return 2 }

// Encoding returns one feature per site, −1 for state 0 and +1 for state 1,
// with population mean 0 and standard deviation 1 (Z₂ symmetry), and the
// normalisation SecondMoment of the paper's eq 24. Since ⟨v_i⟩ = 0 and
// ⟨v_i²⟩ = 1 the exact matrix is the same in all three normalisations.
func (m Ising) Encoding() Encoding {
	return Encoding{Features: 1, Values: []float64{-1, 1}, Mean: []float64{0}, SD: []float64{1},
		Normalisation: SecondMoment}
}

// Kernel writes the exact correlation C(d), d = 0..N-1, of §2.1: it is
// CorrelationRow.
func (m Ising) Kernel(dst []float64) []float64 { return m.CorrelationRow(dst) }

// NewData returns NewSpins(N, count).
func (m Ising) NewData(count int) Data { return NewSpins(m.N, count) }

// NewSampler returns NewExact(m).
func (m Ising) NewSampler() DataSampler { return NewExact(m) }
