package rbm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"placecell/dynamics"
	"placecell/ring"
)

// isingData draws s independent configurations of the periodic Ising ring
// of n spins at inverse temperature beta with the transfer-matrix sampler
// of THEORY.md §2.3: v_0 uniform, then v_j from
// P(v_j = b | v_{j−1} = a, v_0) ∝ e^(βab) (1 + b v_0 ρ^(N−j)), ρ = tanh β.
// The tests use it only as structured data and compute every statistic
// they need from the sample itself.
func isingData(n, s int, beta float64, seed uint64) *ring.Spins {
	r := rand.New(rand.NewPCG(seed, 0x15196))
	d := ring.NewSpins(n, s)
	rho := math.Tanh(beta)
	v := make([]int8, n)
	for k := range s {
		v[0] = int8(2*r.IntN(2) - 1)
		for j := 1; j < n; j++ {
			a, v0 := float64(v[j-1]), float64(v[0])
			close := math.Pow(rho, float64(n-j))
			wp := math.Exp(beta*a) * (1 + v0*close)
			wm := math.Exp(-beta*a) * (1 - v0*close)
			v[j] = -1
			if r.Float64()*(wp+wm) < wp {
				v[j] = 1
			}
		}
		d.SetRow(k, v)
	}
	return d
}

// iidData draws s configurations of n independent uniform ±1 spins.
func iidData(n, s int, seed uint64) *ring.Spins {
	return isingData(n, s, 0, seed)
}

// rows returns the data set as ±1 float64 rows.
func rows(d *ring.Spins) [][]float64 {
	out := make([][]float64, d.Len())
	for s := range out {
		out[s] = d.Row(s, nil)
	}
	return out
}

// vTanhMean returns (1/len(vs)) Σ_v v tanh(I(v))ᵀ for M×N weights w,
// written with plain loops independently of the package code.
func vTanhMean(w []float64, m, n int, vs [][]float64) []float64 {
	out := make([]float64, m*n)
	for _, v := range vs {
		for mu := range m {
			var in float64
			for i := range n {
				in += w[mu*n+i] * v[i]
			}
			th := math.Tanh(in)
			for i := range n {
				out[mu*n+i] += v[i] * th
			}
		}
	}
	for k := range out {
		out[k] /= float64(len(vs))
	}
	return out
}

