package rbm

import (
	"math"
	"math/rand/v2"

	"placecell/internal/rng"
)

// tempering is parallel tempering (SIMULATOR.md §4): R replicas of the C
// chains on the ladder β_r = 1 − r/(R−1), replica r sampling the
// parameters β_r p + (1−β_r) p₀, p₀ the independent-site model (weights
// zero, visible fields g₀, hidden potentials of the default unit). After
// each sweep, neighbouring replicas (r, r+1) with r even, then odd on the
// next sweep, propose to exchange their states (v, h), accepted with
// probability min(1, exp[(β_r − β_(r+1))(D_r − D_(r+1))]), D = E − E₀.
// Only replica 0 (β = 1) feeds the gradient.
type tempering struct {
	betas    []float64
	sets     []*chainSet // sets[0] is the trainer's chains
	models   []*model    // models[0] is the trainer's model
	g0       []float64   // visible fields of p₀
	src      []*rand.PCG // swap streams ("pt", c), one per chain index
	sweeps   int         // sweeps performed (their parity alternates the pairs)
	attempts []int64     // per pair
	accepts  []int64

	cnt []int64 // C × (R−1) × 2 swap counts of the last sweep
	in  [][]float64
	hv  [][]float64
	off [][]int32
}

func newTempering(t *Trainer, g0 []float64) *tempering {
	r, c := t.cfg.Replicas, t.cfg.Chains
	pt := &tempering{
		betas:    make([]float64, r),
		sets:     make([]*chainSet, r),
		models:   make([]*model, r),
		g0:       make([]float64, t.n*t.d),
		src:      make([]*rand.PCG, c),
		attempts: make([]int64, r-1),
		accepts:  make([]int64, r-1),
		cnt:      make([]int64, c*(r-1)*2),
	}
	if g0 != nil {
		copy(pt.g0, g0)
	}
	for k := range r {
		pt.betas[k] = 1 - float64(k)/float64(r-1)
	}
	pt.sets[0], pt.models[0] = t.chains, t.md
	for k := 1; k < r; k++ {
		md := *t.md
		md.g = make([]float64, len(t.md.g))
		md.hp = hiddenParams{}
		for _, name := range hiddenSegments(t.md.hid) {
			md.hp.set(name, make([]float64, t.m))
		}
		pt.models[k] = &md
		pt.sets[k] = newChainSet(t.cfg.Seed, "replica", uint64((k-1)*c), c, &md)
		pt.sets[k].init(g0)
	}
	for k := range c {
		pt.src[k] = rng.PCG(t.cfg.Seed, "pt", uint64(k))
		pt.in = append(pt.in, make([]float64, t.m))
		pt.hv = append(pt.hv, make([]float64, t.m))
		pt.off = append(pt.off, make([]int32, t.n+(t.m+3)/4+1))
	}
	return pt
}

// interpolate sets md (at inverse temperature beta) from the β = 1 model
// base: shared weights and tables, fields β g + (1−β) g₀, hidden
// parameters β p + (1−β) p₀.
func interpolate(md, base *model, beta float64, g0 []float64) {
	g, hp := md.g, md.hp
	*md = *base
	md.g, md.hp, md.beta = g, hp, beta
	for j := range g {
		g[j] = beta*base.g[j] + (1-beta)*g0[j]
	}
	u := defaultUnit(base.hid)
	mix := func(dst, src []float64, p0 float64) {
		for j := range dst {
			dst[j] = beta*src[j] + (1-beta)*p0
		}
	}
	mix(hp.c, base.hp.c, 0)
	mix(hp.gamma, base.hp.gamma, u.Gamma)
	mix(hp.theta, base.hp.theta, u.Theta)
	mix(hp.gp, base.hp.gp, u.GammaPlus)
	mix(hp.gm, base.hp.gm, u.GammaMinus)
	mix(hp.tp, base.hp.tp, u.ThetaPlus)
	mix(hp.tm, base.hp.tm, u.ThetaMinus)
}

