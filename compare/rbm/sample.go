package rbm

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Exact Bernoulli draws without an exponential per draw.
//
// A binary unit with input a is 1 with probability P(a) = σ(a), the float64
// value of logistic(a) (a = 2(I+c) for ±1 units, I+c for {0,1} units). The
// draw compares a uniform u ∈ [0, 1) with P(a), reading u lazily: first its
// leading 16 bits k (four draws per 64-bit word of the chain's stream), so
// that u ∈ [k, k+1)·2⁻¹⁶. A table over a ∈ [−16, 16) in cells of 1/32 gives
// integer bounds lo ≤ ⌊2¹⁶ P⌋ and hi ≥ ⌈2¹⁶ P⌉ valid for every a of a cell
// (with a 10⁻¹² margin for rounding), so k < lo decides 1 and k ≥ hi
// decides 0 without evaluating P. Otherwise (probability ≤ 1/128 + 2⁻¹⁵)
// P(a) is computed: k + 1 ≤ 2¹⁶P gives 1, k ≥ 2¹⁶P gives 0, and in the
// remaining case a fresh 53-bit uniform f from the stream decides,
// 1 iff f < 2¹⁶P − k (a difference computed exactly). The outcome is 1 with
// probability P(a) exactly (to the 2⁻⁶⁹ granularity of u), with no
// exponential for more than 99% of the draws. Draws outside the table
// use its end cells, whose bounds are 0 and 2¹⁶.

const (
	brHalf  = 16                 // the table covers a ∈ [−brHalf, brHalf)
	brPer   = 32                 // cells per unit of a
	brCells = 2 * brHalf * brPer // interior cells
	brLast  = brCells + 1        // index of the cell a ≥ brHalf
	brOff   = brHalf*brPer + 1   // a·brPer + brOff is the cell coordinate
	brEps   = 1e-12              // margin on P for rounding
	brScale = 1 << 16            // 2¹⁶
	brMask  = brScale - 1        //
	brMaxIx = float64(brLast)    // largest cell coordinate
)

// brTab holds the integer bounds of cells 0 (a < −16) to brLast
// (a ≥ 16); the entries past brLast repeat cell 0, so that brCell needs
// no clamping from below (see brCell).
var brTab [brSize]brBounds

// brSize is the table length, a power of two above brLast.
const brSize = 2048

type brBounds struct{ lo, hi uint32 }

func init() {
	for c := range brSize {
		var pl, ph float64
		switch {
		case c == 0 || c > brLast:
			pl, ph = 0, logistic(-brHalf)
		case c == brLast:
			pl, ph = logistic(brHalf), 1
		default:
			pl = logistic(-brHalf + float64(c-1)/brPer)
			ph = logistic(-brHalf + float64(c)/brPer)
		}
		lo := math.Floor((pl - brEps) * brScale)
		hi := math.Ceil((ph + brEps) * brScale)
		brTab[c] = brBounds{uint32(math.Max(lo, 0)), uint32(math.Min(hi, brScale))}
	}
}

// brCell returns the table cell of a: the cell coordinate x = 32a + 513
// clamped to [0, brLast] (NaN is left alone), converted to an integer and
// masked, which sends NaN (the integer indefinite value) to cell 0.
func brCell(a float64) int {
	x := a*brPer + brOff
	if x > brMaxIx {
		x = brMaxIx
	}
	if x < 0 {
		x = 0
	}
	return int(x) & (brSize - 1)
}

// drawBit returns 1 with probability logistic(a), given the leading 16
// bits k of the uniform; src supplies more bits when needed.
func drawBit(a float64, k uint32, src *rand.PCG) uint64 {
	bit, amb := bracket(a, k)
	if amb {
		return resolveBit(a, k, src)
	}
	return bit
}

// bracket returns the draw decided by the table and whether the table left
// it open (then resolveBit decides).
func bracket(a float64, k uint32) (bit uint64, open bool) {
	b := brTab[brCell(a)]
	d := k - b.lo
	return uint64(d >> 31), d < b.hi-b.lo
}

// resolveBit decides a draw that the table left open.
func resolveBit(a float64, k uint32, src *rand.PCG) uint64 {
	p := logistic(a) * brScale
	kf := float64(k)
	switch {
	case kf+1 <= p:
		return 1
	case kf >= p:
		return 0
	}
	f := float64(src.Uint64()>>11) * 0x1p-53
	if f < p-kf {
		return 1
	}
	return 0
}

