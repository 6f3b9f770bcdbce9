package ring

import (
	"fmt"
	"math"
)

// XY is the discretised XY (clock, Potts-like) ring of the paper's
// eqs 13–16: N sites with states v_i ∈ {0, …, P−1}, the angles
// θ_i = 2πv_i/P, at inverse temperature Beta,
//
//	p(v) = exp(β Σ_i cos(2π(v_i − v_{i+1})/P)) / Z,   v_N ≡ v_0.
//
// The paper uses N = 100, P = 10, β = 1.5. For P = 2 it is the Ising ring
// at the same β.
type XY struct {
	N    int
	P    int
	Beta float64
}

func init() {
	RegisterModel(ModelSpec{
		Name:     "xy",
		Order:    20,
		Usage:    "discretised XY ring of P-state Potts variables, p(v) ∝ exp(β Σ cos(2π(v_i − v_{i+1})/P)) (eqs 14–15)",
		Defaults: []Param{{"n", 100}, {"p", 10}, {"beta", 1.5}},
		New: func(p map[string]float64) (Model, error) {
			n, err := intParam(p, "n")
			if err != nil {
				return nil, err
			}
			q, err := intParam(p, "p")
			return XY{N: n, P: q, Beta: p["beta"]}, err
		},
	})
}

// Validate returns an error unless N ≥ 2, 2 ≤ P ≤ MaxStates and Beta is
// finite and ≥ 0.
func (m XY) Validate() error {
	if m.N < 2 {
		return fmt.Errorf("ring: XY ring needs N ≥ 2 sites, have N = %d", m.N)
	}
	if m.P < 2 || m.P > MaxStates {
		return fmt.Errorf("ring: XY ring needs 2 ≤ P ≤ %d states, have P = %d", MaxStates, m.P)
	}
	if math.IsNaN(m.Beta) || math.IsInf(m.Beta, 0) || m.Beta < 0 {
		return fmt.Errorf("ring: XY inverse temperature β = %v must be finite and ≥ 0", m.Beta)
	}
	return nil
}

// Name returns "xy".
func (m XY) Name() string { return "xy" }

// Params returns n, p and beta.
func (m XY) Params() []Param {
	return []Param{{"n", float64(m.N)}, {"p", float64(m.P)}, {"beta", m.Beta}}
}

// Sites returns N.
func (m XY) Sites() int { return m.N }

// States returns P.
func (m XY) States() int { return m.P }

// cosTable returns cos(2πv/P) for v = 0..P-1, exact at the multiples of
// π/2 so that symmetric entries are identical.
func cosTable(p int) []float64 {
	c := make([]float64, p)
	for v := range c {
		switch {
		case v == 0:
			c[v] = 1
		case 4*v == p || 4*v == 3*p:
			c[v] = 0
		case 2*v == p:
			c[v] = -1
		case v > p/2:
			c[v] = c[p-v]
		default:
			c[v] = math.Cos(2 * math.Pi * float64(v) / float64(p))
		}
	}
	return c
}

// kernelWeights returns w_v = exp(β(cos(2πv/P) − 1)), the transfer matrix
// T(a, a+v) divided by e^β, for v = 0..P-1; every entry lies in (0, 1].
func (m XY) kernelWeights() []float64 {
	c := cosTable(m.P)
	w := make([]float64, m.P)
	for v := range w {
		w[v] = math.Exp(m.Beta * (c[v] - 1))
	}
	return w
}

// TransferEigenvalues writes the eigenvalues of the transfer matrix
// T(a, b) = exp(β cos(2π(a−b)/P)) into dst and returns it (eq 29):
//
//	λ_p(β) = Σ_v exp(β cos(2πv/P)) cos(2πvp/P) = P Σ_m I_|p+mP|(β),
//
// for p = 0..P-1, with I_n the modified Bessel functions (THEORY.md §2.6).
// λ_p = λ_{P−p} > 0 and λ_0 is the largest. The sum is formed as
// e^β Σ_v exp(β(cos − 1)) cos(2πvp/P), accurate to rounding relative to
// λ_0, so λ_p far below λ_0 (large p, small β) carry absolute errors of
// order 10⁻¹⁶ λ_0; negative results of such rounding are returned as 0.
// The values overflow to +Inf for β above about 709; Rho does not. A nil
// dst is allocated; a dst of another length than P panics.
func (m XY) TransferEigenvalues(dst []float64) []float64 {
	dst = m.scaledEigenvalues(dst)
	eb := math.Exp(m.Beta)
	for p := range dst {
		dst[p] *= eb
	}
	return dst
}

