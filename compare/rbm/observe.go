package rbm

import (
	"math"
	"math/cmplx"
	"math/rand/v2"

	"placecell/dynamics"
	"placecell/internal/rng"
)

// ChainStats are the chain diagnostics of a record (SIMULATOR.md §6).
type ChainStats struct {
	// Magnetisation is the mean over chains of m_c = (1/N) Σ_i x_i (±1 or
	// {0,1} units), or of |(1/N) Σ_i e^(2πi v_i/q)| for Potts units;
	// AbsMagnetisation is the mean of |m_c|.
	Magnetisation, AbsMagnetisation float64
	// Autocorrelation is the Pearson correlation over chains of m_c at
	// this record and at the previous one, a slow-mixing indicator near 1;
	// NaN at the first record, with fewer than 2 chains, or in Exact mode.
	Autocorrelation float64
	// PTAcceptance is the swap acceptance rate of each neighbouring pair
	// of replicas since the previous record (nil without tempering).
	PTAcceptance []float64
}

// observerState carries what the observables need between records.
type observerState struct {
	prevMag   []float64 // m_c at the previous record
	ptPrev    []int64   // tempering counts at the previous record
	aisSrc    []*rand.PCG
	aisRevSrc []*rand.PCG
	bnVar     []float64 // Var_B(I_μ) of the last batch-norm step
}

func (o *observerState) init(t *Trainer) {
	if t.pt != nil {
		o.ptPrev = make([]int64, 2*(t.cfg.Replicas-1))
	}
	for r := range t.cfg.Observe.AISRuns {
		o.aisSrc = append(o.aisSrc, rng.PCG(t.cfg.Seed, "ais", uint64(r)))
		o.aisRevSrc = append(o.aisRevSrc, rng.PCG(t.cfg.Seed, "ais-reverse", uint64(r)))
	}
}

// UnitStats holds the order parameters of each hidden unit's receptive
// field (SIMULATOR.md §6, THEORY.md §4.12). For Potts units they are
// computed from the site norms s_i = Σ_c w_μi(c)².
type UnitStats struct {
	// SumSq is Σ_i w_μi² (Σ_i s_i for Potts).
	SumSq []float64
	// OrderW is the paper's |Σ_i w_μi| (eq 12); NaN for Potts units.
	OrderW []float64
	// PR is the participation ratio with exponent a,
	// PR_a = (Σ_i |w_μi|^a)² / (N Σ_i |w_μi|^(2a)) ∈ [1/N, 1] (|w_μi| → √s_i
	// for Potts); a = 2 gives (1/N)·(Σ w²)²/Σ w⁴, PGM's recorded sparsity is
	// a = 6.
	PR []float64
	// FWHM is the full width at half maximum of the sign-normalised row
	// (of the site amplitudes √s_i for Potts), dynamics.FWHM; NaN when
	// undefined.
	FWHM []float64
	// Centre is the circular mean c_μ = (N/2π) arg Σ_j w_μj² e^(2πij/N) ∈
	// [0, N) (dynamics.Centre), NaN when undefined; Concentration is
	// |Σ_j w² e^(2πij/N)| / Σ_j w².
	Centre, Concentration []float64
	// Fourier holds |ŵ_μ(k)|² for k = 0..⌊N/2⌋ per unit (per unit and
	// colour for Potts, colour-major), normalised as dynamics.FourierPower:
	// the entries of a row sum to Σ_i w_μi².
	Fourier []float64
}

// unitStats computes the order parameters of M×N (or M×N×q) weights.
func unitStats(w []float64, m, n, d int, a float64) UnitStats {
	nk := n/2 + 1
	u := UnitStats{SumSq: make([]float64, m), OrderW: make([]float64, m), PR: make([]float64, m), FWHM: make([]float64, m),
		Centre: make([]float64, m), Concentration: make([]float64, m), Fourier: make([]float64, m*d*nk)}
	r := make([]float64, n)
	col := make([]float64, n)
	for mu := range m {
		row := w[mu*n*d : (mu+1)*n*d]
		var sum float64
		for i := range n {
			var s float64
			for c := range d {
				x := row[i*d+c]
				s += x * x
				sum += x
			}
			r[i] = math.Sqrt(s)
			u.SumSq[mu] += s
		}
		if d == 1 {
			u.OrderW[mu] = math.Abs(sum)
			u.FWHM[mu] = dynamics.FWHM(row)
		} else {
			u.OrderW[mu] = math.NaN()
			u.FWHM[mu] = dynamics.FWHM(r)
		}
		// PR is scale-invariant: divide by max r first so that r^(2a)
		// cannot overflow.
		var rmax float64
		for _, x := range r {
			rmax = max(rmax, x)
		}
		var s1, s2 float64
		for _, x := range r {
			p := math.Pow(x/rmax, a)
			s1 += p
			s2 += p * p
		}
		u.PR[mu] = s1 * s1 / (float64(n) * s2)
		u.Centre[mu], u.Concentration[mu] = dynamics.Centre(r)
		for c := range d {
			for i := range n {
				col[i] = row[i*d+c]
			}
			dynamics.FourierPower(u.Fourier[(mu*d+c)*nk:(mu*d+c+1)*nk], col)
		}
	}
	return u
}