// sampleBits draws binary units j < len(x) with inputs a_j = scale·(x_j +
// g_j) into the packed words. It reads ⌈n/4⌉ 64-bit words of src into
// rbuf first (unit j takes bits 16(j%4) to 16(j%4)+15 of word j/4 as the
// leading bits k of its uniform), decides every draw the table can
// (bracketBits), then resolves the open ones in index order, each taking
// its extra uniform from src in turn. open is scratch of len(words). It
// reports whether some input a_j is NaN or infinite.
func sampleBits(words []uint64, x, g []float64, scale float64, src *rand.PCG, rbuf, open []uint64) (bad bool) {
	n := len(x)
	g = g[:n]
	nr := (n + 3) / 4
	rbuf = rbuf[:nr]
	for j := range rbuf {
		rbuf[j] = src.Uint64()
	}
	clear(words)
	open = open[:len(words)]
	clear(open)
	full := n / 4
	bad = bracketBits(words, open, x, g, scale, rbuf, full)
	for i := full * 4; i < n; i++ {
		a := scale * (x[i] + g[i])
		bad = bad || math.IsNaN(a) || math.IsInf(a, 0)
		b, o := bracket(a, uint32(rbuf[i/4]>>(16*uint(i%4)))&brMask)
		words[i>>6] |= b << (uint(i) & 63)
		if o {
			open[i>>6] |= 1 << (uint(i) & 63)
		}
	}
	for w, om := range open {
		for ; om != 0; om &= om - 1 {
			i := w*64 + bits.TrailingZeros64(om)
			k := uint32(rbuf[i/4]>>(16*uint(i%4))) & brMask
			bit := uint64(1) << (uint(i) & 63)
			if resolveBit(scale*(x[i]+g[i]), k, src) == 1 {
				words[w] |= bit
			} else {
				words[w] &^= bit
			}
		}
	}
	return bad
}

// bracketBitsGo ORs into words the table decision of the units of the
// first groups groups of four (unit j: input a_j = scale·(x_j+g_j), leading
// bits k from rbuf[j/4]), and into open the units the table leaves open.
// It reports whether some a_j is NaN or infinite.
func bracketBitsGo(words, open []uint64, x, g []float64, scale float64, rbuf []uint64, groups int) (bad bool) {
	for j := range groups {
		r := rbuf[j]
		var pb, ob uint64
		for l := range 4 {
			i := 4*j + l
			a := scale * (x[i] + g[i])
			bad = bad || math.IsNaN(a) || math.IsInf(a, 0)
			b, o := bracket(a, uint32(r>>(16*uint(l)))&brMask)
			pb |= b << uint(l)
			if o {
				ob |= 1 << uint(l)
			}
		}
		sh := uint(4*j) & 63
		words[4*j>>6] |= pb << sh
		open[4*j>>6] |= ob << sh
	}
	return bad
}

// samplePotts draws colours v_i ∈ 0..q−1 with probabilities
// softmax_c(x_ic + g_ic) by inverse CDF after a maximum shift, one 53-bit
// uniform u per site from src. prob is scratch of length q.
//
// The exact procedure computes e_c = exp(l_c − max l) with math.Exp, the
// float sum S and the running sums A_c, and picks the first c with
// A_c > uS. It is run with fastExp (relative error < 4e-9) first; the
// result is accepted when uS lies farther than a margin covering that
// error and the rounding of the sums from both running sums around the
// chosen colour, which guarantees that the exact procedure picks the same
// colour; otherwise (rarely) the exact procedure runs. The draws are
// therefore those of the exact procedure.
func samplePotts(col []uint8, x, g []float64, q int, prob []float64, src *rand.PCG) {
	margin := 2 * (potExpErr + float64(q+2)*0x1p-52)
	for i := range col {
		xi, gi := x[i*q:(i+1)*q], g[i*q:(i+1)*q]
		mx := math.Inf(-1)
		for c := range q {
			prob[c] = xi[c] + gi[c]
			if prob[c] > mx {
				mx = prob[c]
			}
		}
		var s float64
		for c := range q {
			prob[c] = fastExp(prob[c] - mx)
			s += prob[c]
		}
		u := float64(src.Uint64()>>11) * 0x1p-53
		t := u * s
		c, acc := 0, prob[0]
		for acc <= t && c < q-1 {
			c++
			acc += prob[c]
		}
		m := margin * s
		if (c < q-1 && acc-t <= m) || (c > 0 && t-(acc-prob[c]) <= m) || !(s > 0) {
			c = pottsExact(xi, gi, mx, u, prob)
		}
		col[i] = uint8(c)
	}
}

