package ring

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"placecell/internal/rng"
)

// Sampler draws configurations of a ring model.
type Sampler interface {
	// Sites returns the number of spins per configuration.
	Sites() int
	// Fill overwrites configurations from..to-1 of d with fresh draws
	// taken from rnd. Each call of a Markov-chain sampler starts a new
	// chain (with its burn-in).
	Fill(d *Spins, from, to int, rnd *rand.Rand)
}

// Exact is the exact independent sampler of the Ising ring (THEORY.md §2.3):
// v_0 is uniform and each v_j is drawn from p(v_j | v_{j−1}, v_0), whose
// closure factor (1 + v_j v_0 ρ^(N−j)) accounts for the periodic bond exactly.
// Draws are independent: no burn-in, no autocorrelation.
//
// The sampler works in the gauge u_j = v_j v_0, in which the conditional
// law of u_j depends on u_{j−1} only:
//
//	ln P(u_j=+1 | u_{j−1}) − ln P(u_j=−1 | u_{j−1})
//	    = 2β u_{j−1} + ln(1 + ρ^(N−j)) − ln(1 − ρ^(N−j)).
//
// These log-odds are tabulated once, as thresholds on a uniform 64-bit
// draw, so that each spin costs one random number and one comparison. The
// probabilities are exact up to the rounding of a float64 to a multiple of
// 2^(−64). An Exact is safe for concurrent use.
type Exact struct {
	n int
	// thr[2j+k] is P(u_j = +1 | u_{j−1}) · 2^64 for u_{j−1} = 2k−1,
	// j = 1..N−1: a draw x gives u_j = +1 iff x < thr[2j+k].
	thr []uint64
}

// NewExact returns the exact sampler of m. It panics if m is invalid.
func NewExact(m Ising) *Exact {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}

	// Closure factors 1 ± ρ^n for the n = N−j bonds still to close the
	// ring, in log space: ρ^n = exp(n ln ρ), 1 − ρ^n = −expm1(n ln ρ).
	lr := logTanh(m.Beta)
	thr := make([]uint64, 2*m.N)
	for j := 1; j < m.N; j++ {
		nlr := float64(m.N-j) * lr
		closure := math.Log1p(math.Exp(nlr)) - math.Log(-math.Expm1(nlr))
		thr[2*j] = threshold(-2*m.Beta + closure)
		thr[2*j+1] = threshold(2*m.Beta + closure)
	}
	return &Exact{n: m.N, thr: thr}
}

// Sites returns N.
func (e *Exact) Sites() int { return e.n }

// Fill overwrites configurations from..to-1 of d with independent exact
// draws. It panics if d has another number of sites or the range is out of
// bounds.
func (e *Exact) Fill(d *Spins, from, to int, rnd *rand.Rand) {
	checkFill(d, e.n, from, to)
	n := e.n
	for s := from; s < to; s++ {
		words := d.bits[s*d.stride : (s+1)*d.stride]

		// v_0 uniform; the bits of u are flipped at the end when v_0 = −1.
		var flip uint64
		if rnd.Uint64()>>63 == 0 {
			flip = ^uint64(0)
		}

		// u_0 = +1; u_j from its tabulated conditional, one draw per spin.
		w, prev := uint64(1), uint64(1)
		for j := 1; j < n; j++ {
			if j&63 == 0 {
				words[j>>6-1] = w ^ flip
				w = 0
			}
			_, u := bits.Sub64(rnd.Uint64(), e.thr[2*j+int(prev)], 0) // u = 1 iff x < thr
			w |= u << (uint(j) & 63)
			prev = u
		}
		words[len(words)-1] = (w ^ flip) & lastMask(n)
	}
}

// Draw implements DataSampler: d must be a *Spins.
func (e *Exact) Draw(d Data, from, to int, rnd *rand.Rand) { e.Fill(asSpins(d), from, to, rnd) }

// condProb returns P(u_j = +1 | u_{j−1} = 2k−1) and its complement as
// stored in the sampler's table, both with full relative precision, for
// tests.
func (e *Exact) condProb(j, k int) (plus, minus float64) {
	t := e.thr[2*j+k]
	if t == 0 {
		return 0, 1
	}
	return float64(t) / (1 << 64), float64(-t) / (1 << 64)
}

// HeatBath is the single-site heat-bath (Glauber) sampler the paper used
// (THEORY.md §2.4): a sweep is N attempts, each setting v_i = +1 with
// probability σ(2β(v_{i−1} + v_{i+1})). Each Fill starts one chain from a
// uniformly random configuration, discards BurnIn sweeps, then records a
// configuration every Spacing sweeps (the first record directly after the
// burn-in). A HeatBath is safe for concurrent use: every Fill has its own
// chain.
type HeatBath struct {
	Model Ising
	// BurnIn is the number of sweeps discarded before the first record.
	BurnIn int
	// Spacing is the number of sweeps between records (≥ 1).
	Spacing int
	// Sequential visits sites in order 0..N-1; the default (false) picks
	// N sites at random with replacement, as the authors' PGM code does.
	Sequential bool
}