func TestNegativePhaseString(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p    NegativePhase
		want string
	}{{PCD, "pcd"}, {Exact, "exact"}, {NegativePhase(9), "NegativePhase(9)"}} {
		if got := c.p.String(); got != c.want {
			t.Errorf("NegativePhase(%d).String() = %q, want %q", int(c.p), got, c.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		n, s int
		cfg  Config
		want Config
	}{
		{50, 200, Config{Nu: 0.1},
			Config{Hidden: 1, Nu: 0.1, Batch: 10, Epochs: 1, Chains: 100, Sweeps: 20, Sigma0: math.Sqrt(0.1 / 50), RecordEvery: 100}},
		// S < 10: the default batch is S.
		{20, 7, Config{Nu: 0.1, Sigma0: 0.3, Seed: 4},
			Config{Hidden: 1, Nu: 0.1, Batch: 7, Epochs: 1, Chains: 100, Sweeps: 20, Sigma0: 0.3, RecordEvery: 100, Seed: 4}},
		// Exact mode records Chains = Sweeps = 0 (unused).
		{20, 30, Config{Nu: 0.1, Phase: Exact, Hidden: 3, Chains: 5, Sweeps: 2},
			Config{Hidden: 3, Nu: 0.1, Batch: 10, Epochs: 1, Phase: Exact, Sigma0: math.Sqrt(0.1 / 20), RecordEvery: 100}},
	} {
		tr, err := NewTrainer(iidData(c.n, c.s, 1), c.cfg)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if got := tr.Config(); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("case %d: Config() = %+v, want %+v", i, got, c.want)
		}
	}

	// Result.Config carries the defaults, σ0 = √(0.1/N) in particular.
	res, err := Train(context.Background(), iidData(40, 20, 2), Config{Nu: 0.01, Chains: 4, Sweeps: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Config.Sigma0, math.Sqrt(0.1/40); got != want {
		t.Errorf("Result.Config.Sigma0 = %v, want √(0.1/N) = %v", got, want)
	}
}

// TestInitialWeights checks that the initial weights are N(0, σ0²): their
// sample standard deviation over 10⁴ weights lies within 5 standard errors
// σ0/√(2K) of σ0, and their mean within 5 σ0/√K of 0.
func TestInitialWeights(t *testing.T) {
	t.Parallel()
	for _, sigma0 := range []float64{0, 0.5} {
		tr, err := NewTrainer(iidData(100, 10, 3), Config{Nu: 1, Hidden: 100, Sigma0: sigma0, Chains: 1})
		if err != nil {
			t.Fatal(err)
		}
		s0 := tr.Config().Sigma0
		w := tr.Weights()
		k := float64(len(w))
		var m1, m2 float64
		for _, x := range w {
			m1 += x
			m2 += x * x
		}
		m1 /= k
		sd := math.Sqrt(m2/k - m1*m1)
		if math.Abs(sd-s0) > 5*s0/math.Sqrt(2*k) {
			t.Errorf("Sigma0 %v: sample sd = %v, want %v", sigma0, sd, s0)
		}
		if math.Abs(m1) > 5*s0/math.Sqrt(k) {
			t.Errorf("Sigma0 %v: sample mean = %v, want 0", sigma0, m1)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	data := iidData(20, 100, 4)
	for i, c := range []struct {
		data *ring.Spins
		cfg  Config
		want string
	}{
		{data, Config{}, "rbm: Nu = 0 must be finite and > 0"},
		{data, Config{Nu: -0.1}, "rbm: Nu = -0.1 must be finite and > 0"},
		{data, Config{Nu: math.NaN()}, "rbm: Nu = NaN must be finite and > 0"},
		{data, Config{Nu: math.Inf(1)}, "rbm: Nu = +Inf must be finite and > 0"},
		{data, Config{Nu: 1, Batch: 200}, "rbm: Batch = 200 exceeds S = 100 training samples"},
		{data, Config{Nu: 1, Batch: -1}, "rbm: Batch = -1 must be ≥ 1 (0 selects the default 10)"},
		{data, Config{Nu: 1, Chains: -2}, "rbm: Chains = -2 must be ≥ 1 (0 selects the default 100)"},
		{data, Config{Nu: 1, Sweeps: -1}, "rbm: Sweeps = -1 must be ≥ 1 (0 selects the default 20)"},
		{data, Config{Nu: 1, Hidden: -3}, "rbm: Hidden = -3 must be ≥ 1 (0 selects the default 1)"},
		{data, Config{Nu: 1, Epochs: -1}, "rbm: Epochs = -1 must be ≥ 1 (0 selects the default 1)"},
		{data, Config{Nu: 1, RecordEvery: -5}, "rbm: RecordEvery = -5 must be ≥ 1 (0 selects the default 100)"},
		{data, Config{Nu: 1, Sigma0: -0.01}, "rbm: Sigma0 = -0.01 must be finite and ≥ 0 (0 selects the default √(0.1/N) = 0.07071)"},
		{data, Config{Nu: 1, Sigma0: math.NaN()}, "rbm: Sigma0 = NaN must be finite and ≥ 0 (0 selects the default √(0.1/N) = 0.07071)"},
		{data, Config{Nu: 1, Phase: Exact, Hidden: 25}, "rbm: Hidden = 25 exceeds 24, the limit of the exact model term"},
		{data, Config{Nu: 1, Phase: 2}, "rbm: Phase = 2 is neither PCD (0) nor Exact (1)"},
		{ring.NewSpins(20, 0), Config{Nu: 1}, "rbm: no training samples (S = 0)"},
		{nil, Config{Nu: 1}, "rbm: no training samples (nil data)"},
	} {
		_, err := NewTrainer(c.data, c.cfg)
		if err == nil || err.Error() != c.want {
			t.Errorf("case %d: NewTrainer error = %v, want %q", i, err, c.want)
		}
		if _, err := Train(context.Background(), c.data, c.cfg); err == nil || err.Error() != c.want {
			t.Errorf("case %d: Train error = %v, want %q", i, err, c.want)
		}
	}
}

// TestMinibatches checks one epoch visits every sample once in batches of
// B with a short last batch, and that each epoch draws a new permutation.
func TestMinibatches(t *testing.T) {
	t.Parallel()
	const s, b = 105, 10
	tr, err := NewTrainer(iidData(8, s, 5), Config{Nu: 1, Batch: b, Phase: Exact})
	if err != nil {
		t.Fatal(err)
	}
	var epochs [][]int
	for range 3 {
		var seen []int
		for u := range 11 {
			batch := tr.nextBatch()
			want := b
			if u == 10 {
				want = s - 10*b
			}
			if len(batch) != want {
				t.Errorf("update %d: batch size %d, want %d", u, len(batch), want)
			}
			seen = append(seen, batch...)
		}
		sorted := slices.Sorted(slices.Values(seen))
		for k, v := range sorted {
			if v != k {
				t.Fatalf("epoch samples %v are not a permutation of 0..%d", sorted, s-1)
			}
		}
		epochs = append(epochs, seen)
	}
	if slices.Equal(epochs[0], epochs[1]) || slices.Equal(epochs[1], epochs[2]) {
		t.Errorf("successive epochs used the same order")
	}
}

// TestTimeBookkeeping checks THEORY.md §6.3: U_e = ⌈S/B⌉ updates per epoch,
// Epochs·U_e updates in all, T = ν·Update and Epoch = Update/U_e, with
// records at 0, every K updates and at the end, not duplicated.
func TestTimeBookkeeping(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		s, b, epochs, k int
		wantUe          int
		wantUpdates     []int
	}{
		{105, 10, 3, 5, 11, []int{0, 5, 10, 15, 20, 25, 30, 33}},
		{100, 10, 2, 5, 10, []int{0, 5, 10, 15, 20}},
		{7, 7, 4, 100, 1, []int{0, 4}},
	} {
		const nu = 0.05
		var progress [][2]int
		cfg := Config{Nu: nu, Batch: c.b, Epochs: c.epochs, RecordEvery: c.k, Chains: 3, Sweeps: 1,
			Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }}
		res, err := Train(context.Background(), iidData(6, c.s, 6), cfg)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if res.UpdatesPerEpoch != c.wantUe {
			t.Errorf("case %d: UpdatesPerEpoch = %d, want %d", i, res.UpdatesPerEpoch, c.wantUe)
		}
		if len(res.Records) != len(c.wantUpdates) {
			t.Fatalf("case %d: %d records, want %d", i, len(res.Records), len(c.wantUpdates))
		}
		total := c.epochs * c.wantUe
		for k, r := range res.Records {
			u := c.wantUpdates[k]
			if r.Update != u || r.T != nu*float64(u) || r.Epoch != float64(u)/float64(c.wantUe) {
				t.Errorf("case %d: record %d = (update %d, T %v, epoch %v), want (%d, %v, %v)",
					i, k, r.Update, r.T, r.Epoch, u, nu*float64(u), float64(u)/float64(c.wantUe))
			}
			if progress[k] != [2]int{u, total} {
				t.Errorf("case %d: Progress call %d = %v, want [%d %d]", i, k, progress[k], u, total)
			}
		}
		if res.Final().Update != total {
			t.Errorf("case %d: final update %d, want %d", i, res.Final().Update, total)
		}
		if res.N != 6 || res.S != c.s {
			t.Errorf("case %d: N, S = %d, %d, want 6, %d", i, res.N, res.S, c.s)
		}
	}
}

// TestLinearRegime checks THEORY.md §4.5 (paper eq 23): exact-phase,
// full-batch training from σ0 = 1e-6 follows dw_μ/dt = (Ĉ − I) w_μ, with Ĉ
// the raw second moment (1/S) Σ_s v vᵀ of the training set (fields are
// frozen at zero, so the moments are not centred).
//
// Two comparisons, with ν = 10⁻³ and n = 1000 updates (t = 1):
//   - against the Euler iterate w ← w + ν(Ĉ − I)w, computed here by direct
//     matrix-vector products: the difference is the O(w²) nonlinearity,
//     |I|² ≲ 4e-9 relative at |w_i| ≲ 5e-6, N = 12, plus rounding;
//     tolerance 1e-8;
//   - against the exact flow dynamics.LinearFlow: Euler on a linear flow
//     multiplies mode k by (1 + νσ_k)^n instead of e^(σ_k t), so the
//     relative error is at most δ = max_k |1 − (1+νσ_k)^n e^(−σ_k t)| ≈
//     ν σ_max² t/2 ≈ 1.5e-3 here; tolerance δ + 1e-7, and the error must
//     also exceed δ/10, since the Euler discrepancy cannot vanish.
func TestLinearRegime(t *testing.T) {
	t.Parallel()
	const (
		n, s, m = 12, 2000, 2
		nu      = 1e-3
		updates = 1000
	)
	data := isingData(n, s, 0.5, 7)
	cfg := Config{Hidden: m, Nu: nu, Batch: s, Epochs: updates, Phase: Exact, Sigma0: 1e-6, RecordEvery: updates, Seed: 8}
	res, err := Train(context.Background(), data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w0, w1 := res.Records[0].W, res.Final().W
	tt := res.Final().T
	if tt != nu*updates {
		t.Fatalf("final T = %v, want %v", tt, nu*updates)
	}

	// Empirical raw second moment.
	c := mat.NewSymDense(n, nil)
	for _, v := range rows(data) {
		for i := range n {
			for j := i; j < n; j++ {
				c.SetSym(i, j, c.At(i, j)+v[i]*v[j]/s)
			}
		}
	}
	flow, err := dynamics.NewLinearFlow(c, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	var delta float64
	for _, r := range flow.Rates(nil) {
		delta = math.Max(delta, math.Abs(1-math.Pow(1+nu*r, updates)*math.Exp(-r*tt)))
	}

	for mu := range m {
		start := w0[mu*n : (mu+1)*n]
		got := w1[mu*n : (mu+1)*n]

		euler := slices.Clone(start)
		next := make([]float64, n)
		for range updates {
			for i := range n {
				var g float64
				for j := range n {
					g += c.At(i, j) * euler[j]
				}
				next[i] = euler[i] + nu*(g-euler[i])
			}
			euler, next = next, euler
		}
		exact := flow.Evolve(nil, start, tt)

		if e := relErr(got, euler); e > 1e-8 {
			t.Errorf("unit %d: |w − w_Euler|/|w_Euler| = %v, want ≤ 1e-8", mu, e)
		}
		if e := relErr(got, exact); e > delta+1e-7 || e < delta/10 {
			t.Errorf("unit %d: |w − w_flow|/|w_flow| = %v, want in [%v, %v] (Euler error)", mu, e, delta/10, delta+1e-7)
		}
		if e := relErr(got, start); e < 0.5 {
			t.Errorf("unit %d: |w(t) − w(0)|/|w(0)| = %v, want a visible change (> 0.5)", mu, e)
		}
		t.Logf("unit %d: change %.3g, vs Euler %.3g, vs flow %.3g (δ = %.3g)", mu, relErr(got, start), relErr(got, euler), relErr(got, exact), delta)
	}
}

func relErr(got, want []float64) float64 {
	d := make([]float64, len(got))
	for i := range got {
		d[i] = got[i] - want[i]
	}
	return norm(d) / norm(want)
}

func norm(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// TestPCDMatchesExact checks the chains' model term against
// dynamics.SpinModelTerm (THEORY.md §4.6) at fixed weights: C = 1000
// chains, 50 burn-in sweeps, then 100 measurements 2 sweeps apart. Chains
// are independent, so each chain's time average is an independent draw
// and the standard error is their spread over √C; every entry must lie
// within 5 standard errors.
func TestPCDMatchesExact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, m  int
		scale float64
	}{
		{10, 2, 0.35},
		// Many hidden units: the incremental input updates of the sweep
		// are taken most of the time.
		{12, 8, 0.25},
	} {
		pcdMatchesExact(t, c.n, c.m, c.scale)
	}
}

func pcdMatchesExact(t *testing.T, n, m int, scale float64) {
	const chains = 1000
	tr, err := NewTrainer(iidData(n, 10, 9), Config{Nu: 1, Hidden: m, Chains: chains, Seed: 10})
	if err != nil {
		t.Fatal(err)
	}
	w := tr.w
	r := rand.New(rand.NewPCG(11, 12))
	for k := range w {
		w[k] = scale * r.NormFloat64()
	}
	want := dynamics.SpinModelTerm(nil, w, m, n)

	cs := tr.chains
	cs.advance(w, 50, true)
	const meas = 100
	perChain := make([]float64, chains*m*n)
	mean := make([]float64, m*n)
	term := make([]float64, m*n)
	for range meas {
		cs.advance(w, 2, true)
		for c := range chains {
			for mu := range m {
				for i := range n {
					perChain[(c*m+mu)*n+i] += cs.v[c*n+i] * math.Tanh(dot(w[mu*n:(mu+1)*n], cs.v[c*n:(c+1)*n])) / meas
				}
			}
		}
		cs.term(term)
		for k := range term {
			mean[k] += term[k] / meas
		}
	}
	for k := range want {
		var s1, s2 float64
		for c := range chains {
			x := perChain[c*m*n+k]
			s1 += x
			s2 += x * x
		}
		avg := s1 / chains
		se := math.Sqrt((s2/chains - avg*avg) / (chains - 1))
		if math.Abs(avg-mean[k]) > 1e-12 {
			t.Errorf("M=%d entry %d: chainSet.term mean = %v, want the per-chain mean %v", m, k, mean[k], avg)
		}
		if math.Abs(avg-want[k]) > 5*se {
			t.Errorf("M=%d entry %d: PCD model term = %v ± %v, want %v (exact)", m, k, avg, se, want[k])
		}
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestNegativePhasePostSweep starts every chain at v = +1, far from the
// equilibrium of small weights, performs one update with k = 1 and checks
// that the weight change is ν (data − model) with the model term computed
// from the chains' state after the sweep, and measurably not from the
// state before it.
func TestNegativePhasePostSweep(t *testing.T) {
	t.Parallel()
	const n, s, chains, nu = 20, 50, 50, 0.01
	data := iidData(n, s, 13)
	tr, err := NewTrainer(data, Config{Nu: nu, Batch: s, Chains: chains, Sweeps: 1, Seed: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i := range tr.w {
		tr.w[i] = 0.02
	}
	for k := range tr.chains.v {
		tr.chains.v[k] = 1
	}
	w0 := tr.Weights()
	pre := make([][]float64, chains)
	for c := range pre {
		pre[c] = slices.Clone(tr.chains.v[c*n : (c+1)*n])
	}

	if err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	post := make([][]float64, chains)
	for c := range post {
		post[c] = slices.Clone(tr.chains.v[c*n : (c+1)*n])
	}

	pos := vTanhMean(w0, 1, n, rows(data))
	negPost := vTanhMean(w0, 1, n, post)
	negPre := vTanhMean(w0, 1, n, pre)
	got := tr.Weights()
	var dPre float64
	for i := range got {
		want := w0[i] + nu*(pos[i]-negPost[i])
		if math.Abs(got[i]-want) > 1e-14 {
			t.Errorf("w[%d] = %v, want %v (model term at the post-sweep state)", i, got[i], want)
		}
		dPre = math.Max(dPre, math.Abs(got[i]-(w0[i]+nu*(pos[i]-negPre[i]))))
	}
	// Pre-sweep term: tanh(20·0.02) = 0.38 per entry, post-sweep O(0.1).
	if dPre < 1e-3 {
		t.Errorf("update indistinguishable from the pre-sweep model term (max diff %v)", dPre)
	}
}

// run trains with manual steps and returns the final weights and all
// chain states.
func run(t *testing.T, data *ring.Spins, cfg Config, steps, work int) ([]float64, []float64) {
	t.Helper()
	tr, err := NewTrainer(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr.parallelWork = work
	for range steps {
		if err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	var v []float64
	if tr.chains != nil {
		v = slices.Clone(tr.chains.v)
	}
	return tr.Weights(), v
}

// TestSeeds: the same seed repeats a run bit for bit, another seed does not.
func TestSeeds(t *testing.T) {
	t.Parallel()
	data := isingData(30, 200, 0.8, 15)
	for _, phase := range []NegativePhase{PCD, Exact} {
		cfg := Config{Hidden: 3, Nu: 0.05, Batch: 20, Chains: 16, Sweeps: 3, Phase: phase, Seed: 1}
		a, _ := run(t, data, cfg, 25, parallelWork)
		b, _ := run(t, data, cfg, 25, parallelWork)
		cfg.Seed = 2
		c, _ := run(t, data, cfg, 25, parallelWork)
		if !slices.Equal(a, b) {
			t.Errorf("%v: same seed gave different weights", phase)
		}
		if slices.Equal(a, c) {
			t.Errorf("%v: seeds 1 and 2 gave identical weights", phase)
		}
	}
}

// TestGOMAXPROCS checks that weights and chain states are bitwise the same
// on 1 and 4 threads, with goroutines forced on and off, for PCD sweeps and
// for a data term split in parts. It changes GOMAXPROCS, so it does not
// run in parallel with other tests.
func TestGOMAXPROCS(t *testing.T) {
	data := isingData(30, 600, 0.8, 16)
	for _, cfg := range []Config{
		{Hidden: 3, Nu: 0.05, Batch: 20, Chains: 16, Sweeps: 5, Seed: 3},
		{Hidden: 2, Nu: 0.05, Batch: 600, Chains: 7, Sweeps: 2, Seed: 4},
		{Hidden: 2, Nu: 0.05, Batch: 600, Phase: Exact, Seed: 5},
	} {
		prev := runtime.GOMAXPROCS(0)
		var ws, vs [][]float64
		for _, procs := range []int{1, 4} {
			runtime.GOMAXPROCS(procs)
			for _, work := range []int{0, math.MaxInt} {
				w, v := run(t, data, cfg, 30, work)
				ws, vs = append(ws, w), append(vs, v)
			}
		}
		runtime.GOMAXPROCS(prev)
		for k := 1; k < len(ws); k++ {
			if !slices.Equal(ws[0], ws[k]) || !slices.Equal(vs[0], vs[k]) {
				t.Errorf("%+v: run %d differs from run 0", cfg, k)
			}
		}
	}
}

// TestSuccessiveSweepsDiffer: the chain stream advances on every call, so
// two sweeps from the same state give different states (all 100 spins equal
// by chance has probability < 2^-50 at these weights).
func TestSuccessiveSweepsDiffer(t *testing.T) {
	t.Parallel()
	const n = 100
	tr, err := NewTrainer(iidData(n, 10, 17), Config{Nu: 1, Chains: 1})
	if err != nil {
		t.Fatal(err)
	}
	cs := tr.chains
	start := slices.Clone(cs.v)
	cs.advance(tr.w, 1, false)
	first := slices.Clone(cs.v)
	copy(cs.v, start)
	cs.advance(tr.w, 1, false)
	if slices.Equal(first, cs.v) {
		t.Errorf("two sweeps from the same state gave the same state")
	}
	// Different chains have different streams.
	tr2, _ := NewTrainer(iidData(n, 10, 17), Config{Nu: 1, Chains: 2})
	if slices.Equal(tr2.chains.v[:n], tr2.chains.v[n:]) {
		t.Errorf("chains 0 and 1 start from the same state")
	}
}

// TestIncrementalSweep checks that the sweeps, which update the inputs
// incrementally for the spins that flipped, make the same draws as a
// plain sweep written here that recomputes every input from scratch and
// reads the same random stream. Inputs differ only by rounding, so a draw
// could differ only if a uniform fell within ~1e-15 of its threshold.
func TestIncrementalSweep(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, m  int
		scale float64
	}{{50, 20, 0.15}, {30, 1, 0.5}, {8, 40, 0.2}, {100, 5, 0.05}} {
		const chains, sweeps = 3, 40
		tr, err := NewTrainer(iidData(c.n, 10, 24), Config{Nu: 1, Hidden: c.m, Chains: chains, Seed: 25})
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(26, 27))
		for k := range tr.w {
			tr.w[k] = c.scale * r.NormFloat64()
		}
		cs := tr.chains
		// Reference copies of the chain states and streams.
		ref := slices.Clone(cs.v)
		srcs := make([]*rand.PCG, chains)
		for k := range srcs {
			b, _ := cs.src[k].MarshalBinary()
			srcs[k] = &rand.PCG{}
			if err := srcs[k].UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
		}
		cs.advance(tr.w, sweeps, false)

		draw := func(src *rand.PCG, in float64) float64 {
			u := float64(src.Uint64()>>11) * 0x1p-53
			if u*(1+math.Exp(math.Min(-2*in, 709))) < 1 {
				return 1
			}
			return -1
		}
		n, m := c.n, c.m
		for k := range chains {
			v := ref[k*n : (k+1)*n]
			h := make([]float64, m)
			for range sweeps {
				for mu := range m {
					h[mu] = draw(srcs[k], dot(tr.w[mu*n:(mu+1)*n], v))
				}
				for i := range n {
					var x float64
					for mu := range m {
						x += tr.w[mu*n+i] * h[mu]
					}
					v[i] = draw(srcs[k], x)
				}
			}
			if !slices.Equal(v, cs.v[k*n:(k+1)*n]) || !slices.Equal(h, cs.h[k*m:(k+1)*m]) {
				t.Errorf("N=%d M=%d chain %d: incremental sweeps differ from plain sweeps", n, m, k)
			}
			// The maintained visible inputs match their definition.
			for i := range n {
				var x float64
				for mu := range m {
					x += tr.w[mu*n+i] * h[mu]
				}
				if math.Abs(x-cs.x[k*n+i]) > 1e-12 {
					t.Errorf("N=%d M=%d chain %d: x[%d] = %v, want %v", n, m, k, i, cs.x[k*n+i], x)
				}
			}
		}
	}
}

// TestSampleFlips checks that sample lists exactly the spins it changed.
func TestSampleFlips(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(28, 29))
	src := rand.NewPCG(30, 31)
	const n = 200
	s, in, q, flips := make([]float64, n), make([]float64, n), make([]float64, n), make([]int, n)
	for i := range s {
		s[i] = float64(2*r.IntN(2) - 1)
		in[i] = r.NormFloat64()
	}
	old := slices.Clone(s)
	nf := sample(s, in, q, flips, src)
	var want []int
	for i := range s {
		if s[i] != 1 && s[i] != -1 {
			t.Fatalf("spin %d = %v, want ±1", i, s[i])
		}
		if s[i] != old[i] {
			want = append(want, i)
		}
	}
	if !slices.Equal(flips[:nf], want) {
		t.Errorf("flips = %v, want %v", flips[:nf], want)
	}
}

// TestSpinSampler checks the Bernoulli draw: the frequency of +1 at input I
// matches σ(2I) within 5 standard errors, and the extremes are exact.
func TestSpinSampler(t *testing.T) {
	t.Parallel()
	src := rand.NewPCG(18, 19)
	spin := func(src *rand.PCG, in float64) float64 {
		s, q, flips := []float64{1}, []float64{0}, []int{0}
		sample(s, []float64{in}, q, flips, src)
		return s[0]
	}
	const draws = 100000
	for _, in := range []float64{-1.5, -0.2, 0, 0.4, 2} {
		var plus float64
		for range draws {
			if spin(src, in) > 0 {
				plus++
			}
		}
		p := 1 / (1 + math.Exp(-2*in))
		if f := plus / draws; math.Abs(f-p) > 5*math.Sqrt(p*(1-p)/draws) {
			t.Errorf("spin(%v): frequency of +1 = %v, want σ(2I) = %v", in, f, p)
		}
	}
	for range 1000 {
		if spin(src, -1e3) != -1 || spin(src, 1e3) != 1 || spin(src, math.Inf(-1)) != -1 || spin(src, math.Inf(1)) != 1 {
			t.Fatalf("spin at saturated input is not deterministic")
		}
	}
}

// TestNumericError: a learning rate large enough to overflow produces a
// *NumericError naming the update, not a panic, and the error is sticky.
func TestNumericError(t *testing.T) {
	t.Parallel()
	data := isingData(20, 40, 1, 20)
	for _, phase := range []NegativePhase{PCD, Exact} {
		cfg := Config{Hidden: 2, Nu: 5e307, Batch: 10, Epochs: 50, Chains: 8, Sweeps: 2, Phase: phase, RecordEvery: 1}
		res, err := Train(context.Background(), data, cfg)
		var ne *NumericError
		if !errors.As(err, &ne) {
			t.Fatalf("%v: Train error = %v, want a *NumericError", phase, err)
		}
		if ne.Update < 1 || ne.Update > 10 || ne.T != cfg.Nu*float64(ne.Update) {
			t.Errorf("%v: error at update %d, t = %v; want an early update with t = ν·update", phase, ne.Update, ne.T)
		}
		if !math.IsNaN(ne.Value) && !math.IsInf(ne.Value, 0) {
			t.Errorf("%v: offending value %v is finite", phase, ne.Value)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "rbm: non-finite ") || !strings.HasSuffix(msg, "; reduce the learning rate") || strings.Contains(msg, "\n") {
			t.Errorf("%v: message %q is not the one-line form", phase, msg)
		}
		if res == nil || res.Final().Update != ne.Update-1 {
			t.Errorf("%v: partial result does not end at update %d", phase, ne.Update-1)
		}
		t.Logf("%v: %v", phase, err)
	}

	tr, _ := NewTrainer(data, Config{Nu: 1e308, Chains: 8, Sweeps: 2})
	var first error
	for range 20 {
		if first = tr.Step(); first != nil {
			break
		}
	}
	if first == nil || tr.Step() != first {
		t.Errorf("Step after a numeric error = %v, want the same error again", tr.Step())
	}
}

func TestNumericErrorMessage(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		e    NumericError
		want string
	}{
		// The form requested for the simulator.
		{NumericError{Update: 1234, T: 1.234, What: "weight", Unit: 0, Site: 17, Value: math.NaN(), LastNorm: 560},
			"rbm: non-finite weight w[0][17] = NaN at update 1234 (t = 1.234); last finite gradient norm 5.6e+02; reduce the learning rate"},
		{NumericError{Update: 1, T: 0.5, What: "chain input", Unit: 2, Site: 31, Value: math.Inf(1), LastNorm: math.NaN()},
			"rbm: non-finite chain input I[2] of chain 31 = +Inf at update 1 (t = 0.5); last finite gradient norm none; reduce the learning rate"},
		{NumericError{Update: 7, T: 0.07, What: "gradient", Unit: 1, Site: 3, Value: math.Inf(-1), LastNorm: 0.25},
			"rbm: non-finite gradient g[1][3] = -Inf at update 7 (t = 0.07); last finite gradient norm 0.25; reduce the learning rate"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("case %d: Error() = %q, want %q", i, got, c.want)
		}
	}
}

func TestContextCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := Config{Nu: 0.01, Batch: 10, Epochs: 10, RecordEvery: 5, Chains: 4, Sweeps: 1,
		Progress: func(done, total int) {
			if done == 5 {
				cancel()
			}
		}}
	res, err := Train(ctx, iidData(10, 100, 21), cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Train error = %v, want context.Canceled", err)
	}
	if want := "rbm: training stopped after 5 of 100 updates: context canceled"; err.Error() != want {
		t.Errorf("error = %q, want %q", err.Error(), want)
	}
	if res.Final().Update != 5 {
		t.Errorf("partial result ends at update %d, want 5", res.Final().Update)
	}
}

// TestDataUnchanged: training never modifies the caller's data.
func TestDataUnchanged(t *testing.T) {
	t.Parallel()
	data := isingData(70, 50, 1, 22)
	before := data.Slice(0, data.Len())
	for _, phase := range []NegativePhase{PCD, Exact} {
		if _, err := Train(context.Background(), data, Config{Nu: 0.1, Epochs: 3, Chains: 5, Sweeps: 2, Phase: phase}); err != nil {
			t.Fatal(err)
		}
	}
	for s := range data.Len() {
		if !slices.Equal(data.Packed(s), before.Packed(s)) {
			t.Fatalf("sample %d modified by training", s)
		}
	}
}

// TestDataTermParts checks the data term split in parts (B > 256) against a
// plain sum over the batch.
func TestDataTermParts(t *testing.T) {
	t.Parallel()
	const n, m, s = 25, 3, 1000
	data := isingData(n, s, 0.7, 23)
	tr, err := NewTrainer(data, Config{Nu: 1, Hidden: m, Batch: s, Phase: Exact, Sigma0: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 255, 257, 1000} {
		batch := tr.perm[:0]
		for k := range size {
			batch = append(batch, (7*k)%s)
		}
		var vs [][]float64
		for _, k := range batch {
			vs = append(vs, data.Row(k, nil))
		}
		want := vTanhMean(tr.w, m, n, vs)
		got := make([]float64, m*n)
		tr.parallelWork = 0
		tr.dataTerm(got, batch)
		for k := range got {
			if math.Abs(got[k]-want[k]) > 1e-14 {
				t.Errorf("B=%d: data term[%d] = %v, want %v", size, k, got[k], want[k])
			}
		}
	}
}

func BenchmarkStep(b *testing.B) {
	for _, c := range []struct{ n, m, batch, chains int }{
		{100, 1, 10, 100},
		{100, 5, 100, 100},
		{100, 100, 100, 100},
		{20, 1, 10, 100},
	} {
		const k = 20
		name := fmt.Sprintf("N=%d/M=%d/B=%d/C=%d/k=%d", c.n, c.m, c.batch, c.chains, k)
		b.Run(name, func(b *testing.B) {
			tr, err := NewTrainer(isingData(c.n, 1000, 1, 1), Config{
				Hidden: c.m, Nu: 1e-3, Batch: c.batch, Chains: c.chains, Sweeps: k, Epochs: 1 << 30})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if err := tr.Step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.chains*k), "ns/sweep/chain")
		})
	}
}

// BenchmarkSweep times the sweeps of one chain alone, on one goroutine:
// one op is 20 sweeps plus the post-sweep inputs, as in one PCD-20 update.
func BenchmarkSweep(b *testing.B) {
	const k = 20
	for _, c := range []struct{ n, m int }{{100, 1}, {100, 5}, {100, 100}, {20, 1}} {
		b.Run(fmt.Sprintf("N=%d/M=%d/k=%d", c.n, c.m, k), func(b *testing.B) {
			tr, err := NewTrainer(isingData(c.n, 10, 1, 1), Config{Hidden: c.m, Nu: 1e-3, Chains: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				tr.chains.run(0, tr.w, k)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/k, "ns/sweep")
		})
	}
}
