package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/ring"
)

// segment is a named block of the parameter vector.
type segment struct {
	name    string
	off, n  int
	learned bool // updated by the optimiser
}

// hiddenSegments returns the names of the hidden parameters of type h, in
// the order of model.hiddenStats.
func hiddenSegments(h HiddenType) []string {
	switch h {
	case HiddenSpin, HiddenBernoulli:
		return []string{"c"}
	case HiddenGaussian, HiddenReLU:
		return []string{"gamma", "theta"}
	case HiddenDoubleWell:
		return []string{"theta"}
	}
	return []string{"gamma+", "gamma-", "theta+", "theta-"}
}

// sums accumulates the statistics of one phase of the gradient: Σ_r
// Γ'(I_r) x_rᵀ (M × N·d), Σ_r x_r (N·d) and Σ_r ∂Γ/∂p (K × M), with count
// the divisor that turns them into means.
type sums struct {
	w, g, h []float64
	count   float64
}

func newSums(m, nd, k int) sums {
	return sums{w: make([]float64, m*nd), g: make([]float64, nd), h: make([]float64, k*m)}
}

// Trainer advances an RBM one update at a time.
//
// One update (SIMULATOR.md §4): take the next minibatch of a fresh
// per-epoch permutation; (CD) reset the chains to it; advance every chain
// by k block-Gibbs sweeps with the current parameters (with parallel
// tempering swaps after each sweep if enabled), check them; compute the
// hidden inputs of batch and chains; (batch norm) move the hidden offsets
// and precisions; form the gradient data − model of every parameter, the
// model term taken at the chains' post-sweep states (or computed exactly);
// regularise, add the batch-norm chain-rule terms, clip; apply the
// optimiser step; impose the Potts gauge and the bounds; check every
// parameter for finiteness.
type Trainer struct {
	cfg        Config
	ds         *dataset
	n, s, m, q int
	d          int // features per site: q for Potts, else 1
	upe        int // updates per epoch, ⌈S/B⌉
	total      int // Epochs·upe

	params []float64 // every parameter, segments in segs
	segs   []segment
	md     *model    // views into params
	grad   []float64 // gradient, same layout
	opt    []float64 // RMSprop second moments, nil for plain SGD
	g0     []float64 // fields of the independent-site fit
	dmean  []float64 // data mean of the visible features
	muPrev []float64 // batch norm: mean input W⟨x⟩ at the last update

	orderSrc *rand.PCG  // stream ("order", 0)
	order    *rand.Rand // on orderSrc
	perm     []int      // private permutation of the sample indices
	next     int        // position in perm of the next minibatch

	chains *chainSet  // persistent (or CD) chains at β = 1; nil in Exact
	pt     *tempering // parallel tempering, nil if off
	ex     *exactSum  // exact model term, nil unless Exact

	updates  int
	time     float64   // learning time Σ ν
	nu       float64   // learning rate of the last update
	lastNorm float64   // norm of the last finite gradient
	prev     []float64 // parameters before the current update (restored on failure)
	err      error     // sticky numeric error
	extreme  int64     // hidden inputs with |I| > 10³ met in gradients

	dsum, msum sums
	drow, mrow rowStats // per-sample statistics of batch and chains
	scratch    scratch
	obs        observerState

	// parallelWork is the number of multiply-adds of one update's sweeps
	// (or gradient) from which goroutines are used. The result does not
	// depend on it; tests change it to compare both paths.
	parallelWork int
}

// scratch holds per-update buffers.
type scratch struct {
	in   []float64 // rows × M inputs
	offs [][]int32 // per row
	stat []float64 // K
	cov  []float64 // M × N·d batch covariance (batch norm)
}

// parallelWork is the default work threshold for goroutines: 2^13
// multiply-adds take a few microseconds, several times the cost of
// starting and joining the goroutines.
const parallelWork = 1 << 13

// extremeInput is the |I| beyond which special functions are outside the
// range their tests cover (SIMULATOR.md §3); such inputs are counted.
const extremeInput = 1e3

