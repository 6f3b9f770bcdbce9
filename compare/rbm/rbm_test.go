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

// pottsData draws s configurations of n sites with q colours: each site
// copies its left neighbour with probability stay, else takes a uniform
// colour (a simple correlated clock-like chain).
func pottsData(n, q, s int, stay float64, seed uint64) *ring.Potts {
	r := rand.New(rand.NewPCG(seed, 0x9077))
	d := ring.NewPotts(n, s, q)
	for k := range s {
		c := r.IntN(q)
		for i := range n {
			if i > 0 && r.Float64() >= stay {
				c = r.IntN(q)
			}
			d.Set(k, i, c)
		}
	}
	return d
}

// rows returns the data set as ±1 float64 rows.
func rows(d *ring.Spins) [][]float64 {
	out := make([][]float64, d.Len())
	for s := range out {
		out[s] = d.Row(s, nil)
	}
	return out
}

// chainRows returns the visible states of the chains of a binary layer as
// float64 values (±1 or 0/1).
func chainRows(cs *chainSet, spin bool) [][]float64 {
	out := make([][]float64, cs.c)
	for c := range out {
		out[c] = make([]float64, cs.n)
		for i := range cs.n {
			b := cs.ch[c].vb[i>>6] >> (uint(i) & 63) & 1
			if spin {
				out[c][i] = float64(2*int(b) - 1)
			} else {
				out[c][i] = float64(b)
			}
		}
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

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
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

// randomWeights sets the trainer's weights to scale·N(0,1) from a test
// stream.
func randomWeights(tr *Trainer, scale float64, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 77))
	for k := range tr.md.w {
		tr.md.w[k] = scale * r.NormFloat64()
	}
	tr.gauge()
	tr.md.prepare()
}

