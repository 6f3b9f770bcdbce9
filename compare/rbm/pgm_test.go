package rbm

import (
	"context"
	"math"
	"slices"
	"testing"

	"placecell/dynamics"
)

// exactGradient returns the full-batch gradient data − model of ±1/±1
// weights with zero fields, from vTanhMean and dynamics.SpinModelTerm.
func exactGradient(w []float64, m, n int, vs [][]float64) []float64 {
	d := vTanhMean(w, m, n, vs)
	mt := dynamics.SpinModelTerm(nil, w, m, n)
	for k := range d {
		d[k] -= mt[k]
	}
	return d
}

// TestRMSprop checks the optimiser of SIMULATOR.md §4 over three
// full-batch exact updates, against the recursion written out here:
// s ← 0.99 s + 0.01 g², w ← w + ν g / (10⁻³ + √(s/(1 − 0.99ⁿ))), with the
// gradient clipped to [−Clip, Clip] first.
func TestRMSprop(t *testing.T) {
	t.Parallel()
	const n, m, s = 10, 2, 50
	data := isingData(n, s, 0.8, 1)
	vs := rows(data)
	for _, clip := range []float64{0, 1e-3} {
		cfg := Config{Nu: 0.01, Hidden: m, Batch: s, Phase: Exact, Optimizer: RMSprop, Clip: clip, Sigma0: 0.3, Epochs: 3, Seed: 2}
		tr, err := NewTrainer(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		w := tr.Weights()
		sm := make([]float64, len(w))
		for u := 1; u <= 3; u++ {
			g := exactGradient(w, m, n, vs)
			corr := 1 - math.Pow(0.99, float64(u))
			for k := range w {
				if clip > 0 {
					g[k] = math.Max(-clip, math.Min(clip, g[k]))
				}
				sm[k] = 0.99*sm[k] + 0.01*g[k]*g[k]
				w[k] += 0.01 * g[k] / (1e-3 + math.Sqrt(sm[k]/corr))
			}
			if err := tr.Step(); err != nil {
				t.Fatal(err)
			}
			got := tr.Weights()
			for k := range w {
				if math.Abs(got[k]-w[k]) > 1e-13 {
					t.Fatalf("clip %v update %d: w[%d] = %v, want %v", clip, u, k, got[k], w[k])
				}
			}
		}
	}
}

// TestDecaySchedule: with DecayTo = 0.01 and E = 4 epochs the rate is ν
// over epochs 0 and 1, then ν·0.01^(1/2) and ν·0.01 (SIMULATOR.md §4);
// the learning time is the sum of the rates; records carry the rate.
func TestDecaySchedule(t *testing.T) {
	t.Parallel()
	const nu, s, b = 0.02, 30, 10
	res, err := Train(context.Background(), iidData(6, s, 3), Config{Nu: nu, Batch: b, Epochs: 4, DecayTo: 0.01, Chains: 3, Sweeps: 1, RecordEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	rates := []float64{nu, nu, nu * 0.1, nu * 0.01}
	var tt float64
	for _, rec := range res.Records[1:] {
		e := (rec.Update - 1) / 3
		tt += rates[e]
		if math.Abs(rec.Nu-rates[e]) > 1e-15*nu || math.Abs(rec.T-tt) > 1e-14 {
			t.Errorf("update %d: ν = %v, t = %v; want %v, %v", rec.Update, rec.Nu, rec.T, rates[e], tt)
		}
	}
}

// TestPGMInertHooks: with zero fields, ±1 data and ±1 hidden units, PGM
// mode's batch normalisation and full-data field term are inert, so PGM
// mode equals SGD mode with RMSprop, clipping and decay set by hand, bit
// for bit (SIMULATOR.md §4, "PGM's own Ising-ring setting").
func TestPGMInertHooks(t *testing.T) {
	t.Parallel()
	data := isingData(12, 300, 0.9, 4)
	a, _ := run(t, data, Config{Mode: PGM, Hidden: 3, Epochs: 4, Seed: 5}, 12, parallelWork)
	b, _ := run(t, data, Config{Nu: PGMNu, Batch: 100, Chains: 100, Sweeps: 1, Hidden: 3, Epochs: 4, Seed: 5,
		Optimizer: RMSprop, Clip: 1, DecayTo: 0.01}, 12, parallelWork)
	if !slices.Equal(a, b) {
		t.Errorf("PGM mode differs from SGD with its options set by hand")
	}
}

// TestBatchNormGaussian checks one batch-normalisation step for Gaussian
// units against the formulas of SIMULATOR.md §4 written out here:
// θ += Δμ_I with μ_I = W⟨x⟩_data, γ ← max(0.05, 0.75γ, (1−r)γ + rγ*),
// γ* = (1 + √(1 + 4 Var_B(I)))/2, r = 0.25 ν/ν₀.
func TestBatchNormGaussian(t *testing.T) {
	t.Parallel()
	const n, m, b = 10, 2, 25
	data := isingData(n, 100, 0.6, 6)
	tr, err := NewTrainer(data, Config{Mode: PGM, Hidden: m, Batch: b, Epochs: 2, Seed: 7,
		Unit: HiddenUnit{Type: HiddenGaussian, Gamma: 1.3}, LearnHidden: true, VisibleFields: FieldsLearned})
	if err != nil {
		t.Fatal(err)
	}
	randomWeights(tr, 0.4, 8)
	// Shift μ_I since the last step: set muPrev to zero.
	muNow := make([]float64, m)
	tr.meanInputs(muNow)
	clear(tr.muPrev)
	theta0 := slices.Clone(tr.md.hp.theta)
	gamma0 := slices.Clone(tr.md.hp.gamma)
	batch := []int{}
	for k := range b {
		batch = append(batch, 3*k)
	}
	in := tr.batchInputs(batch, false)
	tr.batchNorm(in, b, tr.cfg.Nu, batch)
	for mu := range m {
		var s1, s2 float64
		for j := range b {
			s1 += in[j*m+mu]
		}
		s1 /= b
		for j := range b {
			s2 += (in[j*m+mu] - s1) * (in[j*m+mu] - s1)
		}
		v := s2 / b
		gs := (1 + math.Sqrt(1+4*v)) / 2
		want := math.Max(0.05, math.Max(0.75*gamma0[mu], 0.75*gamma0[mu]+0.25*gs))
		if math.Abs(tr.md.hp.gamma[mu]-want) > 1e-14 {
			t.Errorf("γ[%d] = %v, want %v", mu, tr.md.hp.gamma[mu], want)
		}
		if math.Abs(tr.md.hp.theta[mu]-(theta0[mu]+muNow[mu])) > 1e-14 {
			t.Errorf("θ[%d] = %v, want %v", mu, tr.md.hp.theta[mu], theta0[mu]+muNow[mu])
		}
	}
	// A whole PGM run with batch normalisation stays finite with γ ≥ 0.05.
	for tr.Updates() < tr.Total() {
		if err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range tr.md.hp.gamma {
		if !(g >= PGMMinGamma) {
			t.Errorf("γ = %v below the PGM bound", g)
		}
	}
}