// NewHeatBath returns the heat-bath sampler of m with burn-in ⌈10 τ_M⌉ and
// spacing ⌈5 τ_M⌉ sweeps, τ_M = 1/(1 − tanh 2β) (THEORY.md §2.4).
// It panics if m is invalid or the burn-in would exceed 2^53 sweeps
// (β ≳ 8.8; use the exact sampler there).
func NewHeatBath(m Ising) HeatBath {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	tau := MagnetisationTime(m.Beta)
	burn := math.Ceil(10 * tau)
	if burn > 1<<53 {
		panic(fmt.Sprintf("ring: heat-bath burn-in of %.3g sweeps at β = %g is too long; use the exact sampler", burn, m.Beta))
	}
	return HeatBath{Model: m, BurnIn: int(burn), Spacing: int(math.Ceil(5 * tau))}
}

// MagnetisationTime returns τ_M = 1/(1 − tanh 2β), the relaxation time in
// sweeps of the magnetisation under random-site heat-bath dynamics on the
// infinite ring (Glauber 1963).
//
// It is evaluated as τ_M = (1 + e^(4β))/2, which has no cancellation at
// large β. Special cases: τ_M(0) = 1; +Inf for β ≳ 177.
func MagnetisationTime(beta float64) float64 {
	return (1 + math.Exp(4*beta)) / 2
}

// Sites returns N.
func (h HeatBath) Sites() int { return h.Model.N }

// Fill runs one heat-bath chain and records its configurations into
// from..to-1 of d. It panics if h's model is invalid, BurnIn < 0,
// Spacing < 1, d has another number of sites or the range is out of bounds.
func (h HeatBath) Fill(d *Spins, from, to int, rnd *rand.Rand) {
	if err := h.Model.Validate(); err != nil {
		panic(err.Error())
	}
	if h.BurnIn < 0 || h.Spacing < 1 {
		panic(fmt.Sprintf("ring: heat bath needs BurnIn ≥ 0 and Spacing ≥ 1, have %d and %d", h.BurnIn, h.Spacing))
	}
	n := h.Model.N
	checkFill(d, n, from, to)
	if from == to {
		return
	}

	// Acceptance thresholds σ(2βs) for the neighbour sum s = −2, 0, 2,
	// indexed by (s+2)/2.
	beta := h.Model.Beta
	c := chain{
		v:   make([]int8, n),
		thr: [3]uint64{threshold(-4 * beta), threshold(0), threshold(4 * beta)},
		seq: h.Sequential,
		rnd: rnd,
	}

	// Uniform start, burn-in, then one record every Spacing sweeps.
	for i := range c.v {
		c.v[i] = int8(rnd.Uint64()>>63)*2 - 1
	}
	c.sweeps(h.BurnIn)
	for s := from; s < to; s++ {
		if s > from {
			c.sweeps(h.Spacing)
		}
		pack(d.bits[s*d.stride:(s+1)*d.stride], c.v)
	}
}

// Draw implements DataSampler: d must be a *Spins.
func (h HeatBath) Draw(d Data, from, to int, rnd *rand.Rand) { h.Fill(asSpins(d), from, to, rnd) }

// asSpins returns d as a *Spins or panics.
func asSpins(d Data) *Spins {
	s, ok := d.(*Spins)
	if !ok {
		panic(fmt.Sprintf("ring: sampler of ±1 or {0,1} data given a %T", d))
	}
	return s
}

// chain is the state of one heat-bath Markov chain.
type chain struct {
	v   []int8
	thr [3]uint64
	seq bool
	rnd *rand.Rand
}

// sweeps performs k sweeps of N single-site heat-bath updates.
//
// A random-site update takes its site and its acceptance from one 64-bit
// draw x: with x·N = i·2^64 + r, the site is i and r is compared with the
// threshold. Given i, r is uniform on a lattice of spacing N in [0, 2^64),
// so both the site law and the acceptance are exact up to N·2^(−64).
func (c *chain) sweeps(k int) {
	n := len(c.v)
	v := c.v
	for range k {
		for a := range n {
			x := c.rnd.Uint64()
			i := a
			if !c.seq {
				hi, lo := bits.Mul64(x, uint64(n))
				i, x = int(hi), lo
			}
			l, r := i-1, i+1
			if l < 0 {
				l = n - 1
			}
			if r == n {
				r = 0
			}
			// v_i = +1 with probability σ(2β(v_{i−1} + v_{i+1})).
			_, up := bits.Sub64(x, c.thr[(v[l]+v[r]+2)>>1], 0) // 1 iff x < thr
			v[i] = int8(2*up) - 1
		}
	}
}

