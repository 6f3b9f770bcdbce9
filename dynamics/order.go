package dynamics

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// OrderW returns the paper's order parameter W = |Σ_i w_i| (eq 12).
// Special case: W = 0 for an empty w.
func OrderW(w []float64) float64 {
	var s float64
	for _, x := range w {
		s += x
	}
	return math.Abs(s)
}

// SignNormalize writes w into dst, negated if needed so that the entry of
// largest |w_i| is positive (THEORY.md §4.12 convention), and returns dst.
// Among entries of equal largest |w_i| the first one decides. NaN entries
// are ignored when locating the largest entry.
//
// A nil dst is allocated; a dst of another length than w panics. dst may
// alias w.
func SignNormalize(dst, w []float64) []float64 {
	dst = useDst(dst, len(w))
	p := argMaxAbs(w)
	if p >= 0 && w[p] < 0 {
		for i, x := range w {
			dst[i] = -x
		}
		return dst
	}
	copy(dst, w)
	return dst
}

// argMaxAbs returns the first index of the largest |w_i|, or -1 if w is
// empty or all NaN.
func argMaxAbs(w []float64) int {
	p, best := -1, -1.0
	for i, x := range w {
		if a := math.Abs(x); a > best {
			p, best = i, a
		}
	}
	return p
}

// Centre returns the receptive-field centre by circular mean of w²,
//
//	z = Σ_j w_j² e^(2πi j/N),   c = (N/2π) arg z mod N,
//
// and the concentration |z|/Σ w² ∈ [0, 1] (near 1 for a sharp bump, near 0
// for a uniform profile). c is NaN when Σ w² = 0.
//
// Special cases: c ∈ [0, N); c is NaN also when z = 0 exactly, where the
// concentration is 0; both results are NaN when Σ w² = 0 or w is empty.
// Near-uniform profiles give a centre dominated by rounding: discard centres
// whose concentration is below a threshold of your choice.
func Centre(w []float64) (c, concentration float64) {
	n := len(w)
	var z complex128
	var s float64
	for j, x := range w {
		x2 := x * x
		sin, cos := math.Sincos(2 * math.Pi * float64(j) / float64(n))
		z += complex(x2*cos, x2*sin)
		s += x2
	}
	if !(s > 0) {
		return math.NaN(), math.NaN()
	}
	if z == 0 {
		return math.NaN(), 0
	}
	c = float64(n) / (2 * math.Pi) * cmplx.Phase(z)
	if c < 0 {
		c += float64(n)
	}
	if c >= float64(n) {
		// A tiny negative phase can round to exactly N.
		c = 0
	}
	return c, cmplx.Abs(z) / s
}

// Unwrap writes the unwrapped trajectory of centres on a ring of n sites,
// x_k = x_{k−1} + wrap(c_k − c_{k−1}), wrap(d) ∈ (−n/2, n/2], into dst.
// It starts at x_0 = c_0 and returns dst (THEORY.md §4.12).
//
// A NaN centre gives a NaN entry, and the walk resumes from the last
// defined centre; leading NaN centres are skipped and the walk starts at
// the first defined one. A nil dst is allocated; a dst of another length
// than centres panics, as does n < 1. dst may alias centres.
func Unwrap(dst, centres []float64, n int) []float64 {
	if n < 1 {
		panic("dynamics: ring size must be positive")
	}
	dst = useDst(dst, len(centres))
	nf := float64(n)
	last, x := math.NaN(), math.NaN()
	for k, c := range centres {
		switch {
		case math.IsNaN(c):
			dst[k] = math.NaN()
			continue
		case math.IsNaN(last):
			x = c
		default:
			// wrap(d) = d − n⌈d/n − 1/2⌉ lies in (−n/2, n/2].
			d := c - last
			x += d - nf*math.Ceil(d/nf-0.5)
		}
		last = c
		dst[k] = x
	}
	return dst
}

// FWHM returns the full width at half maximum of the receptive field w, by
// the robust method of THEORY.md §4.12: normalise the sign, re-centre the
// peak circularly, walk outwards to the first site below half maximum on each
// side and interpolate linearly. It returns NaN if max w ≤ 0 or a side has no
// crossing within N/2 sites.
//
// With p the peak and d the first distance at which w_{p±d} < w_p/2, the
// crossing on that side lies at (d−1) + (w_{p±(d−1)} − w_p/2)/(w_{p±(d−1)} −
// w_{p±d}) sites from the peak, and the FWHM is the sum of the two sides. No
// baseline is subtracted. The result is exact for a piecewise-linear
// profile; for the N = 100 lattice bump of THEORY.md §5.4 it is 3.795.
func FWHM(w []float64) float64 {
	n := len(w)
	p := argMaxAbs(w)
	if p < 0 {
		return math.NaN()
	}
	sign := 1.0
	if w[p] < 0 {
		sign = -1
	}
	peak := sign * w[p]
	if !(peak > 0) {
		return math.NaN()
	}
	half := peak / 2

	// side walks in direction dir ∈ {+1, −1} and returns the distance of the
	// half-maximum crossing from the peak, or NaN.
	side := func(dir int) float64 {
		prev := peak
		for d := 1; d <= n/2; d++ {
			j := ((p+dir*d)%n + n) % n
			y := sign * w[j]
			if y < half {
				return float64(d-1) + (prev-half)/(prev-y)
			}
			prev = y
		}
		return math.NaN()
	}
	return side(1) + side(-1)
}