// NewTrainer validates cfg against the data and returns a trainer at
// update 0. data is a *ring.Spins for ±1 or {0,1} visible units, a
// *ring.Potts (or any ring.Data, copied once) for Potts units. Invalid
// settings (ν ≤ 0, Batch > S, Chains < 1 or Sweeps < 1, negative Sigma0,
// an exact phase too large to enumerate, …) are one-line errors naming
// the setting and its allowed range. The caller's data are never modified.
//
// Zero settings take their defaults first, so Chains < 1 and Sweeps < 1
// mean negative values. The weights are drawn from the stream ("init", 0),
// w ~ N(0, Sigma0²) in row-major order (then projected on the zero-sum
// gauge for Potts); the minibatch order from ("order", 0); chain c starts
// from uniform states drawn from its own stream ("chain", c) when the
// visible fields are zero, else from the independent-site model, and that
// stream feeds all of its Gibbs draws.
func NewTrainer(data ring.Data, cfg Config) (*Trainer, error) {
	ds, err := newDataset(data, cfg.Visible)
	if err != nil {
		return nil, err
	}
	n, s, q := ds.n, ds.s, ds.q
	cfg, err = cfg.resolve(n, q, s)
	if err != nil {
		return nil, err
	}
	m := cfg.Hidden
	md := newModel(n, m, q, cfg.Visible, cfg.Unit.Type)
	d := md.d
	t := &Trainer{
		cfg: cfg, ds: ds, n: n, s: s, m: m, q: q, d: d,
		upe:          (s + cfg.Batch - 1) / cfg.Batch,
		md:           md,
		orderSrc:     rng.PCG(cfg.Seed, "order", 0),
		perm:         make([]int, s),
		lastNorm:     math.NaN(),
		nu:           cfg.Nu,
		parallelWork: parallelWork,
	}
	t.order = rand.New(t.orderSrc)
	t.total = cfg.Epochs * t.upe

	// Parameter vector: w, g, hidden parameters.
	nd := n * d
	add := func(name string, size int, learned bool) {
		off := 0
		if len(t.segs) > 0 {
			last := t.segs[len(t.segs)-1]
			off = last.off + last.n
		}
		t.segs = append(t.segs, segment{name: name, off: off, n: size, learned: learned})
	}
	add("w", m*nd, true)
	add("g", nd, cfg.VisibleFields == FieldsLearned)
	for _, name := range hiddenSegments(cfg.Unit.Type) {
		learned := cfg.LearnHidden && name != "gamma"
		if name == "gamma+" || name == "gamma-" || (name == "theta" && cfg.BatchNorm && cfg.Unit.Type == HiddenGaussian) {
			learned = false
		}
		add(name, m, learned)
	}
	last := t.segs[len(t.segs)-1]
	t.params = make([]float64, last.off+last.n)
	t.grad = make([]float64, len(t.params))
	if cfg.Optimizer == RMSprop {
		t.opt = make([]float64, len(t.params))
	}
	t.bindModel(md, t.params)

	// Initial values.
	init := rng.New(cfg.Seed, "init", 0)
	for k := range md.w {
		md.w[k] = cfg.Sigma0 * init.NormFloat64()
	}
	t.dmean = make([]float64, nd)
	ds.featureMeans(t.dmean, cfg.Visible)
	t.g0 = ds.independentFields(cfg.Visible)
	if cfg.VisibleFields != FieldsZero {
		copy(md.g, t.g0)
	}
	u := cfg.Unit
	hp := &md.hp
	fill := func(x []float64, v float64) {
		for k := range x {
			x[k] = v
		}
	}
	fill(hp.c, u.Field)
	fill(hp.gamma, u.Gamma)
	fill(hp.theta, u.Theta)
	fill(hp.gp, u.GammaPlus)
	fill(hp.gm, u.GammaMinus)
	fill(hp.tp, u.ThetaPlus)
	fill(hp.tm, u.ThetaMinus)
	t.gauge()
	if cfg.BatchNorm {
		t.muPrev = make([]float64, m)
		t.meanInputs(t.muPrev)
	}

	// Negative phase.
	k := len(hiddenSegments(cfg.Unit.Type))
	t.dsum, t.msum = newSums(m, nd, k), newSums(m, nd, k)
	t.scratch.stat = make([]float64, k)
	switch cfg.Phase {
	case Exact:
		t.ex = newExactSum(cfg, n, m, q)
	default:
		t.chains = newChainSet(cfg.Seed, "chain", 0, cfg.Chains, md)
		var g0 []float64
		if cfg.VisibleFields != FieldsZero {
			g0 = t.g0
		}
		t.chains.init(g0)
		if cfg.Replicas >= 2 {
			t.pt = newTempering(t, g0)
		}
	}
	t.obs.init(t)
	return t, nil
}

// bindModel points md's parameter slices into p (laid out as t.segs).
func (t *Trainer) bindModel(md *model, p []float64) {
	for _, sg := range t.segs {
		x := p[sg.off : sg.off+sg.n]
		switch sg.name {
		case "w":
			md.w = x
		case "g":
			md.g = x
		default:
			md.hp.set(sg.name, x)
		}
	}
}

// seg returns the segment of the given name, or nil.
func (t *Trainer) seg(name string) *segment {
	for k := range t.segs {
		if t.segs[k].name == name {
			return &t.segs[k]
		}
	}
	return nil
}

// Config returns the configuration in use, with defaults filled in.
func (t *Trainer) Config() Config { return t.cfg }

// SetProgress sets the function Run calls after every record (see
// Config.Progress); nil removes it.
func (t *Trainer) SetProgress(f func(done, total int)) { t.cfg.Progress = f }

// Weights returns a copy of the current weights, M×N row-major (M×N×q
// for Potts units, colour fastest).
func (t *Trainer) Weights() []float64 { return append([]float64(nil), t.md.w...) }

// Fields returns a copy of the current visible fields (N, or N×q).
func (t *Trainer) Fields() []float64 { return append([]float64(nil), t.md.g...) }

// HiddenParams returns the names of the hidden parameters and a copy of
// their values, one row of M per name (see HiddenParamNames).
func (t *Trainer) HiddenParams() (names []string, values []float64) {
	names = hiddenSegments(t.cfg.Unit.Type)
	sg := t.seg(names[0])
	return names, append([]float64(nil), t.params[sg.off:]...)
}

// Updates returns the number of updates performed.
func (t *Trainer) Updates() int { return t.updates }

// Total returns the number of updates of the whole run, Epochs·⌈S/Batch⌉.
func (t *Trainer) Total() int { return t.total }