// pottsExact is the exact inverse-CDF procedure of samplePotts.
func pottsExact(xi, gi []float64, mx, u float64, prob []float64) int {
	q := len(prob)
	var s float64
	for c := range q {
		prob[c] = math.Exp(xi[c] + gi[c] - mx)
		s += prob[c]
	}
	t := u * s
	c, acc := 0, prob[0]
	for acc <= t && c < q-1 {
		c++
		acc += prob[c]
	}
	return c
}

// potExpErr bounds the relative error of fastExp on [−700, 0]
// (TestFastExp checks 4e-9 against math.Exp).
const potExpErr = 4e-9

// fastExp returns e^y for y ≤ 0 to a relative error below potExpErr:
// y = k ln 2 + r, k the nearest integer to y/ln 2 (by the 1.5·2⁵² shift),
// |r| ≤ ln2/2, e^r by its Taylor polynomial of degree 8 (remainder
// < 0.347⁹/9! e^0.347 ≈ 3.1e-10), scaled by 2^k. Inputs below −700 are
// taken as −700 (e^−700 ≈ 1e-304, negligible beside the largest weight 1
// of samplePotts); NaN gives NaN.
func fastExp(y float64) float64 {
	const (
		log2e = 1.44269504088896340735992468100189214
		ln2hi = 6.93147180369123816490e-01
		ln2lo = 1.90821492927058770002e-10
		shift = 0x1.8p52
	)
	if y < -700 {
		y = -700
	}
	k := (y*log2e + shift) - shift
	r := (y - k*ln2hi) - k*ln2lo
	p := 1 + r*(1+r*(1./2+r*(1./6+r*(1./24+r*(1./120+r*(1./720+r*(1./5040+r*(1./40320))))))))
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

// badInput is the first non-finite value met by a chain.
type badInput struct {
	found bool
	what  string // "hidden input" or "visible input"
	index int
	value float64
}

// chain is the state and scratch of one Markov chain. Its slices view the
// arrays of its chainSet.
type chain struct {
	src *rand.PCG
	rnd *rand.Rand
	vb  []uint64  // packed binary visible state
	vp  []uint8   // Potts visible colours
	hb  []uint64  // packed binary hidden state
	h   []float64 // continuous hidden values
	in  []float64 // hidden inputs I_μ(v)
	x   []float64 // visible inputs Σ_μ w_μi h_μ (N·d)

	offs []int32
	old  []uint64
	open []uint64
	rbuf []uint64
	prob []float64
	bad  badInput
}

// check notes the first non-finite entry of v, unless one was noted
// already. The scan adds v_j·0, which is NaN only for a non-finite v_j.
func (ch *chain) check(what string, v []float64) {
	if ch.bad.found {
		return
	}
	var a0, a1, a2, a3 float64
	j := 0
	for ; j+4 <= len(v); j += 4 {
		a0 += v[j] * 0
		a1 += v[j+1] * 0
		a2 += v[j+2] * 0
		a3 += v[j+3] * 0
	}
	for ; j < len(v); j++ {
		a0 += v[j] * 0
	}
	if acc := a0 + a1 + a2 + a3; acc == acc {
		return
	}
	for j, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			ch.bad = badInput{found: true, what: what, index: j, value: x}
			return
		}
	}
}

// flag notes the first unit whose input x_j, or whose full input
// scale·(x_j + g_j), is not finite, after sampleBits reported one.
func (ch *chain) flag(what string, x, g []float64, scale float64) {
	ch.check(what, x)
	if ch.bad.found {
		return
	}
	for j := range x {
		if a := scale * (x[j] + g[j]); math.IsNaN(a) || math.IsInf(a, 0) {
			ch.bad = badInput{found: true, what: what, index: j, value: a}
			return
		}
	}
}

// hiddenInputs writes the hidden inputs I_μ = β Σ_i w_μi x_i(v) of the
// chain's visible state.
func (md *model) hiddenInputsOf(in []float64, words []uint64, col []uint8, offs []int32) {
	if md.vis == VisiblePotts {
		offs = offs[:md.n]
		d, m := md.d, md.m
		for i, c := range col {
			offs[i] = int32((i*d + int(c)) * m)
		}
		sumRows(in, md.wT, offs)
	} else {
		md.tv.sum(in, words, offs)
	}
	if md.beta != 1 {
		for mu := range in {
			in[mu] *= md.beta
		}
	}
}

// denseVisibleInputs writes x = β Σ_μ h_μ w_μ for continuous hidden values.
func (md *model) denseVisibleInputs(x, h []float64) {
	nd := md.n * md.d
	clear(x)
	for mu, hv := range h {
		axpy(x, md.beta*hv, md.w[mu*nd:(mu+1)*nd])
	}
}

