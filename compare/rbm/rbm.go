package rbm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/floats"

	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/ring"
)

// NegativePhase selects how the model term of the gradient is computed.
type NegativePhase int

const (
	// PCD estimates the model term from persistent chains advanced by
	// Sweeps block-Gibbs sweeps per update (the default).
	PCD NegativePhase = iota
	// Exact computes the model term exactly by summing over the 2^(M−1)
	// hidden configurations (THEORY.md §4.6); Chains and Sweeps are unused.
	Exact
)

// String returns "pcd" or "exact".
func (p NegativePhase) String() string {
	switch p {
	case PCD:
		return "pcd"
	case Exact:
		return "exact"
	}
	return fmt.Sprintf("NegativePhase(%d)", int(p))
}

// Defaults of Config.
const (
	DefaultHidden      = 1
	DefaultBatch       = 10
	DefaultEpochs      = 1
	DefaultChains      = 100
	DefaultSweeps      = 20
	DefaultRecordEvery = 100
)

// maxExactHidden is the largest M of the exact model term.
const maxExactHidden = 24

// Config holds the training parameters. A zero field takes the documented
// default.
type Config struct {
	// Hidden is the number M of hidden units (default 1).
	Hidden int
	// Nu is the learning rate ν (required, > 0).
	Nu float64
	// Batch is the minibatch size (default 10, or S if S < 10; ≤ S). A
	// shorter last minibatch of an epoch is kept.
	Batch int
	// Epochs is the number of passes over the data (default 1); the run
	// performs Epochs·⌈S/Batch⌉ updates.
	Epochs int
	// Phase selects PCD (default) or the exact model term.
	Phase NegativePhase
	// Chains is the number of persistent chains (default 100). In Exact
	// mode it is unused and recorded as 0.
	Chains int
	// Sweeps is k of PCD-k, block-Gibbs sweeps per update (default 20). In
	// Exact mode it is unused and recorded as 0.
	Sweeps int
	// Sigma0 is the standard deviation of the initial weights (default
	// √(0.1/N)); it must not be negative, and zero is replaced by the
	// default, so weights never start at exactly zero.
	Sigma0 float64
	// RecordEvery is K: the weights are recorded every K updates, at
	// update 0 and at the end (default 100).
	RecordEvery int
	// Seed is the master seed of every random stream.
	Seed uint64
	// Progress, if not nil, is called after every recorded update with the
	// number of updates done and the total.
	Progress func(done, total int)
}

// resolve returns cfg with defaults filled in for n sites and s samples, or
// the first invalid setting as a one-line error.
func (cfg Config) resolve(n, s int) (Config, error) {
	if s < 1 {
		return cfg, fmt.Errorf("rbm: no training samples (S = %d)", s)
	}
	if !(cfg.Nu > 0) || math.IsInf(cfg.Nu, 0) {
		return cfg, fmt.Errorf("rbm: Nu = %v must be finite and > 0", cfg.Nu)
	}
	if cfg.Phase != PCD && cfg.Phase != Exact {
		return cfg, fmt.Errorf("rbm: Phase = %d is neither PCD (%d) nor Exact (%d)", int(cfg.Phase), int(PCD), int(Exact))
	}
	type intSetting struct {
		name string
		p    *int
		def  int
	}
	ints := []intSetting{
		{"Hidden", &cfg.Hidden, DefaultHidden},
		{"Batch", &cfg.Batch, min(DefaultBatch, s)},
		{"Epochs", &cfg.Epochs, DefaultEpochs},
		{"RecordEvery", &cfg.RecordEvery, DefaultRecordEvery},
	}
	if cfg.Phase == PCD {
		ints = append(ints,
			intSetting{"Chains", &cfg.Chains, DefaultChains},
			intSetting{"Sweeps", &cfg.Sweeps, DefaultSweeps})
	}
	for _, c := range ints {
		switch {
		case *c.p < 0:
			return cfg, fmt.Errorf("rbm: %s = %d must be ≥ 1 (0 selects the default %d)", c.name, *c.p, c.def)
		case *c.p == 0:
			*c.p = c.def
		}
	}
	if cfg.Phase == Exact {
		cfg.Chains, cfg.Sweeps = 0, 0
	}
	if cfg.Batch > s {
		return cfg, fmt.Errorf("rbm: Batch = %d exceeds S = %d training samples", cfg.Batch, s)
	}
	if cfg.Phase == Exact && cfg.Hidden > maxExactHidden {
		return cfg, fmt.Errorf("rbm: Hidden = %d exceeds %d, the limit of the exact model term", cfg.Hidden, maxExactHidden)
	}
	def := math.Sqrt(0.1 / float64(n))
	switch {
	case !(cfg.Sigma0 >= 0) || math.IsInf(cfg.Sigma0, 0):
		return cfg, fmt.Errorf("rbm: Sigma0 = %v must be finite and ≥ 0 (0 selects the default √(0.1/N) = %.4g)", cfg.Sigma0, def)
	case cfg.Sigma0 == 0:
		cfg.Sigma0 = def
	}
	return cfg, nil
}