// chainStats computes the chain diagnostics and updates the state.
func (t *Trainer) chainStats() ChainStats {
	st := ChainStats{Magnetisation: math.NaN(), AbsMagnetisation: math.NaN(), Autocorrelation: math.NaN()}
	if t.chains == nil {
		return st
	}
	cs := t.chains
	mags := make([]float64, cs.c)
	lo, hi := binaryValues(t.cfg.Visible == VisibleSpin)
	var sm, sa float64
	for k := range cs.c {
		ch := &cs.ch[k]
		var m float64
		if ch.vp != nil {
			var z complex128
			for _, c := range ch.vp {
				z += cmplx.Rect(1, 2*math.Pi*float64(c)/float64(t.q))
			}
			m = cmplx.Abs(z) / float64(t.n)
		} else {
			for i := range t.n {
				if ch.vb[i>>6]>>(uint(i)&63)&1 == 1 {
					m += hi
				} else {
					m += lo
				}
			}
			m /= float64(t.n)
		}
		mags[k] = m
		sm += m
		sa += math.Abs(m)
	}
	st.Magnetisation, st.AbsMagnetisation = sm/float64(cs.c), sa/float64(cs.c)
	if len(t.obs.prevMag) == cs.c {
		st.Autocorrelation = pearson(t.obs.prevMag, mags)
	}
	t.obs.prevMag = mags
	if t.pt != nil {
		st.PTAcceptance = t.pt.acceptance(t.obs.ptPrev)
	}
	return st
}

