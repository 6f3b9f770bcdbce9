package dynamics

// OrderW returns the paper's order parameter W = |Σ_i w_i| (eq 12).
func OrderW(w []float64) float64 { panic("unimplemented") }

// SignNormalize writes w into dst, negated if needed so that the entry of
// largest |w_i| is positive (THEORY.md §4.12 convention), and returns dst.
func SignNormalize(dst, w []float64) []float64 { panic("unimplemented") }

// Centre returns the receptive-field centre by circular mean of w²,
//
//	z = Σ_j w_j² e^(2πi j/N),   c = (N/2π) arg z mod N,
//
// and the concentration |z|/Σ w² ∈ [0, 1] (near 1 for a sharp bump, near 0
// for a uniform profile). c is NaN when Σ w² = 0.
func Centre(w []float64) (c, concentration float64) { panic("unimplemented") }

// Unwrap writes the unwrapped trajectory of centres on a ring of n sites,
// x_k = x_{k−1} + wrap(c_k − c_{k−1}), wrap(d) ∈ (−n/2, n/2], into dst.
func Unwrap(dst, centres []float64, n int) []float64 { panic("unimplemented") }

// FWHM returns the full width at half maximum of the receptive field w, by
// the robust method of THEORY.md §4.12: normalise the sign, re-centre the
// peak circularly, walk outwards to the first site below half maximum on each
// side and interpolate linearly. It returns NaN if max w ≤ 0 or a side has no
// crossing within N/2 sites.
func FWHM(w []float64) float64 { panic("unimplemented") }

// FourierPower writes into dst (length ⌊N/2⌋+1) the squared norm of the
// projection of w onto each real Fourier eigenspace k = 0..⌊N/2⌋: (Σw)²/N for
// k = 0, |ŵ_k|²·2/N for 0 < k < N/2 (cos and sin together), |ŵ_{N/2}|²/N for
// k = N/2. The entries sum to Σ w_i² (Parseval). In the linear regime
// P_k(t) = P_k(0) e^(2σ_k t).
func FourierPower(dst, w []float64) []float64 { panic("unimplemented") }

// ParticipationRatio returns PR = (Σ w²)² / Σ w⁴ ∈ [1, N]: N for a uniform
// profile, 1 for a single site (THEORY.md §4.12). NaN for w = 0.
func ParticipationRatio(w []float64) float64 { panic("unimplemented") }