// Record is a snapshot of the weights.
type Record struct {
	// Update is the number of updates performed.
	Update int
	// Epoch is Update/⌈S/Batch⌉.
	Epoch float64
	// T is the learning time ν·Update.
	T float64
	// W holds the M×N weights, row-major.
	W []float64
}

// Result is the outcome of a training run.
type Result struct {
	// Config is the configuration used, with defaults filled in.
	Config Config
	// N and S are the number of sites and of training samples.
	N, S int
	// UpdatesPerEpoch is ⌈S/Batch⌉.
	UpdatesPerEpoch int
	// Records holds the recorded snapshots, in order.
	Records []Record
}

// Final returns the last record.
func (r *Result) Final() Record { return r.Records[len(r.Records)-1] }

// Trainer advances an RBM one update at a time.
//
// One update (SIMULATOR.md §4): take the next minibatch of a fresh
// per-epoch permutation; advance every chain by k block-Gibbs sweeps with
// the current weights; compute the data term (1/B) Σ_batch v tanh(I)ᵀ and
// the model term (1/C) Σ_chains v tanh(I)ᵀ at the chains' post-sweep state
// (or dynamics.SpinModelTerm in Exact mode); set w ← w + ν (data − model);
// check every value for finiteness.
type Trainer struct {
	cfg     Config
	data    *ring.Spins
	n, s, m int
	upe     int // updates per epoch, ⌈S/B⌉

	w    []float64 // M×N weights
	grad []float64 // M×N data term, then the gradient
	neg  []float64 // M×N model term

	order *rand.Rand // stream ("order", 0) of the per-epoch permutations
	perm  []int      // private permutation of the sample indices
	next  int        // position in perm of the next minibatch

	parts []*dataPart // scratch of the data term, one per fixed part

	chains *chainSet // persistent chains; nil in Exact mode

	updates  int
	lastNorm float64 // Frobenius norm of the last finite gradient
	err      error   // sticky numeric error

	// parallelWork is the number of multiply-adds of one update's sweeps
	// (or data term) from which goroutines are used. The result does not
	// depend on it; tests change it to compare both paths.
	parallelWork int
}

// parallelWork is the default work threshold for goroutines: 2^13
// multiply-adds take a few microseconds, several times the cost of
// starting and joining the goroutines.
const parallelWork = 1 << 13

// NewTrainer validates cfg against the data and returns a trainer at
// update 0. Invalid settings (ν ≤ 0, Batch > S, Chains < 1 or Sweeps < 1 in
// PCD mode, negative Sigma0, M > 24 in exact mode) are errors naming the
// setting and its allowed range. The caller's data are never modified.
//
// Zero settings take their defaults first, so Chains < 1 and Sweeps < 1
// mean negative values. The weights are drawn from the stream ("init", 0),
// w_μi ~ N(0, Sigma0²) in row-major order; the minibatch order from
// ("order", 0); chain c starts from uniform ±1 spins drawn from its own
// stream ("chain", c), which then feeds all of its Gibbs draws.
func NewTrainer(data *ring.Spins, cfg Config) (*Trainer, error) {
	if data == nil {
		return nil, fmt.Errorf("rbm: no training samples (nil data)")
	}
	n, s := data.Sites(), data.Len()
	cfg, err := cfg.resolve(n, s)
	if err != nil {
		return nil, err
	}
	m := cfg.Hidden
	t := &Trainer{
		cfg:          cfg,
		data:         data,
		n:            n,
		s:            s,
		m:            m,
		upe:          (s + cfg.Batch - 1) / cfg.Batch,
		w:            make([]float64, m*n),
		grad:         make([]float64, m*n),
		neg:          make([]float64, m*n),
		order:        rng.New(cfg.Seed, "order", 0),
		perm:         make([]int, s),
		lastNorm:     math.NaN(),
		parallelWork: parallelWork,
	}
	init := rng.New(cfg.Seed, "init", 0)
	for k := range t.w {
		t.w[k] = cfg.Sigma0 * init.NormFloat64()
	}
	if cfg.Phase == PCD {
		t.chains = newChainSet(cfg.Seed, cfg.Chains, n, m)
	}
	return t, nil
}

