package dynamics

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
)

// maxSpinHidden is the largest M accepted by the exact sums over hidden
// configurations (2^23 terms).
const maxSpinHidden = 24

// SpinModelTerm writes the exact model term ⟨v_i tanh I_μ⟩_model of the
// likelihood gradient of an RBM with ±1 visible and M ±1 hidden units and
// zero fields into dst (M×N row-major, like w) and returns it, by summing the
// 2^(M−1) hidden configurations with h_1 = +1 (THEORY.md §4.6):
//
//	⟨v_i tanh I_μ⟩ = Σ_h π(h) h_μ tanh(Σ_ν w_νi h_ν),
//	π(h) ∝ Π_i cosh(Σ_ν w_νi h_ν).
//
// For M = 1 this is tanh(w_i) (eq 32). It panics if len(w) != m·n or m > 24.
//
// The weights π(h) are normalised in log space (a running logsumexp), and
// ln cosh and tanh share one expm1, so the result is finite and accurate
// unless the log-weights Σ_i |Σ_ν w_νi h_ν| overflow (|w| near 1e300), where
// it is NaN; entries lie in [−1, 1]. The cost is O(2^(M−1)·M·N); large
// sums run on up to GOMAXPROCS goroutines over a fixed split into blocks,
// so the result does not depend on GOMAXPROCS. A nil dst is allocated; a
// dst of another length than m·n panics. Special case: m = 0 gives an
// empty result.
func SpinModelTerm(dst, w []float64, m, n int) []float64 {
	checkSpinShape(w, m, n)
	dst = useDst(dst, m*n)
	if m == 0 {
		return dst
	}
	s := sumHidden(w, m, n, true)
	for k, v := range s.acc {
		dst[k] = v / s.sum
	}
	return dst
}

// SpinLogZ returns the log partition function of the same RBM,
//
//	ln Z = ln Σ_v Π_μ 2cosh I_μ(v) = ln Σ_h Π_i 2cosh(Σ_μ w_μi h_μ),
//
// which is (N+M) ln 2 at w = 0.
//
// The sum runs over the 2^(M−1) configurations with h_1 = +1, doubled by
// the symmetry h → −h (THEORY.md §4.6), in log space. It panics if
// len(w) != m·n or m > 24. Special case: m = 0 gives N ln 2.
func SpinLogZ(w []float64, m, n int) float64 {
	checkSpinShape(w, m, n)
	if m == 0 {
		return float64(n) * math.Ln2
	}
	s := sumHidden(w, m, n, false)
	return math.Ln2 + s.max + math.Log(s.sum)
}

func checkSpinShape(w []float64, m, n int) {
	if m < 0 || n < 0 {
		panic(fmt.Sprintf("dynamics: negative size %d×%d", m, n))
	}
	if m > maxSpinHidden {
		panic(fmt.Sprintf("dynamics: %d hidden units exceed the limit %d of exact sums", m, maxSpinHidden))
	}
	if len(w) != m*n {
		panic(fmt.Sprintf("dynamics: weight length %d does not match %d×%d", len(w), m, n))
	}
}

// hiddenSum enumerates a range of the hidden configurations h with
// h_1 = +1 and accumulates their log-weights
//
//	L(h) = Σ_i ln 2cosh x_i(h),   x_i(h) = Σ_μ w_μi h_μ,
//
// as a running logsumexp: after run, Σ_h e^(L(h)) = e^max · sum, and acc (if
// not nil) holds Σ_h e^(L(h)−max) h_μ tanh x_i(h).
type hiddenSum struct {
	w    []float64
	m, n int
	max  float64
	sum  float64
	acc  []float64
	x, t []float64 // x_i(h) and tanh x_i(h) for the current h
	h    []float64
}

func newHiddenSum(w []float64, m, n int, withTerm bool) *hiddenSum {
	s := &hiddenSum{
		w: w, m: m, n: n,
		max: math.Inf(-1),
		x:   make([]float64, n),
		t:   make([]float64, n),
		h:   make([]float64, m),
	}
	if withTerm {
		s.acc = make([]float64, m*n)
	}
	return s
}

