package ring

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// XYExact is the exact independent sampler of the XY ring (THEORY.md §2.3,
// §2.9): v_0 is uniform and each v_j is drawn from
//
//	P(v_j = b | v_{j−1} = a, v_0) ∝ T(a, b) R_{N−j}(b, v_0),
//
// where R_n = T^n/λ_0^n sums over the n bonds that remain to close the
// ring, so the periodic closure is exact. Draws are independent.
//
// The sampler works in the rotated gauge u_j = v_j − v_0 mod P (the model
// is invariant under global rotations, eq 16), in which the law of u_j
// depends on u_{j−1} and N−j only. The vectors r_n(b) = R_n(b, 0) are built
// as r_n = K r_{n−1} from r_0 = δ_0 with the positive kernel
// K(b, a) = T(a, b)/λ_0, so every entry keeps full relative precision.
// r_n tends to the uniform 1/P geometrically, at rate ρ_1; once it is
// uniform to 2^(−50) relative (up to an overall factor), near the rounding
// of the table entries, the table of that n serves all larger ones.
// Cumulative conditional probabilities are stored as thresholds on a
// uniform 64-bit draw, exact up to 2^(−53) absolute. An XYExact is safe for
// concurrent use.
type XYExact struct {
	n, p int
	cut  int
	// thr[((n−1)·P + a)·(P−1) + b], n = 1..cut: 2^64 · P(u_j ≤ b |
	// u_{j−1} = a) for N−j = n; a draw x gives u_j = #{b : x ≥ thr_b}.
	thr []uint64
}

// NewXYExact returns the exact sampler of m. It panics if m is invalid.
func NewXYExact(m XY) *XYExact {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	p := m.P
	w := m.kernelWeights()
	var l0 float64
	for _, x := range w {
		l0 += x
	}

	// r_n = K r_{n−1}, K(b, a) = w_{b−a}/λ_0 (scaled), until r_n is
	// uniform to rounding or n reaches N−1.
	r := make([]float64, p)
	r[0] = 1
	next := make([]float64, p)
	var tab []uint64
	cut := 0
	q := make([]float64, p)
	for n := 1; n < m.N; n++ {
		for b := range p {
			var s float64
			for a, x := range r {
				s += w[((b-a)%p+p)%p] * x
			}
			next[b] = s / l0
		}
		r, next = next, r
		cut = n

		// Conditional of u_j given u_{j−1} = a at N−j = n.
		for a := range p {
			var z float64
			for b := range p {
				q[b] = w[((b-a)%p+p)%p] * r[b]
				z += q[b]
			}
			var cum float64
			for b := range p - 1 {
				cum += q[b] / z
				tab = append(tab, probThreshold(cum))
			}
		}
		// Uniform up to an overall factor, which the conditional divides
		// out (repeated products drift in scale by rounding).
		var mean float64
		for _, x := range r {
			mean += x / float64(p)
		}
		uniform := true
		for _, x := range r {
			if math.Abs(x-mean) > 0x1p-50*mean {
				uniform = false
				break
			}
		}
		if uniform {
			break
		}
	}
	return &XYExact{n: m.N, p: p, cut: cut, thr: tab}
}

// probThreshold returns c·2^64 rounded and clamped to [0, 2^64−1].
func probThreshold(c float64) uint64 {
	const two64 = 1 << 64
	switch {
	case c <= 0:
		return 0
	case c >= 1:
		return math.MaxUint64
	}
	t := math.Round(c * two64)
	if t >= two64 {
		return math.MaxUint64
	}
	return uint64(t)
}

// Sites returns N.
func (e *XYExact) Sites() int { return e.n }

// Draw implements DataSampler: d must be a *Potts with N sites and P
// states.
func (e *XYExact) Draw(d Data, from, to int, rnd *rand.Rand) {
	x := asPotts(d, e.n, e.p)
	checkRange(x.Len(), from, to)
	p := e.p
	stride := p - 1
	for s := from; s < to; s++ {
		row := x.v[s*e.n : (s+1)*e.n]
		hi, _ := bits.Mul64(rnd.Uint64(), uint64(p))
		v0 := int(hi)
		row[0] = uint8(v0)
		u := 0
		for j := 1; j < e.n; j++ {
			k := min(e.n-j, e.cut) - 1
			t := e.thr[(k*p+u)*stride : (k*p+u+1)*stride]
			u = countBelow(rnd.Uint64(), t)
			v := u + v0
			if v >= p {
				v -= p
			}
			row[j] = uint8(v)
		}
	}
}