// Config returns the configuration in use, with defaults filled in.
func (t *Trainer) Config() Config { return t.cfg }

// Step performs one update. It returns a *NumericError if any weight, chain
// input or gradient becomes NaN or infinite.
//
// After a *NumericError the trainer keeps its state at the failure and
// every later Step returns the same error.
func (t *Trainer) Step() error {
	if t.err != nil {
		return t.err
	}
	update := t.updates + 1

	batch := t.nextBatch()

	// Model term: k sweeps of every chain with the current weights, then
	// (1/C) Σ_c v_c tanh(I(v_c))ᵀ at the post-sweep states.
	if t.chains != nil {
		work := t.cfg.Chains * t.cfg.Sweeps * t.n * (t.m + 1)
		t.chains.advance(t.w, t.cfg.Sweeps, work >= t.parallelWork)
		if c, mu, v, bad := t.chains.firstBad(); bad {
			return t.fail(&NumericError{Update: update, What: "chain input", Unit: mu, Site: c, Value: v})
		}
		t.chains.term(t.neg)
	} else {
		dynamics.SpinModelTerm(t.neg, t.w, t.m, t.n)
	}

	// Data term and gradient, g = data − model.
	t.dataTerm(t.grad, batch)
	floats.Sub(t.grad, t.neg)
	if k, bad := firstNonFinite(t.grad); bad {
		return t.fail(&NumericError{Update: update, What: "gradient", Unit: k / t.n, Site: k % t.n, Value: t.grad[k]})
	}
	t.lastNorm = floats.Norm(t.grad, 2)

	// Plain gradient ascent, w ← w + ν g.
	floats.AddScaled(t.w, t.cfg.Nu, t.grad)
	if k, bad := firstNonFinite(t.w); bad {
		return t.fail(&NumericError{Update: update, What: "weight", Unit: k / t.n, Site: k % t.n, Value: t.w[k]})
	}
	t.updates = update
	return nil
}

// fail completes e with the learning time and the last finite gradient
// norm, makes it sticky and returns it.
func (t *Trainer) fail(e *NumericError) error {
	e.T = t.cfg.Nu * float64(e.Update)
	e.LastNorm = t.lastNorm
	t.err = e
	return e
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

// Weights returns a copy of the current M×N weights.
func (t *Trainer) Weights() []float64 { return append([]float64(nil), t.w...) }

// Updates returns the number of updates performed.
func (t *Trainer) Updates() int { return t.updates }

// Train runs a whole training on data and returns its recorded trajectory.
// It stops early with ctx's error if ctx is cancelled.
//
// Records are taken at update 0, every RecordEvery updates and after the
// last update (once if it falls on a multiple of RecordEvery). The context
// is checked between updates; on cancellation the error wraps ctx.Err()
// and states the number of updates done. On any error after the start,
// the partial Result recorded so far is returned with it.
func Train(ctx context.Context, data *ring.Spins, cfg Config) (*Result, error) {
	t, err := NewTrainer(data, cfg)
	if err != nil {
		return nil, err
	}
	total := t.cfg.Epochs * t.upe
	res := &Result{Config: t.cfg, N: t.n, S: t.s, UpdatesPerEpoch: t.upe}
	record := func() {
		res.Records = append(res.Records, Record{
			Update: t.updates,
			Epoch:  float64(t.updates) / float64(t.upe),
			T:      t.cfg.Nu * float64(t.updates),
			W:      t.Weights(),
		})
		if t.cfg.Progress != nil {
			t.cfg.Progress(t.updates, total)
		}
	}

	record()
	for t.updates < total {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("rbm: training stopped after %d of %d updates: %w", t.updates, total, err)
		}
		if err := t.Step(); err != nil {
			return res, err
		}
		if t.updates%t.cfg.RecordEvery == 0 || t.updates == total {
			record()
		}
	}
	return res, nil
}