// run advances the chain by k block-Gibbs sweeps of md (THEORY.md §4.1,
// eq 3): each sweep draws h ~ p(h | v), then v ~ p(v | h), hidden units
// before visible ones, in index order. Afterwards in holds the hidden
// inputs of the final state, recomputed from scratch, and bad the first
// non-finite input met.
//
// Inputs of binary layers come from the lookup tables of md; after the
// first sweep they are updated incrementally for the units that changed,
// whenever fewer units changed than the table has groups.
func (ch *chain) run(md *model, k int) {
	ch.bad = badInput{}
	md.hiddenInputsOf(ch.in, ch.vb, ch.vp, ch.offs)
	nd := md.n * md.d
	for s := range k {
		// h ~ p(h | v) and the visible inputs of h.
		if md.hid.discrete() {
			scale := 1.0
			if md.hid == HiddenSpin {
				scale = 2
			}
			nw := len(ch.hb)
			copy(ch.old[:nw], ch.hb)
			if sampleBits(ch.hb, ch.in, md.hp.c, scale, ch.src, ch.rbuf, ch.open) {
				ch.flag("hidden input", ch.in, md.hp.c, scale)
			}
			nf := 0
			for j := range nw {
				nf += bits.OnesCount64(ch.old[j] ^ ch.hb[j])
			}
			if s > 0 && nf < md.th.ng {
				lo, hi := binaryValues(md.hid == HiddenSpin)
				for j := range nw {
					for f := ch.old[j] ^ ch.hb[j]; f != 0; f &= f - 1 {
						mu := j*64 + bits.TrailingZeros64(f)
						delta := hi - lo
						if ch.hb[j]>>(uint(mu)&63)&1 == 0 {
							delta = lo - hi
						}
						axpy(ch.x, md.beta*delta, md.w[mu*nd:(mu+1)*nd])
					}
				}
			} else {
				md.th.sum(ch.x, ch.hb, ch.offs)
				if md.beta != 1 {
					for i := range ch.x {
						ch.x[i] *= md.beta
					}
				}
			}
		} else {
			ch.check("hidden input", ch.in)
			md.hiddenSample(ch.h, ch.in, ch.rnd)
			md.denseVisibleInputs(ch.x, ch.h)
		}

		// v ~ p(v | h) and, unless this was the last sweep, the hidden
		// inputs of v.
		last := s == k-1
		if md.vis == VisiblePotts {
			ch.check("visible input", ch.x)
			samplePotts(ch.vp, ch.x, md.g, md.q, ch.prob, ch.src)
			if !last {
				md.hiddenInputsOf(ch.in, ch.vb, ch.vp, ch.offs)
			}
			continue
		}
		scale := 1.0
		if md.vis == VisibleSpin {
			scale = 2
		}
		nw := len(ch.vb)
		copy(ch.old[:nw], ch.vb)
		if sampleBits(ch.vb, ch.x, md.g, scale, ch.src, ch.rbuf, ch.open) {
			ch.flag("visible input", ch.x, md.g, scale)
		}
		if last {
			break
		}
		nf := 0
		for j := range nw {
			nf += bits.OnesCount64(ch.old[j] ^ ch.vb[j])
		}
		if nf < md.tv.ng {
			lo, hi := binaryValues(md.vis == VisibleSpin)
			m := md.m
			for j := range nw {
				for f := ch.old[j] ^ ch.vb[j]; f != 0; f &= f - 1 {
					i := j*64 + bits.TrailingZeros64(f)
					delta := hi - lo
					if ch.vb[j]>>(uint(i)&63)&1 == 0 {
						delta = lo - hi
					}
					axpy(ch.in, md.beta*delta, md.wT[i*m:(i+1)*m])
				}
			}
		} else {
			md.hiddenInputsOf(ch.in, ch.vb, ch.vp, ch.offs)
		}
	}
	md.hiddenInputsOf(ch.in, ch.vb, ch.vp, ch.offs)
	ch.check("hidden input", ch.in)
}

// hiddenValues writes the hidden values of the chain into dst: the bits of
// a discrete layer as ±1 or 0/1, or the continuous values.
func (ch *chain) hiddenValues(dst []float64, md *model) {
	if !md.hid.discrete() {
		copy(dst, ch.h)
		return
	}
	lo, hi := binaryValues(md.hid == HiddenSpin)
	for mu := range dst {
		dst[mu] = lo
		if ch.hb[mu>>6]>>(uint(mu)&63)&1 == 1 {
			dst[mu] = hi
		}
	}
}