// Time returns the learning time t = Σ ν over the updates performed
// (ν·updates at a constant rate).
func (t *Trainer) Time() float64 { return t.time }

// rateAt returns the learning rate of update u (counted from 1):
// ν, or with DecayTo set ν·DecayTo^((2/E)(e − ⌊E/2⌋ + 1)) from epoch
// e = ⌊(u−1)/U_e⌋ ≥ ⌊E/2⌋ on (SIMULATOR.md §4).
func (t *Trainer) rateAt(u int) float64 {
	nu := t.cfg.Nu
	if t.cfg.DecayTo == 0 {
		return nu
	}
	e := (u - 1) / t.upe
	E := t.cfg.Epochs
	if e < E/2 {
		return nu
	}
	return nu * math.Pow(t.cfg.DecayTo, 2/float64(E)*float64(e-E/2+1))
}

// MaxParam bounds the magnitude of every parameter during training: an
// update that leaves some |w|, |g| or hidden parameter above it stops the
// run with a *NumericError (Bound = MaxParam), as a NaN would. Below it the
// order parameters of every record are finite: Σ_i w_μi² ≤ N·q·10¹⁵⁰ and
// the Fourier powers ≤ (N·10⁷⁵)² stay far from the float64 overflow at
// 1.8·10³⁰⁸ for any N the trainer accepts.
const MaxParam = 1e75

// Step performs one update. It returns a *NumericError if any parameter,
// chain input or gradient becomes NaN or infinite, a parameter exceeds
// ±MaxParam, or a precision γ is not positive.
//
// After a *NumericError the parameters are restored to their values before
// the failing update (the last finite state, which Record and Weights
// then return; Updates counts the updates completed) and every later Step
// returns the same error.
func (t *Trainer) Step() error {
	if t.err != nil {
		return t.err
	}
	t.prev = append(t.prev[:0], t.params...)
	update := t.updates + 1
	nu := t.rateAt(update)
	cfg := &t.cfg
	batch := t.nextBatch()
	t.md.prepare()

	// Model term: k sweeps of every chain with the current parameters,
	// then the inputs at the post-sweep states.
	var chainIn []float64
	if t.ex == nil {
		cs := t.chains
		if cfg.Phase == CD {
			t.resetChains(batch)
		}
		work := cs.active * cfg.Sweeps * t.n * t.d * (t.m + 1)
		t.sizeRows(&t.mrow, cs.active)
		switch {
		case t.pt != nil:
			t.pt.advance(t, cfg.Sweeps, work >= t.parallelWork)
		case cfg.BatchNorm:
			cs.advance(t.md, cfg.Sweeps, work >= t.parallelWork)
		default:
			// Each chain's per-sample statistics are taken by the
			// goroutine that ran it, saving a fork and join (batch
			// normalisation changes the hidden units before them).
			forEach(cs.active, work >= t.parallelWork, func(c int) {
				ch := &cs.ch[c]
				ch.run(t.md, cfg.Sweeps)
				t.rowWork(&t.mrow, c, ch.in, ch.vb)
			})
		}
		if e := t.chainError(update); e != nil {
			return t.fail(e, nu)
		}
		chainIn = cs.in[:cs.active*t.m]
	}

	// Data term inputs, and their per-sample statistics unless batch
	// normalisation changes the hidden units first.
	b := len(batch)
	dataIn := t.batchInputs(batch, !cfg.BatchNorm)

	// Batch normalisation (PGM mode) moves offsets and precisions.
	if cfg.BatchNorm {
		t.batchNorm(dataIn, b, nu, batch)
		forEach(b, b*t.n*t.d*t.m >= t.parallelWork, func(r int) {
			t.rowWork(&t.drow, r, dataIn[r*t.m:(r+1)*t.m], t.dataWords(batch[r]))
		})
	}
	if t.chains != nil && (t.pt != nil || cfg.BatchNorm) {
		cs := t.chains
		forEach(cs.active, cs.active*t.n*t.d*t.m >= t.parallelWork, func(c int) {
			t.rowWork(&t.mrow, c, cs.ch[c].in, cs.ch[c].vb)
		})
	}

	// Gradient statistics.
	t.dsum.count = float64(b)
	data := phaseRows{s: &t.dsum, rs: &t.drow, rows: b, in: dataIn,
		cols: func(r int) []uint8 { return t.ds.potts.Config(batch[r]) }}
	if t.ex != nil {
		t.sumStats(data)
		t.ex.modelTerm(&t.msum, t.md, t.parallelWork)
	} else {
		cs := t.chains
		t.msum.count = float64(cs.active)
		t.sumStats(data, phaseRows{s: &t.msum, rs: &t.mrow, rows: cs.active, in: chainIn,
			cols: func(r int) []uint8 { return cs.ch[r].vp }})
	}
	t.assembleGradient()
	if e := t.gradientError(update); e != nil {
		return t.fail(e, nu)
	}

	// Optimiser step, gauge, bounds, checks.
	t.applyUpdate(nu, update)
	t.gauge()
	if e := t.paramError(update); e != nil {
		return t.fail(e, nu)
	}
	t.updates = update
	t.nu = nu
	if cfg.DecayTo == 0 {
		t.time = cfg.Nu * float64(update)
	} else {
		t.time += nu
	}
	return nil
}

