package ring

// Ising is the periodic Ising ring of N ±1 spins at inverse temperature Beta
// with unit couplings (the paper's eq 8):
//
//	p(v) = exp(β Σ_i v_i v_{i+1}) / Z,   v_N ≡ v_0.
type Ising struct {
	N    int
	Beta float64
}

// Validate returns an error unless N ≥ 2 and Beta is finite and ≥ 0.
func (m Ising) Validate() error { panic("unimplemented") }

// Rho returns ρ = tanh β, the transfer-matrix eigenvalue ratio.
func (m Ising) Rho() float64 { panic("unimplemented") }

// CorrelationLength returns ξ = 1/ln coth β of the infinite ring (eq 9),
// +Inf at β = +Inf is not reachable; ξ → 0 as β → 0.
func (m Ising) CorrelationLength() float64 { panic("unimplemented") }

// Correlation returns the exact finite-ring correlation
//
//	C(d) = ⟨v_i v_{i+d}⟩ = (ρ^d + ρ^(N−d)) / (1 + ρ^N),   0 ≤ d ≤ N.
func (m Ising) Correlation(d int) float64 { panic("unimplemented") }

// CorrelationRow writes C(d) for d = 0..N-1 into dst (the first row of the
// circulant correlation matrix) and returns it. A nil dst is allocated; a
// dst of another length panics.
func (m Ising) CorrelationRow(dst []float64) []float64 { panic("unimplemented") }

// LogZ returns ln Z = ln[(2 cosh β)^N + (2 sinh β)^N], without overflow.
func (m Ising) LogZ() float64 { panic("unimplemented") }

// BetaFromXi returns the β whose infinite-ring correlation length is xi,
// β = artanh(e^(−1/ξ)).
func BetaFromXi(xi float64) float64 { panic("unimplemented") }