// BlockSize is the number of consecutive configurations Generate draws from
// one random stream (and, for a Markov-chain sampler, one chain).
const BlockSize = 1024

// Generate draws count configurations with smp. Configurations are produced
// in blocks of BlockSize; block b reads the stream (seed, "data", b) of
// internal/rng, and blocks run in parallel on all cores, so the result is the
// same whatever the core count.
//
// smp.Fill is called concurrently on disjoint ranges of the result, as
// Exact and HeatBath allow. A panic in smp.Fill is re-raised in the caller's
// goroutine. Generate panics if count < 0; count = 0 gives an empty set.
func Generate(smp Sampler, count int, seed uint64) *Spins {
	if count < 0 {
		panic(fmt.Sprintf("ring: negative sample count %d", count))
	}
	d := NewSpins(smp.Sites(), count)
	generateBlocks(context.Background(), count, seed, func(from, to int, rnd *rand.Rand) {
		smp.Fill(d, from, to, rnd)
	})
	return d
}

// GenerateContext is Generate that stops early, returning ctx's error,
// when ctx is cancelled; it checks ctx between blocks of BlockSize
// configurations. The configurations drawn do not depend on ctx.
func GenerateContext(ctx context.Context, smp Sampler, count int, seed uint64) (*Spins, error) {
	if count < 0 {
		panic(fmt.Sprintf("ring: negative sample count %d", count))
	}
	d := NewSpins(smp.Sites(), count)
	err := generateBlocks(ctx, count, seed, func(from, to int, rnd *rand.Rand) {
		smp.Fill(d, from, to, rnd)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// generateBlocks calls fill(from, to, rnd) for the blocks of BlockSize
// configurations of 0..count-1, block b with the stream (seed, "data", b),
// on all cores. Workers take block indices from a shared counter, and each
// block writes only its own configurations, which share no words with
// other blocks. A panic in fill is re-raised in the caller's goroutine.
// When ctx is cancelled no new block starts and ctx's error is returned.
func generateBlocks(ctx context.Context, count int, seed uint64, fill func(from, to int, rnd *rand.Rand)) error {
	blocks := (count + BlockSize - 1) / BlockSize
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		once    sync.Once
		failure any
	)
	for range min(runtime.GOMAXPROCS(0), blocks) {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					once.Do(func() { failure = p })
					next.Store(int64(blocks)) // stop the other workers early
				}
			}()
			for {
				b := int(next.Add(1) - 1)
				if b >= blocks || ctx.Err() != nil {
					return
				}
				to := min((b+1)*BlockSize, count)
				fill(b*BlockSize, to, rng.New(seed, "data", uint64(b)))
			}
		})
	}
	wg.Wait()
	if failure != nil {
		panic(failure)
	}
	return ctx.Err()
}

// threshold returns σ(l)·2^64 rounded and clamped to [0, 2^64−1], where
// σ(l) = 1/(1+e^(−l)): a uniform 64-bit draw x is below it with
// probability σ(l) up to 2^(−64). The complement 1−σ(l) = σ(−l) is used
// for l > 0, so probabilities near 1 keep their relative precision.
func threshold(l float64) uint64 {
	const two64 = 1 << 64
	if l <= 0 {
		return uint64(math.Round(two64 / (1 + math.Exp(-l)))) // ≤ 2^63
	}
	q := uint64(math.Round(two64 / (1 + math.Exp(l))))
	if q == 0 {
		return math.MaxUint64
	}
	return -q // 2^64 − q
}

// pack writes the ±1 spins v into the words of one configuration.
func pack(words []uint64, v []int8) {
	clear(words)
	for i, x := range v {
		words[i>>6] |= uint64((x+1)>>1) << (uint(i) & 63)
	}
}

// lastMask returns the mask of the valid bits in the last word of a
// configuration of n sites.
func lastMask(n int) uint64 {
	if r := n & 63; r != 0 {
		return 1<<uint(r) - 1
	}
	return ^uint64(0)
}

// checkFill panics unless d has n sites and from..to-1 is a valid range.
func checkFill(d *Spins, n, from, to int) {
	if d.Sites() != n {
		panic(fmt.Sprintf("ring: data set has %d sites, sampler has %d", d.Sites(), n))
	}
	if from < 0 || to > d.Len() || from > to {
		panic(fmt.Sprintf("ring: fill range [%d:%d] out of range for %d configurations", from, to, d.Len()))
	}
}