// nextBatch returns the sample indices of the next minibatch: the next
// slice of this epoch's permutation, drawn afresh at the start of each
// epoch. The last minibatch of an epoch may be shorter.
func (t *Trainer) nextBatch() []int {
	if t.next == 0 {
		t.shuffle()
	}
	lo := t.next
	hi := min(lo+t.cfg.Batch, t.s)
	t.next = hi % t.s
	return t.perm[lo:hi]
}

// shuffle draws this epoch's permutation: Fisher–Yates on the identity,
// from the ("order", 0) stream.
func (t *Trainer) shuffle() {
	for i := range t.perm {
		t.perm[i] = i
	}
	for i := len(t.perm) - 1; i > 0; i-- {
		j := t.order.IntN(i + 1)
		t.perm[i], t.perm[j] = t.perm[j], t.perm[i]
	}
}

// resetChains sets the CD chains to the minibatch samples.
func (t *Trainer) resetChains(batch []int) {
	cs := t.chains
	cs.active = len(batch)
	for r, s := range batch {
		ch := &cs.ch[r]
		if ch.vp != nil {
			copy(ch.vp, t.ds.colours(s))
		} else {
			copy(ch.vb, t.ds.words(s))
		}
	}
}

// grow returns x with length at least n.
func grow[T any](x []T, n int) []T {
	if len(x) < n {
		return make([]T, n)
	}
	return x[:n]
}

// batchInputs returns the hidden inputs of the minibatch samples (B × M)
// and, with rows set, fills t.drow with their per-sample statistics.
func (t *Trainer) batchInputs(batch []int, rows bool) []float64 {
	b, m := len(batch), t.m
	sc := &t.scratch
	sc.in = grow(sc.in, b*m)
	for len(sc.offs) < b {
		sc.offs = append(sc.offs, make([]int32, t.n+(t.m+3)/4+1))
	}
	t.sizeRows(&t.drow, b)
	par := b*t.n*m >= t.parallelWork
	forEach(b, par, func(r int) {
		s := batch[r]
		words := t.dataWords(s)
		var cols []uint8
		if words == nil {
			cols = t.ds.colours(s)
		}
		in := sc.in[r*m : (r+1)*m]
		t.md.hiddenInputsOf(in, words, cols, sc.offs[r])
		if rows {
			t.rowWork(&t.drow, r, in, words)
		}
	})
	return sc.in[:b*m]
}

// dataWords returns the packed words of sample s for a binary visible
// layer, else nil.
func (t *Trainer) dataWords(s int) []uint64 {
	if t.ds.spins != nil && t.cfg.Visible != VisiblePotts {
		return t.ds.words(s)
	}
	return nil
}

// rowStats holds the per-sample quantities of one phase of the gradient:
// hidden means a (rows × M), the unpacked visible values x (rows × N,
// binary layers only) and the number of inputs with |I| > extremeInput
// per sample.
type rowStats struct {
	a, x    []float64
	extreme []int64
}

// sizeRows makes rs hold rows samples.
func (t *Trainer) sizeRows(rs *rowStats, rows int) {
	rs.a = grow(rs.a, rows*t.m)
	if t.cfg.Visible != VisiblePotts {
		rs.x = grow(rs.x, rows*t.n)
	}
	rs.extreme = grow(rs.extreme, rows)
}

// rowWork fills sample r of rs from its hidden inputs in (M) and, for a
// binary visible layer, its packed state words. It writes only sample r,
// so samples may be done on different goroutines.
func (t *Trainer) rowWork(rs *rowStats, r int, in []float64, words []uint64) {
	m, n := t.m, t.n
	t.md.hiddenMeans(rs.a[r*m:(r+1)*m], in)
	var e int64
	for _, I := range in {
		if math.Abs(I) > extremeInput {
			e++
		}
	}
	rs.extreme[r] = e
	if t.cfg.Visible != VisiblePotts {
		lo, hi := binaryValues(t.cfg.Visible == VisibleSpin)
		unpackRow(rs.x[r*n:(r+1)*n], words, lo, hi)
	}
}

// phaseRows names the inputs of the sums of one phase: rows samples with
// hidden inputs in (rows × M), per-sample statistics rs (see rowWork) and
// Potts colours cols(r); the sums go to s.
type phaseRows struct {
	s    *sums
	rs   *rowStats
	rows int
	in   []float64
	cols func(r int) []uint8
}

// statsOf fills s with the statistics of rows samples whose hidden inputs
// are in (rows × M) and whose visible states words(r) (binary) or cols(r)
// (Potts) give (see rowWork and sumStats). Step does the same work but
// takes the per-sample part inside its existing parallel sections (the
// sweeps, the batch inputs): on a virtual machine every fork and join
// costs tens of microseconds.
func (t *Trainer) statsOf(s *sums, rows int, in []float64, words func(int) []uint64, cols func(int) []uint8) {
	var rs rowStats
	t.sizeRows(&rs, rows)
	par := rows*t.n*t.d*t.m >= t.parallelWork
	forEach(rows, par && rows > 1, func(r int) {
		var w []uint64
		if t.cfg.Visible != VisiblePotts {
			w = words(r)
		}
		t.rowWork(&rs, r, in[r*t.m:(r+1)*t.m], w)
	})
	t.sumStats(phaseRows{s: s, rs: &rs, rows: rows, in: in, cols: cols})
}