func TestEnumStrings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		got, want string
	}{
		{PCD.String(), "pcd"}, {Exact.String(), "exact"}, {CD.String(), "cd"},
		{NegativePhase(9).String(), "NegativePhase(9)"},
		{VisiblePotts.String(), "potts"}, {HiddenDoubleWell.String(), "double-well"},
		{PGM.String(), "pgm"}, {FieldsLearned.String(), "learned"}, {RMSprop.String(), "rmsprop"},
	} {
		if c.got != c.want {
			t.Errorf("String() = %q, want %q", c.got, c.want)
		}
	}
	for _, name := range hiddenNames {
		h, err := ParseHiddenType(name)
		if err != nil || h.String() != name {
			t.Errorf("ParseHiddenType(%q) = %v, %v", name, h, err)
		}
	}
	if _, err := ParsePhase("pdc"); err == nil || err.Error() != `rbm: unknown phase "pdc" (want pcd, exact, cd)` {
		t.Errorf("ParsePhase(pdc) error = %v", err)
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
		// CD: one chain per batch sample.
		{20, 30, Config{Nu: 0.1, Phase: CD, Batch: 6},
			Config{Hidden: 1, Nu: 0.1, Batch: 6, Epochs: 1, Phase: CD, Chains: 6, Sweeps: 20, Sigma0: math.Sqrt(0.1 / 20), RecordEvery: 100}},
		// PGM mode: SIMULATOR.md §4 defaults.
		{20, 500, Config{Mode: PGM},
			Config{Hidden: 1, Nu: 5e-3, Batch: 100, Epochs: 1, Chains: 100, Sweeps: 1, Sigma0: math.Sqrt(0.1 / 20), RecordEvery: 100,
				Mode: PGM, Optimizer: RMSprop, RMSDecay: 0.99, RMSEpsilon: 1e-3, Clip: 1, DecayTo: 0.01, BatchNorm: true, FullDataFields: true}},
	} {
		tr, err := NewTrainer(iidData(c.n, c.s, 1), c.cfg)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		c.want.Unit = HiddenUnit{Gamma: 1, GammaPlus: 1, GammaMinus: 1}
		c.want.PRExponent = 2
		if got := tr.Config(); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("case %d: Config() = %+v, want %+v", i, got, c.want)
		}
	}
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
// σ0/√(2K) of σ0, and their mean within 5 σ0/√K of 0. Bug class "zero
// weight initialisation" (SIMULATOR.md §9): σ0 = 0 selects the default,
// never zero weights, and a negative σ0 is rejected (TestConfigErrors).
func TestInitialWeights(t *testing.T) {
	t.Parallel()
	for _, sigma0 := range []float64{0, 0.5} {
		tr, err := NewTrainer(iidData(100, 10, 3), Config{Nu: 1, Hidden: 100, Sigma0: sigma0, Chains: 1})
		if err != nil {
			t.Fatal(err)
		}
		s0 := tr.Config().Sigma0
		if !(s0 > 0) {
			t.Fatalf("Sigma0 %v resolved to %v, want > 0", sigma0, s0)
		}
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
	big := iidData(30, 10, 4)
	for i, c := range []struct {
		data ring.Data
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
		{data, Config{Nu: 1, Sigma0: 1e200}, "rbm: Sigma0 = 1e+200 exceeds 1e+73, 1/100 of the bound ±1e+75 on the weights"},
		// Memory limits: 10⁸ units × 20 sites = 2·10⁹ > 2^26 weights;
		// 2^24 chains × (20 + 1) values = 3.5·10⁸ > 2^28.
		{data, Config{Nu: 1, Hidden: 100_000_000}, "rbm: Hidden = 100000000 units on N·q = 20 visible features make 2e+09 weights, above the limit 67108864 (2^26, 512 MiB)"},
		{data, Config{Nu: 1, Chains: 1 << 24}, "rbm: Chains = 16777216 chains (× 1 replicas) of N·q + M = 21 values make 3.52e+08, above the limit 268435456 (2^28)"},
		{big, Config{Nu: 1, Phase: Exact, Hidden: 25}, "rbm: no exact sum is small enough: 2^30 visible states and 2^25 hidden states exceed the limit 2^22 (use PCD, or N ≤ 22, or M ≤ 22 discrete hidden units)"},
		{big, Config{Nu: 1, Phase: Exact, Unit: HiddenUnit{Type: HiddenGaussian}}, "rbm: no exact sum is small enough: 2^30 visible states and continuous hidden states exceed the limit 2^22 (use PCD, or N ≤ 22, or M ≤ 22 discrete hidden units)"},
		{data, Config{Nu: 1, Phase: 3}, "rbm: Phase = 3 is not PCD (0), Exact (1) or CD (2)"},
		{data, Config{Nu: 1, Phase: CD, Batch: 5, Chains: 7}, "rbm: Chains = 7: CD resets one chain per minibatch sample, so Chains must be 0 or Batch = 5"},
		{data, Config{Nu: 1, Replicas: 1}, "rbm: Replicas = 1 must be 0 (off) or ≥ 2"},
		{data, Config{Nu: 1, Replicas: 3, Phase: CD}, "rbm: Replicas = 3: parallel tempering runs persistent chains, not CD"},
		{data, Config{Nu: 1, Clip: -1}, "rbm: Clip = -1 must be finite and ≥ 0 (0 is off)"},
		{data, Config{Nu: 1, DecayTo: 1}, "rbm: DecayTo = 1 must lie in [0, 1) (0 is off)"},
		{data, Config{Nu: 1, BatchNorm: true, Unit: HiddenUnit{Type: HiddenReLU}}, "rbm: BatchNorm is implemented for spin, bernoulli and gaussian hidden units, not relu"},
		{data, Config{Nu: 1, Unit: HiddenUnit{Type: HiddenGaussian, Gamma: -1}}, "rbm: Unit: dynamics: Gaussian hidden unit: GammaH = -1 must be positive and finite"},
		{data, Config{Nu: 1, Visible: VisiblePotts}, ""}, // q = 2 Potts units on binary data
		{pottsData(5, 3, 10, 0.5, 1), Config{Nu: 1}, "rbm: spin visible units need data with 2 states, these have 3 (use Visible: VisiblePotts)"},
		{data, Config{Nu: 1, Observe: Observe{AISRuns: 5, AISSteps: 100}}, "rbm: Observe.AISSteps = 100 must be ≥ 10000"},
		{ring.NewSpins(20, 0), Config{Nu: 1}, "rbm: no training samples (S = 0)"},
		{nil, Config{Nu: 1}, "rbm: no training samples (nil data)"},
		{(*ring.Spins)(nil), Config{Nu: 1}, "rbm: no training samples (nil data)"},
	} {
		_, err := NewTrainer(c.data, c.cfg)
		if c.want == "" {
			if err != nil {
				t.Errorf("case %d: NewTrainer error = %v, want none", i, err)
			}
			continue
		}
		if err == nil || err.Error() != c.want {
			t.Errorf("case %d: NewTrainer error = %v, want %q", i, err, c.want)
		}
		if _, err := Train(context.Background(), c.data, c.cfg); err == nil || err.Error() != c.want {
			t.Errorf("case %d: Train error = %v, want %q", i, err, c.want)
		}
	}
}

// TestTrajectoryLimit: Run refuses a trajectory of more than 2^28
// recorded weights before recording anything: 10⁷ updates recorded every
// update, of 10 × 20 weights, make 2·10⁹.
func TestTrajectoryLimit(t *testing.T) {
	t.Parallel()
	cfg := Config{Nu: 1e-3, Hidden: 10, Batch: 10, Epochs: 1_000_000, RecordEvery: 1}
	res, err := Train(context.Background(), iidData(20, 100, 4), cfg)
	want := "rbm: RecordEvery = 1 gives 10000002 records of 200 weights, 2e+09 values above the limit 268435456 (2^28, 2 GiB): record less often"
	if err == nil || err.Error() != want || len(res.Records) != 0 {
		t.Errorf("Train error = %v with %d records, want %q and none", err, len(res.Records), want)
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
			if r.Update != u || r.T != nu*float64(u) || r.Epoch != float64(u)/float64(c.wantUe) || r.Nu != nu {
				t.Errorf("case %d: record %d = (update %d, T %v, epoch %v, ν %v), want (%d, %v, %v, %v)",
					i, k, r.Update, r.T, r.Epoch, r.Nu, u, nu*float64(u), float64(u)/float64(c.wantUe), nu)
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
	}
}

// TestPCDMatchesExact checks the chains' model term against
// dynamics.SpinModelTerm (THEORY.md §4.6) at fixed weights: C = 1000
// chains, 50 burn-in sweeps, then 100 measurements 2 sweeps apart. Chains
// are independent, so each chain's time average is an independent draw
// and the standard error is their spread over √C; every entry must lie
// within 5 standard errors. Bug class "negative phase from a stale chain
// state": the model term at the post-sweep state, averaged over many
// chains and sweeps, agrees with the exact one.
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
		const chains = 1000
		n, m := c.n, c.m
		tr, err := NewTrainer(iidData(n, 10, 9), Config{Nu: 1, Hidden: m, Chains: chains, Seed: 10})
		if err != nil {
			t.Fatal(err)
		}
		randomWeights(tr, c.scale, 11)
		w := tr.md.w
		want := dynamics.SpinModelTerm(nil, w, m, n)
		cs := tr.chains
		cs.advance(tr.md, 50, true)
		const meas = 100
		perChain := make([]float64, chains*m*n)
		for range meas {
			cs.advance(tr.md, 2, true)
			for k, v := range chainRows(cs, true) {
				for mu := range m {
					th := math.Tanh(dot(w[mu*n:(mu+1)*n], v))
					for i := range n {
						perChain[(k*m+mu)*n+i] += v[i] * th / meas
					}
				}
			}
		}
		for k := range want {
			var s1, s2 float64
			for ch := range chains {
				x := perChain[ch*m*n+k]
				s1 += x
				s2 += x * x
			}
			avg := s1 / chains
			se := math.Sqrt((s2/chains - avg*avg) / (chains - 1))
			if math.Abs(avg-want[k]) > 5*se {
				t.Errorf("N=%d M=%d entry %d: PCD model term = %v ± %v, want %v (exact)", n, m, k, avg, se, want[k])
			}
		}
	}
}

