package rbm

import (
	"math"
	"math/rand/v2"
)

// AISResult holds annealed-importance-sampling estimates of ln Z
// (SIMULATOR.md §6), from the independent-site model p₀ (weights zero,
// fields g₀ fitted to the data marginals, default hidden potentials) to
// the model along the linear path p_β = β p + (1−β) p₀, β_j = j/Steps,
// with one block-Gibbs sweep per step, all in float64.
type AISResult struct {
	Runs, Steps int
	// LogZ0 is ln Z of p₀, exact.
	LogZ0 float64
	// LogZ is the forward estimate ln Z₀ + ln mean_r e^(w_r) (log-mean-exp
	// of the log-weights w_r), unbiased in Z, so a stochastic lower bound
	// on ln Z; LogZSE its standard error (delta method).
	LogZ, LogZSE float64
	// LogZMeanLog is ln Z₀ + mean_r w_r, the biased estimate PGM reports;
	// it lies below LogZ (Jensen).
	LogZMeanLog float64
	// ReverseLogZ is the reverse estimate ln Z₀ − ln mean_r e^(w'_r), from
	// runs started at the persistent chains' states (model samples) and
	// annealed to p₀: a stochastic upper bound on ln Z when the starting
	// states are equilibrated. NaN without chains.
	ReverseLogZ, ReverseLogZSE float64
}

// logMeanExp returns ln mean e^(x_r) and the standard error of that
// logarithm, sd(e^x)/(√R mean(e^x)).
func logMeanExp(x []float64) (float64, float64) {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	r := float64(len(x))
	var s, s2 float64
	for _, v := range x {
		e := math.Exp(v - mx)
		s += e
		s2 += e * e
	}
	mean := s / r
	se := math.NaN()
	if len(x) > 1 {
		v := (s2/r - mean*mean) * r / (r - 1)
		se = math.Sqrt(math.Max(v, 0)/r) / mean
	}
	return mx + math.Log(mean), se
}

// aisRunner anneals one chain.
type aisRunner struct {
	ch         chain
	cur, other *model
	in         []float64
}

func newAISRunner(t *Trainer, src *rand.PCG) *aisRunner {
	cs := newChainSet(0, "", 0, 1, t.md) // streams replaced below
	ch := cs.ch[0]
	ch.src = src
	ch.rnd = rand.New(src)
	ar := &aisRunner{ch: ch, in: make([]float64, t.m)}
	ar.cur, ar.other = betaModel(t), betaModel(t)
	return ar
}

// betaModel returns a model with its own fields and hidden parameters,
// to be set by interpolate.
func betaModel(t *Trainer) *model {
	md := *t.md
	md.g = make([]float64, len(t.md.g))
	md.hp = hiddenParams{}
	alloc := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		return make([]float64, len(x))
	}
	md.hp.c, md.hp.gamma, md.hp.theta = alloc(t.md.hp.c), alloc(t.md.hp.gamma), alloc(t.md.hp.theta)
	md.hp.gp, md.hp.gm, md.hp.tp, md.hp.tm = alloc(t.md.hp.gp), alloc(t.md.hp.gm), alloc(t.md.hp.tp), alloc(t.md.hp.tm)
	return &md
}

// negF returns −F_β(v) of the chain's state for the model md at β,
// computing the unscaled inputs from base.
func (ar *aisRunner) negF(md, base *model) float64 {
	base.hiddenInputsOf(ar.in, ar.ch.vb, ar.ch.vp, ar.ch.offs)
	for mu := range ar.in {
		ar.in[mu] *= md.beta
	}
	return md.visibleFieldTerm(ar.ch.vb, ar.ch.vp) + md.hiddenLogZ(ar.in)
}