// sumStats fills the sums of each phase from its per-sample statistics
// and adds their extreme-input counts to the trainer's: the weight sums
// always, the field and hidden-parameter sums when they are trained (or
// needed by batch normalisation). Every entry is a sum over the samples
// in order, computed by one goroutine; the goroutines share out fixed
// blocks of unitBlock units or siteBlock sites of every phase, so the
// result does not depend on GOMAXPROCS.
func (t *Trainer) sumStats(phases ...phaseRows) {
	m, n, d := t.m, t.n, t.d
	nd := n * d
	md := t.md
	k := len(t.scratch.stat)
	needH := t.needHidden()
	needG := t.segs[1].learned
	potts := t.cfg.Visible == VisiblePotts
	units := (m + unitBlock - 1) / unitBlock
	sites := 0
	if needG {
		sites = (n + siteBlock - 1) / siteBlock
	}
	work := 0
	for _, p := range phases {
		for _, e := range p.rs.extreme[:p.rows] {
			t.extreme += e
		}
		clear(p.s.h)
		clear(p.s.g)
		work += p.rows * nd * m
	}
	per := units + sites
	forEach(len(phases)*per, work >= t.parallelWork, func(job int) {
		p := &phases[job/per]
		s, rows, in, a, x := p.s, p.rows, p.in, p.rs.a, p.rs.x
		b := job % per
		if b >= units {
			// Field sums of sites [i0, i1).
			b -= units
			i0, i1 := b*siteBlock, min((b+1)*siteBlock, n)
			if potts {
				for r := range rows {
					for i, c := range p.cols(r)[i0:i1] {
						s.g[(i0+i)*d+int(c)]++
					}
				}
				return
			}
			g := s.g[i0:i1]
			for r := range rows {
				for i, v := range x[r*n+i0 : r*n+i1] {
					g[i] += v
				}
			}
			return
		}
		mu0, mu1 := b*unitBlock, min((b+1)*unitBlock, m)
		if needH {
			var st [4]float64
			for mu := mu0; mu < mu1; mu++ {
				for r := range rows {
					md.hiddenStats(st[:k], mu, in[r*m+mu], a[r*m+mu])
					for j := range k {
						s.h[j*m+mu] += st[j]
					}
				}
			}
		}
		if !potts {
			outerSum(s.w, m, n, a, x, rows, mu0, mu1)
			return
		}
		for mu := mu0; mu < mu1; mu++ {
			row := s.w[mu*nd : (mu+1)*nd]
			clear(row)
			for r := range rows {
				am := a[r*m+mu]
				for i, c := range p.cols(r) {
					row[i*d+int(c)] += am
				}
			}
		}
	})
}

// unitBlock is the number of hidden units per block of the weight and
// hidden-parameter sums, siteBlock the number of visible sites per block
// of the field sums; blocks are the units of work of the goroutines.
const (
	unitBlock = 8
	siteBlock = 64
)

// needHidden reports whether the hidden-parameter statistics are used.
func (t *Trainer) needHidden() bool {
	if t.cfg.BatchNorm {
		return true
	}
	for _, sg := range t.segs[2:] {
		if sg.learned {
			return true
		}
	}
	return false
}

// unpackRows writes the values (±1 or 0/1) of rows packed binary states
// into x (rows × n).
func unpackRows(x []float64, rows, n int, words func(int) []uint64, spin bool) {
	lo, hi := binaryValues(spin)
	for r := range rows {
		unpackRow(x[r*n:(r+1)*n], words(r), lo, hi)
	}
}

// unpackRow writes the values lo (bit 0) and hi (bit 1) of the packed
// state w into x.
func unpackRow(x []float64, w []uint64, lo, hi float64) {
	for i := range x {
		x[i] = lo
		if w[i>>6]>>(uint(i)&63)&1 == 1 {
			x[i] = hi
		}
	}
}

// meanInputs writes μ_I = W⟨x⟩_data into dst (M).
func (t *Trainer) meanInputs(dst []float64) {
	nd := t.n * t.d
	for mu := range dst {
		var s float64
		row := t.md.w[mu*nd : (mu+1)*nd]
		for j, x := range t.dmean {
			s += row[j] * x
		}
		dst[mu] = s
	}
}