// FourierPower writes into dst (length ⌊N/2⌋+1) the squared norm of the
// projection of w onto each real Fourier eigenspace k = 0..⌊N/2⌋: (Σw)²/N for
// k = 0, |ŵ_k|²·2/N for 0 < k < N/2 (cos and sin together), |ŵ_{N/2}|²/N for
// k = N/2. The entries sum to Σ w_i² (Parseval). In the linear regime
// P_k(t) = P_k(0) e^(2σ_k t).
//
// ŵ_k = Σ_j w_j e^(−2πi kj/N) is the DFT of THEORY.md §1.4, computed by FFT.
// It panics if w is empty, or if dst is not nil and has another length than
// ⌊N/2⌋+1.
func FourierPower(dst, w []float64) []float64 {
	n := len(w)
	if n == 0 {
		panic("dynamics: empty weight vector")
	}
	dst = useDst(dst, n/2+1)
	coef := fourier.NewFFT(n).Coefficients(nil, w)
	for k, c := range coef {
		p := real(c)*real(c) + imag(c)*imag(c)
		if k == 0 || 2*k == n {
			dst[k] = p / float64(n)
		} else {
			dst[k] = 2 * p / float64(n)
		}
	}
	return dst
}

// ParticipationRatio returns PR = (Σ w²)² / Σ w⁴ ∈ [1, N]: N for a uniform
// profile, 1 for a single site (THEORY.md §4.12). NaN for w = 0.
//
// The weights are scaled by max |w_i| first, so PR is finite for any finite
// w. Special case: NaN for an empty w.
func ParticipationRatio(w []float64) float64 {
	p := argMaxAbs(w)
	if p < 0 || w[p] == 0 {
		return math.NaN()
	}
	a := math.Abs(w[p])
	var s2, s4 float64
	for _, x := range w {
		x2 := (x / a) * (x / a)
		s2 += x2
		s4 += x2 * x2
	}
	return s2 * s2 / s4
}

// CircularDistance returns the distance between positions a and b on a
// ring of n sites, min(|a−b| mod n, n − |a−b| mod n) ∈ [0, n/2]. NaN if
// either is NaN.
func CircularDistance(a, b float64, n int) float64 {
	d := math.Mod(math.Abs(a-b), float64(n))
	return math.Min(d, float64(n)-d)
}

// Snapshot holds the order parameters of M receptive fields at one time
// of a trajectory (THEORY.md §4.12). Per-unit slices have length M.
type Snapshot struct {
	T float64 `json:"t"`
	// W is |Σ_i w_μi| (eq 12), SumSq is Σ_i w_μi² and PR the participation
	// ratio (Σw²)²/Σw⁴.
	W     []float64 `json:"W"`
	SumSq []float64 `json:"sum_sq"`
	PR    []float64 `json:"pr"`
	// Peak is max_i w_μi after sign normalisation.
	Peak []float64 `json:"peak"`
	// FWHM by the robust method (NaN when undefined).
	FWHM []float64 `json:"fwhm"`
	// Centre is the circular mean of w² in [0, N), Concentration its
	// |z|/Σw², and Unwrapped the centre followed continuously along the
	// trajectory (Unwrap), so that a drifting field is not folded back.
	Centre        []float64 `json:"centre"`
	Concentration []float64 `json:"concentration"`
	Unwrapped     []float64 `json:"unwrapped"`
	// Amplitude[μ][k] = √P_k is the Fourier amplitude of mode
	// k = 0..⌊N/2⌋ (FourierPower).
	Amplitude [][]float64 `json:"amplitude"`
	// Separation holds the circular distances between the centres of the
	// pairs (μ, ν), μ < ν, in the order (0,1), (0,2), …, (1,2), ….
	Separation []float64 `json:"separation"`
}

// Track returns the order parameters of every state of a trajectory of M
// receptive fields on N sites: states[j] is the M×N row-major state at
// times[j]. Centres are unwrapped along the trajectory per unit. It panics
// if the lengths of times and states differ or a state is not M×N.
func Track(times []float64, states [][]float64, m, n int) []Snapshot {
	if len(times) != len(states) {
		panic("dynamics: times and states of different lengths")
	}
	out := make([]Snapshot, len(states))
	centres := make([][]float64, m)
	for j, y := range states {
		if len(y) != m*n {
			panic(fmt.Sprintf("dynamics: state %d has length %d, want %d×%d", j, len(y), m, n))
		}
		s := Snapshot{T: times[j]}
		for mu := 0; mu < m; mu++ {
			row := SignNormalize(nil, y[mu*n:(mu+1)*n])
			var s2, peak float64
			peak = math.Inf(-1)
			for _, x := range row {
				s2 += x * x
				peak = math.Max(peak, x)
			}
			c, conc := Centre(row)
			amp := FourierPower(nil, row)
			for k := range amp {
				amp[k] = math.Sqrt(amp[k])
			}
			s.W = append(s.W, OrderW(row))
			s.SumSq = append(s.SumSq, s2)
			s.PR = append(s.PR, ParticipationRatio(row))
			s.Peak = append(s.Peak, peak)
			s.FWHM = append(s.FWHM, FWHM(row))
			s.Centre = append(s.Centre, c)
			s.Concentration = append(s.Concentration, conc)
			s.Amplitude = append(s.Amplitude, amp)
			centres[mu] = append(centres[mu], c)
		}
		for mu := 0; mu < m; mu++ {
			for nu := mu + 1; nu < m; nu++ {
				s.Separation = append(s.Separation, CircularDistance(s.Centre[mu], s.Centre[nu], n))
			}
		}
		out[j] = s
	}
	for mu := 0; mu < m; mu++ {
		u := Unwrap(nil, centres[mu], n)
		for j := range out {
			out[j].Unwrapped = append(out[j].Unwrapped, u[j])
		}
	}
	return out
}