// forward runs forward AIS from an exact draw of p₀ and returns the
// log-weight Σ_j [−F_(β_j)(v_(j−1)) + F_(β_(j−1))(v_(j−1))].
func (ar *aisRunner) forward(t *Trainer, g0 []float64, steps int) float64 {
	base := t.md
	zeros := make([]float64, t.n*t.d)
	if t.cfg.Visible == VisiblePotts {
		samplePotts(ar.ch.vp, zeros, g0, t.q, ar.ch.prob, ar.ch.src)
	} else {
		scale := 1.0
		if t.cfg.Visible == VisibleSpin {
			scale = 2
		}
		sampleBits(ar.ch.vb, zeros, g0, scale, ar.ch.src, ar.ch.rbuf, ar.ch.open)
	}
	var lw float64
	interpolate(ar.other, base, 0, g0)
	for j := 1; j <= steps; j++ {
		interpolate(ar.cur, base, float64(j)/float64(steps), g0)
		lw += ar.negF(ar.cur, base) - ar.negF(ar.other, base)
		if j < steps {
			ar.ch.run(ar.cur, 1)
		}
		ar.cur, ar.other = ar.other, ar.cur
	}
	return lw
}

// reverse runs reverse AIS from the visible state (words or cols) and
// returns the log-weight Σ_j [F_(β_j)(v_j) − F_(β_(j−1))(v_j)], j from
// Steps down to 1.
func (ar *aisRunner) reverse(t *Trainer, g0 []float64, steps int, words []uint64, cols []uint8) float64 {
	base := t.md
	copy(ar.ch.vb, words)
	copy(ar.ch.vp, cols)
	var lw float64
	interpolate(ar.other, base, 1, g0)
	for j := steps; j >= 1; j-- {
		interpolate(ar.cur, base, float64(j-1)/float64(steps), g0)
		lw += ar.negF(ar.cur, base) - ar.negF(ar.other, base)
		if j > 1 {
			ar.ch.run(ar.cur, 1)
		}
		ar.cur, ar.other = ar.other, ar.cur
	}
	return lw
}

// logZ0 returns ln Z of p₀: Σ_i ln Z_i(g₀) + Σ_μ Γ₀(0).
func logZ0(t *Trainer, g0 []float64) float64 {
	md := *t.md
	md.g = g0
	zeros := make([]float64, t.d)
	var s float64
	for i := range t.n {
		s += md.visibleLogZ(i, zeros)
	}
	return s + float64(t.m)*defaultUnit(t.cfg.Unit.Type).Potential().Gamma(0)
}

// AIS estimates ln Z with runs forward runs of the given number of steps
// and as many reverse runs started from the persistent chains (chain
// r mod C), with the streams ("ais", r) and ("ais-reverse", r), which
// persist between calls. Runs execute in parallel; the result does not
// depend on GOMAXPROCS.
func (t *Trainer) AIS(runs, steps int) AISResult {
	for len(t.obs.aisSrc) < runs {
		r := len(t.obs.aisSrc)
		t.obs.aisSrc = append(t.obs.aisSrc, rngPCG(t.cfg.Seed, "ais", r))
		t.obs.aisRevSrc = append(t.obs.aisRevSrc, rngPCG(t.cfg.Seed, "ais-reverse", r))
	}
	t.md.prepare()
	g0 := t.g0
	res := AISResult{Runs: runs, Steps: steps, LogZ0: logZ0(t, g0), ReverseLogZ: math.NaN(), ReverseLogZSE: math.NaN()}
	fw := make([]float64, runs)
	forEach(runs, true, func(r int) {
		fw[r] = newAISRunner(t, t.obs.aisSrc[r]).forward(t, g0, steps)
	})
	lme, se := logMeanExp(fw)
	res.LogZ, res.LogZSE = res.LogZ0+lme, se
	var ml float64
	for _, x := range fw {
		ml += x
	}
	res.LogZMeanLog = res.LogZ0 + ml/float64(runs)
	if t.chains != nil {
		rv := make([]float64, runs)
		cs := t.chains
		forEach(runs, true, func(r int) {
			ch := &cs.ch[r%cs.c]
			rv[r] = newAISRunner(t, t.obs.aisRevSrc[r]).reverse(t, g0, steps, ch.vb, ch.vp)
		})
		lme, se := logMeanExp(rv)
		res.ReverseLogZ, res.ReverseLogZSE = res.LogZ0-lme, se
	}
	return res
}