// pearson returns the correlation coefficient of x and y, NaN if either
// has zero variance or fewer than 2 entries.
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	if len(x) < 2 {
		return math.NaN()
	}
	var mx, my float64
	for k := range x {
		mx += x[k]
		my += y[k]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for k := range x {
		dx, dy := x[k]-mx, y[k]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// freeEnergy returns F(v) = −Σ_i g_i·x_i(v) − Σ_μ Γ_μ(I_μ(v)) (with I
// already computed into in).
func (md *model) freeEnergy(in []float64, words []uint64, cols []uint8) float64 {
	return -md.visibleFieldTerm(words, cols) - md.hiddenLogZ(in)
}

// FreeEnergy returns F(v) = Σ_i U_i(v_i) − Σ_μ Γ_μ(I_μ(v)) of data sample
// s under the current parameters (SIMULATOR.md §1), so that
// P(v) = e^(−F(v))/Z.
func (t *Trainer) FreeEnergy(s int) float64 {
	t.md.prepare()
	in := make([]float64, t.m)
	offs := make([]int32, t.n+(t.m+3)/4+1)
	w, c := t.sampleState(s)
	t.md.hiddenInputsOf(in, w, c, offs)
	return t.md.freeEnergy(in, w, c)
}

// sampleState returns the packed words or colours of data sample s.
func (t *Trainer) sampleState(s int) ([]uint64, []uint8) {
	if t.cfg.Visible == VisiblePotts {
		return nil, t.ds.colours(s)
	}
	return t.ds.words(s), nil
}

// LogZ returns the exact log partition function ln Z by the cheapest
// enumeration (THEORY.md §4.6), and false if the model is too large.
func (t *Trainer) LogZ() (float64, bool) {
	t.md.prepare()
	return logZExact(t.md, t.parallelWork)
}

func logZExact(md *model, work int) (float64, bool) {
	zero := md.vis == VisibleSpin && md.hid == HiddenSpin
	if zero {
		for _, x := range md.g {
			zero = zero && x == 0
		}
		for _, x := range md.hp.c {
			zero = zero && x == 0
		}
	}
	kind, err := chooseExact(md.vis, md.hid, md.n, md.m, md.q, zero)
	if err != nil {
		return math.NaN(), false
	}
	if kind == spinSum {
		return dynamics.SpinLogZ(md.w, md.m, md.n), true
	}
	return enumerate(md, kind, nil, work), true
}

// meanNegF returns ⟨−F(v)⟩ over the first count data samples (all if
// count is 0), summed in fixed parts.
func (t *Trainer) meanNegF(count int) float64 {
	s := t.s
	if count > 0 {
		s = min(s, count)
	}
	const parts = 16
	np := min(parts, s)
	acc := make([]float64, np)
	forEach(np, s*t.n*t.m >= t.parallelWork, func(p int) {
		in := make([]float64, t.m)
		offs := make([]int32, t.n+(t.m+3)/4+1)
		var sum float64
		for k := p * s / np; k < (p+1)*s/np; k++ {
			w, c := t.sampleState(k)
			t.md.hiddenInputsOf(in, w, c, offs)
			sum -= t.md.freeEnergy(in, w, c)
		}
		acc[p] = sum
	})
	var sum float64
	for _, x := range acc {
		sum += x
	}
	return sum / float64(s)
}

// LogLikelihood returns the exact mean log-likelihood per sample of the
// training data, ⟨−F(v)⟩_data − ln Z, and false if ln Z cannot be
// enumerated.
func (t *Trainer) LogLikelihood() (float64, bool) {
	lz, ok := t.LogZ()
	if !ok {
		return math.NaN(), false
	}
	return t.meanNegF(0) - lz, true
}

// PseudoLikelihood returns the mean log pseudo-likelihood per site,
//
//	(1/N) Σ_i log P(v_i | v_−i),   log P(v_i | v_−i) = −F(v) − ln Σ_(v_i') e^(−F(v_i', v_−i)),
//
// averaged over the first count data samples (all if count is 0), by
// exact conditionals (SIMULATOR.md §6). It is per site: multiply by N for
// the total over sites.
func (t *Trainer) PseudoLikelihood(count int) float64 {
	t.md.prepare()
	s := t.s
	if count > 0 {
		s = min(s, count)
	}
	const parts = 16
	np := min(parts, s)
	acc := make([]float64, np)
	forEach(np, s*t.n*t.m*t.d >= t.parallelWork/4, func(p int) {
		pl := newPLScratch(t)
		var sum float64
		for k := p * s / np; k < (p+1)*s/np; k++ {
			w, c := t.sampleState(k)
			for i := range t.n {
				sum += pl.conditional(t.md, w, c, i)
			}
		}
		acc[p] = sum
	})
	var sum float64
	for _, x := range acc {
		sum += x
	}
	return sum / float64(s*t.n)
}

// PseudoLikelihoodOneSite is the one-random-site estimator of PGM and
// scikit-learn, normalised per site: the mean over the first count data
// samples (all if 0) of log P(v_i | v_−i) at one site i drawn uniformly per
// sample from the stream (seed, "pl", 0). It is an unbiased but noisier
// estimate of PseudoLikelihood; scikit-learn reports N times it.
func (t *Trainer) PseudoLikelihoodOneSite(count int, seed uint64) float64 {
	t.md.prepare()
	s := t.s
	if count > 0 {
		s = min(s, count)
	}
	r := rng.New(seed, "pl", 0)
	pl := newPLScratch(t)
	var sum float64
	for k := range s {
		w, c := t.sampleState(k)
		sum += pl.conditional(t.md, w, c, r.IntN(t.n))
	}
	return sum / float64(s)
}

type plScratch struct {
	in, alt []float64
	offs    []int32
	words   []uint64
	cols    []uint8
	negF    []float64
}

func newPLScratch(t *Trainer) *plScratch {
	return &plScratch{in: make([]float64, t.m), alt: make([]float64, t.m),
		offs: make([]int32, t.n+(t.m+3)/4+1), words: make([]uint64, (t.n+63)/64),
		cols: make([]uint8, t.n), negF: make([]float64, t.q)}
}

// conditional returns log P(v_i | v_−i) for the state (words or cols).
func (pl *plScratch) conditional(md *model, words []uint64, cols []uint8, i int) float64 {
	md.hiddenInputsOf(pl.in, words, cols, pl.offs)
	m := md.m
	if md.vis == VisiblePotts {
		copy(pl.cols, cols)
		d := md.d
		cur := int(cols[i])
		var own float64
		for c := range md.q {
			for mu := range m {
				pl.alt[mu] = pl.in[mu] - md.beta*md.wT[(i*d+cur)*m+mu] + md.beta*md.wT[(i*d+c)*m+mu]
			}
			pl.cols[i] = uint8(c)
			pl.negF[c] = -md.freeEnergy(pl.alt, nil, pl.cols)
			if c == cur {
				own = pl.negF[c]
			}
		}
		return own - logSumExp(pl.negF[:md.q])
	}
	copy(pl.words, words)
	lo, hi := binaryValues(md.vis == VisibleSpin)
	bit := words[i>>6] >> (uint(i) & 63) & 1
	delta := lo - hi
	if bit == 0 {
		delta = hi - lo
	}
	for mu := range m {
		pl.alt[mu] = pl.in[mu] + md.beta*delta*md.wT[i*m+mu]
	}
	pl.words[i>>6] ^= 1 << (uint(i) & 63)
	own := -md.freeEnergy(pl.in, words, nil)
	alt := -md.freeEnergy(pl.alt, pl.words, nil)
	return own - logAddExp(own, alt)
}