const (
	// rescaleGap is how far L(h) may exceed the running maximum before
	// the accumulators are rescaled. e^64 ≈ 6e27 times 2^23 terms cannot
	// overflow, and rare rescaling keeps the cost at O(M·N) per h.
	rescaleGap = 64
	// prodChunk bounds the number of factors 2+expm1(−2|x|) ∈ (1, 2]
	// multiplied before one logarithm is taken: 2^256 cannot overflow.
	prodChunk = 256
)

// run sums over the configurations code ∈ [from, to), h_μ (μ ≥ 2) being
// bit μ−2 of code.
func (s *hiddenSum) run(from, to int) {
	m, n := s.m, s.n
	for code := from; code < to; code++ {
		s.h[0] = 1
		for mu := 1; mu < m; mu++ {
			s.h[mu] = float64(2*((code>>(mu-1))&1) - 1)
		}

		// x = Σ_μ h_μ w_μ.
		x, t := s.x, s.t
		copy(x, s.w[:n])
		for mu := 1; mu < m; mu++ {
			floats.AddScaled(x, s.h[mu], s.w[mu*n:(mu+1)*n])
		}

		// L = Σ_i ln 2cosh x_i. With e = expm1(−2|x|) ∈ (−1, 0],
		// ln 2cosh x = |x| + ln(2+e) and tanh|x| = −e/(2+e), both accurate
		// for small and large |x| (THEORY.md §4.3). The logarithms of the
		// factors 2+e are taken once per chunk of their product.
		var l float64
		prod := 1.0
		for i, xi := range x {
			a := math.Abs(xi)
			e := math.Expm1(-2 * a)
			l += a
			prod *= 2 + e
			if i%prodChunk == prodChunk-1 {
				l += math.Log(prod)
				prod = 1
			}
			th := -e / (2 + e)
			if xi < 0 {
				th = -th
			}
			t[i] = th
		}
		l += math.Log(prod)

		// Running logsumexp: move the reference when L leaves the safe range.
		if l > s.max+rescaleGap || s.max == math.Inf(-1) {
			s.rescale(l)
		}
		p := math.Exp(l - s.max)
		s.sum += p
		for mu := 0; mu < m && s.acc != nil; mu++ {
			floats.AddScaled(s.acc[mu*n:(mu+1)*n], p*s.h[mu], t)
		}
	}
}

// rescale moves the reference of the running logsumexp to max.
func (s *hiddenSum) rescale(max float64) {
	f := math.Exp(s.max - max)
	s.sum *= f
	for k := range s.acc {
		s.acc[k] *= f
	}
	s.max = max
}

// blockWork is the number of multiply-adds (configurations × M × N) above
// which the sum is split into parallel blocks.
const blockWork = 1 << 18

// maxBlocks is the number of blocks of a split sum.
const maxBlocks = 64

// sumHidden runs the sum over all 2^(M−1) configurations. Large sums are
// split into a number of contiguous blocks that depends only on M and N,
// summed concurrently and merged in block order, so the result is the same
// bit for bit whatever GOMAXPROCS.
func sumHidden(w []float64, m, n int, withTerm bool) *hiddenSum {
	total := 1 << (m - 1)
	blocks := 1
	if total*m*n >= blockWork {
		blocks = min(total, maxBlocks)
	}
	parts := make([]*hiddenSum, blocks)
	for b := range parts {
		parts[b] = newHiddenSum(w, m, n, withTerm)
	}
	if blocks == 1 {
		parts[0].run(0, total)
		return parts[0]
	}

	// Workers take blocks in turn; each block's sum is independent of
	// which worker ran it.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(blocks, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1)) - 1
				if b >= blocks {
					return
				}
				parts[b].run(b*total/blocks, (b+1)*total/blocks)
			}
		}()
	}
	wg.Wait()

	// Merge in block order on the largest reference.
	mx := parts[0].max
	for _, p := range parts[1:] {
		mx = math.Max(mx, p.max)
	}
	out := parts[0]
	out.rescale(mx)
	for _, p := range parts[1:] {
		p.rescale(mx)
		out.sum += p.sum
		for k, v := range p.acc {
			out.acc[k] += v
		}
	}
	return out
}