// scaledEigenvalues writes λ_p e^(−β) into dst.
func (m XY) scaledEigenvalues(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, m.P)
	}
	if len(dst) != m.P {
		panic("ring: destination length mismatch")
	}
	w := m.kernelWeights()
	c := cosTable(m.P)
	for p := range dst {
		var s float64
		for v, x := range w {
			s += x * c[v*p%m.P]
		}
		dst[p] = math.Max(s, 0)
	}
	return dst
}

// Rho writes ρ_p = λ_p/λ_0 ∈ [0, 1], p = 0..P-1, into dst and returns it
// (THEORY.md §2.6); ρ_0 = 1. It does not overflow at any β. At β = 0,
// ρ_p = 0 for p ≠ 0. A nil dst is allocated; a dst of another length than
// P panics.
func (m XY) Rho(dst []float64) []float64 {
	dst = m.scaledEigenvalues(dst)
	l0 := dst[0]
	for p := range dst {
		dst[p] /= l0
	}
	dst[0] = 1
	return dst
}

// RhoGap writes 1 − ρ_p = (λ_0 − λ_p)/λ_0, p = 0..P-1, into dst and
// returns it (THEORY.md §2.6), formed without cancellation as
//
//	1 − ρ_p = Σ_v w_v (1 − cos(2πvp/P)) / Σ_v w_v,   w_v = e^(β(cos(2πv/P) − 1)),
//
// with 1 − cos x = 2 sin²(x/2), every term ≥ 0. Deep in the ordered phase
// ρ_1 rounds to 1 (β ≳ 40 for P = 10) while 1 − ρ_1 ≈ 2e^(−β(1−cos(2π/P)))
// keeps full relative accuracy, as the top Pearson eigenvalue of eq 30,
// ∝ (1 + ρ_1)/(1 − ρ_1), needs. RhoGap[0] = 0; at β = 0 the others are 1.
// It underflows to 0 only where e^(−β(1−cos(2π/P))) does (β ≳ 3900 for
// P = 10). A nil dst is allocated; a dst of another length than P panics.
func (m XY) RhoGap(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, m.P)
	}
	if len(dst) != m.P {
		panic("ring: destination length mismatch")
	}
	w := m.kernelWeights()
	// h[r] = 1 − cos(2πr/P) = 2 sin²(πr/P), from the nearer of r and P−r.
	h := make([]float64, m.P)
	for r := range h {
		s := math.Sin(math.Pi * float64(min(r, m.P-r)) / float64(m.P))
		h[r] = 2 * s * s
	}
	var z float64
	for _, x := range w {
		z += x
	}
	for p := range dst {
		var s float64
		for v, x := range w {
			s += x * h[v*p%m.P]
		}
		dst[p] = s / z
	}
	return dst
}

// LogZ returns ln Z = ln Σ_p λ_p^N = N ln λ_0 + ln Σ_p ρ_p^N (THEORY.md
// §2.6, §2.10), without overflow. Special case: ln Z(β=0) = N ln P.
func (m XY) LogZ() float64 {
	s := m.scaledEigenvalues(nil)
	rho := m.Rho(nil)
	var sum float64
	for _, r := range rho {
		sum += powInt(r, m.N)
	}
	return float64(m.N)*(m.Beta+math.Log(s[0])) + math.Log(sum)
}

// G returns the exact finite-N two-point function of THEORY.md §2.7,
//
//	g_p(d) = Σ_p' ρ_{p'+p}^d ρ_{p'}^(N−d) / Σ_p' ρ_{p'}^N,   indices mod P,
//
// for 0 ≤ d ≤ N, through which P(v_i = a, v_{i+d} = b) =
// (1/P²) Σ_p g_p(d) cos(2πp(a−b)/P). g_0 ≡ 1, g_p(0) = g_p(N) = 1,
// g_p = g_{P−p} and g_p(N−d) = g_p(d). For P = 2, g_1 is the Ising C(d).
// It panics if d is outside [0, N].
func (m XY) G(p, d int) float64 {
	if d < 0 || d > m.N {
		panic(fmt.Sprintf("ring: correlation distance %d outside [0, %d]", d, m.N))
	}
	g := m.gTable(d, d)
	return g[((p%m.P)+m.P)%m.P]
}

