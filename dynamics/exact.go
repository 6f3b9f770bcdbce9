package dynamics

// SpinModelTerm writes the exact model term ⟨v_i tanh I_μ⟩_model of the
// likelihood gradient of an RBM with ±1 visible and M ±1 hidden units and
// zero fields into dst (M×N row-major, like w) and returns it, by summing the
// 2^(M−1) hidden configurations with h_1 = +1 (THEORY.md §4.6):
//
//	⟨v_i tanh I_μ⟩ = Σ_h π(h) h_μ tanh(Σ_ν w_νi h_ν),
//	π(h) ∝ Π_i cosh(Σ_ν w_νi h_ν).
//
// For M = 1 this is tanh(w_i) (eq 32). It panics if len(w) != m·n or m > 24.
func SpinModelTerm(dst, w []float64, m, n int) []float64 { panic("unimplemented") }

// SpinLogZ returns the log partition function of the same RBM,
//
//	ln Z = ln Σ_v Π_μ 2cosh I_μ(v) = ln Σ_h Π_i 2cosh(Σ_μ w_μi h_μ),
//
// which is (N+M) ln 2 at w = 0.
func SpinLogZ(w []float64, m, n int) float64 { panic("unimplemented") }