// TestNegativePhasePostSweep starts every chain at v = +1, far from the
// equilibrium of small weights, performs one update with k = 1 and checks
// that the weight change is ν (data − model) with the model term computed
// from the chains' state after the sweep, and measurably not from the
// state before it (bug class "negative phase from a stale chain state").
func TestNegativePhasePostSweep(t *testing.T) {
	t.Parallel()
	const n, s, chains, nu = 20, 50, 50, 0.01
	data := iidData(n, s, 13)
	tr, err := NewTrainer(data, Config{Nu: nu, Batch: s, Chains: chains, Sweeps: 1, Seed: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i := range tr.md.w {
		tr.md.w[i] = 0.02
	}
	for k := range tr.chains.vb {
		tr.chains.vb[k] = 1<<n - 1
	}
	w0 := tr.Weights()
	pre := chainRows(tr.chains, true)
	if err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	post := chainRows(tr.chains, true)
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

// run trains with manual steps and returns the final parameters and the
// chains' visible states.
func run(t *testing.T, data ring.Data, cfg Config, steps, work int) ([]float64, []uint64) {
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
	var v []uint64
	if tr.chains != nil {
		v = slices.Clone(tr.chains.vb)
		for _, c := range tr.chains.vp {
			v = append(v, uint64(c))
		}
	}
	return slices.Clone(tr.params), v
}

// TestSeeds: the same seed repeats a run bit for bit, another seed does
// not (bug class "integer seed making every Gibbs call identical").
func TestSeeds(t *testing.T) {
	t.Parallel()
	data := isingData(30, 200, 0.8, 15)
	for _, phase := range []NegativePhase{PCD, Exact, CD} {
		cfg := Config{Hidden: 3, Nu: 0.05, Batch: 20, Chains: 16, Sweeps: 3, Phase: phase, Seed: 1}
		if phase != PCD {
			cfg.Chains = 0
		}
		if phase == Exact {
			data = isingData(12, 200, 0.8, 15)
		}
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

// TestGOMAXPROCS checks that parameters and chain states are bitwise the
// same on 1 and 4 threads, with goroutines forced on and off, for every
// layer type, phase and mode. It changes GOMAXPROCS, so it does not run in
// parallel with other tests.
func TestGOMAXPROCS(t *testing.T) {
	ising := isingData(30, 600, 0.8, 16)
	small := isingData(10, 300, 0.8, 16)
	potts := pottsData(12, 4, 300, 0.7, 17)
	wide, wideP := isingData(70, 200, 0.8, 18), pottsData(70, 3, 200, 0.7, 19)
	for _, c := range []struct {
		data ring.Data
		cfg  Config
	}{
		{ising, Config{Hidden: 3, Nu: 0.05, Batch: 20, Chains: 16, Sweeps: 5, Seed: 3}},
		{ising, Config{Hidden: 70, Nu: 0.05, Batch: 600, Chains: 7, Sweeps: 2, Seed: 4}},
		{small, Config{Hidden: 2, Nu: 0.05, Batch: 300, Phase: Exact, Seed: 5}},
		{small, Config{Hidden: 2, Nu: 0.05, Batch: 30, Phase: Exact, Seed: 5, Unit: HiddenUnit{Type: HiddenDoubleWell, Theta: -1}, LearnHidden: true, VisibleFields: FieldsLearned}},
		{ising, Config{Hidden: 4, Nu: 0.05, Batch: 20, Chains: 9, Sweeps: 3, Seed: 6, Unit: HiddenUnit{Type: HiddenDReLU}, LearnHidden: true}},
		{ising, Config{Hidden: 4, Nu: 0.05, Batch: 20, Chains: 9, Sweeps: 3, Seed: 6, Visible: VisibleBernoulli, Unit: HiddenUnit{Type: HiddenBernoulli}, LearnHidden: true, VisibleFields: FieldsLearned}},
		{potts, Config{Hidden: 3, Nu: 0.05, Batch: 30, Chains: 9, Sweeps: 3, Seed: 7, Visible: VisiblePotts, VisibleFields: FieldsLearned}},
		{ising, Config{Hidden: 3, Nu: 0.05, Batch: 30, Seed: 8, Mode: PGM, Unit: HiddenUnit{Type: HiddenGaussian}, LearnHidden: true, Epochs: 2}},
		{ising, Config{Hidden: 3, Nu: 0.05, Batch: 20, Chains: 6, Sweeps: 2, Replicas: 4, Seed: 9}},
		{ising, Config{Hidden: 3, Nu: 0.05, Batch: 20, Sweeps: 2, Phase: CD, Seed: 10}},
		// Block-parallel statistics, tables and gradient with no block
		// size dividing B = 27, C = 11, M = 13 or N = 70 (wide).
		{wide, Config{Hidden: 13, Nu: 0.05, Batch: 27, Chains: 11, Sweeps: 2, Seed: 11, Unit: HiddenUnit{Type: HiddenDReLU}, LearnHidden: true, VisibleFields: FieldsLearned}},
		{wideP, Config{Hidden: 13, Nu: 0.05, Batch: 27, Chains: 11, Sweeps: 2, Seed: 12, Visible: VisiblePotts, LearnHidden: true, VisibleFields: FieldsLearned}},
	} {
		prev := runtime.GOMAXPROCS(0)
		var ps [][]float64
		var vs [][]uint64
		for _, procs := range []int{1, 4} {
			runtime.GOMAXPROCS(procs)
			for _, work := range []int{0, math.MaxInt} {
				p, v := run(t, c.data, c.cfg, 30, work)
				ps, vs = append(ps, p), append(vs, v)
			}
		}
		runtime.GOMAXPROCS(prev)
		for k := 1; k < len(ps); k++ {
			if !slices.Equal(ps[0], ps[k]) || !slices.Equal(vs[0], vs[k]) {
				t.Errorf("%+v: run %d differs from run 0", c.cfg, k)
			}
		}
	}
}

// TestStatsOfBlocks checks the block-parallel gradient statistics
// (statsOf: hidden means and extreme-input count split over samples,
// hidden-parameter sums over blocks of unitBlock units, field sums over
// blocks of siteBlock sites, weight sums over blocks of units) against a
// plain serial computation written here, bit for bit, on 1 to 4 threads.
// The shapes are chosen so that no block size divides them: N = 70 sites
// (siteBlock = 64), M = 13 units (unitBlock = 8), 27 and 11 samples. The
// reference sums every entry over the samples in order from +0: plain
// additions for the hidden and field sums and the Potts weights, an FMA
// chain for the binary weights (the order of outerSumGo, which TestKernels
// ties to the assembly kernel). Some inputs are set beyond ±extremeInput
// so that the count is not trivially zero. (The same work as Step does it,
// per-sample part fused into the sweeps and batch inputs, is covered by the
// N = 70, M = 13, B = 27, C = 11 cases of TestGOMAXPROCS.) It changes
// GOMAXPROCS, so it does not run in parallel with other tests.
func TestStatsOfBlocks(t *testing.T) {
	const n, m = 70, 13
	for _, c := range []struct {
		name string
		data ring.Data
		cfg  Config
	}{
		{"spin-drelu", isingData(n, 60, 0.8, 21), Config{Hidden: m, Nu: 0.05, Batch: 27, Chains: 11, Sweeps: 2, Seed: 11,
			Unit: HiddenUnit{Type: HiddenDReLU}, LearnHidden: true, VisibleFields: FieldsLearned}},
		{"bernoulli-gauss", isingData(n, 60, 0.8, 22), Config{Hidden: m, Nu: 0.05, Batch: 27, Chains: 11, Sweeps: 2, Seed: 12,
			Visible: VisibleBernoulli, Unit: HiddenUnit{Type: HiddenGaussian}, LearnHidden: true, VisibleFields: FieldsLearned}},
		{"potts-spin", pottsData(n, 3, 60, 0.7, 23), Config{Hidden: m, Nu: 0.05, Batch: 27, Chains: 11, Sweeps: 2, Seed: 13,
			Visible: VisiblePotts, LearnHidden: true, VisibleFields: FieldsLearned}},
	} {
		tr, err := NewTrainer(c.data, c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		tr.parallelWork = 0
		for range 3 {
			if err := tr.Step(); err != nil {
				t.Fatal(err)
			}
		}
		md, cs := tr.md, tr.chains
		d := md.d
		nd := n * d
		k := len(tr.scratch.stat)
		// Sample r < 27 is data sample r, sample r ≥ 27 chain r − 27:
		// 38 rows, none of the block sizes.
		const rows = 38
		words := func(r int) []uint64 {
			if r < 27 {
				return tr.ds.words(r)
			}
			return cs.ch[r-27].vb
		}
		cols := func(r int) []uint8 {
			if r < 27 {
				return tr.ds.colours(r)
			}
			return cs.ch[r-27].vp
		}
		rnd := rand.New(rand.NewPCG(31, 0))
		in := make([]float64, rows*m)
		var extreme int64
		for j := range in {
			in[j] = 2 * rnd.NormFloat64()
			if j%29 == 5 {
				in[j] = 1500 * float64(1-2*(j%2))
				extreme++
			}
		}

		// Reference.
		want := newSums(m, nd, k)
		a := make([]float64, rows*m)
		st := make([]float64, k)
		lo, hi := binaryValues(c.cfg.Visible == VisibleSpin)
		for r := range rows {
			md.hiddenMeans(a[r*m:(r+1)*m], in[r*m:(r+1)*m])
			for mu := range m {
				md.hiddenStats(st, mu, in[r*m+mu], a[r*m+mu])
				for j := range k {
					want.h[j*m+mu] += st[j]
				}
			}
			xr := make([]float64, nd)
			if md.vis == VisiblePotts {
				for i, col := range cols(r) {
					xr[i*d+int(col)] = 1
				}
			} else {
				w := words(r)
				for i := range n {
					xr[i] = lo
					if w[i/64]>>(i%64)&1 == 1 {
						xr[i] = hi
					}
				}
			}
			for i, x := range xr {
				want.g[i] += x
			}
			for mu := range m {
				for i, x := range xr {
					if md.vis == VisiblePotts {
						if x == 1 {
							want.w[mu*nd+i] += a[r*m+mu]
						}
						continue
					}
					want.w[mu*nd+i] = math.FMA(a[r*m+mu], x, want.w[mu*nd+i])
				}
			}
		}

		prev := runtime.GOMAXPROCS(0)
		for _, procs := range []int{1, 2, 3, 4} {
			runtime.GOMAXPROCS(procs)
			got := newSums(m, nd, k)
			for j := range got.w {
				got.w[j] = math.NaN() // statsOf must overwrite every entry
			}
			before := tr.extreme
			tr.statsOf(&got, rows, in, words, cols)
			if e := tr.extreme - before; e != extreme {
				t.Errorf("%s, %d threads: extreme inputs counted = %d, want %d", c.name, procs, e, extreme)
			}
			for _, f := range []struct {
				name      string
				got, want []float64
			}{{"w", got.w, want.w}, {"g", got.g, want.g}, {"h", got.h, want.h}} {
				for j := range f.want {
					if math.Float64bits(f.got[j]) != math.Float64bits(f.want[j]) {
						t.Errorf("%s, %d threads: %s sum[%d] = %v, want %v", c.name, procs, f.name, j, f.got[j], f.want[j])
						break
					}
				}
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}

// TestSuccessiveSweepsDiffer: the chain stream advances on every call, so
// two sweeps from the same state give different states (all 100 spins equal
// by chance has probability < 2^-50 at these weights), and different chains
// start differently (bug class "integer seed making every Gibbs call
// identical").
func TestSuccessiveSweepsDiffer(t *testing.T) {
	t.Parallel()
	const n = 100
	tr, err := NewTrainer(iidData(n, 10, 17), Config{Nu: 1, Chains: 2})
	if err != nil {
		t.Fatal(err)
	}
	tr.md.prepare()
	cs := tr.chains
	start := slices.Clone(cs.vb)
	cs.advance(tr.md, 1, false)
	first := slices.Clone(cs.vb)
	copy(cs.vb, start)
	cs.advance(tr.md, 1, false)
	if slices.Equal(first, cs.vb) {
		t.Errorf("two sweeps from the same state gave the same state")
	}
	if slices.Equal(start[:cs.nwv], start[cs.nwv:]) {
		t.Errorf("chains 0 and 1 start from the same state")
	}
}

func TestNumericError(t *testing.T) {
	t.Parallel()
	data := isingData(12, 40, 1, 20)
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
		// ν = 5·10³⁰⁷ takes the weights past MaxParam (or to ±Inf) in one
		// update.
		finite := !math.IsNaN(ne.Value) && !math.IsInf(ne.Value, 0)
		if finite && !(ne.Bound == MaxParam && math.Abs(ne.Value) > MaxParam) || !finite && ne.Bound != 0 {
			t.Errorf("%v: offending value %v with bound %v, want a non-finite value or one beyond ±MaxParam", phase, ne.Value, ne.Bound)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "rbm: ") || !strings.HasSuffix(msg, "; reduce the learning rate") || strings.Contains(msg, "\n") {
			t.Errorf("%v: message %q is not the one-line form", phase, msg)
		}
		if res == nil || res.Final().Update != ne.Update-1 {
			t.Errorf("%v: partial result does not end at update %d", phase, ne.Update-1)
		}
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

// TestDivergenceStops: runs whose weights blow up (the learning rates of
// the review, too large by orders of magnitude) stop with a *NumericError
// at the first update that takes a parameter past ±MaxParam or to NaN,
// and the partial result ends with the last finite state, recorded even
// when RecordEvery does not fall on it, whose order parameters (Σw², W,
// PR, Fourier power) are all finite.
func TestDivergenceStops(t *testing.T) {
	t.Parallel()
	data := isingData(20, 60, 1, 21)
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"gaussian ν=100", Config{Nu: 100, Unit: HiddenUnit{Type: HiddenGaussian}}},
		{"spin ν=1e300", Config{Nu: 1e300}},
		{"pgm ν=1e300", Config{Mode: PGM, Nu: 1e300, Batch: 20, Chains: 20}},
		{"double-well ν=1e3", Config{Nu: 1e3, Unit: HiddenUnit{Type: HiddenDoubleWell}}},
	} {
		cfg := c.cfg
		cfg.Epochs, cfg.RecordEvery, cfg.Chains, cfg.Sweeps = 20, 1000, max(cfg.Chains, 10), 2
		res, err := Train(context.Background(), data, cfg)
		var ne *NumericError
		if !errors.As(err, &ne) {
			t.Errorf("%s: Train error = %v, want a *NumericError", c.name, err)
			continue
		}
		fin := res.Final()
		if fin.Update != ne.Update-1 {
			t.Errorf("%s: last record at update %d, want the last finite state %d", c.name, fin.Update, ne.Update-1)
		}
		for k, w := range fin.W {
			if !(math.Abs(w) <= MaxParam) {
				t.Fatalf("%s: last record w[%d] = %v, want |w| ≤ MaxParam", c.name, k, w)
			}
		}
		u := fin.Units
		for _, x := range [][]float64{u.SumSq, u.OrderW, u.PR, u.Fourier} {
			if k, bad := firstNonFinite(x); bad {
				t.Errorf("%s: last record has a non-finite order parameter %v", c.name, x[k])
			}
		}
		if math.IsInf(ne.LastNorm, 0) || strings.Contains(err.Error(), "+Inf;") {
			t.Errorf("%s: gradient norm %v in %q, want finite or none", c.name, ne.LastNorm, err)
		}
	}
}

// TestEuclidean: the scaled norm is exact where the plain sum of squares
// overflows: ‖(3, 4)·10²⁰⁰‖ = 5·10²⁰⁰ (Pythagoras); and PR is unchanged
// by a scale factor 10¹⁰⁰ that overflows an unscaled r^(2a) at a = 6.
func TestEuclidean(t *testing.T) {
	t.Parallel()
	if got := euclidean([]float64{3e200, -4e200}); math.Abs(got-5e200) > 1e-15*5e200 {
		t.Errorf("euclidean(3e200, -4e200) = %v, want 5e200", got)
	}
	if got := euclidean([]float64{0, 0}); got != 0 {
		t.Errorf("euclidean(0, 0) = %v, want 0", got)
	}
	w := []float64{1, 2, 0.5, -1}
	big := make([]float64, len(w))
	for i, x := range w {
		big[i] = x * 1e100
	}
	// PR_6 = (Σ|w|⁶)² / (N Σ|w|¹²) by hand for w = (1, 2, 0.5, 1).
	s1 := 1 + 64 + 1.0/64 + 1
	s2 := 1 + 4096 + 1.0/4096 + 1
	want := s1 * s1 / (4 * s2)
	for _, x := range [][]float64{w, big} {
		if got := unitStats(x, 1, 4, 1, 6).PR[0]; math.Abs(got-want) > 1e-12 {
			t.Errorf("PR6(%v) = %v, want %v", x, got, want)
		}
	}
}

// TestNumericErrorLocates puts a NaN in each kind of parameter and checks
// that the finiteness check names it (SIMULATOR.md §8), and that a NaN
// hidden parameter stops the next update at the chains.
func TestNumericErrorLocates(t *testing.T) {
	t.Parallel()
	data := pottsData(6, 3, 20, 0.5, 3)
	cfg := Config{Nu: 0.1, Hidden: 4, Visible: VisiblePotts, Chains: 3, Sweeps: 1,
		VisibleFields: FieldsLearned, LearnHidden: true, Unit: HiddenUnit{Type: HiddenDoubleWell}}
	for _, c := range []struct {
		seg   string
		index int
		want  string
	}{
		{"w", 3*6*3 + 2*3 + 1, "rbm: non-finite weight w[3][2][1] = NaN at update 5 (t = 0.5); last finite gradient norm none"},
		{"g", 4*3 + 2, "rbm: non-finite parameter of visible field g[4][2] = NaN at update 5"},
		{"theta", 2, "rbm: non-finite parameter of hidden parameter theta[2] = NaN at update 5"},
	} {
		tr, err := NewTrainer(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tr.params[tr.seg(c.seg).off+c.index] = math.NaN()
		e := tr.paramError(5)
		if e == nil {
			t.Fatalf("%s[%d]: no error", c.seg, c.index)
		}
		got := tr.fail(e, 0.1).Error()
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%s[%d]: error %q, want prefix %q", c.seg, c.index, got, c.want)
		}
	}
	tr, _ := NewTrainer(data, cfg)
	tr.params[tr.seg("theta").off+1] = math.NaN()
	var ne *NumericError
	if err := tr.Step(); !errors.As(err, &ne) || ne.What != "chain input" || ne.Update != 1 {
		t.Errorf("Step with a NaN θ: error %v, want a chain input error at update 1", err)
	}
}

func TestNumericErrorMessage(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		e    NumericError
		want string
	}{
		{NumericError{Update: 1234, T: 1.234, What: "weight", Param: "w", Unit: 0, Site: 17, Colour: -1, Value: math.NaN(), LastNorm: 560},
			"rbm: non-finite weight w[0][17] = NaN at update 1234 (t = 1.234); last finite gradient norm 5.6e+02; reduce the learning rate"},
		{NumericError{Update: 1, T: 0.5, What: "chain input", Unit: 2, Site: 31, Value: math.Inf(1), LastNorm: math.NaN()},
			"rbm: non-finite chain input I[2] of chain 31 = +Inf at update 1 (t = 0.5); last finite gradient norm none; reduce the learning rate"},
		{NumericError{Update: 7, T: 0.07, What: "gradient", Unit: 1, Site: 3, Colour: -1, Value: math.Inf(-1), LastNorm: 0.25},
			"rbm: non-finite gradient g[1][3] = -Inf at update 7 (t = 0.07); last finite gradient norm 0.25; reduce the learning rate"},
		{NumericError{Update: 7, T: 0.07, What: "parameter", Param: "theta", Unit: 1, Site: -1, Colour: -1, Value: math.NaN(), LastNorm: 0.25},
			"rbm: non-finite parameter of hidden parameter theta[1] = NaN at update 7 (t = 0.07); last finite gradient norm 0.25; reduce the learning rate"},
		{NumericError{Update: 9, T: 900, What: "weight", Param: "w", Unit: 0, Site: 4, Colour: -1, Value: -2.5e76, LastNorm: 3e40, Bound: MaxParam},
			"rbm: weight w[0][4] = -2.5e+76 exceeds ±1e+75 at update 9 (t = 900), where the order parameters would overflow; last gradient norm 3e+40; reduce the learning rate"},
		{NumericError{Update: 2, T: 2, What: "chain input", Unit: 0, Site: 1, Value: math.NaN(), LastNorm: math.Inf(1)},
			"rbm: non-finite chain input I[0] of chain 1 = NaN at update 2 (t = 2); last finite gradient norm above 1.8e+308; reduce the learning rate"},
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
	potts := pottsData(8, 3, 40, 0.5, 22)
	pb := potts.Slice(0, potts.Len())
	for _, phase := range []NegativePhase{PCD, CD} {
		if _, err := Train(context.Background(), data, Config{Nu: 0.1, Epochs: 3, Sweeps: 2, Phase: phase}); err != nil {
			t.Fatal(err)
		}
		if _, err := Train(context.Background(), potts, Config{Nu: 0.1, Epochs: 3, Sweeps: 2, Phase: phase, Visible: VisiblePotts}); err != nil {
			t.Fatal(err)
		}
	}
	for s := range data.Len() {
		if !slices.Equal(data.Packed(s), before.Packed(s)) {
			t.Fatalf("sample %d modified by training", s)
		}
	}
	for s := range potts.Len() {
		if !slices.Equal(potts.Config(s), pb.Config(s)) {
			t.Fatalf("Potts sample %d modified by training", s)
		}
	}
}