// advance runs k sweeps of every replica, each followed by a round of
// swaps, then recomputes the β = 1 chains' inputs.
func (pt *tempering) advance(t *Trainer, k int, parallel bool) {
	for r := 1; r < len(pt.sets); r++ {
		interpolate(pt.models[r], t.md, pt.betas[r], pt.g0)
	}
	c := t.cfg.Chains
	for range k {
		forEach(len(pt.sets)*c, parallel, func(j int) {
			pt.sets[j/c].ch[j%c].run(pt.models[j/c], 1)
		})
		parity := pt.sweeps % 2
		forEach(c, parallel, func(j int) { pt.swap(t, j, parity) })
		np := len(pt.betas) - 1
		for j := range c {
			for r := range np {
				pt.attempts[r] += pt.cnt[(j*np+r)*2]
				pt.accepts[r] += pt.cnt[(j*np+r)*2+1]
			}
		}
		pt.sweeps++
	}
	base := pt.sets[0]
	forEach(c, parallel, func(j int) {
		ch := &base.ch[j]
		t.md.hiddenInputsOf(ch.in, ch.vb, ch.vp, ch.offs)
		ch.bad = badInput{}
		ch.check("hidden input", ch.in)
	})
}

// energyDiff returns D = E(v,h) − E₀(v,h) of chain j of replica r:
//
//	D = −Σ_i (g_i − g₀_i)·x_i(v) + Σ_μ [U_μ(h_μ) − U₀(h_μ)] − Σ_μ h_μ I_μ(v),
//
// with the β = 1 parameters.
func (pt *tempering) energyDiff(t *Trainer, r, j int) float64 {
	md := t.md
	ch := &pt.sets[r].ch[j]
	in, hv := pt.in[j], pt.hv[j]
	md.hiddenInputsOf(in, ch.vb, ch.vp, pt.off[j])
	ch.hiddenValues(hv, md)
	var s float64
	for mu, x := range in {
		s -= hv[mu] * x
	}
	s -= md.visibleFieldTerm(ch.vb, ch.vp)
	p0 := *md
	p0.g = pt.g0
	s += p0.visibleFieldTerm(ch.vb, ch.vp)
	s += md.hiddenEnergy(hv) - defaultEnergy(md.hid, hv)
	return s
}

// defaultEnergy returns Σ_μ U₀(h_μ) of the default unit of type h.
func defaultEnergy(h HiddenType, hv []float64) float64 {
	var s float64
	for _, x := range hv {
		switch h {
		case HiddenSpin, HiddenBernoulli:
		case HiddenReLU, HiddenGaussian, HiddenDoubleWell, HiddenDReLU:
			s += x * x / 2
		}
	}
	return s
}

// swap proposes the exchanges of chain j between the pairs of the given
// parity and notes the counts.
func (pt *tempering) swap(t *Trainer, j, parity int) {
	np := len(pt.betas) - 1
	cnt := pt.cnt[j*np*2 : (j+1)*np*2]
	clear(cnt)
	for r := parity; r < np; r += 2 {
		da, db := pt.energyDiff(t, r, j), pt.energyDiff(t, r+1, j)
		la := (pt.betas[r] - pt.betas[r+1]) * (da - db)
		u := float64(pt.src[j].Uint64()>>11) * 0x1p-53
		cnt[2*r]++
		if u < math.Exp(math.Min(0, la)) {
			cnt[2*r+1]++
			pt.sets[r].swapState(j, pt.sets[r+1], j)
		}
	}
}

// acceptance returns the acceptance rate of each pair since the counts
// prev (which it updates).
func (pt *tempering) acceptance(prev []int64) []float64 {
	np := len(pt.attempts)
	out := make([]float64, np)
	for r := range np {
		a := pt.attempts[r] - prev[2*r]
		b := pt.accepts[r] - prev[2*r+1]
		out[r] = math.NaN()
		if a > 0 {
			out[r] = float64(b) / float64(a)
		}
		prev[2*r], prev[2*r+1] = pt.attempts[r], pt.accepts[r]
	}
	return out
}
