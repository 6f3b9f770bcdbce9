package compare

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/ring"
)

// FieldTraining sets how the receptive-field experiments (RFShape,
// FWHMSweep) train their RBMs: one ±1 hidden unit with zero fields on S
// exact samples of the Ising ring, plain gradient ascent.
type FieldTraining struct {
	// Phase is "exact" (default: the exact model term, no PCD bias) or
	// "pcd".
	Phase string `json:"phase"`
	// Batch is the minibatch size; 0 means the whole training set (full
	// batch), which with the exact phase is the explicit Euler scheme of
	// the deterministic empirical flow (THEORY.md §1.2, §4.6), free of SGA
	// noise.
	Batch int `json:"batch"`
	// Nu is the learning rate; 0 selects min(0.2/β, 0.5/(e^(2β) − 1)):
	// steps of Δτ = βν ≤ 0.2 and ν·(λ₀ − 1) ≤ ½, well inside the Euler
	// stability bound of the flow's fastest mode.
	Nu float64 `json:"nu"`
	// Tau is the training length in small-β time τ = βt (default 300); the
	// learning time is t = max(TMin, Tau/β).
	Tau  float64 `json:"tau"`
	TMin float64 `json:"t_min"`
	// Epochs, if > 0, fixes the number of epochs instead (the paper's
	// protocol); Tau and TMin are then unused.
	Epochs int `json:"epochs,omitempty"`
	// Chains and Sweeps are n_c and k of PCD (defaults 100 and 20).
	Chains int `json:"chains,omitempty"`
	Sweeps int `json:"sweeps,omitempty"`
	// Sigma0 is the initial weight scale (0: the simulator's √(0.1/N)).
	Sigma0 float64 `json:"sigma0,omitempty"`
}

func (f *FieldTraining) setDefaults() {
	if f.Phase == "" {
		f.Phase = "exact"
	}
	if f.Tau == 0 {
		f.Tau = 300
	}
	if f.Phase == "pcd" {
		if f.Chains == 0 {
			f.Chains = 100
		}
		if f.Sweeps == 0 {
			f.Sweeps = 20
		}
	}
}

func (f *FieldTraining) validate() error {
	if f.Phase != "exact" && f.Phase != "pcd" {
		return fmt.Errorf("compare: unknown negative phase %q (want exact or pcd)", f.Phase)
	}
	if f.Batch < 0 || f.Epochs < 0 || f.Chains < 0 || f.Sweeps < 0 {
		return fmt.Errorf("compare: batch %d, epochs %d, chains %d and sweeps %d must not be negative", f.Batch, f.Epochs, f.Chains, f.Sweeps)
	}
	for _, v := range []struct {
		name string
		x    float64
	}{{"nu", f.Nu}, {"tau", f.Tau}, {"t_min", f.TMin}, {"sigma0", f.Sigma0}} {
		if !(v.x >= 0) || math.IsInf(v.x, 0) {
			return fmt.Errorf("compare: %s = %v must be finite and ≥ 0", v.name, v.x)
		}
	}
	return nil
}

// nu returns the learning rate used at β.
func (f *FieldTraining) nu(beta float64) float64 {
	if f.Nu > 0 {
		return f.Nu
	}
	return math.Min(0.2/beta, 0.5/math.Expm1(2*beta))
}

// FieldRun is one trained receptive field.
type FieldRun struct {
	Beta      float64 `json:"beta"`
	Xi        float64 `json:"xi"` // correlation length 1/ln coth β
	N         int     `json:"n"`
	S         int     `json:"s"`
	Run       int     `json:"run"`
	DataSeed  uint64  `json:"data_seed"`
	TrainSeed uint64  `json:"train_seed"`
	Nu        float64 `json:"nu"`
	Batch     int     `json:"batch"`
	Updates   int     `json:"updates"`
	T         float64 `json:"t"`   // learning time reached
	Tau       float64 `json:"tau"` // β·t
	// W holds the final weights, sign-normalised (largest entry
	// positive).
	W []float64 `json:"w"`
	// Shape of the final field in physical units.
	Peak  float64  `json:"peak"`
	SumSq float64  `json:"sum_sq"`
	Sum   float64  `json:"sum"`
	FWHM  OptFloat `json:"fwhm"`
	PR    OptFloat `json:"pr"`
	// Drift is the relative change of the peak over the last fifth of the
	// training, a convergence gauge.
	Drift OptFloat `json:"drift"`
}

// trainField draws the data and trains one RBM.
func trainField(ctx context.Context, model ring.Ising, s int, tr *FieldTraining, run int, dataSeed, trainSeed uint64) (FieldRun, error) {
	out := FieldRun{Beta: model.Beta, Xi: model.CorrelationLength(), N: model.N, S: s, Run: run,
		DataSeed: dataSeed, TrainSeed: trainSeed, Nu: tr.nu(model.Beta)}
	data := ring.Generate(ring.NewExact(model), s, dataSeed)
	batch := tr.Batch
	if batch == 0 || batch > s {
		batch = s
	}
	out.Batch = batch
	upe := (s + batch - 1) / batch
	epochs := tr.Epochs
	if epochs == 0 {
		t := math.Max(tr.TMin, tr.Tau/model.Beta)
		epochs = max(1, int(math.Ceil(t/(out.Nu*float64(upe)))))
	}
	total := epochs * upe
	cfg := rbm.Config{Hidden: 1, Nu: out.Nu, Batch: batch, Epochs: epochs, Sigma0: tr.Sigma0,
		RecordEvery: max(1, total/5), Seed: trainSeed}
	if tr.Phase == "pcd" {
		cfg.Phase, cfg.Chains, cfg.Sweeps = rbm.PCD, tr.Chains, tr.Sweeps
	} else {
		cfg.Phase = rbm.Exact
	}
	res, err := rbm.Train(ctx, data, cfg)
	if err != nil {
		return out, fmt.Errorf("compare: β = %g run %d: %w", model.Beta, run, err)
	}
	fin := res.Final()
	out.Updates, out.T = fin.Update, fin.T
	out.Tau = model.Beta * fin.T
	out.W = dynamics.SignNormalize(nil, fin.W)
	out.Peak, out.SumSq, out.Sum = maxOf(out.W), dot(out.W, out.W), sum(out.W)
	out.FWHM, out.PR = OptFloat(dynamics.FWHM(out.W)), OptFloat(dynamics.ParticipationRatio(out.W))
	if len(res.Records) >= 2 {
		prev := dynamics.SignNormalize(nil, res.Records[len(res.Records)-2].W)
		if p := maxOf(prev); p > 0 {
			out.Drift = OptFloat(math.Abs(out.Peak-p) / p)
		}
	}
	return out, nil
}

// centredProfile returns the profile w re-centred circularly so that its
// peak sits at index len(w)/2, and the offsets i − peak.
func centredProfile(w []float64) (x, y []float64) {
	n := len(w)
	p := 0
	for i, v := range w {
		if v > w[p] {
			p = i
		}
	}
	x, y = make([]float64, n), make([]float64, n)
	for k := 0; k < n; k++ {
		d := k - n/2
		x[k], y[k] = float64(d), w[((p+d)%n+n)%n]
	}
	return x, y
}

// OptFloat is a float64 that may be undefined (NaN, e.g. the FWHM of a
// field without a half-maximum crossing); it encodes NaN and ±Inf as JSON
// null and decodes null as NaN.
type OptFloat float64

// MarshalJSON implements json.Marshaler.
func (x OptFloat) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *OptFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = OptFloat(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("compare: invalid number %q", b)
	}
	*x = OptFloat(f)
	return nil
}