// NumericError reports a non-finite value met during training.
type NumericError struct {
	Update     int     // update at which it was found
	T          float64 // learning time
	What       string  // "weight", "gradient" or "chain input"
	Unit, Site int     // index of the offending entry; for a chain input, Unit μ of chain Site
	Value      float64 // the offending value
	LastNorm   float64 // Frobenius norm of the last finite gradient
}

// Error returns a one-line description. For a "chain input" the entry is
// the hidden input I_μ, μ = Unit, of chain number Site. LastNorm is NaN if
// no gradient was finite yet, and printed as "none".
func (e *NumericError) Error() string {
	var what string
	switch e.What {
	case "weight":
		what = fmt.Sprintf("weight w[%d][%d]", e.Unit, e.Site)
	case "gradient":
		what = fmt.Sprintf("gradient g[%d][%d]", e.Unit, e.Site)
	case "chain input":
		what = fmt.Sprintf("chain input I[%d] of chain %d", e.Unit, e.Site)
	default:
		what = fmt.Sprintf("%s [%d][%d]", e.What, e.Unit, e.Site)
	}
	norm := "none"
	if !math.IsNaN(e.LastNorm) {
		norm = fmt.Sprintf("%.2g", e.LastNorm)
	}
	return fmt.Sprintf("rbm: non-finite %s = %v at update %d (t = %g); last finite gradient norm %s; reduce the learning rate",
		what, e.Value, e.Update, e.T, norm)
}

// firstNonFinite returns the first index of a NaN or infinite entry.
func firstNonFinite(x []float64) (int, bool) {
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return k, true
		}
	}
	return -1, false
}

// Data term.

// partSize is the number of samples per part of the data term; a batch of
// B samples has min(⌈B/partSize⌉, maxParts) parts of consecutive samples,
// summed separately and added in part order. The split depends on B only.
const (
	partSize = 256
	maxParts = 32
	rowBlock = 64 // rows unpacked at a time
)

// dataPart holds one part's accumulator and scratch.
type dataPart struct {
	acc []float64 // M×N partial sum
	v   []float64 // rowBlock×N unpacked rows
	th  []float64 // rowBlock×M tanh of their inputs
}

// dataTerm writes (1/B) Σ_{s ∈ batch} v_s tanh(I(v_s))ᵀ into dst.
func (t *Trainer) dataTerm(dst []float64, batch []int) {
	b := len(batch)
	np := min((b+partSize-1)/partSize, maxParts)
	for len(t.parts) < np {
		t.parts = append(t.parts, &dataPart{
			acc: make([]float64, t.m*t.n),
			v:   make([]float64, rowBlock*t.n),
			th:  make([]float64, rowBlock*t.m),
		})
	}
	run := func(p int) {
		t.dataPart(t.parts[p], batch[p*b/np:(p+1)*b/np])
	}
	if work := b * t.m * t.n * 2; np > 1 && work >= t.parallelWork && runtime.GOMAXPROCS(0) > 1 {
		var wg sync.WaitGroup
		for p := range np {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(p)
			}()
		}
		wg.Wait()
	} else {
		for p := range np {
			run(p)
		}
	}

	copy(dst, t.parts[0].acc)
	for _, p := range t.parts[1:np] {
		floats.Add(dst, p.acc)
	}
	floats.Scale(1/float64(b), dst)
}

// dataPart sums v_s tanh(I(v_s))ᵀ over the samples of one part, in order.
func (t *Trainer) dataPart(p *dataPart, samples []int) {
	n, m := t.n, t.m
	clear(p.acc)
	for lo := 0; lo < len(samples); lo += rowBlock {
		blk := samples[lo:min(lo+rowBlock, len(samples))]
		for r, s := range blk {
			v := t.data.Row(s, p.v[r*n:(r+1)*n])
			for mu := range m {
				p.th[r*m+mu] = math.Tanh(floats.Dot(t.w[mu*n:(mu+1)*n], v))
			}
		}
		outerAdd(p.acc, p.th, p.v, len(blk), m, n)
	}
}