// gTable returns g_p(d) for p = 0..P-1 and every d in [d0, d1], as
// g[(d−d0)·P + p].
func (m XY) gTable(d0, d1 int) []float64 {
	rho := m.Rho(nil)
	var z float64
	for _, r := range rho {
		z += powInt(r, m.N)
	}
	out := make([]float64, (d1-d0+1)*m.P)
	pw := make([]float64, m.P)  // ρ_p^d
	pwc := make([]float64, m.P) // ρ_p^(N−d)
	for d := d0; d <= d1; d++ {
		for p, r := range rho {
			pw[p] = powInt(r, d)
			pwc[p] = powInt(r, m.N-d)
		}
		for p := range m.P {
			var s float64
			for q := range m.P {
				s += pw[(q+p)%m.P] * pwc[q]
			}
			out[(d-d0)*m.P+p] = s / z
		}
	}
	return out
}

// Pearson returns the exact Pearson correlation of the one-hot indicators
// x_{i,a} = δ(v_i, a) and x_{i+d,b} (THEORY.md §2.7, eq 28 at finite N),
//
//	C_d(a, b) = Cov(x_{i,a}, x_{i+d,b}) / ((P−1)/P²)
//	          = (1/(P−1)) Σ_{p=1}^{P−1} g_p(d) cos(2πp(a−b)/P),
//
// for 0 ≤ d ≤ N and states a, b. On a site, C_0(a, a) = 1 and
// C_0(a, b) = −1/(P−1) for a ≠ b. It panics if d is outside [0, N] or a
// state is outside [0, P).
func (m XY) Pearson(d, a, b int) float64 {
	if a < 0 || a >= m.P || b < 0 || b >= m.P {
		panic(fmt.Sprintf("ring: states (%d, %d) outside [0, %d)", a, b, m.P))
	}
	if d < 0 || d > m.N {
		panic(fmt.Sprintf("ring: correlation distance %d outside [0, %d]", d, m.N))
	}
	g := m.gTable(d, d)
	c := cosTable(m.P)
	var s float64
	for p := 1; p < m.P; p++ {
		s += g[p] * c[(p*(((a-b)%m.P)+m.P))%m.P]
	}
	return s / float64(m.P-1)
}

// Encoding returns P one-hot features per site (feature b of state a is
// δ_ab) with population mean 1/P and standard deviation √(P−1)/P, and the
// Pearson normalisation of the paper (THEORY.md §2.7).
func (m XY) Encoding() Encoding {
	e := Encoding{Features: m.P, Values: make([]float64, m.P*m.P),
		Mean: make([]float64, m.P), SD: make([]float64, m.P), Normalisation: Pearson}
	for a := range m.P {
		e.Values[a*m.P+a] = 1
		e.Mean[a] = 1 / float64(m.P)
		e.SD[a] = math.Sqrt(float64(m.P-1)) / float64(m.P)
	}
	return e
}

// Kernel writes the Pearson blocks C_d(a, b) of Pearson for d = 0..N-1
// into dst[d·P² + a·P + b] and returns it. A nil dst is allocated; a dst of
// another length than N·P² panics.
func (m XY) Kernel(dst []float64) []float64 {
	p := m.P
	if dst == nil {
		dst = make([]float64, m.N*p*p)
	}
	if len(dst) != m.N*p*p {
		panic("ring: destination length mismatch")
	}
	g := m.gTable(0, m.N-1)
	c := cosTable(p)
	row := make([]float64, p) // C_d as a function of (a−b) mod P
	for d := range m.N {
		for delta := range p {
			var s float64
			for q := 1; q < p; q++ {
				s += g[d*p+q] * c[q*delta%p]
			}
			row[delta] = s / float64(p-1)
		}
		blk := dst[d*p*p : (d+1)*p*p]
		for a := range p {
			for b := range p {
				blk[a*p+b] = row[((a-b)%p+p)%p]
			}
		}
	}
	return dst
}

// NewData returns NewPotts(N, count, P).
func (m XY) NewData(count int) Data { return NewPotts(m.N, count, m.P) }

// NewSampler returns NewXYExact(m).
func (m XY) NewSampler() DataSampler { return NewXYExact(m) }

// powInt returns x^n for x ∈ [0, 1] and n ≥ 0, with 0^0 = 1.
func powInt(x float64, n int) float64 {
	if n == 0 {
		return 1
	}
	return math.Pow(x, float64(n))
}