// batchNorm performs PGM's hidden batch-normalisation step before the
// gradient (SIMULATOR.md §4): with learned offsets, the hidden offsets
// follow the mean input μ_I = W⟨x⟩_data (θ += Δμ_I for Gaussian units,
// c −= Δμ_I for discrete ones); Gaussian precisions move towards the
// unit-variance value on the batch,
//
//	γ* = (1 + √(1 + 4 Var_B(I)))/2,   γ ← max(0.05, 0.75γ, (1−r)γ + rγ*),
//
// with r = 0.25 ν/ν₀. It also stores the batch covariance Cov_B(I_μ, x_i)
// for the chain-rule term of the weight gradient.
func (t *Trainer) batchNorm(in []float64, b int, nu float64, batch []int) {
	m := t.m
	md := t.md
	if t.cfg.LearnHidden {
		mu := make([]float64, m)
		t.meanInputs(mu)
		for k := range m {
			delta := mu[k] - t.muPrev[k]
			switch md.hid {
			case HiddenGaussian:
				md.hp.theta[k] += delta
			case HiddenSpin, HiddenBernoulli:
				md.hp.c[k] -= delta
			}
		}
		copy(t.muPrev, mu)
	}
	if md.hid != HiddenGaussian {
		return
	}
	r := 0.25 * nu / t.cfg.Nu
	mean := make([]float64, m)
	for k := range m {
		var s, s2 float64
		for j := range b {
			s += in[j*m+k]
		}
		s /= float64(b)
		for j := range b {
			dv := in[j*m+k] - s
			s2 += dv * dv
		}
		v := s2 / float64(b)
		mean[k] = s
		gs := (1 + math.Sqrt(1+4*v)) / 2
		g := md.hp.gamma[k]
		md.hp.gamma[k] = math.Max(PGMMinGamma, math.Max(0.75*g, (1-r)*g+r*gs))
		t.bnVar(k, v) // kept for the chain-rule term
	}
	// Cov_B(I_μ, x_i) = (1/B) Σ_b (I_bμ − Ī_μ) x_bi.
	nd := t.n * t.d
	sc := &t.scratch
	sc.cov = grow(sc.cov, m*nd)
	centred := make([]float64, b*m)
	for j := range b {
		for k := range m {
			centred[j*m+k] = in[j*m+k] - mean[k]
		}
	}
	t.weightSums(sc.cov, b, centred, func(r int) []uint64 { return t.ds.spins.Packed(batch[r]) },
		func(r int) []uint8 { return t.ds.potts.Config(batch[r]) })
	for j := range sc.cov {
		sc.cov[j] /= float64(b)
	}
}

// bnVar stores Var_B(I_μ) of the last batch-norm step.
func (t *Trainer) bnVar(mu int, v float64) {
	if len(t.obs.bnVar) != t.m {
		t.obs.bnVar = make([]float64, t.m)
	}
	t.obs.bnVar[mu] = v
}

// weightSums writes Σ_r coef[r][μ] x_r into dst (M × N·d).
func (t *Trainer) weightSums(dst []float64, rows int, coef []float64, words func(int) []uint64, cols func(int) []uint8) {
	m, n, d := t.m, t.n, t.d
	nd := n * d
	par := rows*nd*m >= t.parallelWork
	if t.cfg.Visible == VisiblePotts {
		forEach(m, par, func(mu int) {
			row := dst[mu*nd : (mu+1)*nd]
			clear(row)
			for r := range rows {
				for i, c := range cols(r) {
					row[i*d+int(c)] += coef[r*m+mu]
				}
			}
		})
		return
	}
	x := make([]float64, rows*n)
	unpackRows(x, rows, n, words, t.cfg.Visible == VisibleSpin)
	blocks := (m + unitBlock - 1) / unitBlock
	forEach(blocks, par, func(b int) {
		outerSum(dst, m, n, coef, x, rows, b*unitBlock, min((b+1)*unitBlock, m))
	})
}

// assembleGradient writes data/B − model/C of every parameter into
// t.grad, adds regularisation and the batch-norm chain-rule terms, clips,
// and zeroes the frozen segments.
func (t *Trainer) assembleGradient() {
	cfg := &t.cfg
	ds, ms := &t.dsum, &t.msum
	m, nd := t.m, t.n*t.d
	for _, sg := range t.segs {
		g := t.grad[sg.off : sg.off+sg.n]
		switch sg.name {
		case "w":
			for j := range g {
				g[j] = ds.w[j]/ds.count - ms.w[j]/ms.count
			}
		case "g":
			if cfg.FullDataFields {
				for j := range g {
					g[j] = t.dmean[j] - ms.g[j]/ms.count
				}
			} else {
				for j := range g {
					g[j] = ds.g[j]/ds.count - ms.g[j]/ms.count
				}
			}
		default:
			k := t.hiddenIndex(sg.name)
			for mu := range g {
				g[mu] = ds.h[k*m+mu]/ds.count - ms.h[k*m+mu]/ms.count
			}
		}
	}

	w := t.md.w
	gw := t.grad[:m*nd]
	if cfg.L2 > 0 {
		for j := range gw {
			gw[j] -= cfg.L2 * w[j]
		}
	}
	if cfg.L1Sq > 0 {
		for mu := range m {
			row := w[mu*nd : (mu+1)*nd]
			var s float64
			for _, x := range row {
				s += math.Abs(x)
			}
			for j, x := range row {
				switch {
				case x > 0:
					gw[mu*nd+j] -= cfg.L1Sq * s
				case x < 0:
					gw[mu*nd+j] += cfg.L1Sq * s
				}
			}
		}
	}

	// Batch-norm chain-rule terms through the offsets and precisions.
	if cfg.BatchNorm {
		if cfg.LearnHidden {
			var name string
			sign := 1.0
			switch t.md.hid {
			case HiddenGaussian:
				name = "theta"
			default:
				name, sign = "c", -1
			}
			sg := t.seg(name)
			gOff := t.gradOf(sg)
			for mu := range m {
				for j := range nd {
					gw[mu*nd+j] += sign * gOff[mu] * t.dmean[j]
				}
			}
		}
		if t.md.hid == HiddenGaussian {
			gGamma := t.gradOf(t.seg("gamma"))
			cov := t.scratch.cov
			for mu := range m {
				f := 2 / math.Sqrt(1+4*t.obs.bnVar[mu]) * gGamma[mu]
				for j := range nd {
					gw[mu*nd+j] += f * cov[mu*nd+j]
				}
			}
		}
	}

	for _, sg := range t.segs {
		g := t.grad[sg.off : sg.off+sg.n]
		if !sg.learned {
			clear(g)
			continue
		}
		if c := cfg.Clip; c > 0 {
			for j, x := range g {
				g[j] = math.Max(-c, math.Min(c, x))
			}
		}
	}
}

