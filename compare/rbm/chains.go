package rbm

import (
	"math/rand/v2"
	"runtime"
	"sync"

	"placecell/internal/rng"
)

// chainSet holds C Markov chains over the visible and hidden units of one
// model shape, stored in contiguous arrays (chain k owns the k-th block of
// each), each chain drawing from its own stream.
type chainSet struct {
	c, n, m, q, d int
	vis           VisibleType
	hid           HiddenType
	nwv, nwh      int // words per packed visible / hidden state

	src []*rand.PCG
	vb  []uint64  // C × nwv packed binary visible states
	vp  []uint8   // C × N Potts colours
	hb  []uint64  // C × nwh packed binary hidden states
	h   []float64 // C × M continuous hidden values
	in  []float64 // C × M hidden inputs of the current visible states
	x   []float64 // C × N·d visible inputs

	ch     []chain
	active int // chains in use: C, or a CD minibatch's size
}

// newChainSet returns c chains for md's shape whose streams are
// (seed, name, first+k), k < c. The states are zero; see init.
func newChainSet(seed uint64, name string, first uint64, c int, md *model) *chainSet {
	n, m, q, d := md.n, md.m, md.q, md.d
	cs := &chainSet{c: c, n: n, m: m, q: q, d: d, vis: md.vis, hid: md.hid, active: c,
		nwv: (n + 63) / 64, nwh: (m + 63) / 64}
	cs.src = make([]*rand.PCG, c)
	if md.vis == VisiblePotts {
		cs.vp = make([]uint8, c*n)
	} else {
		cs.vb = make([]uint64, c*cs.nwv)
	}
	if md.hid.discrete() {
		cs.hb = make([]uint64, c*cs.nwh)
	} else {
		cs.h = make([]float64, c*m)
	}
	cs.in = make([]float64, c*m)
	cs.x = make([]float64, c*n*d)
	cs.ch = make([]chain, c)
	scratch := max(n, (n+3)/4, (m+3)/4) + 1
	for k := range c {
		cs.src[k] = rng.PCG(seed, name, first+uint64(k))
		ch := &cs.ch[k]
		ch.src = cs.src[k]
		ch.rnd = rand.New(ch.src)
		if cs.vp != nil {
			ch.vp = cs.vp[k*n : (k+1)*n]
		} else {
			ch.vb = cs.vb[k*cs.nwv : (k+1)*cs.nwv]
		}
		if cs.hb != nil {
			ch.hb = cs.hb[k*cs.nwh : (k+1)*cs.nwh]
		} else {
			ch.h = cs.h[k*m : (k+1)*m]
		}
		ch.in = cs.in[k*m : (k+1)*m]
		ch.x = cs.x[k*n*d : (k+1)*n*d]
		ch.offs = make([]int32, scratch)
		ch.old = make([]uint64, max(cs.nwv, cs.nwh))
		ch.open = make([]uint64, max(cs.nwv, cs.nwh))
		ch.rbuf = make([]uint64, (max(n, m)+3)/4)
		ch.prob = make([]float64, q)
	}
	return cs
}

// init draws the initial visible states from each chain's stream: uniform
// (one 64-bit word per 64 binary units, bit i%64 giving unit i; a uniform
// colour per Potts site) when g0 is nil, else from the independent-site
// model with fields g0.
func (cs *chainSet) init(g0 []float64) {
	zeros := make([]float64, cs.n*cs.d)
	for k := range cs.c {
		ch := &cs.ch[k]
		switch {
		case cs.vis == VisiblePotts && g0 == nil:
			for i := range ch.vp {
				ch.vp[i] = uint8(ch.rnd.IntN(cs.q))
			}
		case cs.vis == VisiblePotts:
			samplePotts(ch.vp, zeros, g0, cs.q, ch.prob, ch.src)
		case g0 == nil:
			for w := range ch.vb {
				ch.vb[w] = ch.src.Uint64()
			}
			if r := cs.n % 64; r != 0 {
				ch.vb[len(ch.vb)-1] &= 1<<r - 1
			}
		default:
			scale := 1.0
			if cs.vis == VisibleSpin {
				scale = 2
			}
			sampleBits(ch.vb, zeros, g0, scale, ch.src, ch.rbuf, ch.open)
		}
	}
}

// advance runs k sweeps of md on every active chain. With parallel set,
// contiguous groups of chains run on up to GOMAXPROCS goroutines; each
// chain draws only from its own stream and writes only its own buffers,
// so the outcome does not depend on the grouping.
func (cs *chainSet) advance(md *model, k int, parallel bool) {
	forEach(cs.active, parallel, func(c int) { cs.ch[c].run(md, k) })
}

// firstBad returns the first active chain, in chain order, that met a
// non-finite input during the last advance.
func (cs *chainSet) firstBad() (c int, b badInput) {
	for c := range cs.active {
		if cs.ch[c].bad.found {
			return c, cs.ch[c].bad
		}
	}
	return -1, badInput{}
}

// swapState exchanges the states (visible and hidden) of chain a of cs and
// chain b of other.
func (cs *chainSet) swapState(a int, other *chainSet, b int) {
	x, y := &cs.ch[a], &other.ch[b]
	for j := range x.vb {
		x.vb[j], y.vb[j] = y.vb[j], x.vb[j]
	}
	for j := range x.vp {
		x.vp[j], y.vp[j] = y.vp[j], x.vp[j]
	}
	for j := range x.hb {
		x.hb[j], y.hb[j] = y.hb[j], x.hb[j]
	}
	for j := range x.h {
		x.h[j], y.h[j] = y.h[j], x.h[j]
	}
}

// forEach calls f(i) for i < n, on up to GOMAXPROCS goroutines over
// contiguous blocks when parallel is set. f must write disjoint data.
func forEach(n int, parallel bool, f func(i int)) {
	g := min(runtime.GOMAXPROCS(0), n)
	if !parallel || g < 2 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	for j := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := j * n / g; i < (j+1)*n/g; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}