// countBelow returns the number of thresholds t_b with x ≥ t_b, without
// branches.
func countBelow(x uint64, t []uint64) int {
	n := 0
	for _, c := range t {
		_, borrow := bits.Sub64(x, c, 0) // 1 iff x < c
		n += int(1 - borrow)
	}
	return n
}

// XYHeatBath is the single-site heat-bath (Gibbs) sampler of the XY ring
// (THEORY.md §2.9): a sweep is N updates, each drawing v_i from
//
//	P(v_i = a | rest) ∝ exp{β[cos(2π(a−v_{i−1})/P) + cos(2π(a−v_{i+1})/P)]}.
//
// Each Draw starts one chain from a uniformly random configuration,
// discards BurnIn sweeps, then records a configuration every Spacing
// sweeps. There is no closed-form relaxation time; prefer XYExact. An
// XYHeatBath is safe for concurrent use.
type XYHeatBath struct {
	Model XY
	// BurnIn is the number of sweeps discarded before the first record.
	BurnIn int
	// Spacing is the number of sweeps between records (≥ 1).
	Spacing int
	// Sequential visits sites in order 0..N-1; the default (false) picks
	// N sites at random with replacement, as the authors' PGM code does.
	Sequential bool
}

// NewXYHeatBath returns the heat-bath sampler of m with burn-in 1000 and
// spacing 300 sweeps, the spacing of the authors' XY example (THEORY.md
// §2.9). These are not derived from a relaxation time. It panics if m is
// invalid.
func NewXYHeatBath(m XY) XYHeatBath {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	return XYHeatBath{Model: m, BurnIn: 1000, Spacing: 300}
}

// Sites returns N.
func (h XYHeatBath) Sites() int { return h.Model.N }

// Draw implements DataSampler: it runs one chain and records its
// configurations into from..to-1 of d, a *Potts with N sites and P states.
// It panics if the model is invalid, BurnIn < 0 or Spacing < 1.
func (h XYHeatBath) Draw(d Data, from, to int, rnd *rand.Rand) {
	m := h.Model
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	if h.BurnIn < 0 || h.Spacing < 1 {
		panic(fmt.Sprintf("ring: heat bath needs BurnIn ≥ 0 and Spacing ≥ 1, have %d and %d", h.BurnIn, h.Spacing))
	}
	x := asPotts(d, m.N, m.P)
	checkRange(x.Len(), from, to)
	if from == to {
		return
	}

	// Conditional thresholds in the gauge u = v_i − v_{i−1}, indexed by
	// δ = v_{i+1} − v_{i−1}: P(u) ∝ w_u w_{u−δ}.
	p, n := m.P, m.N
	w := m.kernelWeights()
	thr := make([]uint64, 0, p*(p-1))
	q := make([]float64, p)
	for delta := range p {
		var z float64
		for u := range p {
			q[u] = w[u] * w[((u-delta)%p+p)%p]
			z += q[u]
		}
		var cum float64
		for u := range p - 1 {
			cum += q[u] / z
			thr = append(thr, probThreshold(cum))
		}
	}

	v := make([]int, n)
	for i := range v {
		hi, _ := bits.Mul64(rnd.Uint64(), uint64(p))
		v[i] = int(hi)
	}
	sweeps := func(k int) {
		for range k {
			for a := range n {
				y := rnd.Uint64()
				i := a
				if !h.Sequential {
					hi, lo := bits.Mul64(y, uint64(n))
					i, y = int(hi), lo
				}
				l, r := i-1, i+1
				if l < 0 {
					l = n - 1
				}
				if r == n {
					r = 0
				}
				delta := v[r] - v[l]
				if delta < 0 {
					delta += p
				}
				u := countBelow(y, thr[delta*(p-1):(delta+1)*(p-1)])
				nv := v[l] + u
				if nv >= p {
					nv -= p
				}
				v[i] = nv
			}
		}
	}
	sweeps(h.BurnIn)
	for s := from; s < to; s++ {
		if s > from {
			sweeps(h.Spacing)
		}
		row := x.v[s*n : (s+1)*n]
		for i, vi := range v {
			row[i] = uint8(vi)
		}
	}
}

// checkRange panics unless from..to-1 is a valid range of count
// configurations.
func checkRange(count, from, to int) {
	if from < 0 || to > count || from > to {
		panic(fmt.Sprintf("ring: fill range [%d:%d] out of range for %d configurations", from, to, count))
	}
}