// gradOf returns the gradient block of a segment.
func (t *Trainer) gradOf(sg *segment) []float64 { return t.grad[sg.off : sg.off+sg.n] }

// hiddenIndex returns the position of a hidden segment in hiddenStats.
func (t *Trainer) hiddenIndex(name string) int {
	for k, s := range hiddenSegments(t.cfg.Unit.Type) {
		if s == name {
			return k
		}
	}
	panic("rbm: unknown hidden parameter " + name)
}

// applyUpdate applies the optimiser step to the learned segments.
func (t *Trainer) applyUpdate(nu float64, update int) {
	cfg := &t.cfg
	var corr float64
	if t.opt != nil {
		corr = 1 - math.Pow(cfg.RMSDecay, float64(update))
	}
	for _, sg := range t.segs {
		if !sg.learned {
			continue
		}
		p := t.params[sg.off : sg.off+sg.n]
		g := t.grad[sg.off : sg.off+sg.n]
		if t.opt == nil {
			axpy(p, nu, g)
			continue
		}
		s := t.opt[sg.off : sg.off+sg.n]
		rho, eps := cfg.RMSDecay, cfg.RMSEpsilon
		for j, x := range g {
			s[j] = rho*s[j] + (1-rho)*x*x
			p[j] += nu * x / (eps + math.Sqrt(s[j]/corr))
		}
	}
}

// gauge imposes the zero-sum Potts gauge on the weights and the fields
// (SIMULATOR.md §2).
func (t *Trainer) gauge() {
	if t.cfg.Visible != VisiblePotts {
		return
	}
	q := t.q
	for _, x := range [][]float64{t.md.w, t.md.g} {
		for j := 0; j < len(x); j += q {
			blk := x[j : j+q]
			var s float64
			for _, v := range blk {
				s += v
			}
			s /= float64(q)
			for c := range blk {
				blk[c] -= s
			}
		}
	}
}

// chainError returns a *NumericError for the first chain that met a
// non-finite input, or nil.
func (t *Trainer) chainError(update int) *NumericError {
	sets := []*chainSet{t.chains}
	if t.pt != nil {
		sets = t.pt.sets
	}
	for _, cs := range sets {
		if c, b := cs.firstBad(); b.found {
			e := &NumericError{Update: update, What: "chain input", Param: b.what, Unit: b.index, Site: c, Colour: -1, Value: b.value}
			return e
		}
	}
	return nil
}

// gradientError returns a *NumericError for the first non-finite gradient
// entry, or nil, and otherwise records the gradient norm.
func (t *Trainer) gradientError(update int) *NumericError {
	if k, bad := firstNonFinite(t.grad); bad {
		e := t.locate(k)
		e.Update, e.What, e.Value = update, "gradient", t.grad[k]
		return e
	}
	t.lastNorm = euclidean(t.grad)
	return nil
}

// euclidean returns the Euclidean norm of x, scaled by max |x_k| so that it
// does not overflow before the result does.
func euclidean(x []float64) float64 {
	var mx float64
	for _, v := range x {
		mx = max(mx, math.Abs(v))
	}
	if mx == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += (v / mx) * (v / mx)
	}
	return mx * math.Sqrt(s)
}

// paramError returns a *NumericError for the first non-finite parameter or
// non-positive precision, or nil.
func (t *Trainer) paramError(update int) *NumericError {
	// One pass finds whether any entry is non-finite or beyond the bound;
	// the passes below then locate the first offender by kind.
	inRange := true
	for _, x := range t.params {
		if !(math.Abs(x) <= MaxParam) {
			inRange = false
			break
		}
	}
	if inRange {
		return t.precisionError(update)
	}
	if k, bad := firstNonFinite(t.params); bad {
		e := t.locate(k)
		e.Update, e.Value = update, t.params[k]
		e.What = map[bool]string{true: "weight", false: "parameter"}[e.Param == "w"]
		return e
	}
	for k, x := range t.params {
		if math.Abs(x) > MaxParam {
			e := t.locate(k)
			e.Update, e.Value, e.Bound = update, x, MaxParam
			e.What = map[bool]string{true: "weight", false: "parameter"}[e.Param == "w"]
			return e
		}
	}
	return t.precisionError(update)
}

// precisionError returns a *NumericError for the first non-positive
// precision, or nil.
func (t *Trainer) precisionError(update int) *NumericError {
	for _, sg := range t.segs {
		if sg.name != "gamma" && sg.name != "gamma+" && sg.name != "gamma-" {
			continue
		}
		for j, x := range t.params[sg.off : sg.off+sg.n] {
			if !(x > 0) {
				e := t.locate(sg.off + j)
				e.Update, e.Value, e.What = update, x, "non-positive precision"
				return e
			}
		}
	}
	return nil
}