// outerAdd adds Σ_r th[r][μ] v_r to row μ of acc for r = 0..count-1, in
// order of r.
func outerAdd(acc, th, v []float64, count, m, n int) {
	for mu := range m {
		row := acc[mu*n : (mu+1)*n]
		for r := range count {
			floats.AddScaled(row, th[r*m+mu], v[r*n:(r+1)*n])
		}
	}
}

// Persistent chains.

// chainSet holds C persistent chains of N ±1 visible units, stored as
// float64 so that inputs are plain dot products.
type chainSet struct {
	c, n, m int
	src     []*rand.PCG // stream ("chain", c) of each chain
	v       []float64   // C×N visible states
	h       []float64   // C×M hidden states of the last sweep
	x       []float64   // C×N visible inputs Σ_μ w_μi h_μ
	in      []float64   // C×M hidden inputs Σ_i w_μi v_i
	th      []float64   // C×M tanh I_μ(v) at the post-sweep states
	q       []float64   // C×max(N,M) scratch of sample
	flips   []int       // C×max(N,M) indices of the spins a draw changed
	wT      []float64   // N×M transposed weights of the current advance
	bad     []badInput  // first non-finite hidden input of each chain
}

type badInput struct {
	found bool
	unit  int
	value float64
}

func newChainSet(seed uint64, c, n, m int) *chainSet {
	l := max(n, m)
	cs := &chainSet{
		c: c, n: n, m: m,
		src:   make([]*rand.PCG, c),
		v:     make([]float64, c*n),
		h:     make([]float64, c*m),
		x:     make([]float64, c*n),
		in:    make([]float64, c*m),
		th:    make([]float64, c*m),
		q:     make([]float64, c*l),
		flips: make([]int, c*l),
		wT:    make([]float64, n*m),
		bad:   make([]badInput, c),
	}
	for k := range c {
		// rng.PCG is the source behind rng.New(seed, "chain", k).
		cs.src[k] = rng.PCG(seed, "chain", uint64(k))
		var bits uint64
		for i := range n {
			if i%64 == 0 {
				bits = cs.src[k].Uint64()
			}
			cs.v[k*n+i] = float64(2*int(bits>>(i%64)&1) - 1)
		}
	}
	return cs
}

// advance runs k block-Gibbs sweeps of every chain with weights w and then
// computes tanh I_μ at the new states. With parallel set, contiguous groups
// of chains run on up to GOMAXPROCS goroutines; each chain draws only from
// its own stream and writes only its own buffers, so the outcome does not
// depend on the grouping.
func (cs *chainSet) advance(w []float64, k int, parallel bool) {
	n, m := cs.n, cs.m
	for mu := range m {
		for i := range n {
			cs.wT[i*m+mu] = w[mu*n+i]
		}
	}
	g := min(runtime.GOMAXPROCS(0), cs.c)
	if !parallel || g < 2 {
		for c := range cs.c {
			cs.run(c, w, k)
		}
		return
	}
	var wg sync.WaitGroup
	for j := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := j * cs.c / g; c < (j+1)*cs.c/g; c++ {
				cs.run(c, w, k)
			}
		}()
	}
	wg.Wait()
}

// callCost is the overhead of one row update in the incremental input
// updates of run, in multiply-adds.
const callCost = 16