// locate returns a NumericError naming parameter index k.
func (t *Trainer) locate(k int) *NumericError {
	for _, sg := range t.segs {
		if k < sg.off || k >= sg.off+sg.n {
			continue
		}
		j := k - sg.off
		e := &NumericError{Param: sg.name, Index: j, Unit: -1, Site: -1, Colour: -1}
		switch sg.name {
		case "w":
			e.Unit, e.Site = j/(t.n*t.d), j%(t.n*t.d)/t.d
			if t.d > 1 {
				e.Colour = j % t.d
			}
		case "g":
			e.Site = j / t.d
			if t.d > 1 {
				e.Colour = j % t.d
			}
		default:
			e.Unit = j
		}
		return e
	}
	panic("rbm: parameter index out of range")
}

// fail completes e with the learning time and the last finite gradient
// norm, restores the parameters of the last finite state, makes e sticky
// and returns it.
func (t *Trainer) fail(e *NumericError, nu float64) error {
	if len(t.prev) == len(t.params) {
		copy(t.params, t.prev)
		t.md.prepare()
	}
	e.T = t.time + nu
	if t.cfg.DecayTo == 0 {
		e.T = t.cfg.Nu * float64(e.Update)
	}
	e.LastNorm = t.lastNorm
	t.err = e
	return e
}

// firstNonFinite returns the first index of a NaN or infinite entry.
func firstNonFinite(x []float64) (int, bool) {
	// v·0 is ±0 for finite v and NaN otherwise; four independent sums
	// shorten the dependency chain.
	var a0, a1, a2, a3 float64
	k := 0
	for ; k+4 <= len(x); k += 4 {
		a0 += x[k] * 0
		a1 += x[k+1] * 0
		a2 += x[k+2] * 0
		a3 += x[k+3] * 0
	}
	for ; k < len(x); k++ {
		a0 += x[k] * 0
	}
	if acc := a0 + a1 + a2 + a3; acc == acc {
		return -1, false
	}
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return k, true
		}
	}
	return -1, false
}

// NumericError reports a non-finite value met during training, or a
// parameter beyond ±MaxParam.
type NumericError struct {
	Update int     // update at which it was found
	T      float64 // learning time
	// What is "weight", "parameter", "gradient", "chain input" or
	// "non-positive precision".
	What string
	// Param names the parameter ("w", "g", "c", "gamma", "theta", "gamma+",
	// "gamma-", "theta+", "theta-"), or for a chain input "hidden input" or
	// "visible input".
	Param string
	// Unit, Site and Colour locate the entry: w[Unit][Site][Colour], g[Site]
	// (Colour), hidden parameter of Unit; −1 where not applicable. For a
	// chain input, Unit is the index μ of I_μ (or i of the visible input)
	// and Site the chain.
	Unit, Site, Colour int
	// Index is the flat index within the parameter.
	Index    int
	Value    float64 // the offending value
	LastNorm float64 // Euclidean norm of the last finite gradient
	// Bound is MaxParam when Value is finite but beyond ±Bound, else 0.
	Bound float64
}

// Error returns a one-line description. LastNorm is NaN if no gradient was
// finite yet, and printed as "none".
func (e *NumericError) Error() string {
	var what string
	idx := func() string {
		if e.Colour >= 0 {
			return fmt.Sprintf("[%d][%d][%d]", e.Unit, e.Site, e.Colour)
		}
		return fmt.Sprintf("[%d][%d]", e.Unit, e.Site)
	}
	switch {
	case e.What == "chain input" && e.Param == "visible input":
		what = fmt.Sprintf("chain visible input x[%d] of chain %d", e.Unit, e.Site)
	case e.What == "chain input":
		what = fmt.Sprintf("chain input I[%d] of chain %d", e.Unit, e.Site)
	case e.Param == "w" || e.Param == "":
		name := map[string]string{"gradient": "gradient g", "weight": "weight w"}[e.What]
		if name == "" {
			name = e.What + " w"
		}
		what = name + idx()
	case e.Param == "g":
		what = fmt.Sprintf("%s of visible field g[%d]", e.What, e.Site)
		if e.Colour >= 0 {
			what = fmt.Sprintf("%s of visible field g[%d][%d]", e.What, e.Site, e.Colour)
		}
	default:
		what = fmt.Sprintf("%s of hidden parameter %s[%d]", e.What, e.Param, e.Unit)
	}
	gn := "none"
	switch {
	case math.IsInf(e.LastNorm, 0):
		gn = "above 1.8e+308"
	case !math.IsNaN(e.LastNorm):
		gn = fmt.Sprintf("%.2g", e.LastNorm)
	}
	if e.Bound > 0 {
		return fmt.Sprintf("rbm: %s = %.3g exceeds ±%g at update %d (t = %g), where the order parameters would overflow; last gradient norm %s; reduce the learning rate",
			what, e.Value, e.Bound, e.Update, e.T, gn)
	}
	return fmt.Sprintf("rbm: non-finite %s = %v at update %d (t = %g); last finite gradient norm %s; reduce the learning rate",
		what, e.Value, e.Update, e.T, gn)
}

// hidden potential of the default unit of a type, p₀ of tempering and AIS.
func defaultUnit(h HiddenType) HiddenUnit { return HiddenUnit{Type: h}.withDefaults() }

var _ dynamics.Hidden = dynamics.Spin{}