// run advances chain c by k sweeps (THEORY.md §4.1, eq 3). Each sweep draws
// h_μ = +1 with probability σ(2 I_μ(v)), I_μ = Σ_i w_μi v_i, then
// v_i = +1 with probability σ(2 x_i), x_i = Σ_μ w_μi h_μ: the M hidden
// draws before the N visible ones, in index order. Afterwards it stores
// tanh I_μ(v) of the final state, with I recomputed from scratch, and
// notes the first non-finite hidden input met.
//
// Inputs are computed from scratch at the first sweep and then updated for
// the spins that changed, I += 2 v_i w_·i for each flipped v_i and
// x += 2 h_μ w_μ for each flipped h_μ, whenever that costs fewer
// multiply-adds than recomputing them.
func (cs *chainSet) run(c int, w []float64, k int) {
	n, m := cs.n, cs.m
	l := max(n, m)
	v := cs.v[c*n : (c+1)*n]
	h := cs.h[c*m : (c+1)*m]
	x := cs.x[c*n : (c+1)*n]
	in := cs.in[c*m : (c+1)*m]
	th := cs.th[c*m : (c+1)*m]
	q := cs.q[c*l : (c+1)*l]
	flips := cs.flips[c*l : (c+1)*l]
	src := cs.src[c]
	bad := &cs.bad[c]
	*bad = badInput{}

	hiddenInputs(in, w, v)
	for s := range k {
		// h ~ p(h | v).
		cs.check(bad, in)
		nf := sample(h, in, q, flips, src)

		// Visible inputs x = Σ_μ h_μ w_μ.
		if s == 0 || nf*(n+callCost) >= m*n {
			visibleInputs(x, w, h)
		} else {
			for _, mu := range flips[:nf] {
				floats.AddScaled(x, 2*h[mu], w[mu*n:(mu+1)*n])
			}
		}

		// v ~ p(v | h).
		nf = sample(v, x, q, flips, src)

		// Hidden inputs of the new v, unless this was the last sweep.
		switch {
		case s == k-1:
		case nf*(m+callCost) >= m*n:
			hiddenInputs(in, w, v)
		default:
			for _, i := range flips[:nf] {
				floats.AddScaled(in, 2*v[i], cs.wT[i*m:(i+1)*m])
			}
		}
	}

	// Inputs at the post-sweep state, from scratch, for the model term.
	hiddenInputs(in, w, v)
	cs.check(bad, in)
	for mu, x := range in {
		th[mu] = math.Tanh(x)
	}
}

// hiddenInputs writes I_μ = Σ_i w_μi v_i into in.
func hiddenInputs(in, w, v []float64) {
	n := len(v)
	for mu := range in {
		in[mu] = floats.Dot(w[mu*n:(mu+1)*n], v)
	}
}

// visibleInputs writes x_i = Σ_μ w_μi h_μ into x.
func visibleInputs(x, w, h []float64) {
	n := len(x)
	copy(x, w[:n])
	if h[0] < 0 {
		floats.Scale(-1, x)
	}
	for mu := 1; mu < len(h); mu++ {
		floats.AddScaled(x, h[mu], w[mu*n:(mu+1)*n])
	}
}

// check notes in bad the first non-finite entry of the hidden inputs in,
// unless one was noted already.
func (cs *chainSet) check(bad *badInput, in []float64) {
	if bad.found {
		return
	}
	for mu, x := range in {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			*bad = badInput{found: true, unit: mu, value: x}
			return
		}
	}
}

// sample sets each spin s_j to ±1 drawn with P(+1) = σ(2 in_j) =
// 1/(1 + e^(−2 in_j)), one 53-bit uniform u_j per spin, in index order,
// writes the indices of the spins that changed into flips and returns
// their number. q is scratch of at least len(s).
//
// The draw is +1 iff u_j·(1 + e^(−2 in_j)) < 1, which avoids a division.
// The exponent is capped at 709 so that the factor stays finite: for
// in_j < −354 the draw is +1 only if u_j = 0 (probability 2^(−53)), and for
// in_j > 19 the factor rounds to 1 and the draw is always +1. The factors
// are computed first, and the draws read the sign bit of u_j·q_j − 1, so
// neither loop branches on the random outcome.
func sample(s, in, q []float64, flips []int, src *rand.PCG) int {
	q = q[:len(in)]
	for j, x := range in {
		a := -2 * x
		if a > 709 {
			a = 709
		}
		q[j] = 1 + math.Exp(a)
	}
	nf := 0
	for j, qj := range q {
		u := float64(src.Uint64()>>11) * 0x1p-53
		plus := int64(math.Float64bits(u*qj-1) >> 63) // 1 iff u·q < 1
		spin := float64(2*plus - 1)
		flips[nf] = j
		nf += int((math.Float64bits(spin) ^ math.Float64bits(s[j])) >> 63)
		s[j] = spin
	}
	return nf
}

// firstBad returns the first chain, in chain order, that met a non-finite
// hidden input during the last advance.
func (cs *chainSet) firstBad() (c, unit int, value float64, found bool) {
	for c, b := range cs.bad {
		if b.found {
			return c, b.unit, b.value, true
		}
	}
	return -1, -1, 0, false
}

// term writes the model term (1/C) Σ_c v_c tanh(I(v_c))ᵀ into dst, summed
// in chain order.
func (cs *chainSet) term(dst []float64) {
	clear(dst)
	outerAdd(dst, cs.th, cs.v, cs.c, cs.m, cs.n)
	floats.Scale(1/float64(cs.c), dst)
}
